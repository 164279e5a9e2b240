"""Evaluation of the FineWeb language-modelling task: validation cross-entropy.

Run from the workspace with torchrun, one process per GPU:

    torchrun --nproc_per_node=<GPUs> --standalone evaluate.py

It imports `Model` and `ModelConfig` from the workspace's baseline.py, builds
the model from `model_config.pt` (a pickled ModelConfig, as MLGym's baseline
writes it, or a dict of its fields saved with torch.save or pickle) and loads
`model.pt` (a state_dict; the `module.` and `_orig_mod.` prefixes that DDP and
torch.compile add are dropped). As in MLGym-Bench, the model is called as
`model(inputs, targets, return_logits=True)` in bfloat16 autocast and the score
is the mean next-token cross-entropy over the first 10,485,760 validation
tokens (10,240 sequences of 1,024 tokens, split evenly across the processes).

Unlike MLGym's evaluation it also checks that the score is honest: the loss is
computed here from the returned logits (the model's own loss is ignored), and a
probe first checks that the logits before position k stay the same when the
tokens from k on (and with them the targets from k - 1 on) are replaced, so a
model that looks ahead, at later tokens or at the targets it is given, is
rejected. Rank 0 prints {"val_loss": ...} as one JSON line; a model that cannot
be evaluated prints a one-line reason on stderr and exits 1.

The evaluation runs the agent's model code; a model that tampers with the
evaluation process itself is outside what these checks can catch.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` or `torch.py` placed
# next to this script would otherwise be imported instead of the real module.
# baseline.py is loaded explicitly, by path, further down.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import glob  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

VAL_FILES = "data/fineweb10B/fineweb_val_*.bin"
VAL_TOKENS = 10_485_760
SEQUENCE_LENGTH = 1024
BATCH_SEQUENCES = 16  # per process and forward pass; the result does not depend on it
GPT2_VOCABULARY = 50257
CAUSALITY_TOLERANCE = 0.1  # logits; honest causal models give identical prefixes
SHARD_MAGIC, SHARD_VERSION, HEADER_WORDS = 20240520, 1, 256


class InvalidSubmission(Exception):
    """The artefact cannot be evaluated; the message says why."""


def read_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=HEADER_WORDS)
    if len(header) != HEADER_WORDS or header[0] != SHARD_MAGIC or header[1] != SHARD_VERSION:
        raise RuntimeError(f"{path} is not a version-{SHARD_VERSION} token shard (bad header)")
    tokens = np.fromfile(path, dtype=np.uint16, count=int(header[2]), offset=HEADER_WORDS * 4)
    if len(tokens) != header[2]:
        raise RuntimeError(f"{path} holds {len(tokens)} tokens, its header says {header[2]}")
    return tokens


def validation_tokens(pattern, count):
    """The first count + 1 validation tokens (the +1 is the last target)."""
    files = sorted(glob.glob(pattern))
    if not files:
        raise RuntimeError(f"no validation shards match {pattern}")
    parts, have = [], 0
    for path in files:
        parts.append(read_shard(path))
        have += len(parts[-1])
        if have > count:
            break
    if have <= count:
        raise RuntimeError(f"the validation shards hold {have} tokens, {count + 1} are needed")
    return np.concatenate(parts)[:count + 1]


def load_module(path, name):
    """Import the agent's training script by path (the workspace is not on sys.path)."""
    if not os.path.isfile(path):
        raise InvalidSubmission(f"{path} not found: the evaluation imports Model and ModelConfig from it")
    # Modules of the agent's own (say, a model.py beside baseline.py) are found, but only
    # after the installed packages, so they cannot stand in for one.
    sys.path.append(os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that pickled objects of this module can be found
    spec.loader.exec_module(module)
    for attribute in ("Model", "ModelConfig"):
        if not hasattr(module, attribute):
            raise InvalidSubmission(f"{path} defines no {attribute}")
    return module


def strip_prefixes(state):
    """Parameter names without the `module.` (DDP) and `_orig_mod.` (torch.compile) prefixes."""
    clean = {}
    for key, value in state.items():
        while key.startswith(("module.", "_orig_mod.")):
            key = key.split(".", 1)[1]
        clean[key] = value
    return clean


def load_config(path, module):
    """The saved ModelConfig: pickled (MLGym's format) or saved with torch.save; a dict becomes ModelConfig(**dict).

    A config pickled by `python baseline.py` refers to `__main__.ModelConfig`, so
    that name is pointed at the workspace's class first. (Unpickling can run
    code, but so does importing baseline.py: neither adds to what the agent's
    code can do here.)
    """
    setattr(sys.modules["__main__"], "ModelConfig", module.ModelConfig)
    try:
        with open(path, "rb") as handle:
            config = pickle.load(handle)
    except Exception:
        try:
            config = torch.load(path, map_location="cpu", weights_only=False)
        except Exception as error:
            raise InvalidSubmission(f"cannot read {path}: {type(error).__name__}: {error}") from None
    if isinstance(config, dict):
        config = module.ModelConfig(**config)
    return config


def load_model(workspace, device):
    module = load_module(os.path.join(workspace, "baseline.py"), "baseline")
    for name in ("model.pt", "model_config.pt"):
        if not os.path.isfile(os.path.join(workspace, name)):
            raise InvalidSubmission(f"{name} not found in {workspace}")
    config = load_config(os.path.join(workspace, "model_config.pt"), module)
    try:
        model = module.Model(config)
    except Exception as error:
        raise InvalidSubmission(f"Model(config) failed: {type(error).__name__}: {error}") from None
    state = torch.load(os.path.join(workspace, "model.pt"), map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise InvalidSubmission("model.pt is not a state_dict")
    model.load_state_dict(strip_prefixes(state), strict=True)
    return model.to(device).eval()


def logits_of(model, inputs, targets, device):
    """The model's logits for inputs (MLGym's call: model(inputs, targets, return_logits=True)), checked for shape."""
    with torch.autocast(device.type, dtype=torch.bfloat16):
        logits = model(inputs, targets, return_logits=True)
    if isinstance(logits, (tuple, list)):
        logits = logits[0]
    if not torch.is_tensor(logits) or logits.shape[:2] != inputs.shape or logits.ndim != 3:
        raise InvalidSubmission("model(inputs, targets, return_logits=True) must return (logits, loss) "
                                "with logits of shape (batch, seq, vocab)")
    if logits.shape[-1] < GPT2_VOCABULARY:
        raise InvalidSubmission(f"the model's logits cover {logits.shape[-1]} tokens, GPT-2 has {GPT2_VOCABULARY}")
    return logits.float()


@torch.no_grad()
def check_causal(model, windows, device):
    """Changing the tokens from position k on must leave the logits before k unchanged.

    windows holds sequences of SEQUENCE_LENGTH + 1 tokens (inputs and targets
    overlap by all but one). A model that looks at later tokens, or at the
    targets it is handed, would predict what it is scored on. The tokens from k
    on are swapped with those of other real sequences, and the targets follow
    them (the target at k - 1 is the token at k), so the probe looks like
    ordinary data.
    """
    windows = windows[:4].to(device)
    original = logits_of(model, windows[:, :-1].contiguous(), windows[:, 1:].contiguous(), device)
    for k in (SEQUENCE_LENGTH // 4, SEQUENCE_LENGTH // 2, 3 * SEQUENCE_LENGTH // 4):
        changed = windows.clone()
        changed[:, k:] = windows.roll(1, dims=0)[:, k:]
        logits = logits_of(model, changed[:, :-1].contiguous(), changed[:, 1:].contiguous(), device)
        drift = (logits[:, :k] - original[:, :k]).abs().max().item()
        if not drift <= CAUSALITY_TOLERANCE:
            raise InvalidSubmission(f"the model is not causal: logits before position {k} moved by {drift:.3g} "
                                    "when only later tokens (and targets) changed")


@torch.no_grad()
def summed_loss(model, sequences, targets, device):
    """(sum of cross-entropies, number of targets) over this process's sequences."""
    total = torch.zeros((), dtype=torch.float64, device=device)
    for start in range(0, len(sequences), BATCH_SEQUENCES):
        inputs = sequences[start:start + BATCH_SEQUENCES].to(device)
        expected = targets[start:start + BATCH_SEQUENCES].to(device)
        logits = logits_of(model, inputs, expected, device)
        total += F.cross_entropy(logits.view(-1, logits.shape[-1]), expected.view(-1), reduction="sum").double()
    return total, targets.numel()


def setup_distributed():
    """(rank, world size, device) under torchrun; a single process without it."""
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if torch.cuda.is_available() else "cpu")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend=backend)
    if backend == "gloo":
        return dist.get_rank(), dist.get_world_size(), torch.device("cpu")
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    return dist.get_rank(), dist.get_world_size(), torch.device("cuda", local_rank)


def evaluate(args, rank, world_size, device):
    sequences_total = args.val_tokens // SEQUENCE_LENGTH
    if sequences_total % world_size:
        raise RuntimeError(f"{sequences_total} validation sequences do not split over {world_size} processes")
    tokens = torch.from_numpy(validation_tokens(args.val_files, args.val_tokens).astype(np.int64))
    inputs = tokens[:-1].view(sequences_total, SEQUENCE_LENGTH)
    targets = tokens[1:].view(sequences_total, SEQUENCE_LENGTH)
    model = load_model(os.getcwd(), device)
    windows = torch.stack([tokens[i * SEQUENCE_LENGTH:(i + 1) * SEQUENCE_LENGTH + 1] for i in range(4)])
    check_causal(model, windows, device)
    share = sequences_total // world_size
    mine = slice(rank * share, (rank + 1) * share)
    loss_sum, count = summed_loss(model, inputs[mine], targets[mine], device)
    totals = torch.stack([loss_sum, torch.tensor(float(count), dtype=torch.float64, device=device)])
    if world_size > 1:
        dist.all_reduce(totals)
    return (totals[0] / totals[1]).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--val_files", default=VAL_FILES, help=argparse.SUPPRESS)
    parser.add_argument("--val_tokens", type=int, default=VAL_TOKENS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rank, world_size, device = setup_distributed()
    try:
        val_loss = evaluate(args, rank, world_size, device)
        if not np.isfinite(val_loss):
            raise InvalidSubmission(f"the validation loss is {val_loss}")
    except InvalidSubmission as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:
        print(f"evaluation failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    if rank == 0:
        print(json.dumps({"val_loss": val_loss}), flush=True)
    if world_size > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
