"""Recording a spot agreement (IPA) and submitting it.

One transaction writes the agreement (recorded by the person acting), its first amendment (the agreement
as made, from its start) and its placement (the child's nights [start, planned end), checked under the
child's lock: a child has one placement a night unless this one is a retainer or a transition, with a
reason). A draft waits to be submitted; submitted, it is active, or awaiting approval when its weekly price
was above the threshold when it was recorded (domain.purchases.agreement_approval_reasons, kept in the
first amendment's ``approval_reasons``: a later change of the settings never re-judges it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import agreement_approval_reasons
from broker_tui.services.context import AppContext
from broker_tui.services.placements import (
    as_date,
    as_text,
    as_uuid,
    claim_nights,
    is_blank,
    night_problems,
    refuse_rules,
)
from broker_tui.services.purchases._common import CLOSED, SpotRefused, load_state, log, opened_row, rules_of
from broker_tui.services.purchases._input import (
    OVERLAP_KINDS,
    SpotInput,
    above_rate_problem,
    read_price,
    read_split,
    route_problems,
)
from broker_tui.services.reference import code_choices
from broker_tui.store.audit import name_action
from broker_tui.store.tables import Offer, Placement, Referral, Service, SpotAgreement, SpotAmendment
from broker_tui.store.versioning import apply_edit


@dataclass(frozen=True)
class AgreementAdded:
    """What recording an agreement wrote: its id, status, weekly price, why it needs approval (empty: it
    does not) and its placement."""

    id: uuid.UUID
    case_ref: str
    status: str
    weekly_pence: int
    approval_reasons: tuple[str, ...]
    placement_id: uuid.UUID


@dataclass(frozen=True)
class StatusChanged:
    """An act that moved an agreement's status: where it is now and what it says."""

    id: uuid.UUID
    case_ref: str
    status: str
    message: str


def _service(session: Session, ref: Any) -> Service | None:
    key = as_uuid(ref)
    if key is not None:
        return session.get(Service, key)
    return session.scalars(select(Service).where(col(Service.ofsted_urn) == str(ref).strip())).first()


def _who_and_where(session: Session, given: SpotInput, problems: dict[str, str]
                   ) -> tuple[str, Referral | None, Service | None, Offer | None]:
    """The child (case reference, referral), the service and the offer, each checked against the others."""
    case_ref = as_text(given.case_ref, "case_ref", problems, limit=40)
    offer = referral = service = None
    if not is_blank(given.offer):
        key = as_uuid(given.offer)
        offer = session.get(Offer, key) if key is not None else None
        if offer is None or offer.outcome != "offered":
            problems["offer"] = f"no offer {given.offer}"
            offer = None
        elif offer.status != "accepted":
            problems["offer"] = f"the offer is {offer.status.replace('_', ' ')}: a purchase is made from an accepted offer"
        else:
            bought = session.scalars(select(SpotAgreement).where(col(SpotAgreement.offer_id) == offer.id,
                                                                 col(SpotAgreement.status).not_in(
                                                                     ("cancelled", "rejected")))).first()
            if bought is not None:
                problems["offer"] = f"this offer is already bought (agreement {bought.id}, {bought.status})"
    if not is_blank(given.referral):
        key = as_uuid(given.referral)
        referral = session.get(Referral, key) if key is not None else None
        if referral is None:
            problems["referral"] = f"no referral {given.referral}"
    elif offer is not None:
        referral = session.get(Referral, offer.referral_id)
    if offer is not None and referral is not None and offer.referral_id != referral.id:
        problems["offer"] = "the offer answers another referral"
    if referral is not None:
        if case_ref and case_ref != referral.case_ref:
            problems["case_ref"] = f"the referral is for {referral.case_ref}, not {case_ref}"
        case_ref = referral.case_ref
    elif not case_ref and "case_ref" not in problems and "referral" not in problems:
        problems["case_ref"] = "give the child's case reference (or the referral)"
    if not is_blank(given.service):
        service = _service(session, given.service)
        if service is None:
            problems["service"] = f"no service {given.service} (give its id or Ofsted URN)"
    elif offer is not None:
        service = session.get(Service, offer.service_id)
    else:
        problems["service"] = "say which service (its id or Ofsted URN)"
    if offer is not None and service is not None and offer.service_id != service.id:
        problems["service"] = "the offer is from another service"
    return case_ref, referral, service, offer


