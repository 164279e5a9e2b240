"""Utilities for train.py and policy.py: reading the YAML config, pickling checkpoints, env steps."""

import os
import pickle
import re

import jax.numpy as jnp
import yaml


class AttrDict(dict):
    """A dict whose keys can also be read as attributes (`config.train_config.gamma`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    @classmethod
    def wrap(cls, value):
        """Nested dicts (and lists of them) turned into AttrDicts."""
        if isinstance(value, dict):
            return cls({key: cls.wrap(item) for key, item in value.items()})
        if isinstance(value, list):
            return [cls.wrap(item) for item in value]
        return value


def plain(value):
    """The inverse of AttrDict.wrap: plain dicts and lists, for pickling."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class _ConfigLoader(yaml.SafeLoader):
    """YAML's safe loader, but `5e-04` and `1e5` are numbers too (YAML 1.1 wants a dot)."""


# Exponent forms without a dot ("5e-04", "1e5"), which YAML 1.1 would read as strings.
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load_config(config_fname, seed_id=0):
    """The YAML config as an AttrDict; `train_config.seed_id` is set to `seed_id`."""
    with open(config_fname) as handle:
        config = yaml.load(handle, Loader=_ConfigLoader)
    if not isinstance(config, dict) or not isinstance(config.get("train_config"), dict):
        raise ValueError(f"{config_fname} is not a training config: it needs a train_config mapping")
    config = AttrDict.wrap(config)
    config.train_config.seed_id = seed_id
    return config


def save_pkl_object(obj, filename):
    """Pickle `obj` to `filename`, creating its folder and replacing an older file."""
    os.makedirs(os.path.dirname(filename) or ".", exist_ok=True)
    with open(filename, "wb") as handle:
        pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)
    print(f"saved {filename}")


def load_pkl_object(filename):
    with open(filename, "rb") as handle:
        return pickle.load(handle)


def env_step(env, key, state, action, params):
    """(obs, state, reward, done) for one step, for both gymnax step signatures.

    gymnax 1.x returns (obs, state, reward, terminated, truncated, info); older
    releases return (obs, state, reward, done, info). Either way the environment
    resets itself after an episode ends.
    """
    result = env.step(key, state, action, params)
    if len(result) == 6:
        obs, state, reward, terminated, truncated, _ = result
        done = jnp.logical_or(terminated, truncated)
    else:
        obs, state, reward, done, _ = result
    return obs, state, reward, done
