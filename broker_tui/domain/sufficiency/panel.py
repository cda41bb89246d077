"""Children in care month by month, from a return's episodes: the history the forecast learns from.

A month is an integer (``year * 12 + month - 1``); the panel holds, for each child and each month, the
category the child was in at the end of that month, or -1 when not in care. A child is in care at the end of
a month when an episode started on or before that day and had not ended by it (an episode ending on the
last day of a month leaves the child out at that month's end; a stay that starts and ends within one month
is not seen). Where episodes overlap, the later start wins.

An episode left open in a year's return whose council sent a later return that does not carry it again is
counted (``unreturned``): every child looked after during a year is in that year's return, so such an episode
most likely ended by that year's end. The panel keeps it open, as the return says, unless asked to close it
there (``close_unreturned``); the forecast reports how many there are.

Months before the first collection year (``observed_from``) hold only the children still in care when that
year began: nobody who left before it is in the return, so rates are never counted from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from broker_tui.domain.sufficiency.categories import (
    ADULT_MONTHS,
    AGE_BANDS,
    BAND_NAMES,
    CATEGORIES,
    CategoryMap,
)
from broker_tui.domain.sufficiency.months import as_day as as_day  # re-exported: the panel's months
from broker_tui.domain.sufficiency.months import month_end as month_end
from broker_tui.domain.sufficiency.months import month_label as month_label
from broker_tui.domain.sufficiency.months import month_of as month_of
from broker_tui.domain.sufficiency.months import month_of_label as month_of_label
from broker_tui.domain.sufficiency.months import month_words as month_words
from broker_tui.domain.sufficiency.months import year_end_month as year_end_month


@dataclass(frozen=True)
class CareEpisode:
    child: Hashable
    start: dt.date
    end: dt.date | None
    place: str
    provider: str
    return_year: str  # the collection year of the return that last carried the episode ('2019-20')
    la: str = ""


@dataclass(frozen=True)
class Panel:
    children: tuple[Hashable, ...]
    first: int  # the month of column 0
    state: np.ndarray  # int8 [children, months]: category index at the month's end, -1 not in care
    birth: np.ndarray  # int32 [children]: month of birth, -1 when not known
    unreturned: int  # episodes left open in a return that a later return of their council does not carry
    observed_from: int  # the month-end before the first collection year: earlier months see only survivors

    @property
    def last(self) -> int:
        return self.first + int(self.state.shape[1]) - 1

    def col(self, month: int) -> int:
        if not self.first <= month <= self.last:
            raise ValueError(f"{month_label(month)} is outside the return ({month_label(self.first)} to "
                             f"{month_label(self.last)})")
        return month - self.first

    def age(self, month: int) -> np.ndarray:
        """Each child's age in whole months at the end of a month (-1 when not known)."""
        return np.where(self.birth >= 0, month - self.birth, -1)

    def in_care(self, month: int) -> np.ndarray:
        return np.flatnonzero(self.state[:, self.col(month)] >= 0)

    def stock(self, month: int) -> np.ndarray:
        """Children in care at the end of a month by category (int [categories])."""
        s = self.state[:, self.col(month)]
        return np.bincount(s[s >= 0], minlength=len(CATEGORIES))

    def stock_by_band(self, month: int) -> np.ndarray:
        """Children in care at the end of a month, by category and age band (int [categories, bands])."""
        s = self.state[:, self.col(month)]
        here = s >= 0
        bands = band_index(self.age(month)[here])
        flat = s[here].astype(np.int64) * len(BAND_NAMES) + bands
        return np.bincount(flat, minlength=len(CATEGORIES) * len(BAND_NAMES)).reshape(len(CATEGORIES), -1)

    def time_in_care(self, upto: int) -> np.ndarray:
        """Each child's months in care without a break at the end of month ``upto`` (0 in the first month;
        -1 when not in care then)."""
        col = self.col(upto)
        run = np.full(self.state.shape[0], -1, dtype=np.int32)
        for c in range(col + 1):
            here = self.state[:, c] >= 0
            run = np.where(here, run + 1, -1)
        return run


