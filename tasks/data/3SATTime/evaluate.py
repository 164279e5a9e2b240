"""Evaluation for the 3SATTime task.

Imports `heuristic_fn` from heuristic.py, seeds Python's `random` module (and
numpy's global generator, if the heuristic imported numpy) with SEED, then runs the
DPLL solver of solver.py with that heuristic on every formula of
data/dataset.json, in file order. Each answer is checked against the recorded
ground truth, and every "satisfiable" answer's model is checked against the
formula's clauses.

On success prints one JSON line:
  {"Time": seconds, "Correct": formulas solved, "Incorrect": 0, "Decisions": total}
Time is the wall-clock time from importing heuristic.py to the last answer (lower is
better); Decisions counts the heuristic's branching decisions over all formulas.
On the first wrong answer, invalid model, invalid decision or exception it prints
the reason to stderr and exits with status 1 (no score).
Run from the workspace: python3 evaluate.py
"""

import contextlib
import importlib.util
import json
import os
import random
import sys
import time

SEED = 10  # the same value as the seed line in the starter heuristic.py


class EvaluationError(Exception):
    pass


def load_dataset(path):
    try:
        with open(path, encoding="utf-8") as handle:
            instances = json.load(handle)["instances"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EvaluationError(f"cannot read the dataset {path}: {error}")
    if not instances:
        raise EvaluationError(f"the dataset {path} holds no formulas")
    return instances


def model_satisfies(model, clauses):
    for clause in clauses:
        if not any(model.get(abs(literal)) is (literal > 0) for literal in clause):
            return False
    return True


def run(workspace):
    instances = load_dataset(os.path.join(workspace, "data", "dataset.json"))
    # The evaluator's own instance of solver.py, under a private name and not in
    # sys.modules: a heuristic that imports `solver` gets a separate copy, so changing
    # that copy does not change the solver the evaluation runs.
    spec = importlib.util.spec_from_file_location(
        "_evaluation_solver", os.path.join(workspace, "solver.py"))
    solver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solver)

    started = time.perf_counter()
    try:
        from heuristic import heuristic_fn
    except (Exception, SystemExit) as error:
        raise EvaluationError(
            f"cannot import heuristic_fn from heuristic.py: {type(error).__name__}: {error}")
    if not callable(heuristic_fn):
        raise EvaluationError("heuristic.py: heuristic_fn is not callable")
    random.seed(SEED)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(SEED)

    correct = 0
    decisions = 0
    for instance in instances:
        index, num_vars, clauses = instance["index"], instance["num_vars"], instance["clauses"]
        dpll = solver.DPLLSolver(clauses, num_vars, heuristic_fn)
        try:
            is_sat, model = dpll.solve()
        except solver.HeuristicError as error:
            raise EvaluationError(f"formula {index}: invalid decision: {error}")
        except (Exception, SystemExit) as error:
            raise EvaluationError(
                f"formula {index}: the solver stopped with {type(error).__name__}: {error}")
        decisions += dpll.decisions
        expected = instance["is_sat"]
        if is_sat != expected:
            said, truth = ("SAT", "UNSAT") if is_sat else ("UNSAT", "SAT")
            raise EvaluationError(
                f"formula {index} ({num_vars} variables): wrong answer {said}, expected {truth}")
        if is_sat and not model_satisfies(model, clauses):
            raise EvaluationError(
                f"formula {index} ({num_vars} variables): the returned model does not "
                "satisfy every clause")
        correct += 1
    elapsed = time.perf_counter() - started
    return {"Time": round(elapsed, 4), "Correct": correct, "Incorrect": 0,
            "Decisions": decisions}


def main():
    workspace = os.path.dirname(os.path.abspath(__file__))
    if workspace not in sys.path:
        sys.path.insert(0, workspace)
    try:
        # Anything the heuristic prints goes to stderr, so stdout holds only the metrics.
        with contextlib.redirect_stdout(sys.stderr):
            metrics = run(workspace)
    except EvaluationError as error:
        print(f"evaluation failed: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
