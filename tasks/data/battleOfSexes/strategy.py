"""Your strategy for the Battle of the Sexes task (you are the row player).

Edit `row_strategy` to maximise your average payoff per round. Keep its name and
signature: the evaluation imports it from this file.

Moves are 0 and 1; payoffs are (row, column):
    both play 0 -> (2, 1)     both play 1 -> (1, 2)     different moves -> (0, 0)

`history` is a list of (row_move, column_move) tuples for the rounds already played
in the current game, oldest first (empty in the first round). Return 0 or 1.
"""

import random


def row_strategy(history):
    """Baseline: open with our favourite move (0). Later rounds, one random draw:
    play 0 (10%), play 1 (10%), copy the column player's previous move (70%), or
    repeat our own previous move (10%)."""
    if not history:
        return 0
    own_last, their_last = history[-1]
    u = random.random()
    if u < 0.1:
        return 0
    if u < 0.2:
        return 1
    if u < 0.9:
        return their_last
    return own_last
