"""The actor-critic network and the action distributions it returns.

The evaluation builds the policy through `get_model_ready(rng, config)` and then
calls `model.apply(params, obs)`, which must return `(value, distribution)` where
`distribution.sample(seed=key)` draws one action per observation. Keep that
interface if you change the architecture.
"""

import flax.linen as nn
import gymnax
import jax
import jax.numpy as jnp


class Categorical:
    """A batch of categorical distributions over discrete actions, given by logits."""

    def __init__(self, logits):
        self.logits = logits

    def sample(self, seed):
        return jax.random.categorical(seed, self.logits, axis=-1)

    def log_prob(self, action):
        log_probs = jax.nn.log_softmax(self.logits, axis=-1)
        return jnp.take_along_axis(log_probs, action[..., None].astype(jnp.int32), axis=-1)[..., 0]

    def entropy(self):
        log_probs = jax.nn.log_softmax(self.logits, axis=-1)
        return -jnp.sum(jnp.exp(log_probs) * log_probs, axis=-1)


class DiagonalGaussian:
    """A batch of Gaussians with independent action dimensions, for continuous actions."""

    def __init__(self, mean, log_std):
        self.mean, self.log_std = mean, jnp.broadcast_to(log_std, mean.shape)

    def sample(self, seed):
        return self.mean + jnp.exp(self.log_std) * jax.random.normal(seed, self.mean.shape)

    def log_prob(self, action):
        z = (action - self.mean) / jnp.exp(self.log_std)
        return jnp.sum(-0.5 * z ** 2 - self.log_std - 0.5 * jnp.log(2 * jnp.pi), axis=-1)

    def entropy(self):
        return jnp.sum(self.log_std + 0.5 * jnp.log(2 * jnp.pi * jnp.e), axis=-1)


def mlp(x, units, layers, name):
    """`layers` dense tanh layers of `units` each (orthogonal initialisation, as is usual for PPO)."""
    for i in range(layers):
        x = nn.tanh(nn.Dense(units, kernel_init=nn.initializers.orthogonal(jnp.sqrt(2.0)), name=f"{name}_{i}")(x))
    return x


class ActorCritic(nn.Module):
    """Separate MLPs for the value and the policy over the flattened observation."""

    action_dim: int
    continuous: bool
    hidden_units: int = 256
    hidden_layers: int = 2

    @nn.compact
    def __call__(self, obs):
        x = obs.astype(jnp.float32).reshape(obs.shape[0], -1)
        value_features = mlp(x, self.hidden_units, self.hidden_layers, "critic")
        value = nn.Dense(1, kernel_init=nn.initializers.orthogonal(1.0), name="critic_out")(value_features)[..., 0]
        policy_features = mlp(x, self.hidden_units, self.hidden_layers, "actor")
        out = nn.Dense(self.action_dim, kernel_init=nn.initializers.orthogonal(0.01), name="actor_out")(policy_features)
        if self.continuous:
            log_std = self.param("log_std", nn.initializers.zeros, (self.action_dim,))
            return value, DiagonalGaussian(out, log_std)
        return value, Categorical(out)


def get_model_ready(rng, config):
    """(model, initial params) for the environment and network sizes of a training config."""
    env, env_params = gymnax.make(config["env_name"], **config.get("env_kwargs", {}))
    action_space = env.action_space(env_params)
    continuous = not hasattr(action_space, "n")
    action_dim = int(action_space.shape[0]) if continuous else int(action_space.n)
    network = config.get("network", {})
    model = ActorCritic(action_dim=action_dim, continuous=continuous,
                        hidden_units=int(network.get("hidden_units", 256)),
                        hidden_layers=int(network.get("hidden_layers", 2)))
    obs_shape = env.observation_space(env_params).shape
    params = model.init(rng, jnp.zeros((1, *obs_shape), jnp.float32))
    return model, params
