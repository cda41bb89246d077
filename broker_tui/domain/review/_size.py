"""The right block size: what the period would have cost had a block held k units, for every k.

From the day-by-day count of young people placed in one category of 16+ accommodation (block and spot
together), a block of k units is paid every night at the block's unit price whether filled or not, and the
young people beyond k on a night are bought spot at the observed median spot price. The cost of k is exact
in sevenths of a penny (a night costs the weekly price / 7):

    cost(k) x 7 = k x nights x unit weekly price + spot weekly price x sum over nights of max(0, count - k)

The curve runs from k = 0 (all spot) to the largest of the peak count and the units held, and the best k is
the cheapest (the smallest on a tie). Assumptions, which the screen states: prices hold over the period,
every young person could have used a block unit (no matching constraint), and a spot place is always
available at the median price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broker_tui.domain.money import round_half_up
from broker_tui.domain.review._days import Ints


@dataclass(frozen=True)
class SizeCurve:
    nights: int
    unit_weekly_pence: int
    spot_weekly_pence: int
    peak: int  # the most young people on one night
    sevenths: tuple[int, ...]  # cost(k) x 7 for k = 0, 1, ...

    @property
    def costs(self) -> list[int]:
        """cost(k) in pence, each rounded half up once."""
        return [round_half_up(s, 7) for s in self.sevenths]

    @property
    def best_k(self) -> int:
        return min(range(len(self.sevenths)), key=lambda k: (self.sevenths[k], k))

    @property
    def best_pence(self) -> int:
        return round_half_up(self.sevenths[self.best_k], 7)

    def cost_of(self, k: int) -> int:
        return round_half_up(self.sevenths[min(k, len(self.sevenths) - 1)], 7)


def block_size_curve(demand: Ints, unit_weekly_pence: int, spot_weekly_pence: int, *, at_least: int = 0) -> SizeCurve:
    """cost(k) for k = 0 .. max(peak demand, ``at_least``) over the nights of ``demand`` (see the module)."""
    if unit_weekly_pence < 0 or spot_weekly_pence < 0:
        raise ValueError("prices must not be negative")
    counts = np.asarray(demand, dtype=np.int64)
    nights = int(counts.size)
    peak = int(counts.max()) if nights else 0
    top = max(peak, at_least)
    # sum over nights of max(0, count - k), for every k at once: a histogram of the counts, then the tail sums
    hist = np.bincount(counts.clip(min=0), minlength=top + 2).astype(np.int64) if nights else np.zeros(top + 2, np.int64)
    above = np.cumsum(hist[::-1])[::-1]  # above[j] = nights with count >= j
    shortfall = [int(above[k + 1:].sum()) for k in range(top + 1)]  # sum_j>k (nights with count >= j)
    sevenths = tuple(k * nights * unit_weekly_pence + spot_weekly_pence * shortfall[k] for k in range(top + 1))
    return SizeCurve(nights, unit_weekly_pence, spot_weekly_pence, peak, sevenths)
