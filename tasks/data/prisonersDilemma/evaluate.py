"""Evaluation for the Prisoner's Dilemma task.

Plays SIMULATIONS independent games of ROUNDS rounds each: `row_strategy` from
strategy.py against `target_column_strategy` from target.py, both called with the
game's history so far. The score is the row player's mean payoff per round over all
games. The opponent's own generator (target.RNG) and Python's global `random`
(plus numpy's, if the strategy imports numpy) are seeded with fixed values first, so
a run is reproducible.

Prints one JSON line, {"Score": <float>}, on success. An invalid move or an error in
the strategy prints the reason to stderr and exits with status 1 (no score).
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
SEED = 104729

# Moves: 0 = cooperate, 1 = defect.
# (row move, column move) -> (row payoff, column payoff)
PAYOFFS = {
    (0, 0): (3, 3),
    (0, 1): (0, 5),
    (1, 0): (5, 0),
    (1, 1): (1, 1),
}


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
    """A move must be the integer 0 or 1 (bool and numpy integers are accepted)."""
    try:
        value = operator.index(move)
    except TypeError:
        raise EvaluationError(
            f"row_strategy returned {move!r} ({type(move).__name__}) {where}; expected 0 or 1")
    if value not in (0, 1):
        raise EvaluationError(f"row_strategy returned {value!r} {where}; expected 0 or 1")
    return value


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
            column_move = column_strategy(list(history))
            history.append((row_move, column_move))
            total += PAYOFFS[(row_move, column_move)][0]
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
