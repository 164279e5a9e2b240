"""Baseline for the FineWeb language-modelling task: a GPT-2-small-sized transformer.

Run from the workspace with torchrun, one process per GPU:

    torchrun --nproc_per_node=<GPUs> --standalone baseline.py

The training set-up is MLGym-Bench's (a modded-nanogpt speed-run model):

- model: 12 blocks, 6 heads of 128, width 768, vocabulary 50,304 (GPT-2's
  50,257 tokens padded to a multiple of 128); RMS norm on the embedding, before
  each sub-layer and before the head; rotary positions; QK-norm; ReLU² MLP;
  zero-initialised output projections and head
- batch: 64 sequences of 1,024 tokens per GPU and step, no gradient
  accumulation, so one step takes 64 × 1,024 × <GPUs> tokens (131,072 on the
  two GPUs the task has)
- 500 steps; Adam (betas 0.9/0.95) with lr 0.3 for the embedding and 0.002 for
  the head, Muon (momentum 0.95, Nesterov, 5 Newton-Schulz steps) with lr 0.02
  for the matrices inside the blocks; no weight decay
- schedule: no warm-up, and a linear warm-down that is meant to last 1,308
  steps. It is longer than the run, so the learning rates start at 500/1308 of
  the values above and fall linearly to 1/1308 of them at the last step.

It writes the two files evaluate.py reads:

- `model.pt`: the model's state_dict
- `model_config.pt`: the ModelConfig object, pickled

evaluate.py imports `Model` and `ModelConfig` from this file, so architecture
changes made here are what gets evaluated. It calls
`model(inputs, targets, return_logits=True)` and takes the logits (the first of
the two returned values) for every position; the loss is computed by the
evaluation from those logits. Position t must only see tokens 0..t, and the
logits must not depend on `targets`: the evaluation checks both.
"""

import dataclasses
import glob
import os
import pickle
import time

import numpy as np
import torch
import torch._dynamo
import torch._inductor.config as inductor_config
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

TRAIN_FILES = "data/fineweb10B/fineweb_train_*.bin"
SEQUENCE_LENGTH = 1024
DEVICE_BATCH_SEQUENCES = 64  # per GPU and step; the global batch grows with the number of GPUs
NUM_ITERATIONS = 500
WARMUP_ITERATIONS = 0
WARMDOWN_ITERATIONS = 1308  # longer than the run: the decay is already under way at step 0
EMBEDDING_LR, HEAD_LR, MATRIX_LR = 0.3, 0.002, 0.02
ADAM_BETAS = (0.9, 0.95)
MUON_MOMENTUM, NEWTON_SCHULZ_STEPS = 0.95, 5
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
    """Consecutive (inputs, targets) batches from the shards.

    Every step the ranks together take the next world_size × batch sequences;
    rank r takes the r-th block of them. When the current shard cannot supply
    another full step, reading moves on to the next shard (and wraps around).
    """

    def __init__(self, pattern, batch, length, rank, world_size):
        self.files = sorted(glob.glob(pattern))
        if not self.files:
            raise FileNotFoundError(f"no token shards match {pattern}")
        self.batch, self.length, self.rank, self.world_size = batch, length, rank, world_size
        self.rewind()

    def rewind(self):
        self.file_index = -1
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
    n_head: int = 6  # heads of 128 channels
    n_embd: int = 768


def rms(x):
    return F.rms_norm(x, (x.shape[-1],))


class Rotary(nn.Module):
    """Rotary position embedding, angles θ = position × base^(-2i/head_dim).

    The two halves (a, b) of each head's channels become
    (a cos θ + b sin θ, b cos θ - a sin θ); cos and sin are kept in bfloat16.
    """

    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim),
                             persistent=False)

    def forward(self, x):  # x: (batch, seq, heads, head_dim)
        angles = torch.outer(torch.arange(x.shape[1], device=x.device).float(), self.inv_freq)
        cos, sin = angles.cos().bfloat16()[None, :, None, :], angles.sin().bfloat16()[None, :, None, :]
        a, b = x.chunk(2, dim=-1)
        return torch.cat([a * cos + b * sin, b * cos - a * sin], dim=-1).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        if config.n_embd % config.n_head:
            raise ValueError("n_embd must be a multiple of n_head")
        self.n_head, self.head_dim = config.n_head, config.n_embd // config.n_head
        self.c_q = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_k = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_v = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.c_proj.weight.data.zero_()  # each block starts as the identity
        self.rotary = Rotary(self.head_dim)

    def forward(self, x):
        batch, seq, width = x.shape
        shape = (batch, seq, self.n_head, self.head_dim)
        q, k, v = self.c_q(x).view(shape), self.c_k(x).view(shape), self.c_v(x).view(shape)
        q, k = rms(q), rms(k)  # QK-norm keeps the attention logits tame
        q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(batch, seq, width))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())  # ReLU² trains a little faster than GELU here


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn, self.mlp = CausalSelfAttention(config), MLP(config)

    def forward(self, x):
        x = x + self.attn(rms(x))
        return x + self.mlp(rms(x))


