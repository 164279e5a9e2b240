"""Baseline for the FineWeb language-modelling task: a GPT-2-small-sized transformer.

Run from the workspace with torchrun, one process per GPU:

    torchrun --nproc_per_node=<GPUs> --standalone baseline.py

It trains for 500 steps of 512 sequences × 1024 tokens on the FineWeb training
shards and writes two files that evaluate.py reads:

- `model.pt`: the model's state_dict (plain parameter names, no DDP/compile prefixes)
- `model_config.pt`: the ModelConfig, saved as a dict of its fields

evaluate.py imports `Model` and `ModelConfig` from this file, so architecture
changes made here are what gets evaluated. The evaluation calls `model(idx)` with
a (batch, seq) int64 tensor and needs (batch, seq, vocab) logits back; with
`targets` the model returns the mean cross-entropy instead (used for training).
Position t must only see tokens 0..t: the evaluation checks that.
"""

import contextlib
import dataclasses
import glob
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

TRAIN_FILES = "data/fineweb10B/fineweb_train_*.bin"
SEQUENCE_LENGTH = 1024
MICRO_BATCH_SEQUENCES = 64  # per GPU and forward pass
GLOBAL_BATCH_SEQUENCES = 512  # per optimiser step, all GPUs and accumulation steps together
NUM_ITERATIONS = 500
WARMDOWN_ITERATIONS = 150  # the learning rates decay linearly to 0 over the last steps
EMBEDDING_LR, HEAD_LR, MATRIX_LR = 0.6, 0.008, 0.04
SHARD_MAGIC, SHARD_VERSION, HEADER_WORDS = 20240520, 1, 256


# ----------------------------------------------------------------------------- data

def read_shard(path):
    """Tokens of one .bin shard: 256 int32 header words (magic, version, count), then uint16 tokens."""
    header = np.fromfile(path, dtype=np.int32, count=HEADER_WORDS)
    if len(header) != HEADER_WORDS or header[0] != SHARD_MAGIC or header[1] != SHARD_VERSION:
        raise ValueError(f"{path} is not a version-{SHARD_VERSION} token shard (bad header)")
    tokens = np.fromfile(path, dtype=np.uint16, count=int(header[2]), offset=HEADER_WORDS * 4)
    if len(tokens) != header[2]:
        raise ValueError(f"{path} holds {len(tokens)} tokens, its header says {header[2]}")
    return tokens


class ShardStream:
    """Consecutive (inputs, targets) batches from the shards, each rank reading its own slice."""

    def __init__(self, pattern, batch, length, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        if not self.files:
            raise FileNotFoundError(f"no token shards match {pattern}")
        self.batch, self.length, self.rank, self.world_size = batch, length, rank, world_size
        self.file_index, self.tokens, self.position = -1, None, 0
        self._next_file()

    def _next_file(self):
        self.file_index = (self.file_index + 1) % len(self.files)
        self.tokens, self.position = read_shard(self.files[self.file_index]), 0

    def next_batch(self, device):
        span = self.batch * self.length
        if self.position + self.world_size * span + 1 > len(self.tokens):
            self._next_file()
        start = self.position + self.rank * span
        chunk = torch.from_numpy(self.tokens[start:start + span + 1].astype(np.int64))
        self.position += self.world_size * span
        inputs, targets = chunk[:-1].view(self.batch, self.length), chunk[1:].view(self.batch, self.length)
        return inputs.to(device, non_blocking=True), targets.to(device, non_blocking=True)


# ----------------------------------------------------------------------------- model

@dataclasses.dataclass
class ModelConfig:
    vocab_size: int = 50304  # GPT-2's 50,257 tokens, padded to a multiple of 128 for speed
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768


class Rotary(nn.Module):
    """Rotary position embedding: rotates pairs of query/key channels by position-dependent angles."""

    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim),
                             persistent=False)

    def forward(self, x):  # x: (batch, seq, heads, head_dim)
        angles = torch.outer(torch.arange(x.shape[1], device=x.device).float(), self.inv_freq)
        cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head, self.head_dim = config.n_head, config.n_embd // config.n_head
        self.q = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.k = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.v = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.proj.weight.data.zero_()  # each block starts as the identity
        self.rotary = Rotary(self.head_dim)

    def forward(self, x):
        batch, seq, _ = x.shape
        shape = (batch, seq, self.n_head, self.head_dim)
        q, k, v = self.q(x).view(shape), self.k(x).view(shape), self.v(x).view(shape)
        q, k = F.rms_norm(q, (self.head_dim,)), F.rms_norm(k, (self.head_dim,))  # QK-norm keeps logits tame
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(batch, seq, -1))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.up = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.down = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)
        self.down.weight.data.zero_()

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())  # ReLU² trains a little faster than GELU here


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention, self.mlp = CausalSelfAttention(config), MLP(config)

    def forward(self, x):
        x = x + self.attention(F.rms_norm(x, (x.shape[-1],)))
        return x + self.mlp(F.rms_norm(x, (x.shape[-1],)))


