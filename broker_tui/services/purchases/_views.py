"""What screens and the CLI see of spot agreements: the list (a page at a time, from SQL) and one agreement
in full (every version with its approval state, the approvals, the placement and the cost projections, the
last worked out in _projections).

Costs follow domain.purchases' rule, in integer pence: a night costs the weekly price in force that night
(only versions that count: see _common) divided by 7, held exactly, and a reported period is rounded half
up once. The list computes the weekly price now for the rows of its page only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from broker_tui.domain.purchases import amendment_in_force, staffing_pence, weekly_cost_on
from broker_tui.domain.vocabulary import PURCHASING_ROUTES
from broker_tui.services.context import AppContext
from broker_tui.services.placements import PlacementView, placement_view
from broker_tui.services.purchases._common import (
    STATUS_LABELS,
    AgreementState,
    VersionState,
    load_state,
    load_states,
)
from broker_tui.services.purchases._input import AMENDMENT_KINDS
from broker_tui.services.purchases._projections import ProjectionsView, agreement_projections
from broker_tui.store.tables import Approval, Provider, Service, SpotAgreement, SpotAmendment

VERSION_STATES = {
    "draft": "Draft: not submitted",
    "awaiting_approval": "Awaiting approval",
    "approved": "Approved",
    "in_force": "In force (no approval needed)",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
}
APPROVAL_KIND_LABELS = {
    "cost": "Cost (manager)",
    "out_of_area": "Out of area (nominated officer)",
    "distant": "Distant placement (Director of Children's Services)",
    "school_years_10_11": "A move in school years 10-11 (nominated officer)",
    "host_council_told": "Host council told",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "raw_row"}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------------------------------- the list

@dataclass(frozen=True)
class AgreementRow:
    """One agreement in the list: the child (case reference), service and provider, status, the weekly
    price now (0 on a day outside its nights) and the price agreed for today's or its nearest night."""

    id: uuid.UUID
    case_ref: str
    service_name: str
    provider_name: str
    status: str
    start_date: dt.date
    planned_end: dt.date | None
    ended_on: dt.date | None
    weekly_now_pence: int
    weekly_price_pence: int
    awaiting_approval: bool  # the agreement or an amendment of it awaits an approver

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(self)
        out["status_label"] = self.status_label
        return out


@dataclass(frozen=True)
class AgreementPage:
    rows: tuple[AgreementRow, ...]
    total: int  # every agreement the filters let through
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "page": self.page, "page_size": self.page_size, "pages": self.pages,
                "rows": [r.to_json() for r in self.rows]}


def pending_amendment_agreements(session: Session, ctx: AppContext) -> set[uuid.UUID]:
    """The agreements (not cancelled or rejected) with an amendment awaiting approval: a later amendment
    that kept reasons it needed approval when it was written, and no approver's decision on it (as
    _common.judge reads it), found in SQL alone."""
    m, ap, ag = SpotAmendment.__table__, Approval.__table__, SpotAgreement.__table__
    decided = select(ap.c.id).where(ap.c.amendment_id == m.c.id, ap.c.kind == "cost").exists()
    waiting = (select(m.c.agreement_id).join(ag, ag.c.id == m.c.agreement_id)
               .where(m.c.kind != "as_made", func.json_array_length(m.c.approval_reasons) > 0, ~decided,
                      ag.c.status.not_in(("cancelled", "rejected"))).distinct())
    return set(session.scalars(waiting))


def _price_day(state: AgreementState, day: dt.date) -> int:
    """The weekly price agreed for ``day``, or for the agreement's nearest night when day is outside them."""
    timeline = state.timeline()
    a = state.agreement
    night = max(day, a.start_date)
    end = timeline.end
    if end is not None and night >= end:
        night = end - dt.timedelta(days=1)
    version = amendment_in_force(timeline, night)
    return version.weekly_pence if version else (state.as_made.weekly_price_pence if state.amendments else 0)


