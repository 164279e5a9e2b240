"""The part of the game tasks' evaluation that does not depend on the game.

battleOfSexes, prisonersDilemma and blotto score a strategy the same way; only the
moves, the payoffs and the seed differ. Each task's evaluate.py describes its game with
a `Game` and hands it to `run`; this module plays it. Editing this file in a workspace
changes nothing: the evaluation always uses the original (mlgym keeps the master in
tasks/data/gamesShared and copies it into each game's folder).

evaluate.py loads this file by path, compiled from its source (never from a bytecode
cache), under a module name registered nowhere. The first thing this module does is to
take the workspace off sys.path, before it imports anything but sys and os.

What `run` does: it plays `simulations` independent games of `rounds` rounds each,
`row_strategy` from strategy.py against `target_column_strategy` from target.py, both
called with the game's history so far (a list of (row move, column move) tuples). The
score is the row player's mean payoff per round over all games.

The agent's code never runs in the evaluating process. That process (the parent) holds
the opponent, its generator, the games and the scoring, and is the only writer of
stdout. strategy.py runs in a child process, evaluate.py started again with --worker,
which answers one request per round: the previous round's moves of every game in, the
row moves of every game for this round out (JSON lines over its stdin and stdout). The
parent checks every move with the game's `check_move`. Before it starts the child the
parent makes itself non-dumpable, so the child (same uid) can neither ptrace it nor open
its /proc/<pid>/fd/1; the child's own stdout is redirected to stderr.

Reproducibility: the parent seeds the opponent's generator (target.RNG) with the game's
seed; the child seeds Python's global `random` (plus numpy's, if the strategy imported
numpy) with seed + 1. Rounds are played for all games at once, so the opponent draws its
numbers round by round across the games.

On success one JSON line, {"Score": <float>}, is printed. An invalid move, an error in
the strategy, a crashed or silent child (TIME_LIMIT) prints a one-line reason to stderr
and exits with status 1 (no score).
"""

import os
import sys


def _drop_workspace_from_path():
    """Python puts the script's directory, the agent's workspace, first on sys.path: a
    workspace json.py or random.py would be imported instead of the standard library's.
    Only sys and os (loaded at start-up) are imported before this runs."""
    workspace = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    current = os.path.realpath(os.getcwd())
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", ".")
                   and os.path.realpath(entry) not in (workspace, current)]


_drop_workspace_from_path()

# Every module the parent needs is imported now, before the child starts: the child may
# write to PYTHONPYCACHEPREFIX (under /tmp), so a module imported later could be loaded
# from bytecode it left there.
import ctypes  # noqa: E402
import json  # noqa: E402
import operator  # noqa: E402
import random  # noqa: E402
import select  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

# This file lies beside evaluate.py, in the workspace.
WORKSPACE = os.path.dirname(os.path.abspath(__file__))
WORKER_FLAG = "--worker"
# Seconds the child may take for all its work, well inside the tasks' training_timeout
# (1800 s), so that a hung strategy fails with a reason instead of being killed.
TIME_LIMIT = 1500
MAX_REPLY_BYTES = 64 << 20


class EvaluationError(Exception):
    pass


def _same(move):
    return move


class Game:
    """What one game task adds to this module.

    rounds, simulations, seed: the length of a game, the number of games, and the seed
        of the opponent's generator (the child's generators get seed + 1).
    check_move(move, where): runs in the parent on each row move as the child sent it
        (decoded JSON, see encode_move and describe); returns the move as the games'
        histories hold it, or raises EvaluationError with `where` ("in game g, round r")
        in its message.
    payoff(row_move, column_move): the row player's payoff for one round.
    encode_move(move): runs in the child on what row_strategy returned and makes it
        JSON-safe for check_move; by default `encode_value`.
    history_move(move): a move as the histories hold it, from what the opponent
        returned (in the parent) or from its JSON form (in the child); by default the
        move itself.
    """

    def __init__(self, *, rounds, simulations, seed, check_move, payoff,
                 encode_move=None, history_move=None):
        self.rounds = rounds
        self.simulations = simulations
        self.seed = seed
        self.check_move = check_move
        self.payoff = payoff
        self.encode_move = encode_move or encode_value
        self.history_move = history_move or _same


def run(game, script):
    """The entry point of evaluate.py (`script`, its __file__): the parent, or with
    --worker the child."""
    if sys.argv[1:] == [WORKER_FLAG]:
        worker_main(game)
    else:
        main(game, script)


def fail(message):
    print(f"evaluation failed: {message}", file=sys.stderr)
    sys.exit(1)


