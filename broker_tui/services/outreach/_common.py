"""What the acts of outreach share: the referral read for an act, the status move it makes, the refusal.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.referrals.rules import transition_problem
from broker_tui.services.context import AppContext
from broker_tui.services.referrals import ReferralNotFound, ReferralView, TransitionRefused, get_referral
from broker_tui.store.audit import name_action
from broker_tui.store.errors import RuleBroken, StaleEdit
from broker_tui.store.tables import Referral, Service
from broker_tui.store.versioning import apply_edit, changed_fields

log = logging.getLogger(__name__)


class OutreachRefused(ValueError):
    """The request cannot be done as asked: ``problems`` maps each field to a message."""

    def __init__(self, problems: dict[str, str] | str):
        self.problems = problems if isinstance(problems, dict) else {"": problems}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.problems.items()))


@contextmanager
def rules_refuse(messages: dict[str, tuple[str, str]]) -> Iterator[None]:
    """A rule the database holds, broken by a write racing someone else's, as OutreachRefused: ``messages``
    maps the rule (store.rules) to the field and the words the broker reads. Put it outside the session."""
    try:
        yield
    except RuleBroken as exc:
        if exc.rule not in messages:
            raise
        raise OutreachRefused(dict([messages[exc.rule]])) from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _referral(ctx: AppContext, referral: str | uuid.UUID | ReferralView) -> ReferralView:
    return referral if isinstance(referral, ReferralView) else get_referral(ctx, referral)


def _current(session: Session, view: ReferralView, allowed: tuple[str, ...], what: str) -> Referral:
    """The referral as stored now, if it is still the version the caller opened (else StaleEdit) and its
    status is one of ``allowed`` (else TransitionRefused)."""
    row = session.get(Referral, view.id, populate_existing=True)
    if row is None:
        raise ReferralNotFound(f"no referral {view.id}")
    if row.version != view.version:
        raise StaleEdit("referral", changed_fields(view.raw_row, row))
    if row.status not in allowed:
        raise TransitionRefused(f"a referral that is {row.status.replace('_', ' ')} {what}")
    return row


def _move(ctx: AppContext, session: Session, opened: Referral, new_status: str, *, by_act: bool) -> Referral:
    """Move the referral (as opened) to ``new_status`` in this transaction, audited. Raises
    TransitionRefused or StaleEdit."""
    current = session.get(Referral, opened.id)
    problem = transition_problem(current.status if current else opened.status, new_status, by_act=by_act)
    if problem:
        raise TransitionRefused(problem)
    name_action(session, opened, "status")
    row = apply_edit(session, opened, {"status": new_status})
    return row


def resolve_service(session: Session, ref: str | uuid.UUID) -> Service | None:
    """A service by id or by Ofsted URN."""
    try:
        return session.get(Service, ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref).strip()))
    except ValueError:
        return session.scalars(select(Service).where(col(Service.ofsted_urn) == str(ref).strip())).first()


def _service_or_refuse(session: Session, ref: str | uuid.UUID) -> Service:
    svc = resolve_service(session, ref)
    if svc is None:
        raise OutreachRefused({"service": f"no service {ref}"})
    return svc