def add_agreement_in(session: Session, ctx: AppContext, data: SpotInput | Mapping[str, Any], *,
                     submit: bool = False) -> AgreementAdded:
    """Record an agreement inside the caller's transaction (see ``add_agreement``)."""
    given = data if isinstance(data, SpotInput) else SpotInput.from_json(data)
    problems: dict[str, str] = {}
    case_ref, referral, service, offer = _who_and_where(session, given, problems)
    start = as_date(given.start_date, "start_date", problems, missing="enter the first night (dd/mm/yyyy)")
    planned_end = as_date(given.planned_end, "planned_end", problems, required=False)
    if start and planned_end and planned_end <= start:
        problems["planned_end"] = (f"must be after the start ({format_date(start)}): it is the first night the "
                                   "child is not there")
    price = read_price(given, problems)
    split = read_split(given, problems)
    route = as_text(given.purchasing_route, "purchasing_route", problems) or "spot"
    framework_name = as_text(given.framework_name, "framework_name", problems, limit=200)
    framework_lot = as_text(given.framework_lot, "framework_lot", problems, limit=100)
    route_reason = as_text(given.route_reason, "route_reason", problems, limit=1000)
    if "purchasing_route" not in problems:
        for name, problem in route_problems(route, framework_name, framework_lot, route_reason).items():
            problems.setdefault(name, problem)
    cost_centre = as_text(given.cost_centre, "cost_centre", problems, required="give the cost centre", limit=60)
    basis = as_text(given.contract_basis, "contract_basis", problems, limit=200)
    conditions = as_text(given.conditions, "conditions", problems, limit=4000)
    kind = as_text(given.overlap_kind, "overlap_kind", problems)
    overlap_reason = as_text(given.overlap_reason, "overlap_reason", problems)
    if kind and kind not in OVERLAP_KINDS:
        problems["overlap_kind"] = f"must be one of {', '.join(OVERLAP_KINDS)} (or nothing)"
    elif kind and not overlap_reason:
        problems["overlap_reason"] = "say why this child keeps two placements on the same nights"
    place_type = as_text(given.placement_type, "placement_type", problems, limit=10).upper()
    if place_type and start and place_type not in {c.code for c in code_choices(ctx, "PLACE", on=start,
                                                                                  session=session)}:
        problems["placement_type"] = f"{place_type!r} is not an SSDA903 placement type in use then"
    if service is not None and start is not None and price is not None and "route_reason" not in problems:
        problems.update(above_rate_problem(session, service.id, start, price, route_reason))
    if case_ref and start is not None and "planned_end" not in problems and "overlap_kind" not in problems:
        claim_nights(session, case_ref=case_ref)  # held to the end of this transaction: placers of one child queue
        for name, problem in night_problems(session, case_ref=case_ref, start=start, end=planned_end,
                                            overlap_kind=kind, overlap_reason=overlap_reason).items():
            problems.setdefault(name, problem)
    if problems or start is None or price is None or split is None or service is None:
        raise SpotRefused(problems or {"": "the agreement is incomplete"})
    reasons = tuple(agreement_approval_reasons(price.weekly_pence, rules_of(ctx)))
    status = "draft" if not submit else ("awaiting_approval" if reasons else "active")
    agreement = SpotAgreement(referral_id=referral.id if referral else None, service_id=service.id,
                              offer_id=offer.id if offer else None, case_ref=case_ref, contract_basis=basis,
                              purchasing_route=route, framework_name=framework_name, framework_lot=framework_lot,
                              route_reason=route_reason, cost_centre=cost_centre, start_date=start,
                              planned_end=planned_end, status=status, conditions=conditions, recorded_by=ctx.actor)
    session.add(agreement)
    session.flush()
    session.add(SpotAmendment(
        agreement_id=agreement.id, kind="as_made", effective_from=start, planned_end=planned_end,
        weekly_price_pence=price.weekly_pence, core_weekly_pence=price.core_pence,
        staffing_weekly_pence=price.one_to_one_pence, one_to_one_minutes=price.one_to_one_minutes,
        one_to_one_hourly_pence=price.one_to_one_hourly_pence, two_to_one_weekly_pence=price.two_to_one_pence,
        two_to_one_minutes=price.two_to_one_minutes, two_to_one_hourly_pence=price.two_to_one_hourly_pence,
        education_weekly_pence=price.education_pence, therapy_weekly_pence=price.therapy_pence,
        solo_premium_weekly_pence=price.solo_premium_pence, other_weekly_pence=price.other_pence,
        other_text=price.other_words, social_care_pct=split.social_care_pct, education_pct=split.education_pct,
        health_pct=split.health_pct, reason="Agreement as made", created_by=ctx.actor,
        approval_reasons=list(reasons)))  # kept: submitting later judges by these, not by the settings then
    placement = Placement(referral_id=agreement.referral_id, case_ref=case_ref, service_id=service.id,
                          spot_agreement_id=agreement.id, placement_type=place_type, start_date=start,
                          end_date=planned_end, overlap_kind=kind, overlap_reason=overlap_reason)
    session.add(placement)
    session.flush()
    log.info("%s: spot agreement recorded (%s)", case_ref, status)
    return AgreementAdded(agreement.id, case_ref, status, price.weekly_pence, reasons, placement.id)


