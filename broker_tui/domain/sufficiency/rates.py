"""The rates a demand forecast is made of, counted from a panel's history before a cut-off.

Over the window (the ``window`` months up to the cut-off), every child in care at one month's end is seen
again at the next:
- **leaving**: left care, counted by age band and time in care (months without a break); a child who turns
  18 leaves whatever the rates say, so those months are not counted here;
- **moves**: still in care, in which category, counted by category and age band (staying is a move to the
  same category);
- **entries**: children who came into care, by month, with their age and category on entry.
Sparse cells borrow from the wider group (a prior of ``prior`` child-months at the pooled rate), so a cell
seen a few times neither forbids nor forces an outcome. Entries get a trend (the last twelve months against
the twelve before, damped) and, with three years of history, a season (each month against its year's mean,
shrunk towards none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, BAND_NAMES, CATEGORIES
from broker_tui.domain.sufficiency.panel import Panel, band_index, month_label

TIC_EDGES = (0, 6, 12, 24, 48)  # months in care: under 6 months, 6-11, 1-2 years, 2-4 years, 4 years or more
TIC_NAMES = ("Under 6 months", "6 to 11 months", "1 to 2 years", "2 to 4 years", "4 years or more")
_TIC = np.array(TIC_EDGES)


def tic_index(months: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(_TIC, months, side="right") - 1, 0, len(TIC_EDGES) - 1)


@dataclass(frozen=True)
class Rates:
    cutoff: int  # the month the forecast starts from (its end is the last known stock)
    window: int
    leave_events: np.ndarray  # [bands, tic]
    leave_exposure: np.ndarray  # [bands, tic] child-months
    moves: np.ndarray  # [categories, bands, categories] counts of the next month's category
    entries: np.ndarray  # [window] children entering care in each month of the window, over its season
    entrant_age: np.ndarray  # int32 [n]: months of age on entry (-1 not known)
    entrant_category: np.ndarray  # int8 [n]
    growth: float  # entries in a year against the year before (1.0: no trend), shrunk by its uncertainty
    growth_se: float  # the standard error of log(growth)
    season: np.ndarray  # [12] entries in each calendar month against the year's mean
    entry_weights: np.ndarray  # [window] each month's weight (recent months count more with a half-life)
    prior: float = 12.0

    def leave_prior(self) -> np.ndarray:
        """The pooled rate each leaving cell borrows from: its age band's, itself shrunk to the overall."""
        overall = (self.leave_events.sum() + 0.5) / (self.leave_exposure.sum() + 1.0)
        band = (self.leave_events.sum(1) + self.prior * overall) / (self.leave_exposure.sum(1) + self.prior)
        return np.broadcast_to(band[:, None], self.leave_events.shape)

    def leave_rate(self) -> np.ndarray:
        """Monthly probability of leaving care, by age band and time in care (posterior mean)."""
        p0 = self.leave_prior()
        return (self.leave_events + self.prior * p0) / (self.leave_exposure + self.prior)

    def move_prior(self) -> np.ndarray:
        """Each category's pooled next-month categories (all ages), nudged to staying where unseen."""
        pooled = self.moves.sum(1) + np.eye(len(CATEGORIES))
        out: np.ndarray = pooled / pooled.sum(1, keepdims=True)
        return out

    def move_rate(self) -> np.ndarray:
        """Probability of each next-month category, given a child stays in care: [categories, bands, cats]."""
        p = self.moves + self.prior * self.move_prior()[:, None, :]
        out: np.ndarray = p / p.sum(2, keepdims=True)
        return out

    def entry_rate(self) -> float:
        """Children entering care in a month, on average over the window."""
        return float(self.entry_sum() / self.entry_weights.sum()) if len(self.entries) else 0.0

    def entry_sum(self) -> float:
        return float((self.entries * self.entry_weights).sum())

    def entry_lag(self) -> float:
        """How many months before the cut-off the weighted entry rate stands (the window's weighted middle)."""
        lags = np.arange(len(self.entries))[::-1]
        return float((lags * self.entry_weights).sum() / self.entry_weights.sum()) if len(self.entries) else 0.0

    def entry_span(self, month: int) -> float:
        """Months of trend from where the window's rate stands to ``month`` (an absolute month index after the
        cut-off), damped: each month ahead counts 0.97 of the one before."""
        return self.entry_lag() + sum(0.97 ** i for i in range(1, month - self.cutoff + 1))

    def entry_factor(self, month: int) -> float:
        """Trend and season for ``month`` at the counted growth."""
        return float(self.growth ** (self.entry_span(month) / 12) * self.season[month % 12])


@dataclass(frozen=True)
class FitOptions:
    window: int = 12  # months of history for leaving and entries
    halflife: float | None = 6.0  # months: a month this long before the cut-off counts half (None: all alike)
    move_window: int = 48  # months of history for moves between categories (at most what was observed)
    prior: float = 12.0  # child-months at the pooled rate that a sparse cell borrows
    min_entrants: int = 30  # entrants to draw new children's ages and categories from


