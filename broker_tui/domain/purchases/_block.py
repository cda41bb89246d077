"""Block contracts: units bought for a period and paid every night, filled or not.

A contract covers the nights [start, end); its terms are dated versions (the units held and the unit
weekly price from ``effective_from``; the term in force on a night is the latest on or before it, a later
one on the same date winning). A unit-day is one unit for one night. Per reported period:
- available unit-days: for each night of the period inside the contract, the units in force that night;
- occupied unit-days: the nights placements spend in units in force that night (two placements in one
  unit on one night are refused, never counted twice);
- void unit-days = available - occupied;
- paid = every available unit-night at the unit weekly price in force / 7; void cost = every void
  unit-night likewise: each exact (an integer numerator over 7), rounded half up once;
- utilisation = occupied / available (an exact fraction; None with nothing available);
- effective cost per occupied week = paid / (occupied nights / 7), from the exact paid: the numerator
  over the occupied nights, rounded half up to the penny (None with nothing occupied).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import pence_problem, round_half_up
from broker_tui.domain.purchases._period import (
    Cost,
    Period,
    cost_from_sevenths,
    version_segments,
)
from broker_tui.domain.purchases._placements import Placement, child_overlaps, unit_overlaps

ONE_DAY = dt.timedelta(days=1)


class OccupancyError(ValueError):
    """Two placements hold one unit on the same night: the figures would count it twice."""


@dataclass(frozen=True, slots=True)
class BlockTerm:
    """From ``effective_from``: the units the contract holds (BlockUnit identifiers) at a unit weekly price."""

    effective_from: dt.date
    units: frozenset[str]
    unit_weekly_pence: int


@dataclass(frozen=True)
class BlockContract:
    """Units bought for the nights [start, end) (end: the first night not bought) on dated terms."""

    start: dt.date
    end: dt.date
    terms: tuple[BlockTerm, ...]
    reference: str = field(default="", compare=False)

    @cached_property
    def _timeline(self) -> tuple[tuple[dt.date, ...], tuple[BlockTerm, ...]]:
        latest: dict[dt.date, BlockTerm] = {}
        for term in self.terms:
            latest[term.effective_from] = term
        dates = tuple(sorted(latest))
        return dates, tuple(latest[d] for d in dates)

    def term_on(self, night: dt.date) -> BlockTerm | None:
        """The term in force on a night (None outside the contract or before its first term)."""
        if not self.start <= night < self.end:
            return None
        dates, terms = self._timeline
        i = bisect_right(dates, night) - 1
        return terms[i] if i >= 0 else None


@dataclass(frozen=True, slots=True)
class BlockUsage:
    """A contract's figures over a period (clipped to the contract)."""

    period: Period
    available_unit_days: int
    occupied_unit_days: int
    paid: Cost
    void: Cost

    @property
    def void_unit_days(self) -> int:
        return self.available_unit_days - self.occupied_unit_days

    @property
    def utilisation(self) -> Fraction | None:
        return Fraction(self.occupied_unit_days, self.available_unit_days) if self.available_unit_days else None

    @property
    def cost_per_occupied_week_pence(self) -> int | None:
        # paid / (occupied / 7) = (sevenths / 7) / (occupied / 7) = sevenths / occupied, exactly
        return round_half_up(self.paid.sevenths, self.occupied_unit_days) if self.occupied_unit_days else None


@dataclass(frozen=True, slots=True)
class NightOccupancy:
    night: dt.date
    occupied: int
    available: int


def _segments(contract: BlockContract, period: Period) -> list[tuple[BlockTerm, dt.date, dt.date]]:
    """(term, first night, end) for each run of the period's contract nights under one term."""
    dates, terms = contract._timeline
    clipped = period.clip(contract.start, contract.end)
    return [(terms[i], first, first + dt.timedelta(days=nights))
            for i, first, nights in version_segments(dates, clipped) if i >= 0]


def _in_units(placements: Iterable[Placement]) -> list[Placement]:
    held = [p for p in placements if p.unit is not None and (p.end is None or p.end > p.start)]
    if overlaps := unit_overlaps(held):
        raise OccupancyError(overlaps[0].message)
    return held


def block_usage(contract: BlockContract, placements: Iterable[Placement], period: Period) -> BlockUsage:
    """Available, occupied and void unit-days, what was paid and what the voids cost, over ``period``
    (clipped to the contract), term segment by term segment. Raises OccupancyError when two placements
    share a unit on a night; nights a placement spends in a unit the term does not hold are not counted."""
    held = _in_units(placements)
    available = occupied = paid = void = 0
    for term, first, end in _segments(contract, period):
        unit_nights = len(term.units) * (end - first).days
        filled = 0
        for placement in held:
            if placement.unit in term.units and (nights := placement.nights_within(first, end)):
                filled += (nights[1] - nights[0]).days
        available += unit_nights
        occupied += filled
        paid += unit_nights * term.unit_weekly_pence
        void += (unit_nights - filled) * term.unit_weekly_pence
    clipped = period.clip(contract.start, contract.end)
    return BlockUsage(clipped, available, occupied, cost_from_sevenths(clipped, paid),
                      cost_from_sevenths(clipped, void))


def available_unit_days(contract: BlockContract, period: Period) -> int:
    """For each night of the period inside the contract's [start, end), the units in force that night."""
    return block_usage(contract, (), period).available_unit_days


def occupied_unit_days(contract: BlockContract, placements: Iterable[Placement], period: Period) -> int:
    """The unit-nights placements fill (in units in force that night, inside the contract and period)."""
    return block_usage(contract, placements, period).occupied_unit_days


def void_unit_days(contract: BlockContract, placements: Iterable[Placement], period: Period) -> int:
    """Available unit-days less occupied ones: the empty unit-nights the council still pays for."""
    return block_usage(contract, placements, period).void_unit_days


