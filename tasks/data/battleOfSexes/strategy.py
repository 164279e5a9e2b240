"""Your strategy for the Battle of the Sexes task (you are the row player).

Edit `row_strategy` to maximise your average payoff per round. Keep its name and
signature: the evaluation imports it from this file.

Moves are 0 and 1; payoffs are (row, column):
    both play 0 -> (2, 1)     both play 1 -> (1, 2)     different moves -> (0, 0)

`history` is a list of (row_move, column_move) tuples for the rounds already played
in the current game, oldest first (empty in the first round). Return 0 or 1.
"""


def row_strategy(history):
    """Baseline: open with our favourite move (0), then repeat whatever the column
    player did in the previous round, hoping to stay coordinated."""
    if not history:
        return 0
    last_column_move = history[-1][1]
    return last_column_move
