"""Proximal Policy Optimisation (clipped objective, clipped value loss, GAE) for a gymnax environment.

`train_ppo` trains several agents at once, one per initial parameter set, with
`jax.vmap`; the agents share the random keys of the environments and of the
minibatch shuffles and differ only in their initial parameters.

The schedule, in the units of the config's `train_config`:

- one "epoch" is one vectorised step of the `num_train_envs` environments; there are
  `num_train_steps // num_train_envs + 1` of them;
- every `n_steps + 1` epochs the collected rollout is used for one PPO update: GAE
  over its first `n_steps` steps, bootstrapped from the value of the last one, then
  `epoch_ppo` passes over `n_minibatch` shuffled minibatches of
  `num_train_envs * n_steps` transitions;
- the learning rate goes linearly from `lr_begin` to `lr_end` over
  `num_train_steps * lr_warmup` optimiser steps (one per minibatch) and stays there;
- every `evaluate_every_epochs` epochs the current policies are rolled out in
  `num_test_rollouts` fresh environments for one full episode (actions sampled) and
  the mean return is logged.
"""

from typing import NamedTuple

import gymnax
import jax
import jax.numpy as jnp
import optax
from helpers import env_step

ENV_NAME = "MetaMaze-misc"


class Rollout(NamedTuple):
    obs: jnp.ndarray
    action: jnp.ndarray
    reward: jnp.ndarray
    done: jnp.ndarray
    log_pi: jnp.ndarray
    value: jnp.ndarray


class AgentState(NamedTuple):
    params: dict
    opt_state: optax.OptState
    env_state: object
    obs: jnp.ndarray
    key: jnp.ndarray  # key of the next environment step


def schedule(config):
    """The derived counts: epochs, PPO updates, minibatch size, warm-up optimiser steps."""
    num_envs, n_steps, n_minibatch = int(config.num_train_envs), int(config.n_steps), int(config.n_minibatch)
    batch = num_envs * n_steps
    if batch % n_minibatch:
        raise ValueError(f"num_train_envs × n_steps = {batch} does not split into {n_minibatch} equal minibatches")
    num_epochs = int(config.num_train_steps) // num_envs + 1
    return dict(num_envs=num_envs, n_steps=n_steps, n_minibatch=n_minibatch, epoch_ppo=int(config.epoch_ppo),
                num_epochs=num_epochs, num_updates=num_epochs // (n_steps + 1), minibatch_size=batch // n_minibatch,
                warmup_steps=int(float(config.num_train_steps) * float(config.lr_warmup)))


def make_optimizer(config, warmup_steps):
    learning_rate = optax.linear_schedule(float(config.lr_begin), float(config.lr_end), warmup_steps)
    return optax.chain(
        optax.clip_by_global_norm(float(config.max_grad_norm)),
        optax.scale_by_adam(eps=1e-5),
        optax.scale_by_schedule(lambda count: -learning_rate(count)),
    )


def gae_targets(rollout, gamma, gae_lambda):
    """(advantages, value targets) for all but the last step of the rollout, whose value bootstraps."""
    not_done = 1.0 - rollout.done[:-1]
    deltas = rollout.reward[:-1] + gamma * rollout.value[1:] * not_done - rollout.value[:-1]

    def backwards(next_advantage, step):
        delta, live = step
        advantage = delta + gamma * gae_lambda * live * next_advantage
        return advantage, advantage

    _, advantages = jax.lax.scan(backwards, jnp.zeros_like(deltas[0]), (deltas, not_done), reverse=True)
    return advantages, advantages + rollout.value[:-1]


