"""Evaluation for the Colonel Blotto task.

Plays SIMULATIONS independent games of ROUNDS rounds each: `row_strategy` from
strategy.py against `target_column_strategy` from target.py, both called with the
game's history so far. The score is the row player's mean payoff per round over all
games (+1 for a won round, -1 for a lost one, 0 for a draw).

The agent's code never runs in this process. This process (the parent) holds the
opponent, its generator, the games and the scoring, and is the only writer of stdout.
strategy.py runs in a child process, this same file started with --worker, which
answers one request per round: the previous round's allocations of every game in,
the row allocations of every game for this round out (JSON lines over its stdin and
stdout).
The parent checks every move. Before starting the child the parent makes itself
non-dumpable, so the child (same uid) can neither ptrace it nor open its
/proc/<pid>/fd/1; the child's own stdout is redirected to stderr.

Reproducibility: the opponent's generator (target.RNG) is seeded with SEED in the
parent; the child seeds Python's global `random` (plus numpy's, if the strategy
imported numpy) with SEED + 1. Rounds are played for all games at once, so the
opponent draws its numbers round by round across the games.

Prints one JSON line, {"Score": <float>}, on success. An invalid allocation (not 6
non-negative integers summing to at most 120), an error in the strategy, a crashed or
silent child (TIME_LIMIT) prints a one-line reason to stderr and exits with status 1
(no score).
Run from the workspace: python3 evaluate.py
"""

import os
import sys


def _drop_workspace_from_path():
    """Python puts this script's directory, the agent's workspace, first on sys.path:
    a workspace json.py or random.py would be imported instead of the standard
    library's. Only sys and os (already loaded at start-up) come before this."""
    workspace = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    current = os.path.realpath(os.getcwd())
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", ".")
                   and os.path.realpath(entry) not in (workspace, current)]


_drop_workspace_from_path()

# Everything the parent needs is imported here, before the child starts: the child can
# write to PYTHONPYCACHEPREFIX (under /tmp), so a module imported later could come
# from bytecode it planted there.
import ctypes  # noqa: E402
import json  # noqa: E402
import operator  # noqa: E402
import random  # noqa: E402
import select  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

ROUNDS = 10
SIMULATIONS = 10_000
SEED = 1299709
FIELDS = 6
SOLDIERS = 120

WORKSPACE = os.path.dirname(os.path.abspath(__file__))
WORKER_FLAG = "--worker"
# Seconds the child may take for all its work, well inside the task's training_timeout
# (1800 s), so that a hung strategy fails with a reason instead of being killed.
TIME_LIMIT = 1500
MAX_REPLY_BYTES = 64 << 20


class EvaluationError(Exception):
    pass


def fail(message):
    print(f"evaluation failed: {message}", file=sys.stderr)
    sys.exit(1)


def one_line(text, limit=1000):
    """Text from the child (the agent's) as one short line for the failure reason."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# --- parent: the trusted side ----------------------------------------------------------


def make_undumpable():
    """PR_SET_DUMPABLE 0: a process of the same uid (the child) may not ptrace this one
    or open its /proc/<pid>/fd/1 (stdout) or /proc/<pid>/mem, so it cannot write the
    metrics or change the evaluator's memory."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0 or libc.prctl(3, 0, 0, 0, 0) != 0:  # SET, GET
        fail(f"cannot make the evaluation non-dumpable (errno {ctypes.get_errno()})")


