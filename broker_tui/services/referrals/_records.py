"""Referral intake: create, edit, move through the workflow, withdraw, list, history.

Every change runs in one transaction with its audit event; nothing reaches the database until the
whole request is valid; a save over someone else's newer save is refused with what changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import String, and_, cast, or_, select
from sqlmodel import Session, col

from broker_tui.domain.referrals.parse import ReferralDraft, parse_referral
from broker_tui.domain.referrals.rules import transition_problem
from broker_tui.domain.text_rules import text_problem
from broker_tui.domain.vocabulary import OPEN_REFERRAL_STATUSES, REFERRAL_STATUSES
from broker_tui.services.context import AppContext
from broker_tui.services.reference import CODED_FIELDS, code_choices
from broker_tui.services.referrals._views import INPUT_KEYS, ReferralView, view_of
from broker_tui.store.audit import name_action
from broker_tui.store.errors import RuleBroken, StaleEdit
from broker_tui.store.tables import AuditEvent, LocalAuthority, Offer, PostcodeDistrict, Referral
from broker_tui.store.versioning import apply_edit

__all__ = ["DuplicateOpenCase", "ReferralInvalid", "ReferralNotFound", "StaleEdit", "TransitionRefused"]
log = logging.getLogger(__name__)
# Audit snapshots keep the record of fact; these never appear in logs.
PRIVATE_FIELDS = ("initials", "date_of_birth")


class ReferralInvalid(ValueError):
    """The request has problems: ``problems`` maps each field to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k} {v}" for k, v in problems.items()))


class DuplicateOpenCase(ValueError):
    """The case reference is already open in another active referral (offer to open that one)."""

    def __init__(self, existing: ReferralView):
        self.existing = existing
        super().__init__(f"{existing.case_ref} already has an open referral ({existing.status_label}, "
                         f"id {existing.id}): open that one instead")


class ReferralNotFound(LookupError):
    pass


class TransitionRefused(ValueError):
    pass


def _district_checker(session: Session) -> Callable[[str], bool]:
    cache: dict[str, bool] = {}

    def exists(code: str) -> bool:
        if code not in cache:
            cache[code] = session.get(PostcodeDistrict, code) is not None
        return cache[code]

    return exists


def _la_checker(session: Session) -> Callable[[str], bool]:
    def exists(code: str) -> bool:
        return session.get(LocalAuthority, code) is not None

    return exists


def _parse(ctx: AppContext, session: Session, raw: dict[str, Any], *, editing: bool) -> ReferralDraft:
    clean = {k: v for k, v in raw.items() if k in INPUT_KEYS}
    unknown = sorted(k for k in raw if k not in INPUT_KEYS and k not in ("id", "version", "status", "derived",
                                                                          "previous_referral_id",
                                                                          "withdrawn_reason", "closed_on"))
    draft, problems = parse_referral(clean, today=ctx.today(), district_exists=_district_checker(session),
                                     local_authority_exists=_la_checker(session),
                                     check_needed_by_past=not editing)
    for k in unknown:
        problems.setdefault(k, "is not a field of a referral")
    if draft is not None:
        for name, field in CODED_FIELDS.items():
            value = draft.text.get(name)
            if value and value not in {c.code for c in code_choices(ctx, field)}:
                problems.setdefault(name, f"{value!r} is not a current DfE {field} code")
    if problems or draft is None:  # no draft comes without problems
        raise ReferralInvalid(problems)
    return draft


def check_referral(ctx: AppContext, raw: dict[str, Any], *, editing: bool = False) -> dict[str, str]:
    """The problems with a request, without writing anything (for checking a form as it is filled)."""
    with ctx.session() as session:
        try:
            _parse(ctx, session, raw, editing=editing)
        except ReferralInvalid as exc:
            return exc.problems
    return {}


def _open_for_case(session: Session, case_ref: str, exclude: uuid.UUID | None = None) -> Referral | None:
    stmt = select(Referral).where(col(Referral.case_ref) == case_ref,
                                  col(Referral.status).in_(OPEN_REFERRAL_STATUSES))
    if exclude is not None:
        stmt = stmt.where(col(Referral.id) != exclude)
    return session.scalars(stmt.order_by(col(Referral.date_received), col(Referral.id))).first()


