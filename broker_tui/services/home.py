"""Today's work for the home screen: open referrals by status, contracts ending soon, overdue QA actions,
replies past their deadline.

Two paths give the same answer. On a SQLite file the light path reads with the stdlib's sqlite3
(``store/quick.py``) so the first frame paints before SQLAlchemy is imported; elsewhere (PostgreSQL,
in-memory SQLite) the same queries run through SQLAlchemy Core.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from broker_tui.domain.dates import add_months
from broker_tui.domain.vocabulary import AWAITING_REPLY_STATUSES, OPEN_REFERRAL_STATUSES, REFERRAL_STATUSES
from broker_tui.services.context import AppContext

ENDING_WITHIN_MONTHS = 6
SHORT_LIST = 5


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class OpenReferral:
    case_ref: str
    initials: str
    status_label: str
    needed_by: dt.date
    emergency: bool


@dataclass(frozen=True)
class EndingContract:
    reference: str
    name: str
    provider_name: str
    ends_on: dt.date
    days_left: int


@dataclass(frozen=True)
class OverdueAction:
    about: str  # the service, contract or provider the QA note is about
    description: str
    owner: str
    due_on: dt.date
    days_overdue: int


@dataclass(frozen=True)
class OverdueReply:
    referral_id: str  # the referral's id as text (for opening it)
    case_ref: str
    initials: str
    service_name: str
    provider_name: str
    reply_due_on: dt.date
    days_overdue: int


@dataclass(frozen=True)
class TodaysWork:
    today: dt.date
    referrals_by_status: tuple[StatusCount, ...]  # every open status, in the vocabulary's order
    needed_soonest: tuple[OpenReferral, ...]
    contracts_ending_count: int
    contracts_ending: tuple[EndingContract, ...]
    overdue_actions_count: int
    overdue_actions: tuple[OverdueAction, ...]
    replies_overdue: int
    services_listed: int
    overdue_replies: tuple[OverdueReply, ...] = ()  # the longest overdue first, at most SHORT_LIST

    @property
    def open_referrals(self) -> int:
        return sum(s.count for s in self.referrals_by_status)


def todays_work(ctx: AppContext, *, light: bool | None = None) -> TodaysWork:
    """Today's work. ``light`` forces a path (tests compare them); by default SQLite files go light."""
    if light is None:
        light = ctx.location.path is not None
    raw = _read_light(ctx) if light else _read_sqlalchemy(ctx)
    return _assemble(ctx.today(), raw)


def todays_work_ahead(ctx: AppContext) -> Future[TodaysWork]:
    """Today's work read in a thread from now on, for the app's first frame: started before the UI is
    imported, the read (mostly in SQLite, which lets go of the interpreter) overlaps Textual's start."""
    future: Future[TodaysWork] = Future()

    def read() -> None:
        try:
            future.set_result(todays_work(ctx))
        except BaseException as exc:  # noqa: BLE001  (the home screen reports it)
            future.set_exception(exc)

    threading.Thread(target=read, name="home-prefetch", daemon=True).start()
    return future


def _window(today: dt.date) -> tuple[str, str]:
    return today.isoformat(), add_months(today, ENDING_WITHIN_MONTHS).isoformat()


def _read_light(ctx: AppContext) -> dict[str, Any]:
    from broker_tui.store import quick

    assert ctx.location.path is not None, "the light path reads a SQLite file"
    today, until = _window(ctx.today())
    with quick.read_only(ctx.location.path) as con:
        return {
            "statuses": quick.referral_status_counts(con, OPEN_REFERRAL_STATUSES),
            "soonest": quick.referrals_needed_soonest(con, OPEN_REFERRAL_STATUSES, SHORT_LIST),
            "ending": quick.contracts_ending(con, today, until, SHORT_LIST),
            "overdue": quick.overdue_actions(con, today, SHORT_LIST),
            "replies": quick.replies_overdue(con, today, AWAITING_REPLY_STATUSES),
            "replies_list": quick.overdue_replies(con, today, AWAITING_REPLY_STATUSES, SHORT_LIST),
            "services": quick.services_listed(con),
        }


