"""The rates a demand forecast is made of, counted from a panel's history before a cut-off.

Over the window (the ``window`` months up to the cut-off), every child in care at one month's end is seen
again at the next:
- **leaving**: left care, counted by age band and time in care (months without a break); a child who turns
  18 leaves whatever the rates say, so those months are not counted here;
- **moves**: still in care, in which category, counted by category and age band (staying is a move to the
  same category);
- **entries**: children who came into care, by month, with their age and category on entry.
Sparse cells borrow from the wider group (a prior of ``prior`` child-months at the pooled rate), so a cell
seen a few times neither forbids nor forces an outcome. Recent months count more: leaving and entries each
take the half-life (of ``FitOptions.halflives``) that best foretold each of the last year's months from the
months before it, so a level that shifted is followed and a steady one averaged. Entries get a trend (the last twelve months against
the twelve before, damped) and, with three years of history, a season (each month against its year's mean,
shrunk towards none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, BAND_NAMES, CATEGORIES
from broker_tui.domain.sufficiency.panel import Panel, band_index, month_label

TIC_EDGES = (0, 6, 12, 24, 48)  # months in care: under 6 months, 6-11, 1-2 years, 2-4 years, 4 years or more
TIC_NAMES = ("Under 6 months", "6 to 11 months", "1 to 2 years", "2 to 4 years", "4 years or more")
_TIC = np.array(TIC_EDGES)


def _leave_prior(events: np.ndarray, exposure: np.ndarray, prior: float) -> np.ndarray:
    overall = (events.sum() + 0.5) / (exposure.sum() + 1.0)
    band = (events.sum(1) + prior * overall) / (exposure.sum(1) + prior)
    return np.broadcast_to(band[:, None], events.shape)


def _shrunk_leave_rate(events: np.ndarray, exposure: np.ndarray, prior: float) -> np.ndarray:
    out: np.ndarray = (events + prior * _leave_prior(events, exposure, prior)) / (exposure + prior)
    return out


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
    leave_halflife: float | None = None  # as chosen (months; None: all months alike)
    entry_halflife: float | None = None

    def leave_prior(self) -> np.ndarray:
        """The pooled rate each leaving cell borrows from: its age band's, itself shrunk to the overall."""
        return _leave_prior(self.leave_events, self.leave_exposure, self.prior)

    def leave_rate(self) -> np.ndarray:
        """Monthly probability of leaving care, by age band and time in care (posterior mean)."""
        return _shrunk_leave_rate(self.leave_events, self.leave_exposure, self.prior)

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
    # months: a month this long before the cut-off counts half (None: all alike). Leaving and entries each
    # take the candidate that best foretold each month of their own history from the months before it;
    # one candidate: always that one
    halflives: tuple[float | None, ...] = (3.0, 6.0, 12.0, 24.0)
    move_window: int = 48  # months of history for moves between categories (at most what was observed)
    prior: float = 12.0  # child-months at the pooled rate that a sparse cell borrows
    min_entrants: int = 30  # entrants to draw new children's ages and categories from


