"""The demand forecast: children in care simulated month by month from the cut-off, many times over.

Each simulation first draws its own rates from what the history allows (leaving from a beta, moves from a
Dirichlet, the entry rate from a gamma and its trend from a normal, each around the counted rates), so the spread of the simulations
carries both chance and how little the history says; then, every month, each child in care ages a month,
leaves at 18 or with its band's and time in care's chance, or moves to a category by its category's and
band's chances; and new children enter (a Poisson count at the entry rate with trend, season and the
scenario's factor, each drawn from the recent entrants' ages and categories). A scenario's shift places a
child who would have gone to one category (entering care or moving) in another instead, while the places
it made there have room (more in-house foster carers take children who would have gone to agencies). The
forecast is the mean of the simulations, and the 10th and 90th percentiles make its 80% interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broker_tui.domain.sufficiency.categories import ADULT_MONTHS, BAND_NAMES, CATEGORIES
from broker_tui.domain.sufficiency.panel import Panel, band_index
from broker_tui.domain.sufficiency.rates import TIC_EDGES, Rates, tic_index


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
    turned_18: np.ndarray  # [sims, months, categories]: the leavers who left because they turned 18
    shifted: np.ndarray  # [sims, months, shifts]: the children each shift placed who are in its target then

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
class Shift:
    """From the scenario's month, children who would be placed in ``source`` (entering care, or moving
    there) are placed in ``target`` instead while fewer than ``places`` of those so placed are there."""

    source: int  # category index
    target: int
    places: int


@dataclass(frozen=True)
class Scenario:
    """What-if settings: more (or fewer) entrants from a month, and shifts between categories."""

    name: str = "baseline"
    entrant_factor: float = 1.0
    from_month: int | None = None  # absolute month index; None: from the start
    shifts: tuple[Shift, ...] = ()

    def active(self, month: int) -> bool:
        return self.from_month is None or month >= self.from_month


def _shift(shift: Shift, cand: np.ndarray, sim: np.ndarray, held: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Of the candidates (indices into ``sim``), those each simulation's room takes, at random: ``places``
    less the children the shift placed who are in its target now (``held`` per simulation)."""
    if not len(cand):
        return cand
    room = np.maximum(shift.places - held, 0)
    mixed = rng.permutation(cand)  # not the children's order in the arrays (the starting stock first)
    ranked = mixed[np.argsort(sim[mixed], kind="stable")]
    s = sim[ranked]
    first = np.searchsorted(s, s, side="left")  # s is sorted: each candidate's rank within its simulation
    taken: np.ndarray = ranked[(np.arange(len(s)) - first) < room[s]]
    return taken


def _draw_rates(rates: Rates, sims: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                           np.ndarray]:
    """Per simulation: leaving [sims, bands, tic]; staying in the category [sims, cats, bands]; where a child
    who moves goes, cumulative over the other categories [sims, cats, bands, cats]; the entry rate [sims]."""
    p0 = rates.leave_prior()
    a = rates.leave_events + rates.prior * p0
    b = np.maximum(rates.leave_exposure - rates.leave_events, 0) + rates.prior * (1 - p0)
    leave = rng.beta(np.broadcast_to(a, (sims, *a.shape)), np.broadcast_to(b, (sims, *b.shape)))
    alpha = rates.moves + rates.prior * rates.move_prior()[:, None, :]
    g = rng.gamma(np.broadcast_to(alpha, (sims, *alpha.shape)))
    p = g / g.sum(3, keepdims=True)
    nc = p.shape[1]
    own = np.arange(nc)
    stay = p[:, own, :, own].transpose(1, 0, 2)  # [sims, cats, bands]
    other = p.copy()
    other[:, own, :, own] = 0.0
    go = np.cumsum(other, axis=3) / np.maximum(1.0 - stay, 1e-12)[..., None]
    go[..., -1] = 1.0
    lam = (rng.gamma(rates.entry_sum() + 0.5, 1.0 / rates.entry_weights.sum(), size=sims) if len(rates.entries)
           else np.zeros(sims))
    return leave, stay, go, lam


_BAND_OF_AGE = band_index(np.arange(-1, ADULT_MONTHS + 2)).astype(np.int8)  # [age + 1]; age -1: not known
_TIC_OF_MONTHS = tic_index(np.arange(TIC_EDGES[-1] + 1)).astype(np.int8)  # months in care, capped at the last


