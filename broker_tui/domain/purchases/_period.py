"""Half-open periods of nights, the UK financial year, a year on, and the exact arithmetic of pence.

A period is the nights [start, end): ``end`` is the first night NOT paid or occupied, so a placement
ending on the 10th frees its unit that night and the next may start on it (as SSDA903 episodes do).
Its length in nights is ``end - start`` in days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from broker_tui.domain.money import round_half_up

FINANCIAL_YEAR_START = (4, 1)  # the UK public sector's financial year runs 1 April to 31 March


@dataclass(frozen=True, slots=True)
class Period:
    """The nights [start, end): start is the first night, end the first night after the last."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end.isoformat()}) before it starts "
                             f"({self.start.isoformat()})")

    @property
    def nights(self) -> int:
        return (self.end - self.start).days

    def __contains__(self, night: object) -> bool:
        return isinstance(night, dt.date) and self.start <= night < self.end

    def clip(self, start: dt.date | None, end: dt.date | None) -> Period:
        """These nights inside [start, end) (None: unbounded on that side); no nights -> an empty period."""
        lo = self.start if start is None or start < self.start else start
        hi = self.end if end is None or end > self.end else end
        return Period(lo, hi) if lo < hi else Period(lo, lo)

    def each_night(self) -> Iterator[dt.date]:
        day, one = self.start, dt.timedelta(days=1)
        while day < self.end:
            yield day
            day += one


def financial_year(day: dt.date) -> Period:
    """The UK financial year holding ``day``: the nights 1 April to 31 March, i.e. [1 April, next 1 April)."""
    month, first = FINANCIAL_YEAR_START
    year = day.year if (day.month, day.day) >= (month, first) else day.year - 1
    return Period(dt.date(year, month, first), dt.date(year + 1, month, first))


def anniversary(day: dt.date, years: int = 1) -> dt.date:
    """The same day and month ``years`` on; 29 February -> 1 March when that year has no 29 February, so
    a year from 29 February holds that leap day and every night up to its anniversary."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def year_from(day: dt.date) -> Period:
    """A full year of nights from ``day``: to the same date a year on, so 365 nights, or 366 when it holds
    a 29 February (never 52 weeks)."""
    return Period(day, anniversary(day))


def apportion(total: int, weights: Sequence[int]) -> tuple[int, ...]:
    """Largest remainder: ``total`` whole pence shared in proportion to non-negative integer ``weights`` so
    the shares add exactly to ``total``. Each share's exact quota is floored; the pence left over go one
    each to the largest remainders, a tie going to the EARLIER weight (so for funders: social care, then
    education, then health). A zero weight gets nothing. A negative total is shared as minus the shares
    of its size."""
    if weights and min(weights) < 0:
        raise ValueError("weights must not be negative")
    if total < 0:
        return tuple(-share for share in apportion(-total, weights))
    whole = sum(weights)
    if whole == 0:
        if total == 0:
            return tuple(0 for _ in weights)
        raise ValueError("cannot share pence in proportion to nothing (every weight is 0)")
    shares: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(total * weight, whole)
        shares.append(share)
        remainders.append(remainder)
    left = total - sum(shares)
    if left:
        # a stable sort, largest remainder first: equal remainders keep their order (the earlier wins)
        for i in sorted(range(len(shares)), key=remainders.__getitem__, reverse=True)[:left]:
            shares[i] += 1
    return tuple(shares)


def version_segments(effective_from: Sequence[dt.date], period: Period) -> Iterator[tuple[int, dt.date, int]]:
    """Walk ``period`` version by version: yields (index of the version in force, first night, nights) for
    each run of nights under one version, where ``effective_from`` is sorted ascending and the version in
    force on a night is the last whose date is on or before it; -1 for nights before the first version."""
    if period.start >= period.end:
        return
    i = bisect_right(effective_from, period.start) - 1
    cursor, end, last = period.start, period.end, len(effective_from) - 1
    while cursor < end:
        nxt = effective_from[i + 1] if i < last else None
        seg_end = end if nxt is None or nxt > end else nxt
        yield i, cursor, (seg_end - cursor).days
        cursor = seg_end
        i += 1


@dataclass(frozen=True, slots=True)
class Cost:
    """What a period's nights cost. ``sevenths`` is the exact cost times 7 (the sum over the nights of the
    weekly pence in force: a night costs weekly / 7, so the exact cost is sevenths / 7 pence, held as an
    integer and divided once); ``pence`` is that rounded half up to the penny, once for the period."""

    period: Period
    sevenths: int
    pence: int

    @property
    def nights(self) -> int:
        return self.period.nights

    @property
    def exact_pence(self) -> Fraction:
        return Fraction(self.sevenths, 7)


def cost_from_sevenths(period: Period, sevenths: int) -> Cost:
    """The period's Cost from its exact sevenths of a penny, rounded half up once."""
    return Cost(period, sevenths, round_half_up(sevenths, 7))
