"""Placing a child into a unit of a block contract.

In one transaction: the contract's lock (so two brokers choosing "the first free unit" queue), then the
child's and the unit's (claim_nights), then the checks against what is stored now: the contract covers
the start (begun, not expired, its terms' extensions counted) and any planned end; the unit is held by
the contract, in use (not out of use; a held unit only for the young person it was held for) and free of
other children on those nights; the child has no other placement then (unless a retainer or transition
with a reason). A full or expired contract refuses on the field "contract" and says to buy a spot
agreement instead. The database holds the night rules too (refuse_rules turns a racing write into words).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from broker_tui.domain.dates import format_date
from broker_tui.services.context import AppContext
from broker_tui.services.contracts._common import (
    ONE_DAY,
    UNIT_STATUS_LABELS,
    ContractRefused,
    ContractState,
    contract_or_refuse,
    find_unit,
    is_bool,
    load_states,
    log,
)
from broker_tui.services.contracts._register import _contract_lock
from broker_tui.services.placements import (
    OVERLAP_KINDS,
    PlacementView,
    as_date,
    as_text,
    as_uuid,
    claim_nights,
    night_problems,
    placement_view,
    refuse_rules,
    unknown_keys,
)
from broker_tui.store.tables import BlockUnit, BlockUnitStatus, Placement, Referral, Service

PLACE_FIELDS = ("case_ref", "referral", "contract", "unit", "start_date", "planned_end", "overlap_kind",
                "overlap_reason", "take_held", "service", "placement_type")
SPOT_INSTEAD = "buy a spot agreement instead"


@dataclass(frozen=True)
class PlaceInput:
    """A child (case reference, or the referral that names it) into a block contract (id or reference):
    the unit (id or label; none: the first free one), the first night, an optional planned end (the first
    night not there), an overlap kind and reason when the child keeps another placement on those nights,
    and ``take_held`` when this is the young person a held unit was held for."""

    contract: str | uuid.UUID | None = None
    start_date: dt.date | str | None = None
    case_ref: str = ""
    referral: str | uuid.UUID | None = None
    unit: str | uuid.UUID | None = None
    planned_end: dt.date | str | None = None
    overlap_kind: str = ""
    overlap_reason: str = ""
    take_held: bool = False
    service: str | uuid.UUID | None = None  # the service the child lives in, when the contract names none
    placement_type: str = ""  # SSDA903 PLACE code

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlaceInput:
        if problems := unknown_keys(data, PLACE_FIELDS):
            raise ContractRefused(problems)
        return cls(**dict(data))


def _usable(state: ContractState, unit: BlockUnit, start: dt.date, end: dt.date, *, take_held: bool) -> str:
    """Why the unit cannot take a child over [start, end) by the contract and its statuses ('' : it can)."""
    if (term_units := _held_throughout(state, start, end)) is not None and unit.id not in term_units:
        return f"{unit.label} is not in the contract on some of these nights"
    for i, status in enumerate(state.statuses_from(unit, start, end)):
        if status.status == "available":
            continue
        if status.status == "held" and take_held and i == 0:
            continue
        since = format_date(status.effective_from) if status.effective_from else "the start"
        why = f" ({status.reason})" if status.reason else ""
        label = UNIT_STATUS_LABELS[status.status].lower()
        if status.status == "held":
            return (f"{unit.label} is {label} from {since}{why}: place that young person with take_held, or "
                    "choose another unit")
        return f"{unit.label} is {label} from {since}{why}"
    return ""


def _held_throughout(state: ContractState, start: dt.date, end: dt.date) -> set[uuid.UUID] | None:
    """The units the contract holds on every night of [start, end) (checked at each term's start)."""
    days = [start] + [t.effective_from for t in state.terms if start < t.effective_from < end]
    held: set[uuid.UUID] | None = None
    for day in days:
        now = {u.id for u in state.units_on(day)}
        held = now if held is None else held & now
    return held


def _taken(state: ContractState, unit: BlockUnit, start: dt.date, end: dt.date) -> Placement | None:
    for p in state.placements_in(unit):
        if p.start_date < end and (p.end_date is None or p.end_date > start):
            return p
    return None


def _case_ref(session: Session, given: PlaceInput, problems: dict[str, str]) -> tuple[str, uuid.UUID | None]:
    case_ref = as_text(given.case_ref, "case_ref", problems, limit=40)
    if given.referral in (None, ""):
        if not case_ref and "case_ref" not in problems:
            problems["case_ref"] = "give the child's case reference (or the referral)"
        return case_ref, None
    key = as_uuid(given.referral)
    referral = session.get(Referral, key) if key else None
    if referral is None:
        problems["referral"] = f"no referral {given.referral}"
        return case_ref, None
    if case_ref and case_ref != referral.case_ref:
        problems["case_ref"] = f"the referral is for {referral.case_ref}, not {case_ref}"
    return referral.case_ref, referral.id


def place_in_block_in(session: Session, ctx: AppContext, data: PlaceInput | Mapping[str, Any]) -> PlacementView:
    """Place a child inside the caller's transaction (see ``place_in_block``)."""
    given = data if isinstance(data, PlaceInput) else PlaceInput.from_json(data)
    problems: dict[str, str] = {}
    start = as_date(given.start_date, "start_date", problems)
    end = as_date(given.planned_end, "planned_end", problems, required=False)
    if start and end and end <= start:
        problems["planned_end"] = (f"must be after the start ({format_date(start)}): it is the first night the "
                                   "child is not there")
    kind = as_text(given.overlap_kind, "overlap_kind", problems)
    reason = as_text(given.overlap_reason, "overlap_reason", problems)
    if kind and kind not in OVERLAP_KINDS:
        problems["overlap_kind"] = f"must be one of {', '.join(OVERLAP_KINDS)} (or nothing)"
    elif kind and not reason:
        problems["overlap_reason"] = "say why this child keeps two placements on the same nights"
    place_type = as_text(given.placement_type, "placement_type", problems, limit=10).upper()
    if not is_bool(given.take_held):
        problems["take_held"] = "must be true or false"
    case_ref, referral_id = _case_ref(session, given, problems)
    if given.contract in (None, ""):
        problems["contract"] = "say which block contract"
    if problems or start is None:
        raise ContractRefused(problems)
    contract = contract_or_refuse(session, given.contract)
    _contract_lock(session, contract.id)  # before reading which units are free: placers queue here
    session.refresh(contract)
    state = load_states(session, [contract])[0]
    ends = state.ends_on
    if start >= ends:
        raise ContractRefused({"contract": f"{contract.reference} has expired (its last night was "
                                           f"{format_date(ends - ONE_DAY)}): {SPOT_INSTEAD}"})
    if start < contract.starts_on:
        raise ContractRefused({"contract": f"{contract.reference} starts on {format_date(contract.starts_on)}: "
                                           f"place the child from then, or {SPOT_INSTEAD}"})
    if end is not None and end > ends:
        raise ContractRefused({"planned_end": f"runs past the contract's end (its last night is "
                                              f"{format_date(ends - ONE_DAY)}): end it by {format_date(ends)}"})
    last = end or ends
    if given.unit not in (None, ""):
        unit = find_unit(state, given.unit)
        if unit is None:
            raise ContractRefused({"unit": f"{contract.reference} has no unit {given.unit}"})
        if why := _usable(state, unit, start, last, take_held=given.take_held):
            raise ContractRefused({"unit": why})
        if other := _taken(state, unit, start, last):
            free = _free_units(state, start, last)
            raise ContractRefused({"unit": f"{unit.label} is taken by {other.case_ref} from "
                                           f"{format_date(other.start_date)}" + (
                                               f" (free: {', '.join(u.label for u in free)})" if free
                                               else f"; every unit is taken: {SPOT_INSTEAD}")})
    else:
        free = _free_units(state, start, last)
        if not free:
            raise ContractRefused({"contract": f"{contract.reference} is full: no unit is free from "
                                               f"{format_date(start)}" + (f" to {format_date(end)}" if end else "")
                                               + f" ({SPOT_INSTEAD})"})
        unit = free[0]
    claim_nights(session, case_ref=case_ref, unit_id=unit.id)
    clash = night_problems(session, case_ref=case_ref, start=start, end=end, unit_id=unit.id,
                           overlap_kind=kind, overlap_reason=reason)
    if clash:
        raise ContractRefused(clash)
    service_id = contract.service_id
    if given.service not in (None, ""):
        key = as_uuid(given.service)
        service = session.get(Service, key) if key else None
        if service is None:
            raise ContractRefused({"service": f"no service {given.service}"})
        service_id = service.id
    if service_id is None:
        raise ContractRefused({"service": "the contract names no service: say which service the child lives in"})
    row = Placement(referral_id=referral_id, case_ref=case_ref, service_id=service_id, block_contract_id=contract.id,
                    block_unit_id=unit.id, placement_type=place_type, start_date=start, end_date=end,
                    overlap_kind=kind, overlap_reason=reason)
    session.add(row)
    if state.status_on(unit, start).status == "held":
        session.add(BlockUnitStatus(unit_id=unit.id, effective_from=start, status="available",
                                    reason="The young person it was held for moved in", created_by=ctx.actor))
    session.flush()
    log.info("%s: placed in block contract %s", case_ref, contract.reference)
    return placement_view(row)


def _free_units(state: ContractState, start: dt.date, end: dt.date) -> list[BlockUnit]:
    """Units held throughout, available (not held, not out of use) and with no child on any of the nights."""
    return [u for u in state.units if not _usable(state, u, start, end, take_held=False)
            and _taken(state, u, start, end) is None]


def place_in_block(ctx: AppContext, data: PlaceInput | Mapping[str, Any]) -> PlacementView:
    """Place a child in a unit of a block contract (the first free unit unless one is named), from
    ``start_date`` to an optional planned end (the first night not there). All or nothing: raises
    ContractRefused by field (contract: full, expired or not started, each saying to buy a spot agreement;
    unit: taken, held, out of use; start_date: the child's other placement; planned_end, case_ref, referral,
    overlap_kind, overlap_reason, service), with nothing written."""
    with refuse_rules(), ctx.session() as session:
        return place_in_block_in(session, ctx, data)
