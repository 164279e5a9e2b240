"""Evaluation for the Colonel Blotto task.

Plays SIMULATIONS independent games of ROUNDS rounds each: `row_strategy` from
strategy.py against `target_column_strategy` from target.py, both called with the
game's history so far. The score is the row player's mean payoff per round over all
games (+1 for a won round, -1 for a lost one, 0 for a draw). The opponent's own
generator (target.RNG) and Python's global `random` (plus numpy's, if the strategy
imports numpy) are seeded with fixed values first, so a run is reproducible.

Prints one JSON line, {"Score": <float>}, on success. An invalid allocation (not 6
non-negative integers summing to at most 120) or an error in the strategy prints the
reason to stderr and exits with status 1 (no score).
Run from the workspace: python3 evaluate.py
"""

import contextlib
import importlib.util
import json
import operator
import os
import random
import sys

ROUNDS = 10
SIMULATIONS = 10_000
SEED = 1299709
FIELDS = 6
SOLDIERS = 120


class EvaluationError(Exception):
    pass


def fail(message):
    print(f"evaluation failed: {message}", file=sys.stderr)
    sys.exit(1)


def load_players():
    workspace = os.path.dirname(os.path.abspath(__file__))
    # The evaluator's own instance of target.py, under a private name and not in
    # sys.modules: a strategy that imports `target` gets a separate copy, so changing
    # that copy does not change the opponent.
    spec = importlib.util.spec_from_file_location(
        "_evaluation_opponent", os.path.join(workspace, "target.py"))
    target = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(target)
    if workspace not in sys.path:
        sys.path.insert(0, workspace)
    try:
        from strategy import row_strategy
    except (Exception, SystemExit) as error:  # any import-time failure of strategy.py
        raise EvaluationError(
            f"cannot import row_strategy from strategy.py: {type(error).__name__}: {error}")
    if not callable(row_strategy):
        raise EvaluationError("strategy.py: row_strategy is not callable")
    return row_strategy, target


def checked_move(move, where):
    """An allocation must be a sequence of FIELDS non-negative integers (numpy
    integers are accepted) summing to at most SOLDIERS. Returns it as a tuple."""
    expected = f"expected {FIELDS} non-negative integers with sum <= {SOLDIERS}"
    try:
        values = list(move)
    except TypeError:
        raise EvaluationError(
            f"row_strategy returned {move!r} ({type(move).__name__}) {where}; {expected}")
    if len(values) != FIELDS:
        raise EvaluationError(
            f"row_strategy returned {len(values)} values {where}; {expected}")
    allocation = []
    for value in values:
        if isinstance(value, bool):
            raise EvaluationError(f"row_strategy returned a bool in {move!r} {where}; {expected}")
        try:
            soldiers = operator.index(value)
        except TypeError:
            raise EvaluationError(
                f"row_strategy returned {value!r} ({type(value).__name__}) in {move!r} {where}; "
                f"{expected}")
        if soldiers < 0:
            raise EvaluationError(f"row_strategy returned a negative value in {move!r} {where}")
        allocation.append(soldiers)
    if sum(allocation) > SOLDIERS:
        raise EvaluationError(
            f"row_strategy used {sum(allocation)} soldiers in {move!r} {where}; at most "
            f"{SOLDIERS} are available")
    return tuple(allocation)


def round_payoff(row, column):
    """+1 if the row player wins more battlefields, -1 if fewer, 0 otherwise."""
    row_fields = sum(1 for r, c in zip(row, column) if r > c)
    column_fields = sum(1 for r, c in zip(row, column) if c > r)
    return (row_fields > column_fields) - (row_fields < column_fields)


def seed_generators(target):
    target.RNG.seed(SEED)
    random.seed(SEED + 1)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(SEED + 1)


def play(row_strategy, column_strategy):
    total = 0
    for game in range(SIMULATIONS):
        history = []
        for round_index in range(ROUNDS):
            where = f"in game {game}, round {round_index}"
            try:
                row_move = row_strategy(list(history))
            except (Exception, SystemExit) as error:
                raise EvaluationError(
                    f"row_strategy raised {type(error).__name__}: {error} {where}")
            row_move = checked_move(row_move, where)
            column_move = tuple(column_strategy(list(history)))
            history.append((row_move, column_move))
            total += round_payoff(row_move, column_move)
    return total / (ROUNDS * SIMULATIONS)


def main():
    try:
        # Anything the strategy prints goes to stderr, so stdout holds only the metrics.
        with contextlib.redirect_stdout(sys.stderr):
            row_strategy, target = load_players()
            seed_generators(target)
            score = play(row_strategy, target.target_column_strategy)
    except EvaluationError as error:
        fail(str(error))
    print(json.dumps({"Score": score}))


if __name__ == "__main__":
    main()
