"""Shared evaluation of the gymnax RL tasks (each task's evaluate.py sets the environment).

The artefact is found by its documented names, never by searching:

    <workspace>/config.yaml               the training config (the --config_fname argument);
                                          its train_config section describes the network
    <workspace>/checkpoints/config*.pkl   exactly 5 checkpoints trained with it

Each checkpoint's policy is rolled out for seeds 0-4 in 256 parallel
environments for the task's number of steps, sampling its actions; an
environment's score is the summed reward of its first episode (cut at that
many steps). The result is the mean and standard deviation of all
5 × 5 × 256 = 6,400 returns: {"Reward Mean": ..., "Reward Std": ...}. The
protocol, random keys included, is that of MLGym's evaluation of these tasks.

Isolation: building a policy runs the agent's code (src/networks.py) and
unpickles the agent's checkpoints, so that happens in a child process, which
hands back only each policy compiled to a serialised XLA computation
(`jax.export`). This process never imports the agent's code or unpickles its
files; it runs the untouched gymnax environments and calls the computations, so
agent code cannot alter the environments, the rewards or the printed score.
The policy must therefore be a pure JAX function of (observation, key).
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if __name__ == "__main__":
    # Run as the child: the workspace is the agent's; see export_main for what goes on sys.path.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import glob  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402

NUM_CHECKPOINTS = 5
SEEDS = range(5)
NUM_ENVS = 256
EXPORT_TIMEOUT_S = 900
CHILD_LOG_LINES = 20


class InvalidSubmission(Exception):
    """The artefact cannot be evaluated; the message says why."""


# ----------------------------------------------------------------------------- finding the artefact

def find_artefact(config_path):
    """(config path, sorted checkpoint paths) or InvalidSubmission saying what is missing."""
    if not config_path:
        raise InvalidSubmission("no config given: the artefact is config.yaml in the workspace root")
    config_path = os.path.abspath(config_path)
    if not os.path.isfile(config_path):
        raise InvalidSubmission(f"{config_path} not found: copy the config you trained with to the workspace "
                                "root as config.yaml (src/train.py does this when it finishes)")
    stem = os.path.splitext(os.path.basename(config_path))[0]
    folder = os.path.join(os.path.dirname(config_path), "checkpoints")
    checkpoints = sorted(glob.glob(os.path.join(folder, f"{glob.escape(stem)}*.pkl")))
    if len(checkpoints) != NUM_CHECKPOINTS:
        raise InvalidSubmission(f"{folder} holds {len(checkpoints)} {stem}*.pkl checkpoint(s); exactly "
                                f"{NUM_CHECKPOINTS} are needed, one per training seed")
    return config_path, checkpoints


# ----------------------------------------------------------------------------- child: agent code

class AttrDict(dict):
    """A dict whose keys can also be read as attributes (`config.network_config`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def wrap(cls, value):
        if isinstance(value, dict):
            return cls({key: cls.wrap(item) for key, item in value.items()})
        if isinstance(value, list):
            return [cls.wrap(item) for item in value]
        return value


def read_config(path):
    """The YAML file, with exponent forms without a dot ("5e-04") read as numbers."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                                 re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
                                 list("-+0123456789."))
    with open(path) as handle:
        return yaml.load(handle, Loader=Loader)


def export_main(argv):
    """Child process: build each checkpoint's policy with the agent's code and export it.

    argv: workspace, config path, output folder, observation spec (JSON), checkpoints...
    Writes <output>/policy-<i>.bin, a serialised jax.export.Exported of
    act(obs float32[NUM_ENVS, *obs_shape], key uint32[2]) -> actions, where the
    network is networks.get_model_ready(PRNGKey(0), train_config) and the actions are
    model.apply(params, obs, rng=None)[1].sample(seed=key), as in MLGym.
    """
    workspace, config_path, output, obs_spec, *checkpoints = argv
    # The agent's modules (networks.py and what it imports) come first: this process
    # runs the agent's code anyway, and its only output is the exported computations.
    sys.path[:0] = [os.path.join(workspace, "src"), workspace]
    import pickle

    import jax
    import jax.numpy as jnp
    from networks import get_model_ready

    config = read_config(config_path)
    if not isinstance(config, dict) or not isinstance(config.get("train_config"), dict):
        raise SystemExit(f"{config_path} has no train_config mapping")
    obs_shape = tuple(json.loads(obs_spec))
    model, _ = get_model_ready(jax.random.PRNGKey(0), AttrDict.wrap(config["train_config"]))
    for index, path in enumerate(checkpoints):
        with open(path, "rb") as handle:
            checkpoint = pickle.load(handle)
        if not isinstance(checkpoint, dict) or "network" not in checkpoint:
            raise SystemExit(f"{path} holds no 'network' entry (the trained parameters)")
        params = jax.tree.map(jnp.asarray, checkpoint["network"])

        def act(obs, key, params=params):
            _, pi = model.apply(params, obs, rng=None)
            return pi.sample(seed=key)

        exported = jax.export.export(jax.jit(act))(
            jax.ShapeDtypeStruct((NUM_ENVS, *obs_shape), jnp.float32), jax.ShapeDtypeStruct((2,), jnp.uint32))
        with open(os.path.join(output, f"policy-{index}.bin"), "wb") as handle:
            handle.write(exported.serialize())


def export_policies(workspace, config_path, checkpoints, obs_shape, output):
    """Run the child; on failure raise InvalidSubmission with its last error line."""
    command = [sys.executable, os.path.abspath(__file__), "--export", workspace, config_path, output,
               json.dumps(list(obs_shape)), *checkpoints]
    try:
        child = subprocess.run(command, cwd=workspace, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", timeout=EXPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise InvalidSubmission(f"building the policies took over {EXPORT_TIMEOUT_S} s") from None
    if child.returncode != 0:
        lines = [line for line in child.stdout.splitlines() if line.strip()]
        sys.stderr.write("\n".join(lines[-CHILD_LOG_LINES:]) + "\n")
        # The exception line, not JAX's closing note about filtered traceback frames.
        errors = [line for line in lines if re.match(r"[A-Za-z_][\w.]*(Error|Exception|Exit)\b", line)]
        reason = (errors or lines or [f"exit status {child.returncode}"])[-1]
        raise InvalidSubmission(f"could not build the policies from the checkpoints: {reason}")


# ----------------------------------------------------------------------------- parent: rollouts

def load_policy(path, obs_shape, action_shape, discrete):
    """The exported policy, checked to take and return what the environment needs."""
    import jax
    import numpy as np

    with open(path, "rb") as handle:
        exported = jax.export.deserialize(bytearray(handle.read()))
    (actions,) = exported.out_avals if len(exported.out_avals) == 1 else (None,)
    expected_shape = (NUM_ENVS, *action_shape)
    if actions is None or tuple(actions.shape) != expected_shape:
        raise InvalidSubmission(f"the policy must return one action array of shape {expected_shape}, "
                                f"not {[tuple(a.shape) for a in exported.out_avals]}")
    if discrete != np.issubdtype(actions.dtype, np.integer):
        kind = "integer" if discrete else "floating-point"
        raise InvalidSubmission(f"the policy returns {actions.dtype} actions; this environment needs {kind} ones")
    return exported


def make_rollout(env, env_params, policy, num_steps, discrete, num_actions):
    """A compiled function seed → per-environment return of the first episode."""
    import jax
    import jax.numpy as jnp

    def step_envs(keys, states, actions):
        result = jax.vmap(env.step, in_axes=(0, 0, 0, None))(keys, states, actions, env_params)
        if len(result) == 6:  # gymnax ≥ 1.0: (obs, state, reward, terminated, truncated, info)
            obs, states, reward, terminated, truncated, _ = result
            return obs, states, reward, jnp.logical_or(terminated, truncated)
        obs, states, reward, done, _ = result
        return obs, states, reward, done

    def rollout(seed):
        # Keys as MLGym's evaluation derives them: the seed's key both resets the
        # environments (split 256 ways) and starts the chain of action and step keys.
        key = jax.random.PRNGKey(seed)
        obs, states = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(key, NUM_ENVS), env_params)

        def one_step(carry, _):
            obs, states, key, returns, running = carry
            key, action_key = jax.random.split(key)
            key, step_key = jax.random.split(key)
            actions = policy.call(obs.astype(jnp.float32), action_key)
            actions = jnp.clip(actions.astype(jnp.int32), 0, num_actions - 1) if discrete else actions
            obs, states, reward, done = step_envs(jax.random.split(step_key, NUM_ENVS), states, actions)
            returns = returns + reward * running
            return (obs, states, key, returns, running * (1.0 - done.astype(jnp.float32))), None

        start = (obs, states, key, jnp.zeros(NUM_ENVS), jnp.ones(NUM_ENVS))
        (_, _, _, returns, _), _ = jax.lax.scan(one_step, start, None, length=num_steps)
        return returns

    return jax.jit(rollout)


def evaluate(env_name, num_steps, config_fname):
    config_path, checkpoints = find_artefact(config_fname)
    workspace = os.path.dirname(config_path)
    # This process and the child both use the accelerator; JAX's default of reserving
    # 75% of its memory in the first process to start would leave the other too little.
    os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
    # jax.export needs flatbuffers to (de)serialise: fail here, as an evaluation error,
    # rather than in the child, where it would look like a fault of the submission.
    if importlib.util.find_spec("flatbuffers") is None:
        raise RuntimeError("the flatbuffers package, which jax.export needs, is not installed")
    import gymnax
    import numpy as np

    env, env_params = gymnax.make(env_name)
    obs_shape = tuple(env.observation_space(env_params).shape)
    action_space = env.action_space(env_params)
    discrete = hasattr(action_space, "n")
    action_shape = () if discrete else tuple(action_space.shape)
    num_actions = int(action_space.n) if discrete else 0
    returns = []
    with tempfile.TemporaryDirectory(prefix="rl-eval-") as output:
        export_policies(workspace, config_path, checkpoints, obs_shape, output)
        for index in range(len(checkpoints)):
            policy = load_policy(os.path.join(output, f"policy-{index}.bin"), obs_shape, action_shape, discrete)
            rollout = make_rollout(env, env_params, policy, num_steps, discrete, num_actions)
            returns += [np.asarray(rollout(seed)) for seed in SEEDS]
    returns = np.concatenate(returns)
    if not np.all(np.isfinite(returns)):
        raise InvalidSubmission("some episode returns are not finite")
    return {"Reward Mean": float(returns.mean()), "Reward Std": float(returns.std())}


def main(env_name, num_steps, argv=None):
    """Entry point of a task's evaluate.py: parse --config_fname, print the JSON line."""
    parser = argparse.ArgumentParser(description=f"Evaluate PPO checkpoints on {env_name}.")
    parser.add_argument("--config_fname", default="config.yaml", help="the config.yaml in the workspace root")
    args = parser.parse_args(argv)
    try:
        metrics = evaluate(env_name, num_steps, args.config_fname)
    except InvalidSubmission as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:
        print(f"evaluation failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--export":
        export_main(sys.argv[2:])
    else:
        sys.exit("rl_evaluation.py is run by a task's evaluate.py")