def list_agreements(ctx: AppContext, *, status: str | tuple[str, ...] | None = None, awaiting_approval: bool = False,
                    ending_within_days: int | None = None, text: str | None = None, page: int = 0,
                    page_size: int = 50) -> AgreementPage:
    """A page of spot agreements, newest start first (soonest planned end first with ``ending_within_days``):
    ``status`` (one or several), ``awaiting_approval`` (the agreement or an amendment awaits an approver),
    ``ending_within_days`` (active, planned end from today to that many days on), ``text`` (in the case
    reference, service or provider name, any case). Paged in SQL; the weekly price now is worked out for the
    page's rows only."""
    today = ctx.today()
    page, page_size = max(0, page), max(1, min(page_size, 500))
    a, s, p = SpotAgreement.__table__, Service.__table__, Provider.__table__
    where: list[Any] = []
    if status:
        where.append(a.c.status.in_((status,) if isinstance(status, str) else tuple(status)))
    if ending_within_days is not None:
        where += [a.c.status == "active", a.c.planned_end.is_not(None), a.c.planned_end >= today,
                  a.c.planned_end <= today + dt.timedelta(days=ending_within_days)]
    if text and text.strip():
        needle = f"%{text.strip().lower()}%"
        where.append(or_(func.lower(a.c.case_ref).like(needle), func.lower(s.c.name).like(needle),
                         func.lower(p.c.name).like(needle)))
    with ctx.session() as session:
        pending = pending_amendment_agreements(session, ctx) if awaiting_approval else set()
        if awaiting_approval:
            where.append(or_(a.c.status == "awaiting_approval", a.c.id.in_(pending)) if pending
                         else a.c.status == "awaiting_approval")
        joined = a.join(s, s.c.id == a.c.service_id).join(p, p.c.id == s.c.provider_id)
        total = session.execute(select(func.count()).select_from(joined).where(and_(True, *where))).scalar_one()
        order = ([a.c.planned_end, a.c.id] if ending_within_days is not None
                 else [a.c.start_date.desc(), a.c.id.desc()])
        found = session.execute(select(a.c.id, s.c.name, p.c.name).select_from(joined).where(and_(True, *where))
                                .order_by(*order).limit(page_size).offset(page * page_size)).all()
        names = {r[0]: (r[1], r[2]) for r in found}
        ids = [r[0] for r in found]
        rows_by_id = {r.id: r for r in session.scalars(select(SpotAgreement).where(col(SpotAgreement.id).in_(ids)))}
        states = load_states(session, [rows_by_id[i] for i in ids], ctx)
        waiting = pending if awaiting_approval else {st.agreement.id for st in states if st.pending() is not None}
        out = []
        for st in states:
            ag = st.agreement
            weekly_now = weekly_cost_on(st.timeline(), today).total if st.amendments else 0
            if ag.status in ("cancelled", "rejected"):
                weekly_now = 0
            out.append(AgreementRow(ag.id, ag.case_ref, names[ag.id][0], names[ag.id][1], ag.status, ag.start_date,
                                    ag.planned_end, ag.ended_on, weekly_now, _price_day(st, today),
                                    ag.status == "awaiting_approval" or ag.id in waiting))
    return AgreementPage(tuple(out), total, page, page_size)


# ------------------------------------------------------------------------------------------------- one in full

@dataclass(frozen=True)
class VersionView:
    """One version of the agreement (an amendment): what it changed and whether it counts."""

    id: uuid.UUID
    kind: str
    effective_from: dt.date
    planned_end: dt.date | None
    weekly_price_pence: int
    core_weekly_pence: int
    one_to_one_minutes: int
    one_to_one_hourly_pence: int
    one_to_one_weekly_pence: int
    two_to_one_minutes: int
    two_to_one_hourly_pence: int
    two_to_one_weekly_pence: int
    education_weekly_pence: int
    therapy_weekly_pence: int
    solo_premium_weekly_pence: int
    other_weekly_pence: int
    other_text: str
    social_care_pct: int
    education_pct: int
    health_pct: int
    reason: str
    created_by: str
    created_at: dt.datetime
    state: str  # VERSION_STATES
    counts: bool  # its price is used on its nights
    approval_reasons: tuple[str, ...]
    decided_by: str
    decided_on: dt.date | None
    decision_reason: str

    @property
    def kind_label(self) -> str:
        return "As made" if self.kind == "as_made" else AMENDMENT_KINDS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return VERSION_STATES.get(self.state, self.state)


