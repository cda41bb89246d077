"""What the block contract acts share: the refusal, reading what a person typed (by field), and a
contract as stored with its dated terms, units, unit statuses and placements (``ContractState``), which
the acts check against and the views count from (through domain.purchases.block_usage)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import BlockContract as DomainContract
from broker_tui.domain.purchases import BlockTerm
from broker_tui.domain.purchases import Placement as DomainPlacement
from broker_tui.services.placements import PurchaseRefused, as_text, as_uuid
from broker_tui.store.tables import BlockContract, BlockContractTerm, BlockUnit, BlockUnitStatus, Placement

log = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
UNIT_STATUS_LABELS = {
    "available": "Available",
    "held": "Held for an incoming young person",
    "out_of_use_provider": "Out of use (provider)",
    "out_of_use_council": "Out of use (council)",
}
MAX_UNITS = 500  # more units than any block the council buys: a typing slip, not a contract


class ContractRefused(PurchaseRefused):
    """A block contract act cannot be done as asked: ``problems`` maps each field to a message."""


# ----------------------------------------------------------------------------------------------- reading input

def as_int(value: Any, name: str, problems: dict[str, str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems[name] = "must be a whole number"
        return None
    try:
        return int(value)
    except ValueError:
        problems[name] = "must be a whole number"
        return None


def as_units(value: Any, name: str, problems: dict[str, str]) -> tuple[int, tuple[str, ...]]:
    """Units given as a count (labels made up: 'Unit 1'...) or as their labels: (count, labels or ())."""
    if isinstance(value, list | tuple):
        labels: list[str] = []
        for i, item in enumerate(value):
            label = as_text(item, f"{name}[{i}]", problems, required="a unit needs a label", limit=60)
            labels.append(label)
        if not labels:
            problems[name] = "give at least one unit"
        elif len({lb.casefold() for lb in labels}) != len(labels):
            problems[name] = "two units have the same label"
        elif len(labels) > MAX_UNITS:
            problems[name] = f"more than {MAX_UNITS} units: check the list"
        return len(labels), tuple(labels)
    count = as_int(value, name, problems) if value is not None else None
    if value is None:
        problems[name] = "say how many units (or list their labels)"
    elif count is not None and not 1 <= count <= MAX_UNITS:
        problems[name] = f"must be between 1 and {MAX_UNITS}"
    return count or 0, ()


def is_bool(value: object) -> bool:
    """True or false as given (JSON may give anything: a string "yes" is not a yes)."""
    return isinstance(value, bool)


# ------------------------------------------------------------------------------------------ a contract as stored

@dataclass(frozen=True)
class UnitStatusAt:
    status: str
    effective_from: dt.date | None  # None: never set (available from the contract's start)
    reason: str = ""
    created_by: str = ""


@dataclass
class ContractState:
    """One contract as stored: its row, its terms in the order they take effect, its units (each with its
    statuses in order) and the placements in it."""

    contract: BlockContract
    terms: list[BlockContractTerm]
    units: list[BlockUnit]
    statuses: dict[uuid.UUID, list[BlockUnitStatus]] = field(default_factory=dict)
    placements: list[Placement] = field(default_factory=list)

    @property
    def ends_on(self) -> dt.date:
        """The first day not covered: the latest extension a term took, else the contract's own end."""
        extended = [t.ends_on for t in self.terms if t.ends_on is not None]
        return extended[-1] if extended else self.contract.ends_on

    def term_on(self, day: dt.date) -> BlockContractTerm | None:
        """The term in force on ``day`` (the latest from on or before it; on one date, the last written)."""
        found = None
        for term in self.terms:
            if term.effective_from <= day:
                found = term
        return found

    def latest_term(self) -> BlockContractTerm | None:
        return self.terms[-1] if self.terms else None

    def unit_added_on(self, unit: BlockUnit) -> dt.date:
        rows = self.statuses.get(unit.id, [])
        return rows[0].effective_from if rows else self.contract.starts_on

    def status_on(self, unit: BlockUnit, day: dt.date) -> UnitStatusAt:
        found = UnitStatusAt("available", None)
        for row in self.statuses.get(unit.id, []):
            if row.effective_from <= day:
                found = UnitStatusAt(row.status, row.effective_from, row.reason, row.created_by)
        return found

    def statuses_from(self, unit: BlockUnit, start: dt.date, end: dt.date) -> list[UnitStatusAt]:
        """The unit's statuses in force on any night of [start, end)."""
        out = [self.status_on(unit, start)]
        for row in self.statuses.get(unit.id, []):
            if start < row.effective_from < end:
                out.append(UnitStatusAt(row.status, row.effective_from, row.reason, row.created_by))
        return out

    def units_on(self, day: dt.date) -> list[BlockUnit]:
        """The units the contract holds (pays for) on ``day``: those added by then, as many as the term in
        force says; when there are more, those the council took out of use go first, then the last
        labelled (units are never deleted)."""
        term = self.term_on(day)
        if term is None or not self.contract.starts_on <= day < self.ends_on:
            return []
        present = [u for u in self.units if self.unit_added_on(u) <= day]
        if len(present) <= term.units:
            return present
        removed = [u for u in present if self.status_on(u, day).status == "out_of_use_council"]
        keep = [u for u in present if u not in removed] + removed
        kept = {u.id for u in keep[:term.units]}
        return [u for u in present if u.id in kept]

    def placements_in(self, unit: BlockUnit) -> list[Placement]:
        return sorted((p for p in self.placements if p.block_unit_id == unit.id), key=lambda p: p.start_date)

    def occupant_on(self, unit: BlockUnit, night: dt.date) -> Placement | None:
        for p in self.placements_in(unit):
            if p.start_date <= night and (p.end_date is None or night < p.end_date):
                return p
        return None

    def next_free_night(self, unit: BlockUnit, night: dt.date) -> dt.date | None:
        """The first night from ``night`` with no child in the unit (None: taken to the contract's end)."""
        day = night
        for p in self.placements_in(unit):
            if p.start_date <= day and (p.end_date is None or day < p.end_date):
                if p.end_date is None:
                    return None
                day = p.end_date
        return day if day < self.ends_on else None

    def domain(self) -> DomainContract:
        """The contract for domain.purchases: each term's units as the unit ids held from its date."""
        terms = []
        for term in self.terms:
            held = {str(u.id) for u in self.units_on(term.effective_from)} if term.effective_from < self.ends_on \
                else set()
            held |= {f"(unlisted {n})" for n in range(1, term.units - len(held) + 1)}  # a term's count is paid
            terms.append(BlockTerm(term.effective_from, frozenset(held), term.unit_weekly_pence))
        return DomainContract(self.contract.starts_on, self.ends_on, tuple(terms), self.contract.reference)

    def domain_placements(self) -> list[DomainPlacement]:
        return [DomainPlacement(p.case_ref, p.start_date, p.end_date, str(p.block_unit_id), id=str(p.id))
                for p in self.placements if p.block_unit_id is not None]