def fit_rates(panel: Panel, cutoff: int, options: FitOptions | None = None) -> Rates:
    """Count the rates over the history ending at the cut-off month's end (never before the first
    collection year, which holds only survivors)."""
    o = options or FitOptions()
    window, halflife, prior = o.window, o.halflife, o.prior
    if cutoff - window < panel.observed_from:
        raise ValueError(f"a cut-off at {month_label(cutoff)} needs {window} months of history from the first "
                         f"collection year ({month_label(panel.observed_from + 1)}) on")
    if cutoff > panel.last:
        raise ValueError(f"{month_label(cutoff)} is after the return ends ({month_label(panel.last)})")
    nb, nt, nc = len(BAND_NAMES), len(TIC_EDGES), len(CATEGORIES)
    leave_events = np.zeros((nb, nt))
    leave_exposure = np.zeros((nb, nt))
    moves = np.zeros((nc, nb, nc))
    entries = np.zeros(window)
    weights = np.zeros(window)
    span = max(window, min(o.move_window, cutoff - panel.observed_from))
    tic = panel.time_in_care(cutoff - span)
    for m in range(cutoff - span, cutoff):
        k = m - (cutoff - window)
        w = 1.0 if halflife is None else 0.5 ** ((cutoff - 1 - m) / halflife)
        if k < 0:  # before the window: moves only
            now, nxt = panel.state[:, panel.col(m)], panel.state[:, panel.col(m + 1)]
            age = panel.age(m)
            keep = (now >= 0) & (nxt >= 0) & ~((age >= 0) & (age + 1 >= ADULT_MONTHS))
            np.add.at(moves, (now[keep], band_index(age[keep]), nxt[keep]), 1.0)
            tic = np.where(nxt >= 0, np.where(now >= 0, tic + 1, 0), -1)
            continue
        now, nxt = panel.state[:, panel.col(m)], panel.state[:, panel.col(m + 1)]
        age = panel.age(m)
        here = now >= 0
        turning_adult = (age >= 0) & (age + 1 >= ADULT_MONTHS)
        seen = here & ~turning_adult
        b, t = band_index(age[seen]), tic_index(tic[seen])
        left = nxt[seen] < 0
        np.add.at(leave_exposure, (b, t), w)
        np.add.at(leave_events, (b[left], t[left]), w)
        stay = ~left
        np.add.at(moves, (now[seen][stay], b[stay], nxt[seen][stay]), 1.0)
        entries[k] = np.count_nonzero(~here & (nxt >= 0))
        weights[k] = w
        tic = np.where(nxt >= 0, np.where(here, tic + 1, 0), -1)
    ent_age, ent_cat = _entrants(panel, cutoff, window, o.min_entrants)
    season = _season(panel, cutoff)
    entries = entries / season[np.arange(cutoff - window + 1, cutoff + 1) % 12]  # the level without the season
    return Rates(cutoff, window, leave_events, leave_exposure, moves, entries, ent_age, ent_cat,
                 *_growth(panel, cutoff, season), season, weights, prior)


def entries_by_month(panel: Panel, upto: int) -> np.ndarray:
    """Children entering care in each month from the first collection year's first month to ``upto``."""
    cols = panel.state[:, panel.col(panel.observed_from): panel.col(upto) + 1] >= 0
    out: np.ndarray = np.count_nonzero(~cols[:, :-1] & cols[:, 1:], axis=0)
    return out


def _entrants(panel: Panel, cutoff: int, window: int, least: int) -> tuple[np.ndarray, np.ndarray]:
    """Ages and categories of the children who entered in the window; when fewer than ``least``, earlier
    entrants too, latest first, until there are enough (or there are no more)."""
    ages: list[np.ndarray] = []
    cats: list[np.ndarray] = []
    n = 0
    for m in range(cutoff, panel.observed_from, -1):
        if n >= least and m <= cutoff - window:
            break
        prev, cur = panel.state[:, panel.col(m - 1)], panel.state[:, panel.col(m)]
        new = np.flatnonzero((prev < 0) & (cur >= 0))
        if len(new):
            a = panel.age(m)[new]
            ages.append(a)
            cats.append(cur[new])
            n += len(new)
    if not ages:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int8)
    return np.concatenate(ages).astype(np.int32), np.concatenate(cats).astype(np.int8)


def _growth(panel: Panel, cutoff: int, season: np.ndarray) -> tuple[float, float]:
    """Entries in a year against the year before, and the standard error of its log: a straight line through
    the logs of the last 12 to 24 months' counts (none with less than a year of history), its slope shrunk
    towards no trend by how uncertain it is (slope x slope^2 / (slope^2 + se^2)), kept between halving and
    doubling."""
    counts = entries_by_month(panel, cutoff)[-24:]
    counts = counts / season[np.arange(cutoff - len(counts) + 1, cutoff + 1) % 12]
    if len(counts) < 12:
        return 1.0, 0.0
    t = np.arange(len(counts), dtype=float)
    y = np.log(counts + 0.5)
    slope, intercept = np.polyfit(t, y, 1)
    resid = y - (slope * t + intercept)
    se = float(np.sqrt(resid @ resid / (len(t) - 2) / ((t - t.mean()) @ (t - t.mean()))))
    b, e = 12 * float(slope), 12 * se  # a year's
    shrunk = b * b * b / (b * b + e * e) if b else 0.0
    return float(np.clip(np.exp(shrunk), 0.5, 2.0)), e


def _season(panel: Panel, cutoff: int) -> np.ndarray:
    """Each calendar month's entries against its year's mean, over the complete years before the cut-off,
    shrunk towards 1 by the number of years (three years: halfway)."""
    counts = entries_by_month(panel, cutoff)
    months = np.arange(panel.observed_from + 1, cutoff + 1)
    years = len(counts) // 12
    season = np.ones(12)
    if years < 3:
        return season
    tail, at = counts[-years * 12:].reshape(years, 12), months[-years * 12:].reshape(years, 12)
    means = tail.mean(1, keepdims=True)
    ok = means[:, 0] > 0
    if ok.sum() < 3:
        return season
    ratio = (tail[ok] / means[ok]).mean(0)
    w = ok.sum() / (ok.sum() + 3.0)
    season[at[0] % 12] = 1 + w * (ratio - 1)
    out: np.ndarray = season / season.mean()
    return out
