"""Amendments, never edits: a price change, an annual uplift, an extension or a new planned end is a dated
row (spot_amendment, insert-only) and the old one stays.

An amendment that raises the weekly price above the threshold, or by more than the allowed percentage of
the price in force before it (domain.purchases.amendment_approval_reasons), waits for an approver: until
they approve it (an approval row naming it) the old price holds on every night, and an extension or new
planned end in it waits too. One amendment waits at a time. Any other amendment counts from its date.
Whether it needs approval is judged once, when it is written, by the settings then, and kept in its row
(``approval_reasons``): changing the threshold or the raise percentage later never re-judges it.
A new planned end moves the placement's end (the child's nights, checked under the child's lock).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import SpotAgreement as Timeline
from broker_tui.domain.purchases import (
    amendment_approval_reasons,
    amendment_in_force,
    approver_problems,
    format_basis_points,
)
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
from broker_tui.services.purchases._common import (
    CLOSED,
    AgreementState,
    SpotRefused,
    approver_limits,
    as_whole,
    domain_amendment,
    load_state,
    log,
    rules_of,
)
from broker_tui.services.purchases._input import (
    AMENDMENT_KINDS,
    MAX_UPLIFT_BP,
    AmendmentInput,
    read_price,
    read_split,
    uplifted,
)
from broker_tui.store.audit import name_action
from broker_tui.store.tables import Approval, SpotAmendment
from broker_tui.store.versioning import apply_edit

END_KINDS = ("extension", "planned_end")


@dataclass(frozen=True)
class AmendmentMade:
    """An amendment as written: ``state`` is in_force (counts from its date) or awaiting_approval (the
    ``reasons`` say why; the old price holds until an approver decides)."""

    id: uuid.UUID
    agreement_id: uuid.UUID
    case_ref: str
    kind: str
    effective_from: dt.date
    weekly_pence: int
    previous_weekly_pence: int
    planned_end: dt.date | None
    state: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AmendmentDecided:
    id: uuid.UUID
    agreement_id: uuid.UUID
    case_ref: str
    decision: str  # approved | rejected
    message: str


def _counted(state: AgreementState) -> Timeline:
    a = state.agreement
    return Timeline(a.start_date, tuple(domain_amendment(v.row) for v in state.versions if v.counts))


def _move_end(session: Session, ctx: AppContext, state: AgreementState, new_end: dt.date) -> None:
    """The agreement's planned end and its placement's end move to ``new_end`` (the nights checked when
    they grow). Raises SpotRefused on "planned_end"."""
    row, placement = state.agreement, state.placement
    if placement is not None:
        claim_nights(session, case_ref=placement.case_ref)
        if placement.end_date is None or new_end > placement.end_date:
            clash = night_problems(session, case_ref=placement.case_ref, start=placement.start_date, end=new_end,
                                   overlap_kind=placement.overlap_kind, overlap_reason=placement.overlap_reason,
                                   ignore=placement.id)
            if clash:
                raise SpotRefused({"planned_end": next(iter(clash.values()))})
        if placement.end_date != new_end:
            name_action(session, placement, "amend", "new planned end")
            apply_edit(session, placement, {"end_date": new_end})
    if row.planned_end != new_end:
        name_action(session, row, "amend", "new planned end")
        apply_edit(session, row, {"planned_end": new_end})


def amend_in(session: Session, ctx: AppContext, agreement: Any, data: AmendmentInput | Mapping[str, Any]
             ) -> AmendmentMade:
    """Amend an agreement inside the caller's transaction (see ``amend``)."""
    given = data if isinstance(data, AmendmentInput) else AmendmentInput.from_json(data)
    state = load_state(session, ctx, agreement)
    row = state.agreement
    problems: dict[str, str] = {}
    if row.status in CLOSED:
        problems["status"] = f"the agreement is {row.status}: it cannot be amended"
    elif row.status != "active":
        problems["status"] = (f"the agreement is {row.status.replace('_', ' ')}: only an active agreement is "
                              "amended (cancel it and record it again with the right figures)")
    elif (waiting := state.pending()) is not None:
        problems["status"] = (f"an amendment from {format_date(waiting.row.effective_from)} awaits approval: "
                              "approve or reject it first")
    kind = as_text(given.kind, "kind", problems)
    if "kind" not in problems and kind not in AMENDMENT_KINDS:
        problems["kind"] = f"must be one of {', '.join(AMENDMENT_KINDS)}"
    effective = as_date(given.effective_from, "effective_from", problems,
                        missing="say the first night the amendment applies (dd/mm/yyyy)")
    if effective is not None and effective < row.start_date:
        problems["effective_from"] = f"is before the agreement's start ({format_date(row.start_date)})"
    reason = as_text(given.reason, "reason", problems, limit=1000)
    new_end = as_date(given.planned_end, "planned_end", problems, required=kind in END_KINDS,
                      missing="give the new planned end (the first night not bought)")
    if new_end is not None and kind in ("price_change", "uplift"):
        problems["planned_end"] = "only an extension or a new planned end moves the planned end"
    elif new_end is not None and kind == "extension":
        if row.planned_end is None:
            problems["planned_end"] = ("the agreement has no planned end to extend: give it one (kind planned_end)")
        elif new_end <= row.planned_end:
            problems["planned_end"] = (f"an extension runs past the present planned end "
                                       f"({format_date(row.planned_end)}): give a later date")
    elif new_end is not None and kind == "planned_end":
        if new_end <= row.start_date:
            problems["planned_end"] = f"must be after the start ({format_date(row.start_date)})"
        elif new_end <= ctx.today():
            problems["planned_end"] = ("is not after today: to end the placement now, end it (purchases end) with "
                                       "the date the child leaves and the reason")
        elif new_end == row.planned_end:
            problems["planned_end"] = "is the planned end already"
    end_after = new_end if kind in END_KINDS and new_end is not None else row.planned_end
    if effective is not None and end_after is not None and effective >= end_after and "effective_from" not in problems:
        problems["effective_from"] = (f"is on or after the agreement's end ({format_date(end_after)}): it would "
                                      "never be in force")
    base = amendment_in_force(_counted(state), effective) if effective is not None and effective >= row.start_date \
        else None
    base_price = base.price if base is not None else None
    price = None
    if kind == "uplift":
        bp = as_whole(given.uplift_bp, "uplift_bp", problems)
        if "uplift_bp" not in problems and (bp is None or not 0 < bp <= MAX_UPLIFT_BP):
            problems["uplift_bp"] = f"give the uplift in basis points, 1 to {MAX_UPLIFT_BP} (350 = 3.5%)"
        if given.gives_price():
            problems["weekly_price_pence"] = "an uplift is worked out from the price in force: give uplift_bp only"
        elif bp is not None and "uplift_bp" not in problems and base_price is not None:
            price = uplifted(base_price, bp)
            reason = reason or f"Annual uplift {format_basis_points(bp)}"
    elif not is_blank(given.uplift_bp):
        problems["uplift_bp"] = "only an uplift takes basis points"
    elif given.gives_price():
        price = read_price(given, problems)
    else:
        price = base_price
        if kind == "price_change" and not given.gives_split():
            problems["weekly_price_pence"] = "give the new weekly price and its parts (or a new funding split)"
    split = read_split(given, problems, default=base.split if base is not None else None)
    if kind == "price_change" and not reason:
        problems["reason"] = "say why the price changes"
    if (kind == "price_change" and price is not None and base is not None and split is not None
            and price == base.price and split == base.split and "weekly_price_pence" not in problems):
        problems["weekly_price_pence"] = "is the price and split in force already: nothing changes"
    if problems or effective is None or price is None or split is None or base is None:
        raise SpotRefused(problems or {"": "the amendment is incomplete"})
    reasons = tuple(amendment_approval_reasons(base.weekly_pence, price.weekly_pence, rules_of(ctx)))
    amendment = SpotAmendment(
        agreement_id=row.id, kind=kind, effective_from=effective, planned_end=new_end if kind in END_KINDS else None,
        weekly_price_pence=price.weekly_pence, core_weekly_pence=price.core_pence,
        staffing_weekly_pence=price.one_to_one_pence, one_to_one_minutes=price.one_to_one_minutes,
        one_to_one_hourly_pence=price.one_to_one_hourly_pence, two_to_one_weekly_pence=price.two_to_one_pence,
        two_to_one_minutes=price.two_to_one_minutes, two_to_one_hourly_pence=price.two_to_one_hourly_pence,
        education_weekly_pence=price.education_pence, therapy_weekly_pence=price.therapy_pence,
        solo_premium_weekly_pence=price.solo_premium_pence, other_weekly_pence=price.other_pence,
        other_text=price.other_words, social_care_pct=split.social_care_pct, education_pct=split.education_pct,
        health_pct=split.health_pct, reason=reason or AMENDMENT_KINDS[kind], created_by=ctx.actor,
        approval_reasons=list(reasons))  # the need for approval is a fact of this moment: kept, never re-judged
    session.add(amendment)
    session.flush()
    if not reasons and kind in END_KINDS and new_end is not None:
        _move_end(session, ctx, state, new_end)
    log.info("%s: spot agreement amended (%s%s)", row.case_ref, kind, ", awaiting approval" if reasons else "")
    return AmendmentMade(amendment.id, row.id, row.case_ref, kind, effective, price.weekly_pence, base.weekly_pence,
                         amendment.planned_end, "awaiting_approval" if reasons else "in_force", reasons)


