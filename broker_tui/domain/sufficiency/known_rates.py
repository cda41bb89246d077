"""A synthetic return generated from rates we choose, so the forecast can be checked against known answers.

The generator runs children through care month by month with the same steps the forecast models: entries
(a monthly rate growing or shrinking by a yearly factor, with a season), each entrant's age band and category,
leaving by age band and time in care, leaving at 18, and moves between categories. It starts ``burn_in``
months before the first collection year so the stock is settled when the returns begin, and writes what a
council's returns would hold: every episode open on a day of a collection year, under the latest year that
carried it (an open episode under the last year), with each child's month of birth.

A growing cohort (entries up each year) and a shrinking one (entries down) keep the forecast honest: the
shared synthetic set is a closed cohort whose stock only falls, which flatters any model against flat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, AGE_BANDS, CATEGORIES
from broker_tui.domain.sufficiency.panel import CareEpisode, month_of
from broker_tui.domain.sufficiency.rates import TIC_EDGES, tic_index

# one PLACE/PLACE_PROVIDER per category, read back by the default map
PLACES = {"in_house_fostering": ("U4", "PR1"), "external_fostering": ("U6", "PR4"), "kinship": ("U3", "PR1"),
          "residential": ("K2", "PR4"), "supported": ("K3", "PR4"), "other": ("P1", "PR0")}


@dataclass(frozen=True)
class KnownRates:
    entries_per_month: float = 40.0  # at the first collection year's start
    entry_growth: float = 1.0  # entries in a year against the year before
    season: float = 0.15  # entries swing this much above and below the trend over a year (peak in October)
    entry_bands: tuple[float, ...] = (0.15, 0.20, 0.20, 0.35, 0.10)  # age band on entry (DfE bands)
    entry_categories: tuple[float, ...] = (0.30, 0.25, 0.15, 0.10, 0.05, 0.15)
    leave_by_band: tuple[float, ...] = (0.010, 0.015, 0.012, 0.018, 0.035)  # monthly, by age band
    leave_by_tic: tuple[float, ...] = (1.6, 1.2, 1.0, 0.8, 0.6)  # times the band's, by time in care band
    move: tuple[float, ...] = (0.010, 0.015, 0.008, 0.020, 0.010, 0.020)  # monthly, by category
    pull: tuple[float, ...] = (0.30, 0.25, 0.10, 0.15, 0.10, 0.10)  # where a move goes (the others, in this share)

    def leave(self) -> np.ndarray:
        """Monthly leaving by age band and time in care: [bands, tic] (ages known: no 'not known' row)."""
        out: np.ndarray = np.outer(self.leave_by_band, self.leave_by_tic)
        return out

    def destinations(self) -> np.ndarray:
        """Where a child leaving category c goes: [categories, categories], nought on the diagonal."""
        d = np.tile(np.array(self.pull), (len(CATEGORIES), 1))
        np.fill_diagonal(d, 0.0)
        out: np.ndarray = d / d.sum(1, keepdims=True)
        return out

    def entry_rate(self, months_from_start: float) -> float:
        """The expected entries in a month this many months after the first collection year began."""
        trend = self.entry_growth ** (months_from_start / 12)
        month_of_year = (3 + int(months_from_start)) % 12  # 0: January; the returns start in April
        return float(self.entries_per_month * trend * (1 + self.season * np.cos(2 * np.pi * (month_of_year - 9) / 12)))


@dataclass
class GeneratedReturn:
    episodes: list[CareEpisode] = field(default_factory=list)
    births: dict[int, tuple[int, int]] = field(default_factory=dict)
    first_year: int = 2015  # the first collection year starts in April of this year
    years: int = 6


def generate(rates: KnownRates, *, first_year: int = 2015, years: int = 6, burn_in: int = 120,
             seed: int = 0) -> GeneratedReturn:
    """A return of ``years`` collection years from April ``first_year``, drawn from ``rates``."""
    rng = np.random.default_rng(seed)
    leave, dest = rates.leave(), np.cumsum(rates.destinations(), axis=1)
    lowers = [lower for lower, _ in AGE_BANDS] + [ADULT_MONTHS]
    start = month_of(dt.date(first_year, 4, 1))
    end = start + 12 * years - 1
    out = GeneratedReturn(first_year=first_year, years=years)
    # the children in care: id, category, age in months, months in care, the day their episode began
    ids: list[int] = []
    cat = np.zeros(0, dtype=np.int64)
    age = np.zeros(0, dtype=np.int64)
    tic = np.zeros(0, dtype=np.int64)
    began: list[dt.date] = []
    next_id = 0

    def close(i: int, day: dt.date) -> None:
        _emit(out, ids[i], began[i], day, int(cat[i]), start, end)

    for m in range(start - burn_in, end + 1):
        first_day = dt.date(m // 12, m % 12 + 1, 1)
        # this month's events happen on a day within it; what is recorded is the state at its end
        # the chances are those of the child as at the last month's end; then a month older
        band = np.clip(np.searchsorted(lowers, age, side="right") - 1, 0, len(AGE_BANDS) - 1)
        adult = age + 1 >= ADULT_MONTHS
        goes = adult | (rng.random(len(cat)) < leave[band, tic_index(tic)])
        moves = ~goes & (rng.random(len(cat)) < np.array(rates.move)[cat])
        for i in map(int, np.flatnonzero(goes | moves)):
            day = _birthday(out.births[ids[i]]) if adult[i] else first_day + dt.timedelta(days=int(rng.integers(0, 28)))
            close(i, day)
            if moves[i]:
                new = int((rng.random() > dest[cat[i]]).sum())
                cat[i], began[i] = min(new, len(CATEGORIES) - 1), day
        keep = ~goes
        age, tic = age + 1, np.minimum(tic + 1, TIC_EDGES[-1])
        ids = [x for x, k in zip(ids, keep, strict=True) if k]
        began = [b for b, k in zip(began, keep, strict=True) if k]
        cat, age, tic = cat[keep], age[keep], tic[keep]
        n = rng.poisson(rates.entry_rate(m - start))
        if n:
            bands = rng.choice(len(AGE_BANDS), size=n, p=np.array(rates.entry_bands) / sum(rates.entry_bands))
            low, width = np.array(lowers)[bands], np.diff(lowers)[bands]
            new_age = low + (rng.random(n) * width).astype(np.int64)
            new_cat = rng.choice(len(CATEGORIES), size=n, p=np.array(rates.entry_categories) / sum(rates.entry_categories))
            for a in new_age:
                born = m - int(a)
                out.births[next_id] = (born // 12, born % 12 + 1)
                ids.append(next_id)
                began.append(first_day + dt.timedelta(days=int(rng.integers(0, 28))))
                next_id += 1
            cat, age = np.concatenate([cat, new_cat]), np.concatenate([age, new_age])
            tic = np.concatenate([tic, np.zeros(n, dtype=np.int64)])
    for i in range(len(ids)):
        _emit(out, ids[i], began[i], None, int(cat[i]), start, end)
    returned = {e.child for e in out.episodes}
    out.births = {c: b for c, b in out.births.items() if c in returned}
    return out


def _birthday(born: tuple[int, int]) -> dt.date:
    """The first day of the month a child is 18 (the generator knows birth months only)."""
    return dt.date(born[0] + 18, born[1], 1)


def _emit(out: GeneratedReturn, child: int, began: dt.date, ended: dt.date | None, cat: int, start: int,
          end: int) -> None:
    """Keep an episode if it was open on any day of the returns' years, under the latest year carrying it."""
    if ended is not None and month_of(ended) < start:
        return
    if ended is not None and ended <= began:
        return
    last = end if ended is None else min(month_of(ended), end)
    year = last // 12 - (last % 12 < 3)
    place, provider = PLACES[CATEGORIES[cat]]
    out.episodes.append(CareEpisode(child, began, ended if ended is None or month_of(ended) <= end else None,
                                    place, provider, f"{year}-{(year + 1) % 100:02d}"))
