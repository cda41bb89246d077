"""What the spot purchase acts share: the refusal, reading what a person typed (by field), and an agreement
as stored (``AgreementState``: the row, its amendments in the order they were made, its approval rows and
its placement) with each version's approval state, which the acts check against and the views show.

Which versions count. An amendment is written once and never changed; whether it counts is told by the
reasons it needed approval when it was written and the approval rows:
- the first amendment ("as made") is the agreement's own price: it counts whatever the agreement's status
  (a draft or an agreement awaiting approval shows what it would cost; its status says it is not in force);
- a later amendment that raised the weekly price above the threshold, or by more than the allowed
  percentage of the price in force before it (domain.purchases.amendment_approval_reasons, under the
  settings of the moment it was written), keeps those reasons in its row (``approval_reasons``); it counts
  only once an approver approved it (an approval row of kind "cost" naming it); until then it is "awaiting
  approval", and after a rejection "rejected": the old price holds on every night;
- any other amendment (no reasons kept) counts from its date.
The settings are read only when a row is written: changing them later never re-judges an amendment.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.purchases import (
    Amendment,
    ApprovalRules,
    FundingSplit,
    WeeklyPriceParts,
)
from broker_tui.domain.purchases import (
    SpotAgreement as Timeline,
)
from broker_tui.services.context import AppContext
from broker_tui.services.placements import PurchaseRefused, as_uuid, is_blank
from broker_tui.store.tables import Approval, Placement, SpotAgreement, SpotAmendment

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "draft": "Draft",
    "awaiting_approval": "Awaiting approval",
    "active": "Active",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
    "ended": "Ended",
}
CLOSED = ("rejected", "cancelled", "ended")


class SpotRefused(PurchaseRefused):
    """A spot purchase act cannot be done as asked: ``problems`` maps each field to a message."""


def rules_of(ctx: AppContext) -> ApprovalRules:
    return ApprovalRules(ctx.settings.high_cost_threshold_pence, ctx.settings.raise_basis_points)


def approver_limits(ctx: AppContext) -> dict[str, int]:
    return dict(ctx.settings.approvers)


# ----------------------------------------------------------------------------------------------- reading input

def as_whole(value: Any, name: str, problems: dict[str, str], *, default: int | None = None) -> int | None:
    """A whole number given as an int or as digits; None (or ``default``) when blank."""
    if is_blank(value):
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems[name] = "must be a whole number"
        return None
    try:
        return int(value)
    except ValueError:
        problems[name] = "must be a whole number"
        return None


# ------------------------------------------------------------------------------------------ an agreement as stored

@dataclass(frozen=True)
class VersionState:
    """One amendment and whether it counts: ``state`` is as_made, in_force (no approval needed), approved,
    awaiting_approval or rejected; ``reasons`` say why it needs (or needed) approval."""

    row: SpotAmendment
    state: str
    reasons: tuple[str, ...] = ()
    decision: Approval | None = None

    @property
    def counts(self) -> bool:
        return self.state in COUNTING


def parts_of(row: SpotAmendment) -> WeeklyPriceParts:
    return WeeklyPriceParts(weekly_pence=row.weekly_price_pence, core_pence=row.core_weekly_pence,
                            one_to_one_minutes=row.one_to_one_minutes,
                            one_to_one_hourly_pence=row.one_to_one_hourly_pence,
                            two_to_one_minutes=row.two_to_one_minutes,
                            two_to_one_hourly_pence=row.two_to_one_hourly_pence,
                            education_pence=row.education_weekly_pence, therapy_pence=row.therapy_weekly_pence,
                            solo_premium_pence=row.solo_premium_weekly_pence, other_pence=row.other_weekly_pence,
                            other_words=row.other_text)


def domain_amendment(row: SpotAmendment) -> Amendment:
    return Amendment(row.effective_from, parts_of(row),
                     FundingSplit(row.social_care_pct, row.education_pct, row.health_pct), row.reason)


COUNTING = ("as_made", "in_force", "approved")


def judge(entries: Sequence[tuple[Sequence[str], str | None]]) -> list[tuple[str, tuple[str, ...]]]:
    """Each version's state and approval reasons, from (the reasons kept in its row, the approver's decision
    or None) in the order the versions were made: the first is as made (its reasons are the agreement's, which
    its status and the agreement's own approval row answer); a later one is approved or rejected when decided,
    else awaiting approval when it kept reasons, else in force."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for i, (kept, decision) in enumerate(entries):
        reasons = tuple(kept)
        if i == 0:
            out.append(("as_made", reasons))
            continue
        if decision is not None:
            state = "approved" if decision == "approved" else "rejected"
        else:
            state = "awaiting_approval" if reasons else "in_force"
        out.append((state, reasons))
    return out


def judge_versions(amendments: Sequence[SpotAmendment], approvals: Sequence[Approval]) -> list[VersionState]:
    """Each amendment (in the order made) with its state: see the module's notes."""
    decided: dict[uuid.UUID, Approval] = {}
    for a in approvals:
        if a.kind == "cost" and a.amendment_id is not None:
            decided[a.amendment_id] = a  # the last decision wins (there is only ever one: the acts see to it)
    entries = [(row.approval_reasons, decided[row.id].decision if row.id in decided else None) for row in amendments]
    return [VersionState(row, state, reasons, decided.get(row.id))
            for row, (state, reasons) in zip(amendments, judge(entries), strict=True)]


@dataclass
class AgreementState:
    """One agreement as stored: its row, its amendments in the order they were made (with their states),
    its approval rows (oldest first) and its placement (None once cancelled, or never made)."""

    agreement: SpotAgreement
    amendments: list[SpotAmendment]
    approvals: list[Approval]
    placement: Placement | None
    versions: list[VersionState] = field(default_factory=list)

    def timeline(self) -> Timeline:
        """The agreement for domain.purchases: only the versions that count."""
        a = self.agreement
        return Timeline(a.start_date, tuple(domain_amendment(v.row) for v in self.versions if v.counts),
                        planned_end=a.planned_end, ended_on=a.ended_on, reference=a.case_ref)

    @property
    def as_made(self) -> SpotAmendment:
        return self.amendments[0]

    def pending(self) -> VersionState | None:
        """The amendment awaiting an approver's decision (at most one: a new one waits until it is decided)."""
        return next((v for v in self.versions if v.state == "awaiting_approval"), None)

    def cost_decision(self) -> Approval | None:
        """The approver's decision on the agreement itself (its price as made)."""
        found = None
        for a in self.approvals:
            if a.kind == "cost" and a.amendment_id is None:
                found = a
        return found


def load_states(session: Session, agreements: Sequence[SpotAgreement], ctx: AppContext) -> list[AgreementState]:
    """Each agreement with its amendments, approvals and placement, read in three queries."""
    ids = [a.id for a in agreements]
    if not ids:
        return []
    amendments: dict[uuid.UUID, list[SpotAmendment]] = defaultdict(list)
    for row in session.scalars(select(SpotAmendment).where(col(SpotAmendment.agreement_id).in_(ids))
                               .order_by(col(SpotAmendment.created_at), col(SpotAmendment.id))):
        amendments[row.agreement_id].append(row)
    approvals: dict[uuid.UUID, list[Approval]] = defaultdict(list)
    for ap in session.scalars(select(Approval).where(col(Approval.agreement_id).in_(ids))
                              .order_by(col(Approval.created_at), col(Approval.id))):
        approvals[ap.agreement_id or uuid.UUID(int=0)].append(ap)
    placements: dict[uuid.UUID, Placement] = {}
    for p in session.scalars(select(Placement).where(col(Placement.spot_agreement_id).in_(ids))):
        placements[p.spot_agreement_id or uuid.UUID(int=0)] = p
    out = []
    for a in agreements:
        state = AgreementState(a, amendments[a.id], approvals[a.id], placements.get(a.id))
        state.versions = judge_versions(state.amendments, state.approvals) if state.amendments else []
        out.append(state)
    return out


def agreement_id(ref: Any) -> uuid.UUID | None:
    """An agreement's id from an id, its text, or a view or row with an ``id``."""
    ident = getattr(ref, "id", None)
    return ident if isinstance(ident, uuid.UUID) else as_uuid(ref)


def opened_row(ref: Any) -> SpotAgreement | None:
    """The row as the person opened it (a view's ``raw_row``), for a stale-safe edit."""
    raw = getattr(ref, "raw_row", None)
    return raw if isinstance(raw, SpotAgreement) else None


def load_state(session: Session, ctx: AppContext, ref: Any) -> AgreementState:
    """One agreement as stored now, by id (or a view with one), or by the child's case reference when they
    have exactly one agreement that is not rejected, cancelled or ended (SpotRefused on the field "agreement"
    when there is none, or more than one)."""
    key = agreement_id(ref)
    row = session.get(SpotAgreement, key, populate_existing=True) if key is not None else None
    if row is None and key is None and isinstance(ref, str) and ref.strip():
        live = session.scalars(select(SpotAgreement).where(col(SpotAgreement.case_ref) == ref.strip(),
                                                           col(SpotAgreement.status).not_in(CLOSED))).all()
        if len(live) > 1:
            raise SpotRefused({"agreement": f"{ref.strip()} has {len(live)} agreements running: give the "
                                            "agreement's id"})
        row = live[0] if live else None
    if row is None:
        raise SpotRefused({"agreement": f"no spot agreement {getattr(ref, 'id', ref)}"})
    return load_states(session, [row], ctx)[0]