def simulate(rates: Rates, start: Start, months: int, *, sims: int = 1000, seed: int = 0,
             scenario: Scenario | None = None) -> Simulated:
    """Simulate ``months`` months after the cut-off ``sims`` times."""
    rng = np.random.default_rng(seed)
    scen = scenario or Scenario()
    nc, nb, nt = len(CATEGORIES), len(BAND_NAMES), len(TIC_EDGES)
    leave, stay_p, go, lam = _draw_rates(rates, sims, rng)
    # each simulation's trend, drawn around the counted one by its standard error
    log_growth = np.clip(rng.normal(np.log(rates.growth), rates.growth_se, size=sims), np.log(0.5), np.log(2.0))
    leave_flat, stay_flat = leave.reshape(-1).astype(np.float32), stay_p.reshape(-1).astype(np.float32)
    go_rows = go.reshape(-1, nc).astype(np.float32)
    cap = TIC_EDGES[-1]
    n0 = len(start.category)
    sim = np.repeat(np.arange(sims, dtype=np.int32), n0)
    cat = np.tile(start.category, sims).astype(np.int32)
    age = np.maximum(np.tile(start.age, sims), -1).astype(np.int32)  # any age below nought: not known
    tic = np.tile(np.minimum(start.tic, cap), sims).astype(np.int32)
    shifted = np.zeros(len(cat), dtype=np.int16)  # 1 + the index of the shift that placed the child there, else 0
    targets = np.array([sh.target for sh in scen.shifts] or [0], dtype=np.int32)
    held = np.zeros((sims, months, len(scen.shifts)), dtype=np.int32)
    stock = np.zeros((sims, months, nc, nb), dtype=np.int32)
    flows = {k: np.zeros((sims, months, nc), dtype=np.int32) for k in ("entries", "leavers", "in", "out", "adults")}
    pool_age, pool_cat = rates.entrant_age.astype(np.int32), rates.entrant_category.astype(np.int32)
    band = _BAND_OF_AGE[np.clip(age, -1, ADULT_MONTHS) + 1].astype(np.int32)
    for h in range(months):
        month = rates.cutoff + 1 + h
        # the chances are those of the child as at the last month's end (as the rates were counted)
        u = rng.random(len(cat), dtype=np.float32)
        known = age >= 0
        adult = known & (age + 1 >= ADULT_MONTHS)
        goes = (u < leave_flat[(sim * nb + band) * nt + _TIC_OF_MONTHS[tic]]) | adult
        flows["leavers"][:, h] = _count(sim[goes], cat[goes], sims, nc)
        flows["adults"][:, h] = _count(sim[adult], cat[adult], sims, nc)
        keep = ~goes
        sim, cat, age, tic, band, shifted = sim[keep], cat[keep], age[keep], tic[keep], band[keep], shifted[keep]
        shifting = scen.shifts if scen.active(month) else ()
        cell = (sim * nc + cat) * nb + band
        moving = np.flatnonzero(rng.random(len(cat), dtype=np.float32) >= stay_flat[cell])
        if len(moving):
            rows = go_rows[cell[moving]]
            to = (rng.random(len(moving), dtype=np.float32)[:, None] > rows).sum(1).astype(np.int32)
            for k, sh in enumerate(shifting):
                cand = np.flatnonzero((to == sh.source) & (cat[moving] != sh.target))
                took = _shift(sh, cand, sim[moving], _held(sim, cat, shifted, k, sh, sims), rng)
                to[took] = sh.target
                shifted[moving[took]] = k + 1
            flows["out"][:, h] = _count(sim[moving], cat[moving], sims, nc)
            flows["in"][:, h] = _count(sim[moving], to, sims, nc)
            cat[moving] = to
            if len(scen.shifts):  # a child a shift placed who moves on no longer holds its place
                tag = shifted[moving]
                off = (tag > 0) & (to != targets[np.maximum(tag - 1, 0)])
                shifted[moving[off]] = 0
        age = age + (age >= 0)  # a month older (a child of unknown age stays unknown)
        np.minimum(tic + 1, cap, out=tic)
        band = _BAND_OF_AGE[np.clip(age, -1, ADULT_MONTHS) + 1].astype(np.int32)
        factor = np.exp(log_growth * rates.entry_span(month) / 12) * rates.season[month % 12]
        if scen.from_month is None or month >= scen.from_month:
            factor *= scen.entrant_factor
        count = rng.poisson(lam * factor) if len(pool_age) else np.zeros(sims, dtype=np.int64)
        total = int(count.sum())
        if total:
            pick = rng.integers(0, len(pool_age), size=total)
            new_sim = np.repeat(np.arange(sims, dtype=np.int32), count)
            new_cat, new_age = pool_cat[pick].copy(), pool_age[pick]
            new_shifted = np.zeros(total, dtype=np.int16)
            for k, sh in enumerate(shifting):
                took = _shift(sh, np.flatnonzero(new_cat == sh.source), new_sim,
                              _held(sim, cat, shifted, k, sh, sims), rng)
                new_cat[took] = sh.target
                new_shifted[took] = k + 1
            flows["entries"][:, h] = _count(new_sim, new_cat, sims, nc)
            sim = np.concatenate([sim, new_sim])
            cat = np.concatenate([cat, new_cat])
            age = np.concatenate([age, new_age])
            tic = np.concatenate([tic, np.zeros(total, dtype=np.int32)])
            shifted = np.concatenate([shifted, new_shifted])
            band = np.concatenate([band, _BAND_OF_AGE[np.clip(new_age, -1, ADULT_MONTHS) + 1].astype(np.int32)])
        stock[:, h] = np.bincount((sim * nc + cat) * nb + band, minlength=sims * nc * nb).reshape(sims, nc, nb)
        for k, sh in enumerate(scen.shifts):
            held[:, h, k] = _held(sim, cat, shifted, k, sh, sims)
    start_flat = start.category.astype(np.int64) * nb + band_index(start.age)
    start_stock = np.bincount(start_flat, minlength=nc * nb).reshape(nc, nb)
    return Simulated(rates.cutoff + 1, stock, flows["entries"], flows["leavers"], flows["in"], flows["out"],
                     start_stock, flows["adults"], held)


def _held(sim: np.ndarray, cat: np.ndarray, shifted: np.ndarray, k: int, shift: Shift, sims: int) -> np.ndarray:
    """Per simulation, the children shift ``k`` placed who are in its target now."""
    mine = (shifted == k + 1) & (cat == shift.target)
    out: np.ndarray = np.bincount(sim[mine], minlength=sims)
    return out


def _count(sim: np.ndarray, cat: np.ndarray, sims: int, nc: int) -> np.ndarray:
    out: np.ndarray = np.bincount(sim * nc + cat, minlength=sims * nc).reshape(sims, nc)
    return out