_LOWER = np.array([lower for lower, _ in AGE_BANDS])


def band_index(age_months: np.ndarray) -> np.ndarray:
    """Age band index of each age in months; the last index (age not known) for -1."""
    idx = np.searchsorted(_LOWER, age_months, side="right") - 1
    return np.where(age_months < 0, len(BAND_NAMES) - 1, np.clip(idx, 0, len(AGE_BANDS) - 1))


def build_panel(episodes: Iterable[CareEpisode], births: Mapping[Hashable, dt.date | tuple[int, int] | None],
                categories: CategoryMap | None = None, *, last: int | None = None,
                close_unreturned: bool = False) -> Panel:
    """The month-end panel of a return's episodes. ``births`` gives each child's month of birth (a date or
    (year, month)); ``last`` is the final month (by default the end of the latest collection year)."""
    cmap = categories or CategoryMap()
    eps = sorted(episodes, key=lambda e: (e.start, e.end or dt.date.max))
    if not eps:
        raise ValueError("the return has no episodes")
    final_year: dict[str, str] = {}
    for e in eps:
        if e.return_year > final_year.get(e.la, ""):
            final_year[e.la] = e.return_year
    end = last if last is not None else max(year_end_month(y) for y in final_year.values())
    first = min(month_of(e.start) for e in eps)
    ids = tuple(dict.fromkeys(e.child for e in eps))
    row = {c: i for i, c in enumerate(ids)}
    state = np.full((len(ids), end - first + 1), -1, dtype=np.int8)
    unreturned = 0
    for e in eps:
        stop = end  # the last month-end in care
        if e.end is not None:
            stop = month_of(e.end) - 1
        elif e.return_year < final_year[e.la]:
            unreturned += 1
            if close_unreturned:
                stop = year_end_month(e.return_year)
        lo, hi = month_of(e.start) - first, min(stop, end) - first
        if hi >= lo:
            state[row[e.child], lo:hi + 1] = cmap.index(e.place, e.provider)
    birth = np.full(len(ids), -1, dtype=np.int32)
    for c, i in row.items():
        b = births.get(c)
        if b is not None:
            birth[i] = month_of(b) if isinstance(b, dt.date) else b[0] * 12 + b[1] - 1
    # a child is out of care from the month they are 18 (leaving at 18), whatever the return says
    months = np.arange(first, end + 1)
    adult = (birth[:, None] >= 0) & (months[None, :] - birth[:, None] >= ADULT_MONTHS)
    state[adult] = -1
    observed = max(first, year_end_month(min(e.return_year for e in eps)) - 12)
    return Panel(ids, first, state, birth, unreturned, observed)


def panel_of_records(episodes: Iterable[Any], children: Iterable[Any], categories: CategoryMap | None = None,
                     *, close_unreturned: bool = False) -> Panel:
    """The panel of kept records (``keep.EpisodeRecord``/``ChildRecord`` or rows with the same fields: ``key``
    or ``child_id``, ``decom``, ``dec``, ``place``, ``place_provider``, ``year`` or ``return_year``, ``la``;
    a child's ``birth_month`` as 'yyyy-mm')."""
    def key(r: Any) -> tuple[str, Any]:
        return (r.key[0], r.key[1]) if hasattr(r, "key") else (r.la, r.child_id)

    eps = [CareEpisode(key(e), e.decom, e.dec, e.place, e.place_provider,
                       getattr(e, "return_year", None) or e.year, key(e)[0]) for e in episodes]
    births: dict[Hashable, tuple[int, int] | None] = {}
    for c in children:
        if c.birth_month:
            births[key(c)] = (int(c.birth_month[:4]), int(c.birth_month[5:7]))
    return build_panel(eps, births, categories, close_unreturned=close_unreturned)
