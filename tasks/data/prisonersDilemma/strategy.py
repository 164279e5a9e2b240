"""Your strategy for the iterated Prisoner's Dilemma task (you are the row player).

Edit `row_strategy` to maximise your average payoff per round. Keep its name and
signature: the evaluation imports it from this file.

Moves: 0 = cooperate, 1 = defect. Payoffs are (row, column):
    both cooperate -> (3, 3)    you cooperate, they defect -> (0, 5)
    you defect, they cooperate -> (5, 0)    both defect -> (1, 1)

`history` is a list of (row_move, column_move) tuples for the rounds already played
in the current game, oldest first (empty in the first round). Return 0 or 1.
"""


def row_strategy(history):
    """Baseline: tit-for-tat. Cooperate in the first round, then copy the column
    player's previous move."""
    if not history:
        return 0
    return history[-1][1]