class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight.data.zero_()

    def forward(self, idx, targets=None):
        """Logits (batch, seq, vocab) in float32, or the mean cross-entropy when targets are given."""
        x = self.embedding(idx)
        for block in self.blocks:
            x = block(x)
        logits = self.head(F.rms_norm(x, (x.shape[-1],))).float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


# ----------------------------------------------------------------------------- optimiser

def orthogonalize(update, steps=5):
    """Approximately replace update = U S Vᵀ by U Vᵀ with a quintic Newton-Schulz iteration.

    The coefficients make the iteration converge fast from a Frobenius-normalised
    start; it runs in bfloat16, which is precise enough for an update direction.
    """
    a, b, c = 3.4445, -4.7750, 2.0315
    x = update.bfloat16()
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    x = x / (x.norm() + 1e-7)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return (x.T if tall else x).to(update.dtype)


class Muon(torch.optim.Optimizer):
    """SGD with Nesterov momentum whose update of each weight matrix is orthogonalised.

    Used for the 2-D weights inside the blocks; embeddings and the output head
    train better with Adam. Every rank computes the same update from the
    already-averaged gradients, which is simple and cheap at this size.
    """

    def __init__(self, params, lr, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buffer = self.state[p].setdefault("momentum", torch.zeros_like(p.grad))
                buffer.mul_(group["momentum"]).add_(p.grad)
                direction = orthogonalize(p.grad.add(buffer, alpha=group["momentum"]))
                scale = max(1.0, p.shape[0] / p.shape[1]) ** 0.5
                p.add_(direction, alpha=-group["lr"] * scale)


def make_optimisers(model):
    matrices = [p for p in model.blocks.parameters() if p.ndim == 2]
    fused = model.head.weight.is_cuda
    return [
        torch.optim.Adam([model.embedding.weight], lr=EMBEDDING_LR, betas=(0.9, 0.95), fused=fused),
        torch.optim.Adam([model.head.weight], lr=HEAD_LR, betas=(0.9, 0.95), fused=fused),
        Muon(matrices, lr=MATRIX_LR),
    ]


def learning_rate_factor(step):
    """1 until the warm-down, then linearly down to 0 at the last step."""
    return min(1.0, (NUM_ITERATIONS - step) / WARMDOWN_ITERATIONS)


# ----------------------------------------------------------------------------- training

def setup_distributed():
    """(rank, world size, device); works under torchrun and as a plain single process."""
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():  # CPU processes, for trying the code on a small machine
        dist.init_process_group(backend="gloo")
        return dist.get_rank(), dist.get_world_size(), torch.device("cpu")
    dist.init_process_group(backend="nccl")
    rank, local_rank = dist.get_rank(), int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    return rank, dist.get_world_size(), torch.device("cuda", local_rank)


def save(model, config):
    """The files evaluate.py reads, with parameter names free of DDP/compile prefixes."""
    torch.save(model.state_dict(), "model.pt")
    torch.save(dataclasses.asdict(config), "model_config.pt")


def main():
    rank, world_size, device = setup_distributed()
    if GLOBAL_BATCH_SEQUENCES % (MICRO_BATCH_SEQUENCES * world_size):
        raise SystemExit(f"{GLOBAL_BATCH_SEQUENCES} sequences per step do not split over {world_size} GPUs")
    accumulation = GLOBAL_BATCH_SEQUENCES // (MICRO_BATCH_SEQUENCES * world_size)
    torch.manual_seed(1337)

    config = ModelConfig()
    model = Model(config).to(device)
    optimisers = make_optimisers(model)
    initial_lrs = [[group["lr"] for group in opt.param_groups] for opt in optimisers]
    trained = torch.compile(model) if device.type == "cuda" else model
    if world_size > 1:
        trained = DistributedDataParallel(trained, device_ids=[device.index] if device.type == "cuda" else None)
    stream = ShardStream(TRAIN_FILES, MICRO_BATCH_SEQUENCES, SEQUENCE_LENGTH, rank, world_size)

    started = time.time()
    for step in range(NUM_ITERATIONS):
        for micro_step in range(accumulation):
            inputs, targets = stream.next_batch(device)
            last = micro_step == accumulation - 1
            sync = trained.no_sync() if world_size > 1 and not last else contextlib.nullcontext()
            with sync, torch.autocast(device.type, dtype=torch.bfloat16):
                loss = trained(inputs, targets)
            (loss / accumulation).backward()
        factor = learning_rate_factor(step)
        for optimiser, lrs in zip(optimisers, initial_lrs):
            for group, lr in zip(optimiser.param_groups, lrs):
                group["lr"] = lr * factor
            optimiser.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and (step % 10 == 0 or step == NUM_ITERATIONS - 1):
            elapsed = time.time() - started
            print(f"step {step + 1}/{NUM_ITERATIONS} loss {loss.item():.4f} ({elapsed:.0f} s)", flush=True)

    if rank == 0:
        save(model, config)
        print("wrote model.pt and model_config.pt")
    if world_size > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