def load_private_module(name, path):
    """The module at `path`, compiled from its source (no bytecode cache is read) and
    registered nowhere: code that imports a module of the same name gets another copy."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    module = types.ModuleType(name)
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    return module


class Worker:
    """strategy.py in a child process, spoken to in JSON lines. Every wait is bounded by
    one deadline (TIME_LIMIT after the start), and a dead child, a closed pipe or a
    reply that is not a JSON object becomes an EvaluationError."""

    def __init__(self):
        self.deadline = time.monotonic() + TIME_LIMIT
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), WORKER_FLAG],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=WORKSPACE)
        self.requests = self.process.stdin.fileno()
        self.replies = self.process.stdout.fileno()
        os.set_blocking(self.requests, False)
        os.set_blocking(self.replies, False)
        self.buffer = bytearray()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Lets the child end on its own (end of its input) for a moment, then kills it."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()

    def _ready(self, readable):
        """Whether the reply pipe is readable (the request pipe writable) within a second;
        raises at the deadline or when the child has exited."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise EvaluationError(f"strategy.py did not answer within {TIME_LIMIT} s")
        # In slices of a second: a child that has exited while something it started
        # still holds the pipes would otherwise keep the parent waiting for the deadline.
        wait = min(remaining, 1.0)
        if readable:
            ready = select.select([self.replies], [], [], wait)[0]
        else:
            ready = select.select([], [self.requests], [], wait)[1]
        if not ready and self.process.poll() is not None:
            raise EvaluationError(self._exit_reason())
        return bool(ready)

    def send(self, message):
        data = memoryview((json.dumps(message, separators=(",", ":")) + "\n").encode())
        while data:
            if not self._ready(readable=False):
                continue
            try:
                written = os.write(self.requests, data)
            except BlockingIOError:
                continue
            except BrokenPipeError:
                # The child has gone; its last words (an error reply) may be waiting.
                self.receive()
                raise EvaluationError("strategy.py's process stopped reading requests")
            data = data[written:]

    def receive(self):
        """The next reply; an {"error": ...} reply becomes an EvaluationError."""
        end = self.buffer.find(b"\n")
        while end < 0:
            if len(self.buffer) > MAX_REPLY_BYTES:
                raise EvaluationError("strategy.py's process sent an oversized reply")
            if not self._ready(readable=True):
                continue
            try:
                chunk = os.read(self.replies, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise EvaluationError(self._exit_reason())
            self.buffer += chunk
            end = self.buffer.find(b"\n")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 1]
        try:
            # Decoded here as UTF-8 (loaded already): json.loads(bytes) could pick
            # another codec, a module it would import now.
            reply = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            reply = None
        if not isinstance(reply, dict):
            raise EvaluationError("strategy.py's process sent a malformed reply")
        if "error" in reply:
            raise EvaluationError(one_line(reply["error"]))
        return reply

    def _exit_reason(self):
        try:
            status = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "strategy.py's process closed its reply pipe"
        return (f"strategy.py's process exited with status {status} before answering "
                "(its error output is above)")


def describe(value, with_type=True):
    """A move as the child reported it (JSON, any shape), for an error message: what the
    strategy returned, as repr() showed it in the child."""
    if isinstance(value, dict):
        shown, kind = value.get("invalid"), value.get("type")
        if not isinstance(shown, str) or not isinstance(kind, str):
            return "an unreadable value"
        return one_line(f"{shown} ({kind})" if with_type else shown, 200)
    if isinstance(value, list):
        items = ["[...]" if isinstance(item, list) else describe(item, with_type=False)
                 for item in value[:10]]
        return "[" + ", ".join(items + ["..."] * (len(value) > 10)) + "]"
    return one_line(repr(value), 200)


def checked_move(move, where):
    """An allocation must be a list of FIELDS non-negative integers summing to at most
    SOLDIERS (the child sends any sequence, numpy arrays too, as a JSON list of integers;
    bools stay JSON booleans and are refused). Returns it as a tuple."""
    expected = f"expected {FIELDS} non-negative integers with sum <= {SOLDIERS}"
    if not isinstance(move, list):
        raise EvaluationError(f"row_strategy returned {describe(move)} {where}; {expected}")
    if len(move) != FIELDS:
        raise EvaluationError(f"row_strategy returned {len(move)} values {where}; {expected}")
    for value in move:
        if type(value) is bool:
            raise EvaluationError(
                f"row_strategy returned a bool in {describe(move)} {where}; {expected}")
        if type(value) is not int:
            raise EvaluationError(
                f"row_strategy returned {describe(value)} in {describe(move)} {where}; "
                f"{expected}")
        if value < 0:
            raise EvaluationError(
                f"row_strategy returned a negative value in {describe(move)} {where}")
    if sum(move) > SOLDIERS:
        raise EvaluationError(
            f"row_strategy used {sum(move)} soldiers in {describe(move)} {where}; at most "
            f"{SOLDIERS} are available")
    return tuple(move)


def round_payoff(row, column):
    """+1 if the row player wins more battlefields, -1 if fewer, 0 otherwise."""
    row_fields = sum(1 for r, c in zip(row, column) if r > c)
    column_fields = sum(1 for r, c in zip(row, column) if c > r)
    return (row_fields > column_fields) - (row_fields < column_fields)