def fit_rates(panel: Panel, cutoff: int, options: FitOptions | None = None) -> Rates:
    """Count the rates over the history ending at the cut-off month's end (never before the first
    collection year, which holds only survivors)."""
    o = options or FitOptions()
    window, prior = o.window, o.prior
    if cutoff - window < panel.observed_from:
        raise ValueError(f"a cut-off at {month_label(cutoff)} needs {window} months of history from the first "
                         f"collection year ({month_label(panel.observed_from + 1)}) on")
    if cutoff > panel.last:
        raise ValueError(f"{month_label(cutoff)} is after the return ends ({month_label(panel.last)})")
    nb, nt, nc = len(BAND_NAMES), len(TIC_EDGES), len(CATEGORIES)
    moves = np.zeros((nc, nb, nc))
    span = max(window, min(o.move_window, cutoff - panel.observed_from))
    events, exposure = np.zeros((span, nb, nt)), np.zeros((span, nb, nt))  # leaving, month by month
    entered = np.zeros(span)
    tic = panel.time_in_care(cutoff - span)
    for k, m in enumerate(range(cutoff - span, cutoff)):
        now, nxt = panel.state[:, panel.col(m)], panel.state[:, panel.col(m + 1)]
        age = panel.age(m)
        here = now >= 0
        seen = here & ~((age >= 0) & (age + 1 >= ADULT_MONTHS))  # turning 18 leaves whatever the rates say
        b, t = band_index(age[seen]), tic_index(tic[seen])
        left = nxt[seen] < 0
        np.add.at(exposure[k], (b, t), 1.0)
        np.add.at(events[k], (b[left], t[left]), 1.0)
        stay = ~left
        np.add.at(moves, (now[seen][stay], b[stay], nxt[seen][stay]), 1.0)
        entered[k] = np.count_nonzero(~here & (nxt >= 0))
        tic = np.where(nxt >= 0, np.where(here, tic + 1, 0), -1)
    season = _season(panel, cutoff)
    leave_h = _choose_halflife(o.halflives, window, span,
                               lambda w, t: (float((exposure[t] * _shrunk_leave_rate(
                                   np.tensordot(w, events[t - len(w): t], 1),
                                   np.tensordot(w, exposure[t - len(w): t], 1), prior)).sum()),
                                   float(events[t].sum())))
    w = _weights(leave_h, window)
    leave_events = np.tensordot(w, events[-window:], 1)
    leave_exposure = np.tensordot(w, exposure[-window:], 1)
    counts = entries_by_month(panel, cutoff).astype(float)  # the whole history, net of the season
    counts = counts / season[np.arange(cutoff - len(counts) + 1, cutoff + 1) % 12]
    entry_h = _choose_halflife(o.halflives, window, len(counts),
                               lambda w, t: (float(counts[t - len(w): t] @ w / w.sum()), float(counts[t])))
    entries = entered[-window:] / season[np.arange(cutoff - window + 1, cutoff + 1) % 12]
    ent_age, ent_cat = _entrants(panel, cutoff, window, o.min_entrants)
    return Rates(cutoff, window, leave_events, leave_exposure, moves, entries, ent_age, ent_cat,
                 *_growth(panel, cutoff, season), season, _weights(entry_h, window), prior, leave_h, entry_h)


def _weights(halflife: float | None, n: int) -> np.ndarray:
    """Each of ``n`` months' weight, the latest last: a month ``halflife`` months before the latest counts
    half as much (None: all alike)."""
    lags = np.arange(n, dtype=float)[::-1]
    out: np.ndarray = np.ones(n) if halflife is None else 0.5 ** (lags / halflife)
    return out


def _choose_halflife(candidates: tuple[float | None, ...], window: int, months: int,
                     foretell: Callable[[np.ndarray, int], tuple[float, float]], recent: int = 12) -> float | None:
    """The half-life, of ``candidates``, whose rates from the (up to ``window``) months before each month
    best foretold that month, over the last ``recent`` months of the history (squared error, months with six
    or more before them; a tie goes to the longer memory). Chosen on the past alone, as exponential smoothing
    chooses its constant: a level that shifted needs a short memory, a steady one a long one. One candidate,
    or under a year of history: the one nearest six months."""
    ordered = sorted(candidates, key=lambda h: np.inf if h is None else h)
    if len(ordered) == 1 or months < 12:
        return min(ordered, key=lambda h: abs((np.inf if h is None else h) - 6.0))
    best, best_err = ordered[-1], np.inf
    for h in reversed(ordered):
        err = 0.0
        for t in range(max(6, months - recent), months):
            pred, actual = foretell(_weights(h, min(window, t)), t)
            err += (pred - actual) ** 2
        if err < best_err - 1e-9:
            best, best_err = h, err
    return best


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
