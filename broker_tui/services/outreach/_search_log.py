"""The search log per child, its CSV export, and replies overdue.

The search log lists every service a referral was sent to, when, the answer (offer, decline, no reply
yet, overdue: no reply and the deadline before today) and the reason, with the days from the referral
being received to the placement being agreed (the first audited move to placement agreed). It exports
as CSV with the case reference only (never initials or a date of birth), written readable by its owner
only (0600), for the child's reviewing officer or the court.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import AWAITING_REPLY_STATUSES, DECLINE_REASONS
from broker_tui.services.context import AppContext
from broker_tui.services.outreach._common import _referral
from broker_tui.services.private_files import write_private_csv
from broker_tui.services.referrals import ReferralView
from broker_tui.store.tables import AuditEvent, Offer, Provider, Referral, ReferralSent, Service

ANSWERS = ("offer", "decline", "no reply yet", "overdue", "no reply")  # no reply: and none awaited now


CSV_COLUMNS = ("case_ref", "date_received", "service", "provider", "sent_at", "sent_by", "reply_due_on", "answer",
               "answered_on", "reason", "weekly_price_pence", "offer_status", "placement_agreed_on",
               "days_to_placement_agreed")


@dataclass(frozen=True)
class LogEntry:
    service_id: uuid.UUID
    service_name: str
    provider_name: str
    contact: str
    sent_at: dt.datetime
    sent_by: str
    reply_due_on: dt.date
    answer: str  # ANSWERS
    answered_on: dt.date | None
    reason: str  # the decline reason (and its text), or the offer in a few words
    weekly_price_pence: int | None
    offer_status: str | None
    offer_id: uuid.UUID | None = None  # the reply's id (offer or decline), for accepting an offer from the log


@dataclass(frozen=True)
class SearchLog:
    referral_id: uuid.UUID
    case_ref: str
    status: str
    date_received: dt.date
    placement_agreed_on: dt.date | None
    days_to_placement_agreed: int | None
    entries: tuple[LogEntry, ...]


def _reason(offer: Offer) -> str:
    if offer.outcome == "declined":
        label = DECLINE_REASONS.get(offer.decline_reason or "", offer.decline_reason or "")
        return f"{label}: {offer.decline_text}" if offer.decline_text else label
    start = f" from {offer.start_date.isoformat()}" if offer.start_date else ""
    until = f", valid until {offer.valid_until.isoformat()}" if offer.valid_until else ""
    return f"{format_pence(offer.weekly_price_pence)} a week{start}{until}"


def search_log(ctx: AppContext, referral: str | uuid.UUID | ReferralView) -> SearchLog:
    """Every service approached for the referral (in the order approached), the answer and the reason."""
    view = _referral(ctx, referral)
    today = ctx.today()
    with ctx.session() as session:
        rows = session.execute(
            select(ReferralSent, col(Service.name), col(Provider.name))
            .join(Service, col(Service.id) == ReferralSent.service_id)
            .join(Provider, col(Provider.id) == Service.provider_id).where(col(ReferralSent.referral_id) == view.id)
            .order_by(col(ReferralSent.sent_at), col(ReferralSent.reply_due_on), col(Service.name),
                      col(ReferralSent.id))).all()
        replies = {o.service_id: o for o in session.scalars(
            select(Offer).where(col(Offer.referral_id) == view.id).order_by(col(Offer.received_on), col(Offer.id)))}
        events = session.scalars(select(AuditEvent).where(
            col(AuditEvent.entity) == "referral", col(AuditEvent.entity_id) == str(view.id),
            col(AuditEvent.action) == "status")
            .order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
        stored = session.get_one(Referral, view.id)  # as it stands now (the view may be older)
        received, status = stored.date_received, stored.status
    awaited = status in AWAITING_REPLY_STATUSES
    agreed = next((e.at.date() for e in events if (e.after or {}).get("status") == "placement_agreed"), None)
    entries = []
    for sent, service_name, provider_name in rows:
        reply = replies.get(sent.service_id)
        if reply is not None:
            answer = "offer" if reply.outcome == "offered" else "decline"
        else:
            answer = ("no reply" if not awaited else "overdue" if sent.reply_due_on < today else "no reply yet")
        entries.append(LogEntry(
            sent.service_id, service_name, provider_name, sent.contact, sent.sent_at, sent.sent_by, sent.reply_due_on,
            answer, reply.received_on if reply else None, _reason(reply) if reply else "",
            reply.weekly_price_pence if reply else None, reply.status if reply and reply.outcome == "offered" else None,
            reply.id if reply else None))
    return SearchLog(view.id, view.case_ref, status, received, agreed,
                     (agreed - received).days if agreed else None, tuple(entries))


def export_csv(ctx: AppContext, referral: str | uuid.UUID | ReferralView, path: str | Path) -> int:
    """Write the search log as CSV (case reference only), readable by its owner only. Returns the rows written."""
    log = search_log(ctx, referral)
    write_private_csv(path, CSV_COLUMNS, (
        [log.case_ref, log.date_received.isoformat(), e.service_name, e.provider_name,
                         e.sent_at.isoformat(timespec="minutes"), e.sent_by, e.reply_due_on.isoformat(), e.answer,
                         e.answered_on.isoformat() if e.answered_on else "", e.reason,
                         "" if e.weekly_price_pence is None else e.weekly_price_pence, e.offer_status or "",
                         log.placement_agreed_on.isoformat() if log.placement_agreed_on else "",
                         "" if log.days_to_placement_agreed is None else log.days_to_placement_agreed]
        for e in log.entries))
    return len(log.entries)


@dataclass(frozen=True)
class OverdueReply:
    referral_id: uuid.UUID
    case_ref: str
    service_id: uuid.UUID
    service_name: str
    contact: str
    sent_at: dt.datetime
    reply_due_on: dt.date
    days_overdue: int


def overdue_replies(ctx: AppContext) -> list[OverdueReply]:
    """Open referrals sent to a service whose reply deadline is before today, with no reply from it;
    longest overdue first."""
    today = ctx.today()
    replied = select(col(Offer.id)).where(col(Offer.referral_id) == ReferralSent.referral_id,
                                          col(Offer.service_id) == ReferralSent.service_id).exists()
    stmt = (select(ReferralSent, col(Referral.case_ref), col(Service.name))
            .join(Referral, col(Referral.id) == ReferralSent.referral_id)
            .join(Service, col(Service.id) == ReferralSent.service_id)
            .where(col(ReferralSent.reply_due_on) < today, col(Referral.status).in_(AWAITING_REPLY_STATUSES),
                   ~replied)
            .order_by(col(ReferralSent.reply_due_on), col(Referral.case_ref), col(Service.name)))
    with ctx.session() as session:
        return [OverdueReply(s.referral_id, case_ref, s.service_id, name, s.contact, s.sent_at, s.reply_due_on,
                             (today - s.reply_due_on).days) for s, case_ref, name in session.execute(stmt)]