def _read_sqlalchemy(ctx: AppContext) -> dict[str, Any]:
    from sqlalchemy import and_, exists, func, select
    from sqlalchemy.orm import aliased
    from sqlmodel import col

    from broker_tui.services.quality import note_is_current
    from broker_tui.store.tables import (
        BlockContract,
        Offer,
        Provider,
        QAAction,
        QANote,
        Referral,
        ReferralSent,
    )
    from broker_tui.store.tables import Service as S

    today = ctx.today()
    until = add_months(today, ENDING_WITHIN_MONTHS)
    opened = col(Referral.status).in_(OPEN_REFERRAL_STATUSES)
    ending = and_(col(BlockContract.status) == "active", col(BlockContract.ends_on) >= today,
                  col(BlockContract.ends_on) <= until)
    # open actions of current notes only: a done or cancelled action, or one left with a superseded note,
    # is not overdue work (services.quality reads them the same way)
    overdue = and_(col(QAAction.status) == "open", col(QAAction.due_on) < today, note_is_current())
    about = aliased(BlockContract)
    about_provider = aliased(Provider)
    no_reply = ~exists().where(col(Offer.referral_id) == ReferralSent.referral_id,
                               col(Offer.service_id) == ReferralSent.service_id)
    reply_overdue = and_(col(ReferralSent.reply_due_on) < today,
                         col(Referral.status).in_(AWAITING_REPLY_STATUSES), no_reply)
    with ctx.engine.connect() as con:
        return {
            "statuses": [tuple(r) for r in con.execute(
                select(col(Referral.status), func.count()).where(opened).group_by(col(Referral.status)))],
            "soonest": [(c, i, s, n, bool(e)) for c, i, s, n, e in con.execute(
                select(col(Referral.case_ref), col(Referral.initials), col(Referral.status),
                       col(Referral.needed_by), col(Referral.emergency)).where(opened)
                .order_by(col(Referral.needed_by), col(Referral.case_ref)).limit(SHORT_LIST))],
            "ending": (con.execute(select(func.count()).select_from(BlockContract).where(ending)).scalar_one(),
                       [tuple(r) for r in con.execute(
                           select(col(BlockContract.reference), col(BlockContract.name), col(Provider.name),
                                  col(BlockContract.ends_on))
                           .join(Provider, col(Provider.id) == BlockContract.provider_id).where(ending)
                           .order_by(col(BlockContract.ends_on), col(BlockContract.reference))
                           .limit(SHORT_LIST))]),
            "overdue": (con.execute(select(func.count()).select_from(QAAction)
                                    .join(QANote, col(QANote.id) == QAAction.qa_note_id).where(overdue)).scalar_one(),
                        [tuple(r) for r in con.execute(
                            select(func.coalesce(S.name, about.name, about_provider.name, ""),
                                   col(QAAction.description),
                                   col(QAAction.owner), col(QAAction.due_on))
                            .join(QANote, col(QANote.id) == QAAction.qa_note_id)
                            .outerjoin(S, col(S.id) == QANote.service_id)
                            .outerjoin(about, col(about.id) == QANote.block_contract_id)
                            .outerjoin(about_provider, col(about_provider.id) == QANote.provider_id)
                            .where(overdue)
                            .order_by(col(QAAction.due_on), col(QAAction.owner), col(QAAction.description))
                            .limit(SHORT_LIST))]),
            "replies": con.execute(
                select(func.count()).select_from(ReferralSent)
                .join(Referral, col(Referral.id) == ReferralSent.referral_id).where(reply_overdue)).scalar_one(),
            "replies_list": [tuple(r) for r in con.execute(
                select(col(ReferralSent.referral_id), col(Referral.case_ref), col(Referral.initials),
                       col(S.name), col(Provider.name), col(ReferralSent.reply_due_on))
                .join(Referral, col(Referral.id) == ReferralSent.referral_id)
                .join(S, col(S.id) == ReferralSent.service_id).join(Provider, col(Provider.id) == S.provider_id)
                .where(reply_overdue)
                .order_by(col(ReferralSent.reply_due_on), col(Referral.case_ref), col(S.name))
                .limit(SHORT_LIST))],
            "services": con.execute(select(func.count()).select_from(S).where(
                col(S.in_register).is_(True), col(S.archived_on).is_(None))).scalar_one(),
        }


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value[:10])


def _id(value: uuid.UUID | str) -> str:
    """A key as text, the same from both paths (SQLite holds it as 32 hex digits)."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _assemble(today: dt.date, raw: dict[str, Any]) -> TodaysWork:
    counts = dict(raw["statuses"])
    ending_total, ending = raw["ending"]
    overdue_total, overdue = raw["overdue"]
    return TodaysWork(
        today=today,
        referrals_by_status=tuple(StatusCount(s, REFERRAL_STATUSES[s], int(counts.get(s, 0)))
                                  for s in OPEN_REFERRAL_STATUSES),
        needed_soonest=tuple(OpenReferral(c, i, REFERRAL_STATUSES.get(s, s), _date(n), e)
                             for c, i, s, n, e in raw["soonest"]),
        contracts_ending_count=int(ending_total),
        contracts_ending=tuple(EndingContract(r, n, p, _date(e), (_date(e) - today).days)
                               for r, n, p, e in ending),
        overdue_actions_count=int(overdue_total),
        overdue_actions=tuple(OverdueAction(a, d, o, _date(due), (today - _date(due)).days)
                              for a, d, o, due in overdue),
        replies_overdue=int(raw["replies"]),
        services_listed=int(raw["services"]),
        overdue_replies=tuple(OverdueReply(_id(i), c, n, s, p, _date(due), (today - _date(due)).days)
                              for i, c, n, s, p, due in raw["replies_list"]),
    )