def row_moves(reply, round_index):
    moves = reply.get("moves")
    if not isinstance(moves, list) or len(moves) != SIMULATIONS:
        raise EvaluationError(
            f"strategy.py's process sent a malformed reply in round {round_index}")
    return [checked_move(move, f"in game {game}, round {round_index}")
            for game, move in enumerate(moves)]


def play(worker, column_strategy):
    """All games advance together: one request per round carries the previous round's
    allocations of every game, and its reply the row allocations of every game."""
    histories = [[] for _ in range(SIMULATIONS)]
    previous = None
    total = 0
    for round_index in range(ROUNDS):
        worker.send({"round": round_index, "previous": previous})
        rows = row_moves(worker.receive(), round_index)
        previous = []
        for history, row_move in zip(histories, rows):
            column_move = tuple(column_strategy(list(history)))
            history.append((row_move, column_move))
            previous.append((row_move, column_move))
            total += round_payoff(row_move, column_move)
    return total / (ROUNDS * SIMULATIONS)


def main():
    make_undumpable()
    try:
        opponent = load_private_module(
            "_evaluation_opponent", os.path.join(WORKSPACE, "target.py"))
        opponent.RNG.seed(SEED)
        with Worker() as worker:
            score = play(worker, opponent.target_column_strategy)
    except EvaluationError as error:
        fail(str(error))
    print(json.dumps({"Score": score}))


# --- child: runs the agent's code ------------------------------------------------------


def claim_protocol_pipes():
    """The protocol's pipes as private file objects on duplicated descriptors; then
    descriptor 0 reads /dev/null and descriptor 1 is stderr, so whatever the agent's code
    reads or prints (print, sys.__stdout__, os.write(1, ...), atexit handlers) lands in
    the evaluation's stderr and never in the protocol."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, replies


def seed_generators():
    random.seed(SEED + 1)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(SEED + 1)


def import_strategy():
    """row_strategy from the workspace's strategy.py. The generators are seeded before the
    import (randomness at import time is reproducible) and again after it (the strategy's
    calls start from the same state whatever the import drew, and numpy is seeded if the
    strategy imported it)."""
    sys.path.insert(0, WORKSPACE)
    seed_generators()
    try:
        from strategy import row_strategy
    except (Exception, SystemExit) as error:  # any import-time failure of strategy.py
        raise EvaluationError(
            f"cannot import row_strategy from strategy.py: {type(error).__name__}: {error}")
    if not callable(row_strategy):
        raise EvaluationError("strategy.py: row_strategy is not callable")
    seed_generators()
    return row_strategy


def encode_scalar(value):
    """A bool or an integer (numpy's too) as itself, anything else as a description."""
    if isinstance(value, bool):
        return value
    try:
        number = operator.index(value)
    except TypeError:
        pass
    else:
        if number.bit_length() <= 64:
            return number
    try:
        shown = repr(value)[:100]
    except Exception:
        shown = "an object"
    return {"invalid": shown, "type": type(value).__name__}


def encode_move(move):
    """What row_strategy returned, JSON-safe for the parent to check: any sequence
    (list, tuple, numpy array) as a list of encoded values, anything else as a
    description."""
    if not isinstance(move, (str, bytes, dict)):
        try:
            values = list(move)
        except Exception:
            pass
        else:
            if len(values) <= 100:
                return [encode_scalar(value) for value in values]
    return encode_scalar(move)


def answer_round(row_strategy, histories, request):
    """Extends every game's history with the previous round's moves, then asks
    row_strategy for every game's next move, in game order."""
    if request["previous"] is not None:
        for history, (row_move, column_move) in zip(histories, request["previous"]):
            history.append((tuple(row_move), tuple(column_move)))
    moves = []
    for game, history in enumerate(histories):
        try:
            move = row_strategy(list(history))
        except (Exception, SystemExit) as error:
            raise EvaluationError(f"row_strategy raised {type(error).__name__}: {error} "
                                  f"in game {game}, round {request['round']}")
        moves.append(encode_move(move))
    return {"moves": moves}


def worker_main():
    requests, replies = claim_protocol_pipes()

    def reply(message):
        replies.write(json.dumps(message).encode() + b"\n")
        replies.flush()

    try:
        row_strategy = import_strategy()
        histories = [[] for _ in range(SIMULATIONS)]
        for line in requests:
            reply(answer_round(row_strategy, histories, json.loads(line)))
    except EvaluationError as error:
        reply({"error": str(error)})


if __name__ == "__main__":
    if sys.argv[1:] == [WORKER_FLAG]:
        worker_main()
    else:
        main()