def one_line(text, limit=1000):
    """Text from the child (so from the agent) as one short line for a failure reason."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# --- parent: the trusted side ----------------------------------------------------------


def make_undumpable():
    """PR_SET_DUMPABLE 0: a process of the same uid (the child) may not ptrace this one
    or open its /proc/<pid>/fd/1 (stdout) or /proc/<pid>/mem, so it can neither write
    the metrics nor change the evaluator's memory."""
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
    """strategy.py in a child process (`script` with --worker), spoken to in JSON lines.
    Every wait is bounded by one deadline (TIME_LIMIT after the start), and a dead child,
    a closed pipe or a reply that is not a JSON object becomes an EvaluationError."""

    def __init__(self, script):
        self.deadline = time.monotonic() + TIME_LIMIT
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(script), WORKER_FLAG],
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
        """Gives the child a moment to end by itself (its input ends), then kills it."""
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
        raises at the deadline or once the child has exited."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise EvaluationError(f"strategy.py did not answer within {TIME_LIMIT} s")
        # A second at a time: when the child has exited but something it started still
        # holds the pipes, the parent would otherwise wait for the deadline.
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
                # The child is gone; its last words (an error reply) may be waiting.
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
            # Decoded here as UTF-8 (a codec loaded already): json.loads(bytes) might
            # pick another codec, hence import a module now.
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
    """A move as the child reported it (JSON of any shape) for an error message: what
    the strategy returned, as repr() showed it in the child."""
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


def row_moves(game, reply, round_index):
    moves = reply.get("moves")
    if not isinstance(moves, list) or len(moves) != game.simulations:
        raise EvaluationError(
            f"strategy.py's process sent a malformed reply in round {round_index}")
    return [game.check_move(move, f"in game {index}, round {round_index}")
            for index, move in enumerate(moves)]


def play(game, worker, column_strategy):
    """All games advance together: one request per round carries the previous round's
    moves of every game, and its reply the row moves of every game."""
    histories = [[] for _ in range(game.simulations)]
    previous = None
    total = 0
    for round_index in range(game.rounds):
        worker.send({"round": round_index, "previous": previous})
        rows = row_moves(game, worker.receive(), round_index)
        previous = []
        for history, row_move in zip(histories, rows):
            column_move = game.history_move(column_strategy(list(history)))
            history.append((row_move, column_move))
            previous.append((row_move, column_move))
            total += game.payoff(row_move, column_move)
    return total / (game.rounds * game.simulations)


def main(game, script):
    make_undumpable()
    try:
        opponent = load_private_module(
            "_evaluation_opponent", os.path.join(WORKSPACE, "target.py"))
        opponent.RNG.seed(game.seed)
        with Worker(script) as worker:
            score = play(game, worker, opponent.target_column_strategy)
    except EvaluationError as error:
        fail(str(error))
    print(json.dumps({"Score": score}))


# --- child: runs the agent's code ------------------------------------------------------


def claim_protocol_pipes():
    """The protocol's pipes as private file objects on duplicated descriptors; then
    descriptor 0 reads /dev/null and descriptor 1 is stderr, so whatever the agent's
    code reads or prints (print, sys.__stdout__, os.write(1, ...), atexit handlers)
    ends up in the evaluation's stderr, never in the protocol."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, replies


def seed_generators(game):
    random.seed(game.seed + 1)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(game.seed + 1)


def import_strategy(game):
    """row_strategy from the workspace's strategy.py. The generators are seeded before
    the import (randomness at import time is reproducible) and again after it (the
    strategy's calls start from the same state whatever the import drew, and numpy is
    seeded if the strategy imported it)."""
    sys.path.insert(0, WORKSPACE)
    seed_generators(game)
    try:
        from strategy import row_strategy
    except (Exception, SystemExit) as error:  # any failure of strategy.py at import
        raise EvaluationError(
            f"cannot import row_strategy from strategy.py: {type(error).__name__}: {error}")
    if not callable(row_strategy):
        raise EvaluationError("strategy.py: row_strategy is not callable")
    seed_generators(game)
    return row_strategy


def encode_value(value):
    """What row_strategy returned (or one item of it), JSON-safe for the parent to
    check: a bool or an integer (numpy's too) as itself, anything else as a short
    description that `describe` shows."""
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


def answer_round(game, row_strategy, histories, request):
    """Extends every game's history with the previous round's moves, then asks
    row_strategy for every game's next move, in game order."""
    if request["previous"] is not None:
        for history, (row_move, column_move) in zip(histories, request["previous"]):
            history.append((game.history_move(row_move), game.history_move(column_move)))
    moves = []
    for index, history in enumerate(histories):
        try:
            move = row_strategy(list(history))
        except (Exception, SystemExit) as error:
            raise EvaluationError(f"row_strategy raised {type(error).__name__}: {error} "
                                  f"in game {index}, round {request['round']}")
        moves.append(game.encode_move(move))
    return {"moves": moves}


def worker_main(game):
    requests, replies = claim_protocol_pipes()

    def reply(message):
        replies.write(json.dumps(message).encode() + b"\n")
        replies.flush()

    try:
        row_strategy = import_strategy(game)
        histories = [[] for _ in range(game.simulations)]
        for line in requests:
            reply(answer_round(game, row_strategy, histories, json.loads(line)))
    except EvaluationError as error:
        reply({"error": str(error)})