def load_states(session: Session, contracts: Sequence[BlockContract], *, placements: bool = True) -> list[ContractState]:
    """Each contract with its terms, units, unit statuses and (unless ``placements`` is false: a reader that
    reads them its own way) placements, read in four queries."""
    ids = [c.id for c in contracts]
    if not ids:
        return []
    terms: dict[uuid.UUID, list[BlockContractTerm]] = defaultdict(list)
    for term in session.scalars(select(BlockContractTerm).where(col(BlockContractTerm.contract_id).in_(ids))
                                .order_by(col(BlockContractTerm.effective_from), col(BlockContractTerm.created_at))):
        terms[term.contract_id].append(term)
    units: dict[uuid.UUID, list[BlockUnit]] = defaultdict(list)
    unit_contract: dict[uuid.UUID, uuid.UUID] = {}
    for unit in session.scalars(select(BlockUnit).where(col(BlockUnit.contract_id).in_(ids))):
        units[unit.contract_id].append(unit)
        unit_contract[unit.id] = unit.contract_id
    statuses: dict[uuid.UUID, list[BlockUnitStatus]] = defaultdict(list)
    if unit_contract:
        for row in session.scalars(select(BlockUnitStatus).where(col(BlockUnitStatus.unit_id).in_(list(unit_contract)))
                                   .order_by(col(BlockUnitStatus.effective_from), col(BlockUnitStatus.created_at))):
            statuses[row.unit_id].append(row)
    placed: dict[uuid.UUID, list[Placement]] = defaultdict(list)
    if placements:
        for p in session.scalars(select(Placement).where(col(Placement.block_contract_id).in_(ids))):
            placed[p.block_contract_id or uuid.UUID(int=0)].append(p)
    states = []
    for c in contracts:
        first = {u.id: statuses[u.id][0].effective_from if statuses[u.id] else c.starts_on for u in units[c.id]}
        mine = sorted(units[c.id], key=lambda u: (first[u.id], _label_key(u.label)))  # as added, then by label
        states.append(ContractState(c, terms[c.id], mine, {u.id: statuses[u.id] for u in mine}, placed[c.id]))
    return states


def _label_key(label: str) -> tuple[str, int, str]:
    """'Unit 10' after 'Unit 9': the text before a trailing number, the number, then the label."""
    head, _, tail = label.rpartition(" ")
    return (head.casefold(), int(tail), label) if tail.isdigit() else (label.casefold(), -1, label)


def find_contract(session: Session, ref: Any) -> BlockContract | None:
    """A contract by id, by its reference, or as a view or row with an ``id``."""
    ident = getattr(ref, "id", None)
    if isinstance(ident, uuid.UUID):
        return session.get(BlockContract, ident)
    key = as_uuid(ref)
    if key is not None:
        return session.get(BlockContract, key)
    text = str(ref or "").strip()
    return session.scalars(select(BlockContract).where(col(BlockContract.reference) == text)).first() if text else None


def contract_or_refuse(session: Session, ref: Any, *, for_update: bool = False) -> BlockContract:
    contract = find_contract(session, ref)
    if contract is None:
        raise ContractRefused({"contract": f"no block contract {getattr(ref, 'reference', ref)}"})
    if for_update:
        session.refresh(contract)
    return contract


def find_unit(state: ContractState, ref: Any) -> BlockUnit | None:
    """A unit of this contract by id or by label (any case)."""
    ident = getattr(ref, "id", None)
    key = ident if isinstance(ident, uuid.UUID) else as_uuid(ref)
    for unit in state.units:
        if unit.id == key or (key is None and unit.label.casefold() == str(ref).strip().casefold()):
            return unit
    return None


def nights_text(start: dt.date, end: dt.date | None) -> str:
    return f"from {format_date(start)}" + ("" if end is None else f" to {format_date(end)} (free that night)")
