"""Reading what the 16+ review counts, in a handful of queries: the 16+ block contracts as stored (terms,
units, unit statuses, placements: services.contracts.load_states), the spot agreements at 16+ services with
the amendments that count (services.purchases.judge: an amendment awaiting approval, or rejected, never
counts), their placements, and the QA notes and actions on the blocks and their services.

Spot agreements are read as columns, not objects: five years of a large council's are ten thousand rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, and_, cast, or_, select
from sqlmodel import Session, col

from broker_tui.domain.review import cohort_of
from broker_tui.services.contracts import ContractState, load_states
from broker_tui.services.purchases import COUNTING, judge
from broker_tui.store.tables import (
    Approval,
    BlockContract,
    BlockUnit,
    Placement,
    Provider,
    QAAction,
    QANote,
    Service,
    SpotAgreement,
    SpotAmendment,
)

BOUGHT = ("active", "ended")  # a draft, an agreement awaiting approval, rejected or cancelled bought nothing


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    provider_name: str
    service_type: str
    sa_category: str | None


@dataclass(frozen=True)
class Version:
    """A spot amendment that counts: its weekly price and support minutes from a date."""

    effective_from: dt.date
    weekly_pence: int
    support_minutes: int


@dataclass
class SpotFacts:
    id: uuid.UUID
    case_ref: str
    service_id: uuid.UUID
    start: dt.date
    end: dt.date | None  # the first night not bought: ended, else planned end, else open
    versions: list[Version]  # one a date, in date order (a later one recorded on a date wins)
    placement: tuple[dt.date, dt.date | None] | None  # the child's nights there


@dataclass(frozen=True, slots=True)
class BlockStay:
    """A child's nights [start, end) in a unit of a 16+ block, and why they ended."""

    unit: str  # the unit's label (unique in its contract)
    case_ref: str
    start: dt.date
    end: dt.date | None
    reason: str | None


@dataclass
class QAFacts:
    rag: str
    held_on: dt.date
    open_actions: int = 0
    overdue_actions: int = 0


@dataclass
class Loaded:
    contracts: list[ContractState]
    spots: list[SpotFacts]
    services: dict[uuid.UUID, ServiceFacts]
    qa_contract: dict[uuid.UUID, QAFacts] = field(default_factory=dict)
    stays: dict[uuid.UUID, list[BlockStay]] = field(default_factory=dict)  # by contract


def _services(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, ServiceFacts]:
    if not ids:
        return {}
    rows = session.execute(select(col(Service.id), col(Service.name), col(Provider.name), col(Service.service_type),
                                  col(Service.sa_category))
                           .join(Provider, col(Provider.id) == col(Service.provider_id))
                           .where(col(Service.id).in_(ids)))
    return {r[0]: ServiceFacts(r[1], r[2], r[3], r[4]) for r in rows}


def _kept(text: str | None) -> tuple[str, ...]:
    """Whether an amendment kept approval reasons, from the JSON list as text ('[]': none)."""
    return ("kept",) if (text or "").strip() not in ("", "[]", "null") else ()


def _spots(session: Session, first: dt.date, end: dt.date) -> list[SpotFacts]:
    """Bought spot agreements at 16+ services with a night in [first, end). The agreements are chosen once in
    SQL and their amendments (with any decision on them) and placements read by joining to that choice; ids
    travel as text and become ids once per agreement and service (ten thousand rows read fast)."""
    a, m = SpotAgreement, SpotAmendment
    sixteen_plus = select(col(Service.id)).where(col(Service.service_type).in_(
        ["supported_accommodation", "care_leavers_18_plus"]))
    chosen = (select(col(a.id)).where(
        col(a.status).in_(BOUGHT), col(a.service_id).in_(sixteen_plus), col(a.start_date) < end,
        or_(col(a.ended_on) > first, and_(col(a.ended_on).is_(None),
                                            or_(col(a.planned_end).is_(None), col(a.planned_end) > first)))))
    rows = session.execute(
        select(cast(col(a.id), String), col(a.case_ref), cast(col(a.service_id), String), col(a.start_date),
               col(a.planned_end), col(a.ended_on)).where(col(a.id).in_(chosen.scalar_subquery()))).all()
    if not rows:
        return []
    made: dict[str, list[tuple[dt.date, int, int, tuple[str, ...], str | None]]] = defaultdict(list)
    for agreement, effective, weekly, minutes, reasons, decision in session.execute(
            select(cast(col(m.agreement_id), String), col(m.effective_from), col(m.weekly_price_pence),
                   col(m.one_to_one_minutes) + col(m.two_to_one_minutes), cast(col(m.approval_reasons), String),
                   col(Approval.decision))
            .outerjoin(Approval, and_(col(Approval.amendment_id) == col(m.id), col(Approval.kind) == "cost"))
            .where(col(m.agreement_id).in_(chosen.scalar_subquery()))
            .order_by(col(m.created_at), col(m.id))):
        made[agreement].append((effective, weekly, minutes, _kept(reasons), decision))
    placements = {r[0]: (r[1], r[2]) for r in session.execute(
        select(cast(col(Placement.spot_agreement_id), String), col(Placement.start_date), col(Placement.end_date))
        .where(col(Placement.spot_agreement_id).in_(chosen.scalar_subquery())))}
    service_ids: dict[str, uuid.UUID] = {}
    out = []
    for key, case_ref, service_key, start, planned_end, ended_on in rows:
        versions_made = made.get(key, [])
        if any(reasons or decision for _, _, _, reasons, decision in versions_made):
            states = [state for state, _ in judge([(reasons, decision) for *_, reasons, decision in versions_made])]
        else:  # nothing needed approval: every version counts (judge's answer, without asking it 6,000 times)
            states = ["as_made"] * len(versions_made)
        latest: dict[dt.date, Version] = {}
        for (effective, weekly, minutes, _, _), state in zip(versions_made, states, strict=True):
            if state in COUNTING:
                latest[effective] = Version(effective, weekly, minutes)
        if not latest:
            continue
        service_id = service_ids.get(service_key) or service_ids.setdefault(service_key, uuid.UUID(service_key))
        out.append(SpotFacts(uuid.UUID(key), case_ref, service_id, start,
                             ended_on if ended_on is not None else planned_end,
                             [latest[d] for d in sorted(latest)] if len(latest) > 1 else list(latest.values()),
                             placements.get(key)))
    return out


