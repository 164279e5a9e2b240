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
    """Baseline: a random allocation that favours a few battlefields.

    1. Make k favoured picks (k uniform on 1..6): each adds 10..30 soldiers to a
       battlefield chosen at random (a battlefield may be picked more than once).
    2. If fewer than 120 soldiers are placed, walk the battlefields still empty in
       order, giving each a uniform 0..(soldiers left) and deducting it.
    3. Rescale to 120 soldiers, rounding each battlefield down, and put everything
       lost to rounding on one battlefield chosen at random.
    """
    allocation = [0] * FIELDS
    for _ in range(random.randint(1, FIELDS)):
        allocation[random.randint(0, FIELDS - 1)] += random.randint(10, 30)
    left = SOLDIERS - sum(allocation)
    if left > 0:
        empty = [field for field in range(FIELDS) if allocation[field] == 0]
        for field in empty:
            allocation[field] = random.randint(0, left)
            left -= allocation[field]
    total = sum(allocation)
    allocation = [int(soldiers * SOLDIERS / total) for soldiers in allocation]
    shortfall = SOLDIERS - sum(allocation)
    if shortfall:
        allocation[random.randint(0, FIELDS - 1)] += shortfall
    return allocation
