"""Your strategy for the iterated Prisoner's Dilemma task (you are the row player).

Edit `row_strategy` to maximise your average payoff per round. Keep its name and
signature: the evaluation imports it from this file.

Moves: 0 = cooperate, 1 = defect. Payoffs are (row, column):
    both cooperate -> (3, 3)    you cooperate, they defect -> (0, 5)
    you defect, they cooperate -> (5, 0)    both defect -> (1, 1)

`history` is a list of (row_move, column_move) tuples for the rounds already played
in the current game, oldest first (empty in the first round). Return 0 or 1.
"""

import random


def row_strategy(history):
    """Baseline: a noisy reaction to the opponent's previous move.

    First round: cooperate or defect with probability 1/2 each. Later rounds:
      opponent defected:   defect 75%, repeat our own last move 15%, cooperate 10%
      opponent cooperated: cooperate 60%, repeat our own last move 30%, defect 10%
    """
    if not history:
        return 0 if random.random() < 0.5 else 1
    own_last, their_last = history[-1]
    u = random.random()
    if their_last == 1:
        if u < 0.75:
            return 1
        return own_last if u < 0.9 else 0
    if u < 0.6:
        return 0
    return own_last if u < 0.9 else 1
