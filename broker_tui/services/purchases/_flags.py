"""The approvals a placement needs before it starts, as matching flags them, and what Home shows.

Matching (domain.matching.explain.approvals) flags, for the child of a referral and a service:
- out of area (the service outside the council's area): the nominated officer's approval;
- a distant placement (outside the council and the councils bordering it): the Director of Children's
  Services' approval, and the host council told before the move (in an emergency, within 5 working days
  of it);
- a move in school year 10 or 11: the nominated officer's approval.
Each is recorded with who decided and when (an approval row: kind, decision, decided_by, decided_on),
before the placement starts. Not recorded by the start date, it is overdue; an emergency's untold host
council is overdue after its 5 working days. The cost approval (above the threshold) is the approver's
act (``approve``) and is listed beside them. Matching's view needs the referral (the child's school or
home district, year group): without one, or without the child's age, the list says it cannot tell.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import SpotAgreement as Timeline
from broker_tui.domain.purchases import amendment_in_force
from broker_tui.domain.referrals.rules import add_working_days
from broker_tui.services.context import AppContext
from broker_tui.services.placements import as_date, as_text
from broker_tui.services.purchases._common import (
    CLOSED,
    AgreementState,
    SpotRefused,
    domain_amendment,
    load_state,
    load_states,
    log,
)
from broker_tui.services.purchases._views import APPROVAL_KIND_LABELS, pending_amendment_agreements
from broker_tui.services.referrals import view_of
from broker_tui.store.tables import Approval, Referral, Service, SpotAgreement

FLAG_KINDS = ("out_of_area", "distant", "host_council_told", "school_years_10_11")
EMERGENCY_WORKING_DAYS = 5
ITEM_STATES = {
    "recorded": "Recorded",
    "refused": "Refused",
    "due": "Due",
    "overdue": "Overdue",
    "not_needed": "Not needed",
}


@dataclass(frozen=True)
class Flags:
    """What matching says of this child at this service: ``known`` False (with ``note``) when it cannot."""

    known: bool
    note: str = ""
    out_of_area: bool = False
    distant: bool = False
    school_years_10_11: bool = False
    year_group: int | None = None
    host_council: str = ""
    emergency: bool = False


@dataclass(frozen=True)
class RequiredApproval:
    """One approval the placement needs (or has recorded anyway): why, by when, and where it stands."""

    kind: str
    label: str
    why: str
    needed: bool
    due_on: dt.date | None
    state: str  # ITEM_STATES
    decided_by: str = ""
    decided_on: dt.date | None = None
    reason: str = ""
    late: bool = False  # recorded after it was due

    @property
    def state_label(self) -> str:
        return ITEM_STATES.get(self.state, self.state)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "why": self.why, "needed": self.needed,
                "due_on": self.due_on.isoformat() if self.due_on else None, "state": self.state,
                "state_label": self.state_label, "decided_by": self.decided_by,
                "decided_on": self.decided_on.isoformat() if self.decided_on else None, "reason": self.reason,
                "late": self.late}


@dataclass(frozen=True)
class RequiredApprovals:
    agreement_id: uuid.UUID
    case_ref: str
    start_date: dt.date
    matching_known: bool
    note: str
    host_council: str
    emergency: bool
    items: tuple[RequiredApproval, ...]

    @property
    def overdue(self) -> tuple[RequiredApproval, ...]:
        return tuple(i for i in self.items if i.state == "overdue")

    @property
    def outstanding(self) -> tuple[RequiredApproval, ...]:
        return tuple(i for i in self.items if i.state in ("due", "overdue"))

    def to_json(self) -> dict[str, Any]:
        return {"agreement_id": str(self.agreement_id), "case_ref": self.case_ref,
                "start_date": self.start_date.isoformat(), "matching_known": self.matching_known, "note": self.note,
                "host_council": self.host_council, "emergency": self.emergency,
                "items": [i.to_json() for i in self.items]}


def matching_flags(ctx: AppContext, session: Session, agreement: SpotAgreement) -> Flags:
    """Matching's place facts (in area, distant) for this child at this service, and the year group."""
    if agreement.referral_id is None:
        return Flags(False, "no referral: matching cannot say which approvals this placement needs")
    referral = session.get(Referral, agreement.referral_id)
    if referral is None:
        return Flags(False, "the referral is missing")
    view = view_of(referral, ctx.today())
    emergency = bool(referral.emergency)
    if view.age_years is None:
        return Flags(False, "the referral gives no age: matching cannot judge this placement", emergency=emergency)
    # Matching (and numpy) load here, when a purchase's approvals are judged, never with the module: home's
    # purchases panel imports this package while the app starts.
    from broker_tui.domain.matching import request_from_referral
    from broker_tui.domain.matching.arrays import place_facts
    from broker_tui.services.matching import config_for, load_market

    market = load_market(ctx)
    index = market.arrays.services.index_of(str(agreement.service_id))
    if index is None:
        return Flags(False, "the service is not in the market now (archived?): matching cannot judge it",
                     emergency=emergency)
    request = request_from_referral(view.values, age_years=view.age_years, eighteenth_birthday=view.eighteenth_birthday,
                                    today=ctx.today(), district=market.district)
    facts = place_facts(market.arrays, request, config_for(ctx, market))
    service = market.arrays.services[index]
    year = request.year_group
    return Flags(True, "", out_of_area=not bool(facts.in_area[index]), distant=bool(facts.distant[index]),
                 school_years_10_11=year in (10, 11), year_group=year,
                 host_council=service.local_authority_name or service.local_authority_code or "the host council",
                 emergency=emergency)