def add_agreement(ctx: AppContext, data: SpotInput | Mapping[str, Any], *, submit: bool = False) -> AgreementAdded:
    """Record a spot agreement: the child (referral or case reference), service, optional accepted offer,
    start, planned end, weekly price in parts, funding split, cost centre, purchasing route, conditions and
    an optional overlap (retainer or transition, with a reason). Writes the agreement (a draft; submitted:
    active, or awaiting approval above the threshold), its first amendment and its placement, all in one
    transaction. All or nothing: raises SpotRefused with every problem by field (SpotInput's names; the
    child's other placement on "start_date"), with nothing written."""
    with refuse_rules(), ctx.session() as session:
        return add_agreement_in(session, ctx, data, submit=submit)


def submit_in(session: Session, ctx: AppContext, agreement: Any) -> StatusChanged:
    """Submit a draft inside the caller's transaction (see ``submit``)."""
    state = load_state(session, ctx, agreement)
    row = state.agreement
    if row.status != "draft":
        raise SpotRefused({"status": f"the agreement is {row.status.replace('_', ' ')}: only a draft is submitted"})
    reasons = state.as_made.approval_reasons  # as judged when it was recorded: a settings change never re-judges
    status = "awaiting_approval" if reasons else "active"
    name_action(session, row, "submit")
    apply_edit(session, opened_row(agreement) or row, {"status": status})
    log.info("%s: spot agreement submitted (%s)", row.case_ref, status)
    message = (f"awaiting approval: {'; '.join(reasons)}" if reasons
               else "active: no approval needed at this weekly price")
    return StatusChanged(row.id, row.case_ref, status, message)


def submit(ctx: AppContext, agreement: Any) -> StatusChanged:
    """Submit a draft agreement (id or view): awaiting approval when its weekly price is above the threshold,
    else active. Raises SpotRefused (on "agreement" or "status") or StaleEdit, with nothing written."""
    with ctx.session() as session:
        return submit_in(session, ctx, agreement)


def closed_problem(status: str, what: str) -> dict[str, str]:
    if status in CLOSED:
        return {"status": f"the agreement is {status}: {what}"}
    return {}


def placement_started(placement: Placement | None, today: dt.date) -> bool:
    return placement is not None and placement.start_date <= today
