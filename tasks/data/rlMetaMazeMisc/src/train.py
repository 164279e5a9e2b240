"""Train 5 PPO agents and save the artefact the evaluation reads.

Run from the workspace:

    python3 src/train.py [--config_fname src/config.yaml]

The random seed is fixed (42). It is split into one key for the training (shared by
all agents) and one initialisation key per agent, so the 5 agents differ in their
initial parameters. They are trained together (see policy.train_ppo), then written as

    checkpoints/config-42-<i>.pkl   one per agent, i = 0..4 (other config*.pkl are removed)
    config.yaml                     a copy of the config used, in the workspace root

Each checkpoint is a pickled dict: `network` (the trained parameters), `train_config`,
`log_steps` and `log_return` (the evaluations during training). The evaluation reads
config.yaml from the workspace root and exactly 5 checkpoints/config*.pkl, so both must
come from the same run. To try another algorithm, replace train_ppo below with a
function of the same signature and keep the rest.
"""

import argparse
import glob
import os
import shutil

import jax
import numpy as np
from helpers import load_config, plain, save_pkl_object
from networks import get_model_ready
from policy import train_ppo

SEED = 42  # keep: the task's agents are defined by it
NUM_CHECKPOINTS = 5  # the evaluation needs exactly this many
CHECKPOINTS_DIR = "checkpoints"
ARTEFACT_CONFIG = "config.yaml"


def main(config, ckpt_dir, log_ext):
    """Train NUM_CHECKPOINTS agents, save one checkpoint each; returns their last evaluation returns."""
    keys = jax.random.split(jax.random.PRNGKey(config.seed_id), NUM_CHECKPOINTS + 1)
    train_key, init_keys = keys[0], keys[1:]
    # Initialised one by one, then stacked along a leading agent axis.
    initial = [get_model_ready(key, config) for key in init_keys]
    model = initial[0][0]
    params = jax.tree.map(lambda *leaves: jax.numpy.stack(leaves), *[p for _, p in initial])

    log_steps, log_return, params = train_ppo(train_key, config, model, params)

    written = set()
    for i in range(NUM_CHECKPOINTS):
        path = os.path.join(ckpt_dir, f"{log_ext}-{i}.pkl")
        save_pkl_object({
            "log_steps": log_steps,
            "log_return": [returns[i] for returns in log_return],
            "network": jax.device_get(jax.tree.map(lambda x: x[i], params)),
            "train_config": plain(config),
        }, path)
        written.add(os.path.abspath(path))
    for stale in glob.glob(os.path.join(ckpt_dir, "config*.pkl")):
        if os.path.abspath(stale) not in written:
            os.remove(stale)
    return log_return[-1] if log_return else [float("nan")] * NUM_CHECKPOINTS


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train PPO agents and write checkpoints/ and config.yaml.")
    parser.add_argument("-config", "--config_fname", "--config", dest="config_fname", default="./src/config.yaml",
                        help="training config (YAML with a train_config section)")
    args, _ = parser.parse_known_args()
    config = load_config(args.config_fname, SEED)
    # Named after the artefact's config.yaml, whatever the training config is called:
    # the evaluation matches checkpoints/<stem of config.yaml>*.pkl.
    log_ext = f"{os.path.splitext(ARTEFACT_CONFIG)[0]}-{SEED}"
    rewards = main(config.train_config, ckpt_dir=CHECKPOINTS_DIR, log_ext=log_ext)
    if os.path.abspath(args.config_fname) != os.path.abspath(ARTEFACT_CONFIG):
        shutil.copyfile(args.config_fname, ARTEFACT_CONFIG)
    print(f"wrote {NUM_CHECKPOINTS} checkpoints to {CHECKPOINTS_DIR}/ and the config to {ARTEFACT_CONFIG}")
    print(f"rewards: {rewards}")
    print(f"average reward: {np.mean(rewards)}")