def create_referral(ctx: AppContext, raw: dict[str, Any], *, previous_referral_id: uuid.UUID | None = None
                    ) -> ReferralView:
    """Check and store a new referral (status new). Raises ReferralInvalid or DuplicateOpenCase, also when
    another process adds the same case at the same moment (the database's one-open-case rule decides)."""
    try:
        with ctx.session() as session:
            draft = _parse(ctx, session, raw, editing=False)
            existing = _open_for_case(session, draft.case_ref)
            if existing is not None:
                raise DuplicateOpenCase(view_of(existing, ctx.today()))
            row = Referral(**draft.columns(), status="new", previous_referral_id=previous_referral_id)
            session.add(row)
            session.flush()
            view = view_of(row, ctx.today())
    except RuleBroken as exc:
        if exc.rule != "uq_referral_open_case":
            raise
        _raise_duplicate(ctx, draft.case_ref)
    log.info("referral created: %s", view.case_ref)
    return view


def _raise_duplicate(ctx: AppContext, case_ref: str, exclude: uuid.UUID | None = None) -> NoReturn:
    """The open referral that won a race for ``case_ref``, as DuplicateOpenCase."""
    with ctx.session() as session:
        winner = _open_for_case(session, case_ref, exclude)
        if winner is None:  # gone again meanwhile: say so plainly
            raise ReferralInvalid({"case_ref": f"{case_ref} was being added by someone else at the same moment; "
                                               "try again"})
        raise DuplicateOpenCase(view_of(winner, ctx.today()))


def update_referral(ctx: AppContext, opened: ReferralView, raw: dict[str, Any]) -> ReferralView:
    """Save an edit of the referral as it was opened. Raises ReferralInvalid, DuplicateOpenCase or StaleEdit."""
    try:
        with ctx.session() as session:
            draft = _parse(ctx, session, raw, editing=True)
            other = _open_for_case(session, draft.case_ref, opened.id) if draft.case_ref != opened.case_ref else None
            if other is not None:
                raise DuplicateOpenCase(view_of(other, ctx.today()))
            changes = {k: v for k, v in draft.columns().items() if getattr(opened.raw_row, k, None) != v}
            if not changes:
                return opened
            row = apply_edit(session, opened.raw_row, changes)
            view = view_of(row, ctx.today())
    except RuleBroken as exc:
        if exc.rule != "uq_referral_open_case":
            raise
        _raise_duplicate(ctx, draft.case_ref, opened.id)
    log.info("referral updated: %s (%s)", view.case_ref, ", ".join(sorted(c for c in changes
                                                                           if c not in PRIVATE_FIELDS)))
    return view


def change_status(ctx: AppContext, opened: ReferralView, new_status: str, *, reason: str = "",
                  by_act: bool = False) -> ReferralView:
    """Move the referral along the workflow. Withdrawing needs a reason."""
    if new_status not in REFERRAL_STATUSES:
        raise TransitionRefused(f"{new_status!r} is not a referral status")
    problem = transition_problem(opened.status, new_status, by_act=by_act)
    if problem:
        raise TransitionRefused(problem)
    reason = (reason or "").strip()
    if problem := text_problem(reason):
        raise TransitionRefused(f"the reason {problem}")
    if new_status == "withdrawn" and not reason:
        raise TransitionRefused("say why the referral is withdrawn")
    changes: dict[str, Any] = {"status": new_status}
    if new_status == "withdrawn":
        changes["withdrawn_reason"] = reason
    if new_status in ("withdrawn", "closed"):
        changes["closed_on"] = ctx.today()
    with ctx.session() as session:
        name_action(session, opened.raw_row, "status")
        row = apply_edit(session, opened.raw_row, changes)
        if new_status in ("withdrawn", "closed"):
            _close_open_offers(session, row.id)
        view = view_of(row, ctx.today())
    log.info("referral %s: %s -> %s", view.case_ref, opened.status, new_status)
    return view


def _close_open_offers(session: Session, referral_id: uuid.UUID) -> None:
    """A referral withdrawn or closed takes no offer: its open offers become not taken, each audited."""
    for offer in session.scalars(select(Offer).where(col(Offer.referral_id) == referral_id,
                                                     col(Offer.outcome) == "offered", col(Offer.status) == "open")):
        name_action(session, offer, "status")
        apply_edit(session, offer, {"status": "not_taken"})