def _qa(session: Session, contracts: list[ContractState], today: dt.date) -> dict[uuid.UUID, QAFacts]:
    """Each contract's latest QA rating (notes on the contract or its service that no later note corrects)
    and the open and overdue actions on those notes."""
    by_contract = {s.contract.id for s in contracts}
    by_service = {s.contract.service_id: s.contract.id for s in contracts if s.contract.service_id}
    if not by_contract:
        return {}
    notes = session.execute(select(col(QANote.id), col(QANote.block_contract_id), col(QANote.service_id),
                                   col(QANote.subject), col(QANote.rag), col(QANote.held_on), col(QANote.created_at))
                            .where(or_(and_(col(QANote.subject) == "block_contract",
                                            col(QANote.block_contract_id).in_(by_contract)),
                                       and_(col(QANote.subject) == "service",
                                            col(QANote.service_id).in_(list(by_service)))))).all()
    if not notes:
        return {}
    note_ids = [n[0] for n in notes]
    corrected = set(session.scalars(select(col(QANote.supersedes_id))
                                    .where(col(QANote.supersedes_id).in_(note_ids))))
    facts: dict[uuid.UUID, QAFacts] = {}
    owner: dict[uuid.UUID, uuid.UUID] = {}
    for ident, contract_id, service_id, subject, rag, held_on, _created in sorted(notes, key=lambda n: (n[5], n[6])):
        if ident in corrected:
            continue
        target = contract_id if subject == "block_contract" else by_service.get(service_id)
        if target is None:
            continue
        owner[ident] = target
        previous = facts.get(target)
        facts[target] = QAFacts(rag, held_on, previous.open_actions if previous else 0,
                                previous.overdue_actions if previous else 0)
    for note_id, due_on in session.execute(select(col(QAAction.qa_note_id), col(QAAction.due_on))
                                           .where(col(QAAction.qa_note_id).in_(list(owner)),
                                                  col(QAAction.status) == "open")):
        target_facts = facts[owner[note_id]]
        target_facts.open_actions += 1
        target_facts.overdue_actions += due_on < today
    return facts


def _stays(session: Session, contracts: list[BlockContract]) -> dict[uuid.UUID, list[BlockStay]]:
    """Each contract's stays, by unit label (unique in a contract), the contract's id read as text."""
    p, u = Placement, BlockUnit
    out: dict[uuid.UUID, list[BlockStay]] = defaultdict(list)
    if not contracts:
        return out
    by_text = {text: ident for text, ident in session.execute(
        select(cast(col(BlockContract.id), String), col(BlockContract.id))
        .where(col(BlockContract.for_16_plus).is_(True)))}
    for contract_key, label, case_ref, start, end, moved, ceased in session.execute(
            select(cast(col(p.block_contract_id), String), col(u.label), col(p.case_ref), col(p.start_date),
                   col(p.end_date), col(p.reason_place_change), col(p.reason_episode_ceased))
            .join(u, col(u.id) == col(p.block_unit_id))
            .join(BlockContract, col(BlockContract.id) == col(p.block_contract_id))
            .where(col(BlockContract.for_16_plus).is_(True))):
        out[by_text[contract_key]].append(BlockStay(label, case_ref, start, end, moved or ceased))
    return out


def load(session: Session, first: dt.date, end: dt.date, today: dt.date) -> Loaded:
    """Everything the review counts over the nights [first, end), and what runs today (for the endings)."""
    contracts = list(session.scalars(select(BlockContract).where(col(BlockContract.for_16_plus).is_(True))))
    states = load_states(session, contracts, placements=False)
    lo, hi = min(first, today), max(end, today + dt.timedelta(days=1))
    spots = _spots(session, lo, hi)
    services = _services(session, {s.service_id for s in spots} | {c.service_id for c in contracts if c.service_id})
    spots = [s for s in spots if cohort_of(services[s.service_id].service_type) is not None]
    return Loaded(states, spots, services, _qa(session, states, today), _stays(session, contracts))
