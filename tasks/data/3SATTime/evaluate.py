"""Evaluation for the 3SATTime task.

Runs the DPLL solver of solver.py (class DPLL, which calls `heuristic_fn` from
heuristic.py with the same arguments as MLGym's solver does) on every formula of
data/dataset.json, in file order, checks each answer against the recorded ground
truth and checks every "satisfiable" answer's model against the formula.

The agent's code never runs in this process. This process (the parent) reads the
dataset, checks the answers, measures the time and is the only writer of stdout. The
heuristic and the solver run in a child process, this same file started with
--worker: it receives the formulas (without their answers) as one JSON line on its
stdin, loads the workspace's solver.py (the pristine copy the evaluation restores) by
path, imports heuristic.py, seeds Python's `random` (plus numpy's, if the heuristic
imported numpy) with SEED, and answers one JSON line per formula on its stdout:
{"index", "is_sat", "model" (a bool per variable, or null), "decisions"}. Before
starting the child the parent makes itself non-dumpable, so the child (same uid) can
neither ptrace it nor open its /proc/<pid>/fd/1; the child's own stdout is redirected
to stderr.

On success prints one JSON line:
  {"Time": seconds, "Correct": formulas solved, "Incorrect": 0, "Decisions": total}
Time is the wall-clock time, measured by the parent, from starting the child to its
last answer (lower is better). Decisions is the child's own count of the heuristic's
branching decisions: informational, since the parent cannot verify it. On the first
wrong answer, invalid model, invalid decision, error, crash or silence (TIME_LIMIT) of
the child it prints a one-line reason to stderr and exits with status 1 (no score).
Run from the workspace: python3 evaluate.py
"""

import os
import sys


def _drop_workspace_from_path():
    """Python puts this script's directory, the agent's workspace, first on sys.path:
    a workspace json.py or time.py would be imported instead of the standard
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
import random  # noqa: E402
import select  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

SEED = 10  # the same value as the seed line in the starter heuristic.py

WORKSPACE = os.path.dirname(os.path.abspath(__file__))
WORKER_FLAG = "--worker"
# Seconds the child may take for all its work, well inside the task's training_timeout
# (1800 s), so that a hung heuristic fails with a reason instead of being killed.
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


def load_private_module(name, path):
    """The module at `path`, compiled from its source (no bytecode cache is read) and
    registered nowhere: code that imports a module of the same name gets another copy."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    module = types.ModuleType(name)
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    return module


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