def _latest(approvals: list[Approval], kind: str) -> Approval | None:
    found = None
    for a in approvals:
        if a.kind == kind and a.amendment_id is None:
            found = a
    return found


def _item(kind: str, why: str, needed: bool, due: dt.date | None, decision: Approval | None,
          today: dt.date) -> RequiredApproval:
    label = APPROVAL_KIND_LABELS[kind]
    if decision is not None:
        state = "refused" if decision.decision == "rejected" else "recorded"
        late = due is not None and decision.decided_on > due
        return RequiredApproval(kind, label, why, needed, due, state, decision.decided_by, decision.decided_on,
                                decision.reason, late)
    if not needed:
        return RequiredApproval(kind, label, why, needed, due, "not_needed")
    return RequiredApproval(kind, label, why, needed, due, "overdue" if due is not None and today > due else "due")


def required_of(ctx: AppContext, session: Session, state: AgreementState) -> RequiredApprovals:
    a = state.agreement
    today = ctx.today()
    flags = matching_flags(ctx, session, a)
    items: list[RequiredApproval] = []
    cost_reasons = state.as_made.approval_reasons if state.amendments else []  # kept when it was recorded
    cost = state.cost_decision()
    if cost is not None or (cost_reasons and a.status in ("draft", "awaiting_approval")):
        items.append(_item("cost", "; ".join(cost_reasons) or "approved", bool(cost_reasons), a.start_date, cost,
                           today))
    host_due = add_working_days(a.start_date, EMERGENCY_WORKING_DAYS) if flags.emergency else a.start_date
    wanted = {
        "out_of_area": (flags.out_of_area, "Out of area: the nominated officer's approval", a.start_date),
        "distant": (flags.distant, "Distant placement (beyond the council and its neighbours): the Director of "
                                   "Children's Services' approval", a.start_date),
        "host_council_told": (flags.distant, f"Distant placement: tell {flags.host_council or 'the host council'} "
                                             + ("within 5 working days of the move (an emergency)" if flags.emergency
                                                else "before the move"), host_due),
        "school_years_10_11": (flags.school_years_10_11, f"A move in school year {flags.year_group}: the nominated "
                                                         "officer's approval", a.start_date),
    }
    for kind, (needed, why, due) in wanted.items():
        decision = _latest(state.approvals, kind)
        if needed or decision is not None:
            items.append(_item(kind, why if needed else "recorded (matching did not flag it)", needed, due, decision,
                               today))
    return RequiredApprovals(a.id, a.case_ref, a.start_date, flags.known, flags.note, flags.host_council,
                             flags.emergency, tuple(items))


def required_approvals(ctx: AppContext, agreement: Any) -> RequiredApprovals:
    """What this agreement's placement needs approved (matching's flags and the cost), what is recorded (who,
    when), and what is due or overdue. SpotRefused on "agreement" when there is none."""
    with ctx.session() as session:
        return required_of(ctx, session, load_state(session, ctx, agreement))


@dataclass(frozen=True)
class ApprovalRecorded:
    id: uuid.UUID
    agreement_id: uuid.UUID
    case_ref: str
    kind: str
    decision: str
    decided_by: str
    decided_on: dt.date
    flagged: bool  # matching flagged it (False: recorded though matching did not, or could not, say)


def record_approval_in(session: Session, ctx: AppContext, agreement: Any, kind: str, *, decision: str = "",
                       by: str = "", on: dt.date | str | None = None, reason: str = "") -> ApprovalRecorded:
    state = load_state(session, ctx, agreement)
    a = state.agreement
    problems: dict[str, str] = {}
    if a.status in ("cancelled", "rejected"):
        problems["status"] = f"the agreement is {a.status}: it needs no approvals"
    if kind not in FLAG_KINDS:
        problems["kind"] = (f"must be one of {', '.join(FLAG_KINDS)}" + (" (the cost is approved by an approver: "
                                                                         "approve)" if kind == "cost" else ""))
    told = kind == "host_council_told"
    decision = (decision or ("told" if told else "approved")).strip()
    if told and decision != "told":
        problems["decision"] = "the host council is told (decision 'told')"
    elif not told and kind in FLAG_KINDS and decision not in ("approved", "rejected"):
        problems["decision"] = "must be approved or rejected"
    who = as_text(by, "by", problems, limit=200) or ctx.actor
    day = as_date(on, "on", problems, required=False) or ctx.today()
    if day > ctx.today():
        problems["on"] = f"{format_date(day)} is in the future: record a decision once it is made"
    reason = as_text(reason, "reason", problems, limit=1000,
                     required="say why it was refused" if decision == "rejected" else "")
    earlier = _latest(state.approvals, kind) if kind in FLAG_KINDS else None
    if earlier is not None and earlier.decision in ("approved", "told"):
        problems["kind"] = (f"already recorded: {earlier.decision} by {earlier.decided_by} on "
                            f"{format_date(earlier.decided_on)}")
    if problems:
        raise SpotRefused(problems)
    row = Approval(agreement_id=a.id, kind=kind, decision=decision, decided_by=who, decided_on=day, reason=reason)
    session.add(row)
    session.flush()
    flags = matching_flags(ctx, session, a)
    flagged = {"out_of_area": flags.out_of_area, "distant": flags.distant, "host_council_told": flags.distant,
               "school_years_10_11": flags.school_years_10_11}[kind]
    log.info("%s: %s recorded (%s)", a.case_ref, kind, decision)
    return ApprovalRecorded(row.id, a.id, a.case_ref, kind, decision, who, day, flagged)