def get_referral(ctx: AppContext, ref: str | uuid.UUID) -> ReferralView:
    """By id, or by case reference (its open referral, else its latest)."""
    with ctx.session() as session:
        row = _find(session, ref)
        if row is None:
            raise ReferralNotFound(f"no referral {ref}")
        return view_of(row, ctx.today())


def _find(session: Session, ref: str | uuid.UUID) -> Referral | None:
    if isinstance(ref, uuid.UUID):
        return session.get(Referral, ref)
    text = str(ref).strip()
    try:
        return session.get(Referral, uuid.UUID(text))
    except ValueError:
        pass
    row = _open_for_case(session, text)
    if row is None:
        row = session.scalars(select(Referral).where(col(Referral.case_ref) == text)
                              .order_by(col(Referral.date_received).desc(), col(Referral.id).desc())).first()
    return row


def withdraw(ctx: AppContext, ref: str, reason: str) -> ReferralView:
    return change_status(ctx, get_referral(ctx, ref), "withdrawn", reason=reason)


def draft_from_previous(ctx: AppContext, previous: ReferralView) -> dict[str, Any]:
    """A new request for a child who is moving, started from their previous referral."""
    values = previous.form_values()
    values.update(date_received=ctx.today(), needed_by=None, current_placement="", move_reason="")
    return values


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    action: str
    changes: dict[str, tuple[Any, Any]]


def history(ctx: AppContext, referral_id: uuid.UUID) -> list[HistoryEntry]:
    """Every change to the referral: who, when, what (oldest first)."""
    with ctx.session() as session:
        events = session.scalars(select(AuditEvent).where(col(AuditEvent.entity) == "referral",
                                                          col(AuditEvent.entity_id) == str(referral_id))
                                 .order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
        out = []
        for e in events:
            before, after = e.before or {}, e.after or {}
            keys = sorted(set(before) | set(after)) if e.action != "create" else []
            keys = [k for k in keys if k not in ("version", "updated_at", "created_at")]
            out.append(HistoryEntry(e.at, e.actor, e.action, {k: (before.get(k), after.get(k)) for k in keys}))
        return out


@dataclass(frozen=True)
class ReferralQuery:
    status: str | None = None  # a status, "open", or None for all
    broker: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralView]
    next_after: tuple[dt.date, str, uuid.UUID] | None


def list_referrals(ctx: AppContext, query: ReferralQuery, *, after: tuple[dt.date, str, uuid.UUID] | None = None,
                   size: int = 50) -> ReferralPage:
    """Referrals by urgency then needed-by date (one order: urgency follows the needed-by date), keyset paged."""
    stmt = select(Referral)
    if query.status == "open":
        stmt = stmt.where(col(Referral.status).in_(OPEN_REFERRAL_STATUSES))
    elif query.status:
        stmt = stmt.where(col(Referral.status) == query.status)
    if query.broker:
        stmt = stmt.where(col(Referral.assigned_broker) == query.broker)
    text = query.text.strip()
    if text:
        like = f"%{text.lower()}%"
        from sqlalchemy import func

        needs_text = [func.lower(Referral.disability_health), func.lower(cast(Referral.free_text_needs, String)),
                      func.lower(cast(Referral.specialist_needs, String))]
        stmt = stmt.where(or_(func.lower(Referral.case_ref).like(like), func.lower(Referral.initials).like(like),
                              *(column.like(like) for column in needs_text)))
    if after is not None:
        d, ref, rid = after
        needed_by, case_ref, referral_id = col(Referral.needed_by), col(Referral.case_ref), col(Referral.id)
        stmt = stmt.where(or_(needed_by > d,
                              and_(needed_by == d, case_ref > ref),
                              and_(needed_by == d, case_ref == ref, referral_id > rid)))
    stmt = stmt.order_by(col(Referral.needed_by), col(Referral.case_ref), col(Referral.id)).limit(size + 1)
    with ctx.session() as session:
        rows = session.scalars(stmt).all()
        views = [view_of(r, ctx.today()) for r in rows[:size]]
    nxt = None
    if len(rows) > size:
        last = views[-1]
        nxt = (last.values["needed_by"], last.case_ref, last.id)
    return ReferralPage(views, nxt)


def brokers(ctx: AppContext) -> list[str]:
    """The brokers referrals are assigned to, for the list's filter."""
    with ctx.session() as session:
        broker = col(Referral.assigned_broker)
        names = session.scalars(select(broker).where(broker != "").distinct()).all()
    return sorted(names, key=str.casefold)