@dataclass(frozen=True)
class ApprovalView:
    id: uuid.UUID
    kind: str
    decision: str  # approved | rejected | told
    decided_by: str
    decided_on: dt.date
    reason: str
    weekly_pence: int | None
    amendment_id: uuid.UUID | None
    recorded_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return APPROVAL_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class AgreementDetail:
    id: uuid.UUID
    version: int
    case_ref: str
    referral_id: uuid.UUID | None
    service_id: uuid.UUID
    service_name: str
    provider_name: str
    offer_id: uuid.UUID | None
    status: str
    status_reason: str
    recorded_by: str
    recorded_at: dt.datetime
    contract_basis: str
    purchasing_route: str
    framework_name: str
    framework_lot: str
    route_reason: str
    cost_centre: str
    conditions: str
    start_date: dt.date
    planned_end: dt.date | None
    ended_on: dt.date | None
    versions: tuple[VersionView, ...]
    approvals: tuple[ApprovalView, ...]
    placement: PlacementView | None
    projections: ProjectionsView | None
    pending_amendment_id: uuid.UUID | None
    raw_row: Any = field(default=None, repr=False, compare=False)  # the row as read, for a stale-safe act

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def route_label(self) -> str:
        return PURCHASING_ROUTES.get(self.purchasing_route, self.purchasing_route)

    @property
    def awaiting_approval(self) -> bool:
        return self.status == "awaiting_approval" or self.pending_amendment_id is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(self)
        out["status_label"] = self.status_label
        out["awaiting_approval"] = self.awaiting_approval
        if self.placement is not None:
            out["placement"] = self.placement.to_json()
        for v, version in zip(out["versions"], self.versions, strict=True):
            v["kind_label"], v["state_label"] = version.kind_label, version.state_label
        for v, approval in zip(out["approvals"], self.approvals, strict=True):
            v["kind_label"] = approval.kind_label
        return out


def _version_view(state: AgreementState, v: VersionState) -> VersionView:
    r = v.row
    status = state.agreement.status
    decision = v.decision
    if v.state == "as_made":
        decision = state.cost_decision()
        kind = {"draft": "draft", "awaiting_approval": "awaiting_approval", "rejected": "rejected",
                "cancelled": "cancelled"}.get(status)
        state_name = kind or ("approved" if decision is not None and decision.decision == "approved" else "in_force")
    else:
        state_name = v.state
    return VersionView(
        r.id, r.kind, r.effective_from, r.planned_end, r.weekly_price_pence, r.core_weekly_pence, r.one_to_one_minutes,
        r.one_to_one_hourly_pence, staffing_pence(r.one_to_one_minutes, r.one_to_one_hourly_pence), r.two_to_one_minutes,
        r.two_to_one_hourly_pence, staffing_pence(r.two_to_one_minutes, r.two_to_one_hourly_pence),
        r.education_weekly_pence, r.therapy_weekly_pence, r.solo_premium_weekly_pence, r.other_weekly_pence,
        r.other_text, r.social_care_pct, r.education_pct, r.health_pct, r.reason, r.created_by, r.created_at,
        state_name, v.counts, v.reasons, decision.decided_by if decision else "",
        decision.decided_on if decision else None, decision.reason if decision else "")


def detail_of(session: Session, ctx: AppContext, state: AgreementState, on: dt.date | None = None) -> AgreementDetail:
    a = state.agreement
    service = session.get_one(Service, a.service_id)
    provider = session.get(Provider, service.provider_id)
    pending = state.pending()
    return AgreementDetail(
        a.id, a.version, a.case_ref, a.referral_id, a.service_id, service.name, provider.name if provider else "",
        a.offer_id, a.status, a.status_reason, a.recorded_by, a.created_at, a.contract_basis, a.purchasing_route,
        a.framework_name, a.framework_lot, a.route_reason, a.cost_centre, a.conditions, a.start_date, a.planned_end,
        a.ended_on, tuple(_version_view(state, v) for v in state.versions),
        tuple(ApprovalView(x.id, x.kind, x.decision, x.decided_by, x.decided_on, x.reason, x.weekly_pence,
                           x.amendment_id, x.created_at) for x in state.approvals),
        placement_view(state.placement) if state.placement is not None else None,
        agreement_projections(session, ctx, state, on), pending.row.id if pending else None,
        SpotAgreement.model_validate(a.model_dump()))


def show_agreement(ctx: AppContext, agreement: Any, *, on: dt.date | None = None) -> AgreementDetail:
    """One agreement (id or a view) in full: every version with who made it and its approval state, the
    approvals, the placement and the projections on ``on`` (today by default). SpotRefused on "agreement"
    when there is none."""
    with ctx.session() as session:
        return detail_of(session, ctx, load_state(session, ctx, agreement), on)