def ppo_loss(params, apply_fn, obs, action, log_pi_old, value_old, target, gae, clip_eps, critic_coeff, entropy_coeff):
    value, pi = apply_fn(params, obs, rng=None)
    value = value[:, 0]
    log_prob = pi.log_prob(action)

    value_clipped = value_old + jnp.clip(value - value_old, -clip_eps, clip_eps)
    value_loss = 0.5 * jnp.maximum(jnp.square(value - target), jnp.square(value_clipped - target)).mean()

    ratio = jnp.exp(log_prob - log_pi_old)
    gae = (gae - gae.mean()) / (gae.std() + 1e-8)
    actor_loss = -jnp.minimum(ratio * gae, jnp.clip(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * gae).mean()

    entropy = pi.entropy().mean()
    return actor_loss + critic_coeff * value_loss - entropy_coeff * entropy


def minibatch_orders(key, size, epochs):
    """The shuffled index order of each PPO epoch: each epoch permutes the previous epoch's order
    with the same key, and every update reuses these orders (as MLGym's baseline does)."""
    orders, order = [], jnp.arange(size)
    for _ in range(epochs):
        order = jax.random.permutation(key, order)
        orders.append(order)
    return jnp.stack(orders)


def make_functions(model, config, counts):
    """(reset, update, evaluate, learn), each for one agent; train_ppo vmaps the first three over the agents."""
    env, env_params = gymnax.make(ENV_NAME)
    optimizer = make_optimizer(config, counts["warmup_steps"])
    num_envs, n_steps = counts["num_envs"], counts["n_steps"]
    gamma, gae_lambda = float(config.gamma), float(config.gae_lambda)
    loss_args = dict(clip_eps=float(config.clip_eps), critic_coeff=float(config.critic_coeff),
                     entropy_coeff=float(config.entropy_coeff))
    step_envs = jax.vmap(lambda k, s, a: env_step(env, k, s, a, env_params))
    grad_fn = jax.grad(ppo_loss)

    def reset(params, key_reset, key_step):
        obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(key_reset, num_envs), env_params)
        return AgentState(params, optimizer.init(params), env_state, obs, key_step)

    def collect(state):
        """n_steps + 1 steps of every environment with the current policy."""

        def one_step(state, _):
            value, pi = model.apply(state.params, state.obs, rng=None)
            action = pi.sample(seed=state.key)
            next_key, key_step = jax.random.split(state.key)
            obs, env_state, reward, done = step_envs(jax.random.split(key_step, num_envs), state.env_state, action)
            step = Rollout(state.obs, action, reward.reshape(num_envs), done.reshape(num_envs).astype(jnp.float32),
                           pi.log_prob(action), value[:, 0])
            return state._replace(env_state=env_state, obs=obs, key=next_key), step

        return jax.lax.scan(one_step, state, None, length=n_steps + 1)

    def learn(params, opt_state, rollout, orders):
        """One PPO update from a rollout of n_steps + 1 steps: (params, opt_state) after it."""
        advantages, targets = gae_targets(rollout, gamma, gae_lambda)
        # Flattened environment-major: index = environment * n_steps + step.
        flat = jax.tree.map(lambda x: x[:n_steps].swapaxes(0, 1).reshape(num_envs * n_steps, *x.shape[2:]),
                            (rollout.obs, rollout.action, rollout.log_pi, rollout.value))
        flat += tuple(x.swapaxes(0, 1).reshape(num_envs * n_steps) for x in (targets, advantages))

        def ppo_epoch(carry, order):
            minibatches = jax.tree.map(
                lambda x: x[order].reshape(counts["n_minibatch"], counts["minibatch_size"], *x.shape[1:]), flat)

            def minibatch_step(carry, minibatch):
                params, opt_state = carry
                obs, action, log_pi_old, value_old, target, gae = minibatch
                grads = grad_fn(params, model.apply, obs, action, log_pi_old, value_old, target, gae, **loss_args)
                updates, opt_state = optimizer.update(grads, opt_state, params)
                return (optax.apply_updates(params, updates), opt_state), None

            return jax.lax.scan(minibatch_step, carry, minibatches)[0], None

        return jax.lax.scan(ppo_epoch, (params, opt_state), orders)[0]

    def update(state, orders):
        state, rollout = collect(state)
        params, opt_state = learn(state.params, state.opt_state, rollout, orders)
        return state._replace(params=params, opt_state=opt_state)

    def evaluate(params, key, num_envs_eval):
        """Mean return of one episode (or of max_steps_in_episode steps) in fresh environments."""
        key_reset, key = jax.random.split(key)
        obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(key_reset, num_envs_eval), env_params)

        def one_step(carry, _):
            obs, env_state, key, returns, live = carry
            # The action key also seeds the next step's split (as in the baseline's code).
            _, key_step, key = jax.random.split(key, 3)
            _, pi = model.apply(params, obs, rng=None)
            obs, env_state, reward, done = step_envs(jax.random.split(key_step, num_envs_eval), env_state,
                                                     pi.sample(seed=key))
            returns = returns + reward.reshape(num_envs_eval) * live
            return (obs, env_state, key, returns, live * (1.0 - done.reshape(num_envs_eval))), None

        start = (obs, env_state, key, jnp.zeros(num_envs_eval), jnp.ones(num_envs_eval))
        (_, _, _, returns, _), _ = jax.lax.scan(one_step, start, None, length=env_params.max_steps_in_episode)
        return returns.mean()

    return reset, update, evaluate, learn


def evaluation_points(counts, every):
    """(updates done, environment steps so far) at each logged evaluation."""
    points, epoch = [], every - 1
    while every > 0 and epoch <= counts["num_epochs"]:
        if epoch > 0:
            points.append((epoch // (counts["n_steps"] + 1), epoch * counts["num_envs"]))
        epoch += every
    return points


def train_ppo(rng, config, model, params, log=print):
    """Train one agent per entry of the leading axis of `params` (initial parameters stacked).

    Returns (log_steps, log_return, params): the environment steps at each evaluation,
    the mean evaluation return of each agent there (a list per evaluation), and the
    trained parameters, stacked like the input.
    """
    counts = schedule(config)
    reset, update, evaluate, _ = make_functions(model, config, counts)
    num_agents = jax.tree.leaves(params)[0].shape[0]
    rng, key_step, key_reset, _, key_update = jax.random.split(rng, 5)
    orders = minibatch_orders(key_update, counts["num_envs"] * counts["n_steps"], counts["epoch_ppo"])

    state = jax.jit(jax.vmap(reset, in_axes=(0, None, None)))(params, key_reset, key_step)
    update_all = jax.jit(jax.vmap(update, in_axes=(0, None)), donate_argnums=0)
    evaluate_all = jax.jit(jax.vmap(evaluate, in_axes=(0, None, None)), static_argnums=2)

    log(f"{ENV_NAME}: {num_agents} agents × {counts['num_updates']} PPO updates of "
        f"{counts['num_envs']} environments × {counts['n_steps'] + 1} steps")
    log_steps, log_return, done = [], [], 0
    for updates_done, env_steps in evaluation_points(counts, int(config.evaluate_every_epochs)):
        for _ in range(updates_done - done):
            state = update_all(state, orders)
        done = updates_done
        rng, key_eval = jax.random.split(rng)
        returns = [float(r) for r in evaluate_all(state.params, key_eval, int(config.num_test_rollouts))]
        log_steps.append(env_steps)
        log_return.append(returns)
        log(f"steps {env_steps:>10}  updates {done:>6}  mean evaluation return per agent "
            + " ".join(f"{r:8.2f}" for r in returns))
    for _ in range(counts["num_updates"] - done):
        state = update_all(state, orders)
    return log_steps, log_return, state.params
