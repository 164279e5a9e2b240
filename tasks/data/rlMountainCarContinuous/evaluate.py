"""Evaluation of the rlMountainCarContinuous task: PPO checkpoints rolled out on MountainCarContinuous-v0.

Usage: python3 evaluate.py --config_fname config.yaml

Reads config.yaml in the workspace root and exactly 5 checkpoints
checkpoints/config*.pkl, rolls each policy out for seeds 0-4 in 256 parallel
environments for 200 steps, and prints {"Reward Mean": ..., "Reward Std": ...}
over the 6,400 first-episode returns. The shared logic, and why the agent's
code runs in a separate process, is in rl_evaluation.py.

As in MLGym, episodes are cut at 200 steps here although the environment's own
limit is 999.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` or `jax.py` placed next to
# this script would otherwise be imported instead of the real module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import importlib.util  # noqa: E402

ENV_NAME = "MountainCarContinuous-v0"
NUM_STEPS = 200


def load_shared_evaluation():
    """rl_evaluation.py from beside this file, imported by path (its folder is not on sys.path)."""
    spec = importlib.util.spec_from_file_location("rl_evaluation", os.path.join(_HERE, "rl_evaluation.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    load_shared_evaluation().main(ENV_NAME, NUM_STEPS)