def void_cost(contract: BlockContract, placements: Iterable[Placement], period: Period) -> Cost:
    """The sum over void unit-nights of the unit weekly price in force / 7, exact, rounded half up once."""
    return block_usage(contract, placements, period).void


def contract_cost(contract: BlockContract, period: Period) -> Cost:
    """What the contract cost over the period: every unit paid every night at the unit weekly price in
    force / 7, exact, rounded half up once."""
    return block_usage(contract, (), period).paid


def utilisation(contract: BlockContract, placements: Iterable[Placement], period: Period) -> Fraction | None:
    """Occupied unit-days / available unit-days, exact (None when nothing was available)."""
    return block_usage(contract, placements, period).utilisation


def cost_per_occupied_week(contract: BlockContract, placements: Iterable[Placement],
                           period: Period) -> int | None:
    """Paid / (occupied nights / 7), from the exact paid, rounded half up (None when nothing was occupied)."""
    return block_usage(contract, placements, period).cost_per_occupied_week_pence


def occupancy_by_night(contract: BlockContract, placements: Iterable[Placement],
                       period: Period) -> list[NightOccupancy]:
    """Each night of the period inside the contract: placements in units held that night, and units held
    (does not refuse overlaps: a night with more placements than units shows it)."""
    held = [p for p in placements if p.unit is not None]
    nights: list[NightOccupancy] = []
    for term, first, end in _segments(contract, period):
        for night in Period(first, end).each_night():
            filled = sum(1 for p in held if p.unit in term.units and p.start <= night
                         and (p.end is None or night < p.end))
            nights.append(NightOccupancy(night, filled, len(term.units)))
    return nights


def _units_held_throughout(contract: BlockContract, period: Period) -> frozenset[str]:
    segments = _segments(contract, period)
    if not segments or segments[0][1] != period.start or segments[-1][2] != period.end:
        return frozenset()  # the contract (or its terms) does not cover every night
    units = segments[0][0].units
    for term, _, _ in segments[1:]:
        units = units & term.units
    return units


def free_units(contract: BlockContract, placements: Iterable[Placement], period: Period) -> list[str]:
    """The units held on every night of ``period`` that no placement uses on any of its nights, sorted."""
    held = [p for p in placements if p.unit is not None]
    taken = {p.unit for p in held if p.nights_within(period.start, period.end)}
    return sorted(_units_held_throughout(contract, period) - taken)


def check_block_placement(contract: BlockContract, placements: Sequence[Placement], new: Placement) -> list[str]:
    """Why ``new`` cannot go into the contract beside ``placements`` (empty: it can). It must name a unit,
    start inside the contract (an expired contract refuses), not run past its end (an open end stops with
    the contract), find its unit held on every night and free of every other placement, and not give the
    child a second placement on any night unless one of the two is a retainer with a reason."""
    end = contract.end if new.end is None else new.end
    if new.end is not None and new.end <= new.start:
        return [f"ends on {format_date(new.end)}, not after it starts ({format_date(new.start)})"]
    if new.start >= contract.end:
        return [f"the contract has ended (its last night was {format_date(contract.end - ONE_DAY)}): "
                "buy a spot agreement instead"]
    if new.start < contract.start:
        return [f"starts before the contract does ({format_date(contract.start)})"]
    problems: list[str] = []
    if end > contract.end:
        problems.append(f"runs past the contract's end (its last night is {format_date(contract.end - ONE_DAY)})")
        end = contract.end
    if new.unit is None:
        free = free_units(contract, placements, Period(new.start, end))
        problems.append(f"choose a unit: free are {', '.join(free)}" if free
                        else "every unit is taken on some of these nights: buy a spot agreement instead")
        return problems
    segments = _segments(contract, Period(new.start, end))
    if not segments or segments[0][1] != new.start:
        problems.append(f"the contract has no terms on {format_date(new.start)}")
    missing = [first for term, first, _ in segments if new.unit not in term.units]
    if missing:
        problems.append(f"unit {new.unit} is not in the contract on {format_date(missing[0])}")
    others = [p for p in placements if p.id != new.id or not new.id]
    problems += [o.message for o in unit_overlaps([*others, new]) if new in (o.first, o.second)]
    problems += [o.message for o in child_overlaps([*others, new]) if new in (o.first, o.second)]
    return problems


def check_block_contract(contract: BlockContract) -> dict[str, str]:
    """Every problem with a contract and its terms, by field (empty: sound): it ends after it starts, has
    a term in force from its start, and each term holds named units at a sound price before the end."""
    problems: dict[str, str] = {}
    if contract.end <= contract.start:
        problems["end"] = f"is not after the start ({format_date(contract.start)})"
    if not contract.terms:
        problems["terms"] = "a contract needs terms: the units and the unit price"
        return problems
    for i, term in enumerate(contract.terms):
        where = f"terms[{i}]"
        price: object = term.unit_weekly_pence  # checked as it came, whatever the annotation says
        units: object = term.units
        if not isinstance(price, int) or isinstance(price, bool):
            problems[f"{where}.unit_weekly_pence"] = "must be a whole number of pence"
        elif problem := pence_problem(price):
            problems[f"{where}.unit_weekly_pence"] = problem
        if not isinstance(units, frozenset) or not all(isinstance(u, str) and u.strip() for u in units):
            problems[f"{where}.units"] = "must be a set of unit names"
        if term.effective_from >= contract.end:
            problems[f"{where}.effective_from"] = "is on or after the contract's end: it would never be in force"
    if min(t.effective_from for t in contract.terms) > contract.start:
        problems["terms"] = "no term is in force on the contract's first night"
    return problems