def amend(ctx: AppContext, agreement: Any, data: AmendmentInput | Mapping[str, Any]) -> AmendmentMade:
    """Amend an active agreement by a dated row (AmendmentInput: price_change, uplift, extension or
    planned_end). Refused on a draft, an agreement awaiting approval, an ended, cancelled or rejected one,
    while another amendment awaits approval, and for a date before the start or on or after the end. An
    amendment raising the price above the threshold or by more than the allowed percentage waits for an
    approver (approve_amendment / reject_amendment). All or nothing: SpotRefused by field."""
    with refuse_rules({"placement_child_nights": ("planned_end", "this child has another placement on some of "
                                                                 "these nights; nothing was saved")}), \
            ctx.session() as session:
        return amend_in(session, ctx, agreement, data)


def _waiting(state: AgreementState, amendment: Any) -> SpotAmendment:
    pending = state.pending()
    if pending is None:
        raise SpotRefused({"amendment": "no amendment of this agreement awaits approval"})
    wanted = None if is_blank(amendment) else (getattr(amendment, "id", None) or as_uuid(amendment))
    if wanted is not None and wanted != pending.row.id:
        raise SpotRefused({"amendment": f"amendment {amendment} does not await approval (the one that does is "
                                        f"{pending.row.id})"})
    if state.agreement.status in ("cancelled", "rejected"):
        raise SpotRefused({"status": f"the agreement is {state.agreement.status}"})
    return pending.row


