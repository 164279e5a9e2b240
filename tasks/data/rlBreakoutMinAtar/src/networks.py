"""The actor-critic network (class `Model`) and the action distributions it returns.

The evaluation builds the network with `get_model_ready(rng, train_config)`, where
`train_config` is the `train_config` section of the workspace's config.yaml, then calls
`model.apply(params, obs, rng=None)` on a batch of float32 observations. That call must
return `(value, pi)` where `pi.sample(seed=key)` draws one action per observation.
Keep the class name `Model` and that interface if you change the architecture.
"""

import flax.linen as nn
import gymnax
import jax
import jax.numpy as jnp

ENV_NAME = "Breakout-MinAtar"


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
    """A batch of Gaussians with independent action dimensions (mean and standard deviation per dimension)."""

    def __init__(self, loc, scale):
        self.loc, self.scale = loc, scale

    def sample(self, seed):
        return self.loc + self.scale * jax.random.normal(seed, self.loc.shape)

    def log_prob(self, action):
        z = (action - self.loc) / self.scale
        return jnp.sum(-0.5 * z ** 2 - jnp.log(self.scale) - 0.5 * jnp.log(2 * jnp.pi), axis=-1)

    def entropy(self):
        return jnp.sum(jnp.log(self.scale) + 0.5 * jnp.log(2 * jnp.pi * jnp.e), axis=-1)


def bias_init():
    """Biases start uniform in [0, 0.05); weights keep flax's default (LeCun normal)."""
    return nn.initializers.uniform(scale=0.05)


# The evaluation looks the network up by this class name: do not rename it.
class Model(nn.Module):
    """Separate actor and critic MLPs (ReLU) over the observation.

    Discrete actions: the actor outputs logits of a categorical distribution.
    Continuous actions: it outputs a mean and, through softplus + min_std, a
    standard deviation per action dimension.
    """

    num_output_units: int
    num_hidden_units: int
    num_hidden_layers: int
    continuous: bool = False
    min_std: float = 0.001
    flatten_2d: bool = False  # flatten observations that are 2-D images
    flatten_3d: bool = False  # flatten observations that are 3-D images (Breakout-MinAtar)
    prefix_actor: str = "actor"
    prefix_critic: str = "critic"
    model_name: str = "separate-mlp"

    def tower(self, x, prefix):
        for i in range(self.num_hidden_layers):
            x = nn.relu(nn.Dense(self.num_hidden_units, bias_init=bias_init(), name=f"{prefix}_fc_{i + 1}")(x))
        return x

    @nn.compact
    def __call__(self, x, rng=None):
        # One observation has the environment's shape; a batch has one more leading axis.
        if self.flatten_2d and x.ndim >= 2:
            x = x.reshape(-1) if x.ndim == 2 else x.reshape(x.shape[0], -1)
        if self.flatten_3d and x.ndim >= 3:
            x = x.reshape(-1) if x.ndim == 3 else x.reshape(x.shape[0], -1)

        v = nn.Dense(1, bias_init=bias_init(), name=f"{self.prefix_critic}_fc_v")(self.tower(x, self.prefix_critic))

        x_a = self.tower(x, self.prefix_actor)
        if self.continuous:
            mu = nn.Dense(self.num_output_units, bias_init=bias_init(), name=f"{self.prefix_actor}_fc_mu")(x_a)
            raw_scale = nn.Dense(self.num_output_units, bias_init=bias_init(),
                                 name=f"{self.prefix_actor}_fc_scale")(x_a)
            return v, DiagonalGaussian(mu, jax.nn.softplus(raw_scale) + self.min_std)
        logits = nn.Dense(self.num_output_units, bias_init=bias_init(), name=f"{self.prefix_actor}_fc_logits")(x_a)
        return v, Categorical(logits)


def get_model_ready(rng, config):
    """(model, initial params) for this task's environment; `config` is the train_config section."""
    env, env_params = gymnax.make(ENV_NAME)
    action_space = env.action_space(env_params)
    continuous = not hasattr(action_space, "n")
    num_outputs = int(action_space.shape[0]) if continuous else int(action_space.n)
    model = Model(**config["network_config"], num_output_units=num_outputs, continuous=continuous)
    obs_shape = env.observation_space(env_params).shape
    params = model.init(rng, jnp.zeros(obs_shape, jnp.float32), rng=rng)
    return model, params
