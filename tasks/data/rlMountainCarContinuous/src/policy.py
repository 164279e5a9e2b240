"""Proximal Policy Optimisation (clipped objective, GAE) for gymnax environments.

Everything, the environment included, runs inside one compiled JAX function:
`make_trainer` returns `init(rng)` and `run(state, num_updates)`, and each update
collects `rollout_steps` steps from `num_envs` parallel environments, then takes
`update_epochs` passes of `num_minibatches` gradient steps over them.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from helpers import env_step


class Transition(NamedTuple):
    obs: jnp.ndarray
    action: jnp.ndarray
    reward: jnp.ndarray
    done: jnp.ndarray
    value: jnp.ndarray
    log_prob: jnp.ndarray


class TrainState(NamedTuple):
    params: dict
    opt_state: optax.OptState
    env_state: object
    obs: jnp.ndarray
    episode_return: jnp.ndarray  # running return of each environment's current episode
    rng: jnp.ndarray


def hyper_parameters(config):
    """The `train` section of the config with defaults and the derived batch sizes."""
    train = dict(num_envs=64, rollout_steps=128, num_minibatches=8, update_epochs=4, learning_rate=5e-4,
                 anneal_lr=True, gamma=0.99, gae_lambda=0.95, clip_eps=0.2, entropy_coef=0.01, value_coef=0.5,
                 max_grad_norm=0.5, total_steps=1_000_000)
    train.update(config.get("train", {}))
    for name in ("learning_rate", "gamma", "gae_lambda", "clip_eps", "entropy_coef", "value_coef", "max_grad_norm"):
        train[name] = float(train[name])
    for name in ("num_envs", "rollout_steps", "num_minibatches", "update_epochs", "total_steps"):
        train[name] = int(train[name])
    batch = train["num_envs"] * train["rollout_steps"]
    if batch % train["num_minibatches"]:
        raise ValueError(f"num_envs × rollout_steps = {batch} does not split into {train['num_minibatches']} minibatches")
    train["num_updates"] = max(1, train["total_steps"] // batch)
    train["minibatch_size"] = batch // train["num_minibatches"]
    return train


def make_optimizer(train):
    steps_per_update = train["num_minibatches"] * train["update_epochs"]
    if train["anneal_lr"]:
        learning_rate = optax.linear_schedule(train["learning_rate"], 0.0, train["num_updates"] * steps_per_update)
    else:
        learning_rate = train["learning_rate"]
    return optax.chain(optax.clip_by_global_norm(train["max_grad_norm"]), optax.adam(learning_rate, eps=1e-5))


def generalized_advantages(transitions, last_value, gamma, gae_lambda):
    """GAE(λ) advantages and value targets, computed backwards through the rollout."""

    def backwards(carry, transition):
        next_advantage, next_value = carry
        not_done = 1.0 - transition.done
        delta = transition.reward + gamma * next_value * not_done - transition.value
        advantage = delta + gamma * gae_lambda * not_done * next_advantage
        return (advantage, transition.value), advantage

    _, advantages = jax.lax.scan(backwards, (jnp.zeros_like(last_value), last_value), transitions, reverse=True)
    return advantages, advantages + transitions.value


def ppo_loss(params, model, batch, advantages, targets, train):
    value, distribution = model.apply(params, batch.obs)
    log_prob = distribution.log_prob(batch.action)
    ratio = jnp.exp(log_prob - batch.log_prob)
    normalised = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    clipped_ratio = jnp.clip(ratio, 1.0 - train["clip_eps"], 1.0 + train["clip_eps"])
    policy_loss = -jnp.minimum(ratio * normalised, clipped_ratio * normalised).mean()
    clipped_value = batch.value + jnp.clip(value - batch.value, -train["clip_eps"], train["clip_eps"])
    value_loss = 0.5 * jnp.maximum((value - targets) ** 2, (clipped_value - targets) ** 2).mean()
    entropy = distribution.entropy().mean()
    return policy_loss + train["value_coef"] * value_loss - train["entropy_coef"] * entropy


def make_trainer(model, env, env_params, train):
    """(init, run): init(rng) → TrainState; run(state, n) → (state, mean finished return per update)."""
    optimizer = make_optimizer(train)
    num_envs = train["num_envs"]
    step_envs = jax.vmap(lambda k, s, a: env_step(env, k, s, a, env_params))

    def init(rng):
        rng, init_key, reset_key = jax.random.split(rng, 3)
        obs_shape = env.observation_space(env_params).shape
        params = model.init(init_key, jnp.zeros((1, *obs_shape), jnp.float32))
        obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(reset_key, num_envs), env_params)
        return TrainState(params, optimizer.init(params), env_state, obs, jnp.zeros(num_envs), rng)

    def collect(state):
        def one_step(state, _):
            rng, action_key, step_key = jax.random.split(state.rng, 3)
            value, distribution = model.apply(state.params, state.obs)
            action = distribution.sample(seed=action_key)
            obs, env_state, reward, done = step_envs(jax.random.split(step_key, num_envs), state.env_state, action)
            done = done.astype(jnp.float32)
            episode_return = state.episode_return + reward
            finished = (done * episode_return).sum(), done.sum()
            transition = Transition(state.obs, action, reward, done, value, distribution.log_prob(action))
            state = state._replace(env_state=env_state, obs=obs, episode_return=episode_return * (1.0 - done), rng=rng)
            return state, (transition, finished)

        return jax.lax.scan(one_step, state, None, length=train["rollout_steps"])

    def learn(state, transitions):
        last_value, _ = model.apply(state.params, state.obs)
        advantages, targets = generalized_advantages(transitions, last_value, train["gamma"], train["gae_lambda"])
        flat = jax.tree.map(lambda x: x.reshape(-1, *x.shape[2:]), (transitions, advantages, targets))
        gradient = jax.grad(ppo_loss)

        def epoch(carry, _):
            params, opt_state, rng = carry
            rng, shuffle_key = jax.random.split(rng)
            order = jax.random.permutation(shuffle_key, num_envs * train["rollout_steps"])
            minibatches = jax.tree.map(
                lambda x: x[order].reshape(train["num_minibatches"], train["minibatch_size"], *x.shape[1:]), flat)

            def minibatch_step(carry, minibatch):
                params, opt_state = carry
                batch, advantage, target = minibatch
                updates, opt_state = optimizer.update(gradient(params, model, batch, advantage, target, train),
                                                      opt_state, params)
                return (optax.apply_updates(params, updates), opt_state), None

            (params, opt_state), _ = jax.lax.scan(minibatch_step, (params, opt_state), minibatches)
            return (params, opt_state, rng), None

        (params, opt_state, rng), _ = jax.lax.scan(
            epoch, (state.params, state.opt_state, state.rng), None, length=train["update_epochs"])
        return state._replace(params=params, opt_state=opt_state, rng=rng)

    def update(state, _):
        state, (transitions, (return_sums, episode_counts)) = collect(state)
        state = learn(state, transitions)
        mean_return = return_sums.sum() / jnp.maximum(episode_counts.sum(), 1.0)
        return state, jnp.where(episode_counts.sum() > 0, mean_return, jnp.nan)

    def run(state, num_updates):
        return jax.lax.scan(update, state, None, length=num_updates)

    return init, run
