"""The spread of weekly prices: count, range, quartiles and median, in whole pence.

Quartiles are the inclusive kind (Excel's QUARTILE.INC, numpy's default 'linear'): the q-th quantile of n
sorted values sits at position (n - 1) * q, between two values in proportion. Each is worked exactly (a
fraction of a penny) and rounded half up once, so a median of £600.00 and £600.01 is £600.01.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from broker_tui.domain.money import round_half_up


@dataclass(frozen=True, slots=True)
class Spread:
    """Weekly prices summarised (all pence; None when there is nothing to summarise)."""

    count: int
    minimum: int | None
    lower_quartile: int | None
    median: int | None
    upper_quartile: int | None
    maximum: int | None


NO_SPREAD = Spread(0, None, None, None, None, None)


def quantile(ordered: list[int], q: Fraction) -> int:
    """The q-th quantile (0..1) of sorted whole pence, inclusive linear interpolation, rounded half up."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q
    low = int(position)  # floor: position is never negative
    if low + 1 >= len(ordered):
        return ordered[-1]
    exact = ordered[low] + (ordered[low + 1] - ordered[low]) * (position - low)
    return round_half_up(exact.numerator, exact.denominator)


def spread(values: Iterable[int]) -> Spread:
    ordered = sorted(values)
    if not ordered:
        return NO_SPREAD
    return Spread(len(ordered), ordered[0], quantile(ordered, Fraction(1, 4)), quantile(ordered, Fraction(1, 2)),
                  quantile(ordered, Fraction(3, 4)), ordered[-1])


def median(values: Iterable[int]) -> int | None:
    ordered = sorted(values)
    return quantile(ordered, Fraction(1, 2)) if ordered else None
