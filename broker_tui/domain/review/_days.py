"""A block contract night by night over a review period, as arrays (numpy): the units paid for, the units
filled, and the empty ones by what the unit's status says, with the unit price in force each night.

The rules are domain.purchases.block_usage's (a unit-day is one unit for one night; available = the units the
term in force pays for; occupied = nights children spend in units held that night; void = available -
occupied; a night costs the weekly unit price / 7, summed exactly and rounded half up once), worked as whole
arrays so five years of 200 contracts take milliseconds. What it adds is why a unit stood empty, by the
unit's status that night: available (a true void), held for an incoming young person, out of use through
the provider's fault (which the contract may not pay for) or through the council's. A term may pay for
more units than are listed: those nights are true voids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from broker_tui.domain.purchases import Cost, Period, cost_from_sevenths

VOID_KINDS = ("available", "held", "out_of_use_provider", "out_of_use_council")
VOID_LABELS = {
    "available": "True void (available)",
    "held": "Held for an incoming young person",
    "out_of_use_provider": "Out of use (provider's fault)",
    "out_of_use_council": "Out of use (council)",
}
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class HeldSpan:
    """The nights [start, end) on one term: ``paid`` units a night at ``unit_weekly_pence``, of which the
    listed units ``held`` (by id) are named; the rest are paid for but unlisted."""

    start: dt.date
    end: dt.date
    paid: int
    unit_weekly_pence: int
    held: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stay:
    """A child's nights [start, end) in a unit (end None: still there)."""

    unit: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class StatusFrom:
    """A unit's status from a date (until the next one); before the first, a unit is available."""

    unit: str
    effective_from: dt.date
    status: str


def index_of(period: Period, day: dt.date | None, *, open_end: bool = False) -> int:
    """The night's position in the period, clipped to [0, nights] (None: the period's end, or its start)."""
    if day is None:
        return period.nights if open_end else 0
    return max(0, min(period.nights, (day - period.start).days))


@dataclass(frozen=True)
class ContractDays:
    """Per night of the period: units paid (``available``), filled (``occupied``), empty by status kind
    (``voids``, in VOID_KINDS order) and the unit weekly price in force (0 outside the contract)."""

    period: Period
    available: Ints
    occupied: Ints
    voids: dict[str, Ints]
    price: Ints

    @property
    def available_unit_days(self) -> int:
        return int(self.available.sum())

    @property
    def occupied_unit_days(self) -> int:
        return int(self.occupied.sum())

    @property
    def void_unit_days(self) -> int:
        return self.available_unit_days - self.occupied_unit_days

    def paid(self, mask: slice = slice(None)) -> Cost:
        return cost_from_sevenths(self.period, int((self.available[mask] * self.price[mask]).sum()))

    def void_cost(self, kind: str) -> Cost:
        return cost_from_sevenths(self.period, int((self.voids[kind] * self.price).sum()))

    def void_cost_total(self) -> Cost:
        return cost_from_sevenths(self.period, int(((self.available - self.occupied) * self.price).sum()))

    def void_days(self, kind: str) -> int:
        return int(self.voids[kind].sum())


def contract_days(period: Period, spans: Iterable[HeldSpan], stays: Iterable[Stay],
                  statuses: Iterable[StatusFrom]) -> ContractDays:
    """Build the night-by-night arrays of one contract over ``period`` (see the module's notes)."""
    n = period.nights
    spans = list(spans)
    units = sorted({u for s in spans for u in s.held})
    row = {u: i for i, u in enumerate(units)}
    available = np.zeros(n, dtype=np.int64)
    price = np.zeros(n, dtype=np.int64)
    held = np.zeros((len(units), n), dtype=bool)
    for span in spans:
        lo, hi = index_of(period, span.start), index_of(period, span.end)
        if lo >= hi:
            continue
        available[lo:hi] = span.paid
        price[lo:hi] = span.unit_weekly_pence
        for u in span.held:
            held[row[u], lo:hi] = True
    filled = np.zeros_like(held)
    for stay in stays:
        if stay.unit in row:
            lo, hi = index_of(period, stay.start), index_of(period, stay.end, open_end=True)
            if lo < hi:
                filled[row[stay.unit], lo:hi] = True
    codes = np.zeros_like(held, dtype=np.int8)
    for status in sorted(statuses, key=lambda s: s.effective_from):
        if status.unit in row and status.status in VOID_KINDS:
            codes[row[status.unit], index_of(period, status.effective_from):] = VOID_KINDS.index(status.status)
    in_use = held & filled
    empty = held & ~filled
    occupied = in_use.sum(axis=0, dtype=np.int64)
    voids = {kind: (empty & (codes == k)).sum(axis=0, dtype=np.int64) for k, kind in enumerate(VOID_KINDS)}
    voids["available"] = voids["available"] + (available - held.sum(axis=0, dtype=np.int64)).clip(min=0)
    return ContractDays(period, available, occupied, voids, price)


def month_starts(period: Period) -> list[dt.date]:
    """The first night of each calendar month the period touches (the first is the period's own start)."""
    out = [period.start]
    day = dt.date(period.start.year, period.start.month, 1)
    while True:
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        if day >= period.end:
            return out if period.nights else []
        out.append(day)


def month_cuts(period: Period) -> Ints:
    """Where each calendar month of the period starts, as positions in its per-night arrays."""
    return np.array([index_of(period, d) for d in month_starts(period)], dtype=np.int64)


def by_month(period: Period, values: Ints, cuts: Ints | None = None) -> list[int]:
    """The sum of a per-night array over each calendar month of the period (``cuts``: month_cuts(period),
    worked once for many arrays)."""
    cuts = month_cuts(period) if cuts is None else cuts
    if not len(cuts):
        return []
    return [int(v) for v in np.add.reduceat(values, cuts)] if len(values) else [0] * len(cuts)


def demand_by_night(period: Period, nights: Iterable[tuple[dt.date, dt.date | None]]) -> Ints:
    """How many placements hold each night of the period, from their nights [start, end)."""
    diff = np.zeros(period.nights + 1, dtype=np.int64)
    for start, end in nights:
        lo, hi = index_of(period, start), index_of(period, end, open_end=True)
        if lo < hi:
            diff[lo] += 1
            diff[hi] -= 1
    return np.cumsum(diff[:-1]) if period.nights else np.zeros(0, dtype=np.int64)
