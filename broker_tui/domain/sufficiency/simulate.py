"""The demand forecast: children in care simulated month by month from the cut-off, many times over.

Each simulation first draws its own rates from what the history allows (leaving from a beta, moves from a
Dirichlet, the entry rate from a gamma, each around the counted rates), so the spread of the simulations
carries both chance and how little the history says; then, every month, each child in care ages a month,
leaves at 18 or with its band's and time in care's chance, or moves to a category by its category's and
band's chances; and new children enter (a Poisson count at the entry rate with trend, season and the
scenario's factor, each drawn from the recent entrants' ages and categories). The forecast is the mean of the
simulations, and the 10th and 90th percentiles make its 80% interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, BAND_NAMES, CATEGORIES
from broker_tui.domain.sufficiency.panel import Panel, band_index
from broker_tui.domain.sufficiency.rates import Rates, tic_index


@dataclass(frozen=True)
class Start:
    """The children in care at the cut-off: category, age in months (-1 not known), months in care."""

    category: np.ndarray
    age: np.ndarray
    tic: np.ndarray

    @classmethod
    def from_panel(cls, panel: Panel, cutoff: int) -> Start:
        here = panel.in_care(cutoff)
        return cls(panel.state[here, panel.col(cutoff)].astype(np.int8), panel.age(cutoff)[here].astype(np.int32),
                   panel.time_in_care(cutoff)[here].astype(np.int32))


@dataclass(frozen=True)
class Simulated:
    """[sims, months, categories, bands] stock at each month's end; flows [sims, months, categories]."""

    first: int  # the month of index 0 (the month after the cut-off)
    stock: np.ndarray
    entries: np.ndarray
    leavers: np.ndarray
    moved_in: np.ndarray
    moved_out: np.ndarray
    start_stock: np.ndarray  # [categories, bands] at the cut-off

    def by_category(self) -> np.ndarray:
        out: np.ndarray = self.stock.sum(3)
        return out

    def mean(self) -> np.ndarray:
        """[months, categories, bands]"""
        out: np.ndarray = self.stock.mean(0)
        return out

    def interval(self, q: float = 0.8, *, axis_sum: tuple[int, ...] = (3,)) -> tuple[np.ndarray, np.ndarray]:
        """The (low, high) of the central ``q`` interval of the stock summed over ``axis_sum``."""
        s = self.stock.sum(axis_sum) if axis_sum else self.stock
        lo = (1 - q) / 2
        return np.quantile(s, lo, axis=0), np.quantile(s, 1 - lo, axis=0)


@dataclass(frozen=True)
class Scenario:
    """What-if settings: more (or fewer) entrants from a month."""

    name: str = "baseline"
    entrant_factor: float = 1.0
    from_month: int | None = None  # absolute month index; None: from the start


def _draw_rates(rates: Rates, sims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per simulation: leaving [sims, bands, tic], cumulative moves [sims, cats, bands, cats], entry rate."""
    p0 = rates.leave_prior()
    a = rates.leave_events + rates.prior * p0
    b = np.maximum(rates.leave_exposure - rates.leave_events, 0) + rates.prior * (1 - p0)
    leave = rng.beta(np.broadcast_to(a, (sims, *a.shape)), np.broadcast_to(b, (sims, *b.shape)))
    alpha = rates.moves + rates.prior * rates.move_prior()[:, None, :]
    g = rng.gamma(np.broadcast_to(alpha, (sims, *alpha.shape)))
    moves = np.cumsum(g / g.sum(3, keepdims=True), axis=3)
    moves[..., -1] = 1.0
    lam = (rng.gamma(rates.entry_sum() + 0.5, 1.0 / rates.entry_weights.sum(), size=sims) if len(rates.entries)
           else np.zeros(sims))
    return leave, moves, lam


def simulate(rates: Rates, start: Start, months: int, *, sims: int = 1000, seed: int = 0,
             scenario: Scenario | None = None) -> Simulated:
    """Simulate ``months`` months after the cut-off ``sims`` times."""
    rng = np.random.default_rng(seed)
    scen = scenario or Scenario()
    nc, nb = len(CATEGORIES), len(BAND_NAMES)
    leave, moves, lam = _draw_rates(rates, sims, rng)
    n0 = len(start.category)
    sim = np.repeat(np.arange(sims, dtype=np.int32), n0)
    cat = np.tile(start.category, sims).astype(np.int8)
    age = np.tile(start.age, sims).astype(np.int32)
    tic = np.tile(start.tic, sims).astype(np.int32)
    stock = np.zeros((sims, months, nc, nb), dtype=np.int32)
    flows = {k: np.zeros((sims, months, nc), dtype=np.int32) for k in ("entries", "leavers", "in", "out")}
    pool_age, pool_cat = rates.entrant_age, rates.entrant_category
    for h in range(months):
        month = rates.cutoff + 1 + h
        known = age >= 0
        age = np.where(known, age + 1, age)
        tic = tic + 1
        band = band_index(age)
        p_leave = leave[sim, np.minimum(band, nb - 1), tic_index(tic)]
        u = rng.random(len(cat))
        goes = (known & (age >= ADULT_MONTHS)) | (u < p_leave)
        flows["leavers"][:, h] = _count(sim[goes], cat[goes], sims, nc)
        cum = moves[sim, cat, band]  # [n, cats]
        to = (rng.random(len(cat))[:, None] > cum).sum(1).astype(np.int8)
        stay = ~goes
        moving = stay & (to != cat)
        flows["out"][:, h] = _count(sim[moving], cat[moving], sims, nc)
        flows["in"][:, h] = _count(sim[moving], to[moving], sims, nc)
        cat = np.where(moving, to, cat)
        sim, cat, age, tic = sim[stay], cat[stay], age[stay], tic[stay]
        factor = rates.entry_factor(month)
        if scen.from_month is None or month >= scen.from_month:
            factor *= scen.entrant_factor
        count = rng.poisson(lam * factor) if len(pool_age) else np.zeros(sims, dtype=np.int64)
        total = int(count.sum())
        if total:
            pick = rng.integers(0, len(pool_age), size=total)
            new_sim = np.repeat(np.arange(sims, dtype=np.int32), count)
            new_cat = pool_cat[pick]
            flows["entries"][:, h] = _count(new_sim, new_cat, sims, nc)
            sim = np.concatenate([sim, new_sim])
            cat = np.concatenate([cat, new_cat])
            age = np.concatenate([age, pool_age[pick]])
            tic = np.concatenate([tic, np.zeros(total, dtype=np.int32)])
        flat = (sim.astype(np.int64) * nc + cat) * nb + band_index(age)
        stock[:, h] = np.bincount(flat, minlength=sims * nc * nb).reshape(sims, nc, nb)
    start_flat = start.category.astype(np.int64) * nb + band_index(start.age)
    start_stock = np.bincount(start_flat, minlength=nc * nb).reshape(nc, nb)
    return Simulated(rates.cutoff + 1, stock, flows["entries"], flows["leavers"], flows["in"], flows["out"],
                     start_stock)


def _count(sim: np.ndarray, cat: np.ndarray, sims: int, nc: int) -> np.ndarray:
    return np.bincount(sim.astype(np.int64) * nc + cat, minlength=sims * nc).reshape(sims, nc)