def record_approval(ctx: AppContext, agreement: Any, kind: str, *, decision: str = "", by: str = "",
                    on: dt.date | str | None = None, reason: str = "") -> ApprovalRecorded:
    """Record an approval matching flags: ``kind`` out_of_area, distant or school_years_10_11 (decision
    approved, or rejected with a reason), or host_council_told (decision told; ``reason`` may say how).
    ``by`` is who decided (the nominated officer, the Director; default the person acting), ``on`` when
    (default today; never in the future). Refused by field ("status", "kind", "decision", "by", "on",
    "reason") with nothing written; a kind already approved or told is refused."""
    with ctx.session() as session:
        return record_approval_in(session, ctx, agreement, kind, decision=decision, by=by, on=on, reason=reason)


# --------------------------------------------------------------------------------------------------------- Home

@dataclass(frozen=True)
class OverdueApproval:
    agreement_id: uuid.UUID
    case_ref: str
    service_name: str
    kind: str
    label: str
    due_on: dt.date
    days_overdue: int


@dataclass(frozen=True)
class AwaitingApproval:
    """An agreement, or an amendment of one, waiting for an approver."""

    agreement_id: uuid.UUID
    case_ref: str
    service_name: str
    what: str  # agreement | amendment
    amendment_id: uuid.UUID | None
    weekly_pence: int
    previous_weekly_pence: int | None
    from_date: dt.date  # the agreement's start, or the amendment's date
    recorded_by: str


def _names(session: Session, service_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not service_ids:
        return {}
    rows = session.execute(select(col(Service.id), col(Service.name)).where(col(Service.id).in_(service_ids)))
    return {service_id: name for service_id, name in rows}


def overdue(ctx: AppContext) -> tuple[OverdueApproval, ...]:
    """Every approval overdue on an agreement still running (not cancelled, rejected or ended): a flagged
    approval not recorded by the start, an emergency's host council untold after 5 working days, a cost
    approval still awaited after the start. Oldest due first."""
    today = ctx.today()
    out: list[OverdueApproval] = []
    with ctx.session() as session:
        rows = list(session.scalars(select(SpotAgreement).where(col(SpotAgreement.status).not_in(CLOSED),
                                                                col(SpotAgreement.start_date) < today)))
        names = _names(session, {r.service_id for r in rows})
        for state in load_states(session, rows, ctx):
            a = state.agreement
            for item in required_of(ctx, session, state).overdue:
                assert item.due_on is not None
                out.append(OverdueApproval(a.id, a.case_ref, names.get(a.service_id, ""), item.kind, item.label,
                                           item.due_on, (today - item.due_on).days))
    return tuple(sorted(out, key=lambda o: (o.due_on, o.case_ref, o.kind)))


def awaiting_approval(ctx: AppContext) -> tuple[AwaitingApproval, ...]:
    """Agreements awaiting an approver's decision and amendments awaiting one, soonest date first."""
    out: list[AwaitingApproval] = []
    with ctx.session() as session:
        pending = pending_amendment_agreements(session, ctx)
        rows = list(session.scalars(select(SpotAgreement).where(
            (col(SpotAgreement.status) == "awaiting_approval") | col(SpotAgreement.id).in_(pending))))
        names = _names(session, {r.service_id for r in rows})
        for state in load_states(session, rows, ctx):
            a = state.agreement
            name = names.get(a.service_id, "")
            if a.status == "awaiting_approval" and state.amendments:
                out.append(AwaitingApproval(a.id, a.case_ref, name, "agreement", None,
                                            state.as_made.weekly_price_pence, None, a.start_date, a.recorded_by))
            if (waiting := state.pending()) is not None:
                before = Timeline(a.start_date, tuple(domain_amendment(v.row) for v in
                                                      state.versions[:state.versions.index(waiting)] if v.counts))
                in_force = amendment_in_force(before, max(waiting.row.effective_from, a.start_date))
                previous = in_force.weekly_pence if in_force else None
                out.append(AwaitingApproval(a.id, a.case_ref, name, "amendment", waiting.row.id,
                                            waiting.row.weekly_price_pence, previous, waiting.row.effective_from,
                                            waiting.row.created_by))
    return tuple(sorted(out, key=lambda w: (w.from_date, w.case_ref)))
