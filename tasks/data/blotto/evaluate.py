"""Evaluation for the Colonel Blotto task.

Plays SIMULATIONS independent games of ROUNDS rounds each: `row_strategy` from
strategy.py against `target_column_strategy` from target.py, both called with the
game's history so far. A move is an allocation: FIELDS non-negative integers (soldiers
per battlefield) summing to at most SOLDIERS. The score is the row player's mean payoff
per round over all games (+1 for a won round, -1 for a lost one, 0 for a draw).

This file holds only the game; game_harness.py, beside it, plays it and keeps the
agent's code out of this process: strategy.py runs in a child process (this file
started with --worker), and this process, made non-dumpable, checks every allocation,
scores and is the only writer of stdout. game_harness.py explains how, and how the
games are seeded (SEED).

Prints one JSON line, {"Score": <float>}, on success. An invalid allocation (not 6
non-negative integers summing to at most 120), an error in the strategy, a crashed or
silent child prints a one-line reason to stderr and exits with status 1 (no score).
Run from the workspace: python3 evaluate.py
"""

import os
import sys


def _load_harness():
    """game_harness.py from this script's directory, compiled from its source (a bytecode
    cache is never read) and registered nowhere. Only sys and os are imported before it;
    it takes the workspace off sys.path before it imports anything else."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "game_harness.py")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    module = type(sys)("_evaluation_game_harness")
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    return module


harness = _load_harness()

ROUNDS = 10
SIMULATIONS = 10_000
SEED = 1299709
FIELDS = 6
SOLDIERS = 120


def checked_move(move, where):
    """An allocation must be a list of FIELDS non-negative integers summing to at most
    SOLDIERS (the child sends any sequence, numpy arrays too, as a JSON list of integers;
    bools stay JSON booleans and are refused). Returns it as a tuple."""
    describe = harness.describe
    expected = f"expected {FIELDS} non-negative integers with sum <= {SOLDIERS}"
    if not isinstance(move, list):
        raise harness.EvaluationError(
            f"row_strategy returned {describe(move)} {where}; {expected}")
    if len(move) != FIELDS:
        raise harness.EvaluationError(
            f"row_strategy returned {len(move)} values {where}; {expected}")
    for value in move:
        if type(value) is bool:
            raise harness.EvaluationError(
                f"row_strategy returned a bool in {describe(move)} {where}; {expected}")
        if type(value) is not int:
            raise harness.EvaluationError(
                f"row_strategy returned {describe(value)} in {describe(move)} {where}; "
                f"{expected}")
        if value < 0:
            raise harness.EvaluationError(
                f"row_strategy returned a negative value in {describe(move)} {where}")
    if sum(move) > SOLDIERS:
        raise harness.EvaluationError(
            f"row_strategy used {sum(move)} soldiers in {describe(move)} {where}; at most "
            f"{SOLDIERS} are available")
    return tuple(move)


def round_payoff(row, column):
    """+1 if the row player wins more battlefields, -1 if fewer, 0 otherwise."""
    row_fields = sum(1 for r, c in zip(row, column) if r > c)
    column_fields = sum(1 for r, c in zip(row, column) if c > r)
    return (row_fields > column_fields) - (row_fields < column_fields)


def encode_allocation(move):
    """Runs in the child on what row_strategy returned: any sequence (list, tuple, numpy
    array) becomes a list of encoded values, anything else a description."""
    if not isinstance(move, (str, bytes, dict)):
        try:
            values = list(move)
        except Exception:
            pass
        else:
            if len(values) <= 100:
                return [harness.encode_value(value) for value in values]
    return harness.encode_value(move)


# Histories hold allocations as tuples: the opponent's list, and both players' JSON
# lists in the child, are turned into tuples.
GAME = harness.Game(rounds=ROUNDS, simulations=SIMULATIONS, seed=SEED,
                    check_move=checked_move, payoff=round_payoff,
                    encode_move=encode_allocation, history_move=tuple)

if __name__ == "__main__":
    harness.run(GAME, __file__)
