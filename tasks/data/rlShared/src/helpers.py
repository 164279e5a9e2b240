"""Small utilities shared by train.py and policy.py: config files, checkpoints, env steps."""

import os
import pickle

import jax
import jax.numpy as jnp
import yaml


def load_config(path):
    """The YAML training config as a dict."""
    with open(path) as handle:
        config = yaml.safe_load(handle)
    if not isinstance(config, dict) or "env_name" not in config:
        raise ValueError(f"{path} is not a training config (it needs at least env_name)")
    return config


def save_checkpoint(path, params, config, returns_log):
    """Pickle the trained parameters (as numpy arrays) with the config that produced them.

    The evaluation reads `network` and builds the model from config.yaml, so a
    checkpoint is only meaningful next to the config it was trained with.
    """
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        pickle.dump({"network": jax.device_get(params), "config": config, "returns_log": returns_log}, handle)


def load_checkpoint(path):
    with open(path, "rb") as handle:
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
