"""Train PPO agents on a gymnax environment and save the artefact the evaluation reads.

Run from the workspace:

    python3 src/train.py [--config src/config.yaml]

It trains `num_seeds` agents (5; the evaluation needs exactly 5) in parallel, one
per seed, with the hyper-parameters of the config, and writes

    checkpoints/config-<seed>.pkl   one checkpoint per seed (older config*.pkl are removed)
    config.yaml                     a copy of the config used, in the workspace root

The evaluation reads `config.yaml` from the workspace root and the checkpoints
`checkpoints/config*.pkl`, so both must come from the same training run.
"""

import argparse
import glob
import math
import os
import shutil
import time
from functools import partial

import gymnax
import jax
import numpy as np
from helpers import load_config, save_checkpoint
from networks import get_model_ready
from policy import hyper_parameters, make_trainer

ARTEFACT_CONFIG = "config.yaml"
CHECKPOINT_DIR = "checkpoints"
LOG_POINTS = 20  # progress lines per training run


def chunk_sizes(num_updates, points):
    """Split the updates into at most `points` equal chunks plus a remainder (two compilations at most)."""
    size = max(1, num_updates // points)
    sizes = [size] * (num_updates // size)
    if num_updates % size:
        sizes.append(num_updates % size)
    return sizes


def finite_mean(values):
    """Mean of the finite values (an update in which no episode ended reports NaN)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def train(config):
    """Train one agent per seed; returns (parameters stacked over seeds, log of mean returns)."""
    hyper = hyper_parameters(config)
    env, env_params = gymnax.make(config["env_name"], **config.get("env_kwargs", {}))
    model, _ = get_model_ready(jax.random.PRNGKey(0), config)
    init, run = make_trainer(model, env, env_params, hyper)

    num_seeds = int(config.get("num_seeds", 5))
    seed_keys = jax.random.split(jax.random.PRNGKey(int(config.get("seed", 0))), num_seeds)
    # Seeds are initialised one by one and stacked: cheap, and a vmapped initialisation
    # (batched orthogonal initialisers) was seen to hang jaxlib 0.10 on a 2-core CPU.
    init = jax.jit(init)
    state = jax.tree.map(lambda *leaves: jax.numpy.stack(leaves), *[init(key) for key in seed_keys])
    steps_per_update = hyper["num_envs"] * hyper["rollout_steps"]
    compiled = {}
    log, done_updates, started = [], 0, time.time()
    print(f"{config['env_name']}: {num_seeds} seeds × {hyper['num_updates']} updates × {steps_per_update} steps")
    for size in chunk_sizes(hyper["num_updates"], LOG_POINTS):
        if size not in compiled:
            compiled[size] = jax.jit(jax.vmap(partial(run, num_updates=size)))
        state, returns = compiled[size](state)
        done_updates += size
        per_seed = [finite_mean(row) for row in np.asarray(returns)]
        log.append((done_updates * steps_per_update, per_seed))
        print(f"steps {done_updates * steps_per_update:>10}: mean episode return per seed "
              f"{' '.join(f'{r:8.2f}' for r in per_seed)}  ({time.time() - started:.0f} s)", flush=True)
    return state.params, log


def save_artefact(params, config_path, config, log):
    """One checkpoint per seed, stale checkpoints removed, and the config copied to the root."""
    num_seeds = jax.tree.leaves(params)[0].shape[0]
    written = set()
    for seed in range(num_seeds):
        path = os.path.join(CHECKPOINT_DIR, f"config-{seed}.pkl")
        save_checkpoint(path, jax.tree.map(lambda x: x[seed], params), config,
                        [(steps, returns[seed]) for steps, returns in log])
        written.add(os.path.abspath(path))
    for stale in glob.glob(os.path.join(CHECKPOINT_DIR, "config*.pkl")):
        if os.path.abspath(stale) not in written:
            os.remove(stale)
    if os.path.abspath(config_path) != os.path.abspath(ARTEFACT_CONFIG):
        shutil.copyfile(config_path, ARTEFACT_CONFIG)
    print(f"wrote {num_seeds} checkpoints to {CHECKPOINT_DIR}/ and the config to {ARTEFACT_CONFIG}")


def main():
    parser = argparse.ArgumentParser(description="Train PPO agents on a gymnax environment.")
    parser.add_argument("--config", default="src/config.yaml", help="training config (YAML)")
    args = parser.parse_args()
    config = load_config(args.config)
    params, log = train(config)
    save_artefact(params, args.config, config, log)


if __name__ == "__main__":
    main()