class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight.data.zero_()

    def forward(self, idx, targets=None, return_logits=True):
        """(logits, loss).

        With targets: float32 logits for every position and the mean
        cross-entropy (targets of -1 are ignored). Without: logits for the last
        position only, and no loss. return_logits=False drops the logits.
        """
        x = rms(self.transformer.wte(idx))
        for block in self.transformer.h:
            x = block(x)
        x = rms(x)
        if targets is not None:
            logits = self.lm_head(x).float()
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-1)
        else:
            logits, loss = self.lm_head(x[:, -1:]).float(), None
        return (logits if return_logits else None), loss

    def get_config(self):
        return self.config


# ----------------------------------------------------------------------------- optimiser

def orthogonalize(update, steps=NEWTON_SCHULZ_STEPS, eps=1e-7):
    """Approximately replace update = U S Vᵀ by U Vᵀ with a quintic Newton-Schulz iteration.

    The coefficients make the iteration converge fast from a Frobenius-normalised
    start (to singular values roughly in 0.5..1.5, which works as well as exactly
    1); it runs in bfloat16, which is precise enough for an update direction.
    """
    a, b, c = 3.4445, -4.7750, 2.0315
    x = update.bfloat16()
    x = x / (x.norm() + eps)
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


class Muon(torch.optim.Optimizer):
    """SGD with Nesterov momentum whose update of each weight matrix is orthogonalised.

    For the 2-D weights inside the blocks; the embedding and the head train with
    Adam. Every rank computes the same update from the already-averaged
    gradients. A matrix with more rows than columns gets its update scaled by
    sqrt(rows / columns).
    """

    def __init__(self, params, lr, momentum=MUON_MOMENTUM):
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
                direction = direction * max(1.0, p.shape[0] / p.shape[1]) ** 0.5
                p.add_(direction.to(p.dtype), alpha=-group["lr"])


def make_optimisers(model):
    fused = model.lm_head.weight.is_cuda
    return [
        torch.optim.Adam([model.transformer.wte.weight], lr=EMBEDDING_LR, betas=ADAM_BETAS, fused=fused),
        torch.optim.Adam([model.lm_head.weight], lr=HEAD_LR, betas=ADAM_BETAS, fused=fused),
        Muon(list(model.transformer.h.parameters()), lr=MATRIX_LR),
    ]


def learning_rate_factor(step):
    """Linear warm-up, then 1, then a linear warm-down ending the run; step counts from 0."""
    if step < WARMUP_ITERATIONS:
        return (step + 1) / WARMUP_ITERATIONS
    if step < NUM_ITERATIONS - WARMDOWN_ITERATIONS:
        return 1.0
    return (NUM_ITERATIONS - step) / WARMDOWN_ITERATIONS


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
    """The files evaluate.py reads: the state_dict, and the config object pickled."""
    torch.save(model.state_dict(), "model.pt")
    with open("model_config.pt", "wb") as handle:
        pickle.dump(config, handle)


def main():
    rank, world_size, device = setup_distributed()
    torch.manual_seed(1337)
    config = ModelConfig()
    model = Model(config).to(device)
    optimisers = make_optimisers(model)
    initial_lrs = [[group["lr"] for group in opt.param_groups] for opt in optimisers]
    trained = model
    if device.type == "cuda":
        torch._dynamo.config.suppress_errors = True  # fall back to eager mode where compiling fails
        inductor_config.coordinate_descent_tuning = True
        trained = torch.compile(model)
    if world_size > 1:
        trained = DistributedDataParallel(trained, device_ids=[device.index] if device.type == "cuda" else None)
    stream = ShardStream(TRAIN_FILES, DEVICE_BATCH_SEQUENCES, SEQUENCE_LENGTH, rank, world_size)
    if rank == 0:
        print(f"{world_size} process(es): {world_size * DEVICE_BATCH_SEQUENCES * SEQUENCE_LENGTH} tokens per step",
              flush=True)
    # As in MLGym's set-up, the first batch is read once before the stream is rewound,
    # so steps 0 and 1 both train on it and step k ≥ 1 trains on batch k - 1.
    inputs, targets = stream.next_batch(device)
    stream.rewind()

    started = time.time()
    for step in range(NUM_ITERATIONS):
        trained.train()
        with torch.autocast(device.type, dtype=torch.bfloat16):
            _, loss = trained(inputs, targets, return_logits=False)
        inputs, targets = stream.next_batch(device)
        loss.backward()
        factor = learning_rate_factor(step)
        for optimiser, lrs in zip(optimisers, initial_lrs):
            for group, lr in zip(optimiser.param_groups, lrs):
                group["lr"] = lr * factor
            optimiser.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and (step % 10 == 0 or step == NUM_ITERATIONS - 1):
            elapsed = time.time() - started
            print(f"step {step + 1}/{NUM_ITERATIONS} train_loss {loss.item():.4f} ({elapsed:.0f} s)", flush=True)

    if rank == 0:
        save(model, config)
        print("wrote model.pt and model_config.pt")
    if world_size > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