def load_dataset(path):
    try:
        with open(path, encoding="utf-8") as handle:
            instances = json.load(handle)["instances"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EvaluationError(f"cannot read the dataset {path}: {error}")
    if not instances:
        raise EvaluationError(f"the dataset {path} holds no formulas")
    return instances


class Worker:
    """The solver and heuristic.py in a child process, spoken to in JSON lines. Every
    wait is bounded by one deadline (TIME_LIMIT after the start), and a dead child, a
    closed pipe or a reply that is not a JSON object becomes an EvaluationError."""

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
            raise EvaluationError(
                f"the solver with heuristic.py did not finish within {TIME_LIMIT} s")
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
                raise EvaluationError("heuristic.py's process stopped reading requests")
            data = data[written:]

    def receive(self):
        """The next reply; an {"error": ...} reply becomes an EvaluationError."""
        end = self.buffer.find(b"\n")
        while end < 0:
            if len(self.buffer) > MAX_REPLY_BYTES:
                raise EvaluationError("heuristic.py's process sent an oversized reply")
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
            raise EvaluationError("heuristic.py's process sent a malformed reply")
        if "error" in reply:
            raise EvaluationError(one_line(reply["error"]))
        return reply

    def _exit_reason(self):
        try:
            status = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "heuristic.py's process closed its reply pipe"
        return (f"heuristic.py's process exited with status {status} before answering "
                "(its error output is above)")


def model_satisfies(model, clauses):
    """model[v - 1] is the value of variable v."""
    for clause in clauses:
        if not any(model[abs(literal) - 1] is (literal > 0) for literal in clause):
            return False
    return True


def checked_answer(instance, reply):
    """Checks one reply against the formula and its ground truth; returns its decisions."""
    index, num_vars = instance["index"], instance["num_vars"]
    where = f"formula {index} ({num_vars} variables)"
    is_sat, model, decisions = reply.get("is_sat"), reply.get("model"), reply.get("decisions")
    if (reply.get("index") != index or type(is_sat) is not bool
            or type(decisions) is not int or decisions < 0):
        raise EvaluationError(f"{where}: heuristic.py's process sent a malformed answer")
    if is_sat != instance["is_sat"]:
        said, truth = ("SAT", "UNSAT") if is_sat else ("UNSAT", "SAT")
        raise EvaluationError(f"{where}: wrong answer {said}, expected {truth}")
    if is_sat:
        if (not isinstance(model, list) or len(model) != num_vars
                or any(type(value) is not bool for value in model)):
            raise EvaluationError(
                f"{where}: the answer SAT came without a model of {num_vars} bools")
        if not model_satisfies(model, instance["clauses"]):
            raise EvaluationError(
                f"{where}: the returned model does not satisfy every clause")
    return decisions


def run(instances):
    """Time runs from starting the child to its last answer; each answer is checked as it
    arrives, so the first wrong one ends the evaluation."""
    started = time.perf_counter()
    with Worker() as worker:
        worker.send({"instances": [
            {"index": instance["index"], "num_vars": instance["num_vars"],
             "clauses": instance["clauses"]} for instance in instances]})
        decisions = 0
        for instance in instances:
            decisions += checked_answer(instance, worker.receive())
        elapsed = time.perf_counter() - started
    return {"Time": round(elapsed, 4), "Correct": len(instances), "Incorrect": 0,
            "Decisions": decisions}


def main():
    make_undumpable()
    try:
        instances = load_dataset(os.path.join(WORKSPACE, "data", "dataset.json"))
        metrics = run(instances)
    except EvaluationError as error:
        fail(str(error))
    print(json.dumps(metrics))


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
    random.seed(SEED)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(SEED)


def import_heuristic():
    """heuristic_fn from the workspace's heuristic.py. The generators are seeded before
    the import (randomness at import time is reproducible) and again after it (the
    solver starts from the same state whatever the import drew, and numpy is seeded if
    the heuristic imported it)."""
    sys.path.insert(0, WORKSPACE)
    seed_generators()
    try:
        from heuristic import heuristic_fn
    except (Exception, SystemExit) as error:
        raise EvaluationError(
            f"cannot import heuristic_fn from heuristic.py: {type(error).__name__}: {error}")
    if not callable(heuristic_fn):
        raise EvaluationError("heuristic.py: heuristic_fn is not callable")
    seed_generators()
    return heuristic_fn


def solve(solver, heuristic_fn, instance):
    """One formula's answer, as the parent expects it."""
    index, num_vars = instance["index"], instance["num_vars"]
    try:
        dpll = solver.DPLL(instance["clauses"], heuristic_fn, num_vars)
        is_sat = dpll.solve() is True
        model = dpll.model if is_sat else None
        # Variables the search left unassigned may take any value; they get False.
        values = ([model.get(variable) is True for variable in range(1, num_vars + 1)]
                  if is_sat else None)
        decisions = dpll.num_decisions
    except solver.HeuristicError as error:
        raise EvaluationError(f"formula {index}: invalid decision: {error}")
    except (Exception, SystemExit) as error:
        raise EvaluationError(
            f"formula {index}: the solver stopped with {type(error).__name__}: {error}")
    if type(decisions) is not int:
        raise EvaluationError(f"formula {index}: the solver's decision count was altered")
    return {"index": index, "is_sat": is_sat, "model": values, "decisions": decisions}


def worker_main():
    requests, replies = claim_protocol_pipes()

    def reply(message):
        replies.write(json.dumps(message).encode() + b"\n")
        replies.flush()

    try:
        instances = json.loads(requests.readline())["instances"]
        # The solver under a private name, not in sys.modules: a heuristic that imports
        # `solver` gets a separate copy.
        solver = load_private_module(
            "_evaluation_solver", os.path.join(WORKSPACE, "solver.py"))
        heuristic_fn = import_heuristic()
        for instance in instances:
            reply(solve(solver, heuristic_fn, instance))
    except EvaluationError as error:
        reply({"error": str(error)})


if __name__ == "__main__":
    if sys.argv[1:] == [WORKER_FLAG]:
        worker_main()
    else:
        main()
