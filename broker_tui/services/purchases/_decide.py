"""An approver's decision on an agreement, and cancelling one that never started.

Approving: the agreement must be awaiting approval; the approver is the person acting (their database role
or login, never a name they type), on the approvers' list with a limit at or above the weekly price, and
not the person who recorded it (domain.purchases.approver_problems). The decision is an approval row (kind
"cost", with the weekly price approved); the agreement becomes active. Rejecting takes a reason and an
approver (any limit), and makes it rejected.

The nights. A rejected or cancelled agreement never bought the child's nights, so its placement row is
removed and the nights are free for another purchase: a placement is a child living somewhere, and this
child never did. The removal is audited like any write (the event keeps the placement as it was, named
"cancel" or "reject" with the reason), and the agreement keeps every fact of what was proposed. A placement
that has started (an agreement rejected after an emergency move) stays: the child lived there, and ending
it (purchases end) records when they left and why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases import approver_problems
from broker_tui.services.context import AppContext
from broker_tui.services.placements import as_text
from broker_tui.services.purchases._add import StatusChanged
from broker_tui.services.purchases._common import (
    CLOSED,
    SpotRefused,
    approver_limits,
    load_state,
    log,
    opened_row,
)
from broker_tui.store.audit import name_action
from broker_tui.store.tables import Approval, Placement, QANote
from broker_tui.store.versioning import apply_edit


def _approver_problem(ctx: AppContext, recorder: str, weekly_pence: int, *, deciding_limit: bool) -> dict[str, str]:
    """Why the person acting may not decide (by field "approver"); a rejection needs no limit."""
    problems = approver_problems(ctx.actor, recorder, weekly_pence if deciding_limit else 0, approver_limits(ctx))
    return {"approver": "; ".join(problems)} if problems else {}


def _awaiting(status: str) -> dict[str, str]:
    if status == "awaiting_approval":
        return {}
    hint = {"draft": "submit it first", "active": "it is already active"}.get(status, "")
    return {"status": f"the agreement is {status.replace('_', ' ')}, not awaiting approval" + (f": {hint}" if hint else "")}


def free_nights(session: Session, placement: Placement | None, action: str, reason: str) -> str:
    """Remove a placement that has not started (see the module's notes); '' or why it cannot be."""
    if placement is None:
        return ""
    noted = session.scalars(select(col(QANote.id)).where(col(QANote.placement_id) == placement.id)).first()
    if noted is not None:
        return "a QA note is about this placement: it cannot be taken away (end it instead)"
    name_action(session, placement, action, reason)
    session.delete(placement)
    session.flush()
    return ""


def approve_in(session: Session, ctx: AppContext, agreement: Any, *, note: str = "") -> StatusChanged:
    state = load_state(session, ctx, agreement)
    row = state.agreement
    weekly = state.as_made.weekly_price_pence
    problems = _awaiting(row.status)
    problems.update(_approver_problem(ctx, row.recorded_by, weekly, deciding_limit=True))
    note = as_text(note, "note", problems, limit=1000)
    if problems:
        raise SpotRefused(problems)
    session.add(Approval(agreement_id=row.id, kind="cost", decision="approved", decided_by=ctx.actor,
                         decided_on=ctx.today(), reason=note, weekly_pence=weekly))
    name_action(session, row, "approve", note)
    apply_edit(session, opened_row(agreement) or row, {"status": "active"})
    log.info("%s: spot agreement approved", row.case_ref)
    return StatusChanged(row.id, row.case_ref, "active", f"approved by {ctx.actor}: active")


def approve(ctx: AppContext, agreement: Any, *, note: str = "") -> StatusChanged:
    """Approve an agreement awaiting approval as the person acting: it becomes active, and an approval row
    (cost, the weekly price) says who and when. Refused (SpotRefused by field: "status", "approver", "note")
    when it is not awaiting approval, the person recorded it, is not an approver or is above their limit."""
    with ctx.session() as session:
        return approve_in(session, ctx, agreement, note=note)


def reject_in(session: Session, ctx: AppContext, agreement: Any, reason: str) -> StatusChanged:
    state = load_state(session, ctx, agreement)
    row = state.agreement
    problems = _awaiting(row.status)
    problems.update(_approver_problem(ctx, row.recorded_by, 0, deciding_limit=False))
    reason = as_text(reason, "reason", problems, required="say why the agreement is rejected", limit=1000)
    if problems:
        raise SpotRefused(problems)
    session.add(Approval(agreement_id=row.id, kind="cost", decision="rejected", decided_by=ctx.actor,
                         decided_on=ctx.today(), reason=reason, weekly_pence=state.as_made.weekly_price_pence))
    message = "rejected"
    placement = state.placement
    if placement is not None and placement.start_date > ctx.today():
        if why := free_nights(session, placement, "reject", reason):
            raise SpotRefused({"placement": why})
        message += ": the child's nights are free again"
    elif placement is not None:
        message += (f"; the child has been there since {format_date(placement.start_date)}: end the placement "
                    "(purchases end) with the date they leave")
    name_action(session, row, "reject", reason)
    apply_edit(session, opened_row(agreement) or row, {"status": "rejected", "status_reason": reason})
    log.info("%s: spot agreement rejected", row.case_ref)
    return StatusChanged(row.id, row.case_ref, "rejected", message)


def reject(ctx: AppContext, agreement: Any, reason: str) -> StatusChanged:
    """Reject an agreement awaiting approval, with a reason (an approver, not its recorder): it becomes
    rejected, an approval row records the decision, and a placement that has not started is taken away so
    the child's nights are free. Refused by field ("status", "approver", "reason") with nothing written."""
    with ctx.session() as session:
        return reject_in(session, ctx, agreement, reason)


def cancel_in(session: Session, ctx: AppContext, agreement: Any, reason: str) -> StatusChanged:
    state = load_state(session, ctx, agreement)
    row = state.agreement
    problems: dict[str, str] = {}
    if row.status in CLOSED:
        problems["status"] = f"the agreement is {row.status}: there is nothing to cancel"
    elif row.status == "active" and row.start_date <= ctx.today():
        problems["status"] = (f"the agreement started on {format_date(row.start_date)}: end the placement instead "
                              "(purchases end), with the date the child leaves")
    reason = as_text(reason, "reason", problems, required="say why the agreement is cancelled", limit=1000)
    if problems:
        raise SpotRefused(problems)
    if why := free_nights(session, state.placement, "cancel", reason):
        raise SpotRefused({"placement": why})
    name_action(session, row, "cancel", reason)
    apply_edit(session, opened_row(agreement) or row, {"status": "cancelled", "status_reason": reason})
    log.info("%s: spot agreement cancelled", row.case_ref)
    return StatusChanged(row.id, row.case_ref, "cancelled", "cancelled: the child's nights are free again")


def cancel(ctx: AppContext, agreement: Any, reason: str) -> StatusChanged:
    """Cancel an agreement that never started (a draft, one awaiting approval, or an active one before its
    start), with a reason: it becomes cancelled and its placement is taken away, freeing the child's nights
    (audited). An agreement that has started is ended instead (purchases end). Refused by field ("status",
    "reason", "placement") with nothing written."""
    with ctx.session() as session:
        return cancel_in(session, ctx, agreement, reason)
