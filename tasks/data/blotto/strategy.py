"""Your strategy for the Colonel Blotto task (you are the row player).

Edit `row_strategy` to maximise your average payoff per round. Keep its name and
signature: the evaluation imports it from this file.

Each round both players split soldiers over 6 battlefields. Return a list (or tuple)
of 6 non-negative integers whose sum is at most 120. A battlefield is won by the
player with more soldiers on it (a tie wins it for nobody). Whoever wins more
battlefields gets +1 for the round and the other player -1; equal counts give 0.

`history` is a list of (row_allocation, column_allocation) tuples for the rounds
already played in the current game, oldest first (empty in the first round).
"""

import random

FIELDS = 6
SOLDIERS = 120


def row_strategy(history):
    """Baseline: a random split. Draw five cut points uniformly from 0..120, sort
    them, and give each battlefield the soldiers between consecutive cuts."""
    cuts = sorted(random.randint(0, SOLDIERS) for _ in range(FIELDS - 1))
    points = [0] + cuts + [SOLDIERS]
    return [points[i + 1] - points[i] for i in range(FIELDS)]