def approve_amendment_in(session: Session, ctx: AppContext, agreement: Any, *, amendment: Any = None,
                         note: str = "") -> AmendmentDecided:
    state = load_state(session, ctx, agreement)
    waiting = _waiting(state, amendment)
    problems: dict[str, str] = {}
    refused = approver_problems(ctx.actor, waiting.created_by, waiting.weekly_price_pence, approver_limits(ctx))
    if refused:
        problems["approver"] = "; ".join(refused)
    note = as_text(note, "note", problems, limit=1000)
    if problems:
        raise SpotRefused(problems)
    session.add(Approval(agreement_id=state.agreement.id, amendment_id=waiting.id, kind="cost", decision="approved",
                         decided_by=ctx.actor, decided_on=ctx.today(), reason=note,
                         weekly_pence=waiting.weekly_price_pence))
    session.flush()
    if waiting.kind in END_KINDS and waiting.planned_end is not None and state.agreement.status == "active":
        _move_end(session, ctx, state, waiting.planned_end)
    log.info("%s: spot amendment approved", state.agreement.case_ref)
    return AmendmentDecided(waiting.id, state.agreement.id, state.agreement.case_ref, "approved",
                            f"approved by {ctx.actor}: in force from {format_date(waiting.effective_from)}")


def approve_amendment(ctx: AppContext, agreement: Any, *, amendment: Any = None, note: str = "") -> AmendmentDecided:
    """Approve the amendment awaiting approval (``amendment``: its id, to be sure it is that one) as the
    person acting, within their limit and not its maker: it counts from its date (an extension moves the
    planned end). SpotRefused by field ("amendment", "approver", "planned_end", "note") with nothing written."""
    with refuse_rules({"placement_child_nights": ("planned_end", "this child has another placement on some of "
                                                                 "these nights; nothing was saved")}), \
            ctx.session() as session:
        return approve_amendment_in(session, ctx, agreement, amendment=amendment, note=note)


def reject_amendment_in(session: Session, ctx: AppContext, agreement: Any, reason: str, *,
                        amendment: Any = None) -> AmendmentDecided:
    state = load_state(session, ctx, agreement)
    waiting = _waiting(state, amendment)
    problems: dict[str, str] = {}
    refused = approver_problems(ctx.actor, waiting.created_by, 0, approver_limits(ctx))
    if refused:
        problems["approver"] = "; ".join(refused)
    reason = as_text(reason, "reason", problems, required="say why the amendment is rejected", limit=1000)
    if problems:
        raise SpotRefused(problems)
    session.add(Approval(agreement_id=state.agreement.id, amendment_id=waiting.id, kind="cost", decision="rejected",
                         decided_by=ctx.actor, decided_on=ctx.today(), reason=reason,
                         weekly_pence=waiting.weekly_price_pence))
    session.flush()
    log.info("%s: spot amendment rejected", state.agreement.case_ref)
    return AmendmentDecided(waiting.id, state.agreement.id, state.agreement.case_ref, "rejected",
                            "rejected: the price in force before it holds")


def reject_amendment(ctx: AppContext, agreement: Any, reason: str, *, amendment: Any = None) -> AmendmentDecided:
    """Reject the amendment awaiting approval, with a reason (an approver, not its maker): the old price
    holds. SpotRefused by field ("amendment", "approver", "reason") with nothing written."""
    with ctx.session() as session:
        return reject_amendment_in(session, ctx, agreement, reason, amendment=amendment)

