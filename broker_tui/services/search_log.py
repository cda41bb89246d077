"""What came back from a search: the search log per child, overdue replies, and offers side by side.

The search log lists every service a referral was sent to, when, the answer (offer, decline, no reply
yet, overdue: no reply and the deadline before today) and the reason, with the days from the referral
being received to the placement being agreed (the first audited move to placement agreed). It exports
as CSV with the case reference only (never initials or a date of birth), written readable by its owner
only (0600), for the child's reviewing officer or the court.

``compare_offers`` puts a referral's offers side by side with what matching says of each service for
this child (services.matching: fit score and its parts, approvals, distance) and its quality judgement.
services.outreach re-exports ``compare_offers`` and ``overdue_replies`` with the acts that write.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from broker_tui.domain.matching import rank
from broker_tui.domain.matching_arrays import MarketArrays
from broker_tui.domain.matching_request import request_from_referral
from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import AWAITING_REPLY_STATUSES, DECLINE_REASONS, judgement_label
from broker_tui.services.context import AppContext
from broker_tui.services.matching import config_for, load_market
from broker_tui.services.private_files import write_private
from broker_tui.services.referral_views import ReferralView
from broker_tui.services.referrals import get_referral
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


def _referral(ctx: AppContext, referral: str | uuid.UUID | ReferralView) -> ReferralView:
    return referral if isinstance(referral, ReferralView) else get_referral(ctx, referral)


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
            select(ReferralSent, Service.name, Provider.name).join(Service, Service.id == ReferralSent.service_id)
            .join(Provider, Provider.id == Service.provider_id).where(ReferralSent.referral_id == view.id)
            .order_by(ReferralSent.sent_at, ReferralSent.reply_due_on, Service.name, ReferralSent.id)).all()
        replies = {o.service_id: o for o in session.scalars(
            select(Offer).where(Offer.referral_id == view.id).order_by(Offer.received_on, Offer.id))}
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "referral", AuditEvent.entity_id == str(view.id), AuditEvent.action == "status")
            .order_by(AuditEvent.at, AuditEvent.id)).all()
        stored = session.get(Referral, view.id)  # as it stands now (the view may be older)
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
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in log.entries:
        writer.writerow([log.case_ref, log.date_received.isoformat(), e.service_name, e.provider_name,
                         e.sent_at.isoformat(timespec="minutes"), e.sent_by, e.reply_due_on.isoformat(), e.answer,
                         e.answered_on.isoformat() if e.answered_on else "", e.reason,
                         "" if e.weekly_price_pence is None else e.weekly_price_pence, e.offer_status or "",
                         log.placement_agreed_on.isoformat() if log.placement_agreed_on else "",
                         "" if log.days_to_placement_agreed is None else log.days_to_placement_agreed])
    write_private(path, out.getvalue())  # readable by its owner only, also when it was there before
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
    replied = select(Offer.id).where(Offer.referral_id == ReferralSent.referral_id,
                                     Offer.service_id == ReferralSent.service_id).exists()
    stmt = (select(ReferralSent, Referral.case_ref, Service.name)
            .join(Referral, Referral.id == ReferralSent.referral_id)
            .join(Service, Service.id == ReferralSent.service_id)
            .where(ReferralSent.reply_due_on < today, Referral.status.in_(AWAITING_REPLY_STATUSES), ~replied)
            .order_by(ReferralSent.reply_due_on, Referral.case_ref, Service.name))
    with ctx.session() as session:
        return [OverdueReply(s.referral_id, case_ref, s.service_id, name, s.contact, s.sent_at, s.reply_due_on,
                             (today - s.reply_due_on).days) for s, case_ref, name in session.execute(stmt)]


@dataclass(frozen=True)
class OfferRow:
    """One offer beside the others, with what matching says of the service for this child."""

    offer_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    provider_name: str
    status: str  # open | accepted | not_taken | withdrawn | expired
    received_on: dt.date
    weekly_price_pence: int
    parts: dict[str, int | None]
    start_date: dt.date | None
    conditions: str
    valid_until: dt.date | None
    expired: bool
    over_budget_pence: int | None  # the offered price less the budget (negative: under)
    quality: str  # the judgement on its own scale
    fit_score: float | None  # matching's total (None: the service is excluded now, see excluded_reasons)
    score_parts: dict[str, float] = field(default_factory=dict)
    miles: float | None = None
    in_area: bool | None = None
    approvals: tuple[str, ...] = ()
    explanation: str = ""
    excluded_reasons: tuple[str, ...] = ()
    raw_row: Any = field(default=None, repr=False, compare=False)  # the offer as read, for accept_offer

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "raw_row"}
        for k, v in out.items():
            if isinstance(v, dt.date | uuid.UUID):
                out[k] = v.isoformat() if isinstance(v, dt.date) else str(v)
            elif isinstance(v, tuple):
                out[k] = list(v)
        return out


def _matching(ctx: AppContext, view: ReferralView, service_ids: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Matching's view of just these services for the referral: ranked results and exclusions by id."""
    if view.age_years is None or not service_ids:
        return {}, {}
    market = load_market(ctx)
    subset = [s for s in market.arrays.services if s.id in service_ids]
    if not subset:
        return {}, {}
    request = request_from_referral(view.values, age_years=view.age_years, eighteenth_birthday=view.eighteenth_birthday,
                                    today=ctx.today(), district=market.district)
    config = config_for(ctx, market, top_n=len(subset), show_full=True)
    result = rank(MarketArrays.build(subset), request, config)
    return {r.service.id: r for r in result.results}, {e.service.id: e for e in result.excluded}


def compare_offers(ctx: AppContext, referral: str | uuid.UUID | ReferralView) -> list[OfferRow]:
    """The referral's offers (not the declines) side by side, cheapest first: price and parts, fit score and
    approvals, distance, quality, valid until and whether the offer has expired."""
    view = _referral(ctx, referral)
    today = ctx.today()
    with ctx.session() as session:
        rows = session.execute(
            select(Offer, Service, Provider.name).join(Service, Service.id == Offer.service_id)
            .join(Provider, Provider.id == Service.provider_id)
            .where(Offer.referral_id == view.id, Offer.outcome == "offered")
            .order_by(Offer.weekly_price_pence, Service.name, Offer.id)).all()
    ranked, excluded = _matching(ctx, view, {str(svc.id) for _o, svc, _p in rows})
    budget = view.values.get("budget_weekly_pence")
    out = []
    for offer, svc, provider_name in rows:
        r, e = ranked.get(str(svc.id)), excluded.get(str(svc.id))
        reasons = tuple(e.reasons) if e else (() if r else ("not in the market matching reads (archived)",))
        out.append(OfferRow(
            offer.id, svc.id, svc.name, provider_name, offer.status, offer.received_on, offer.weekly_price_pence or 0,
            {k: getattr(offer, k) for k in ("core_weekly_pence", "staffing_weekly_pence", "education_weekly_pence",
                                            "therapy_weekly_pence", "solo_premium_weekly_pence")},
            offer.start_date, offer.conditions, offer.valid_until,
            offer.valid_until is not None and offer.valid_until < today,
            None if budget is None else (offer.weekly_price_pence or 0) - budget,
            judgement_label(svc.ofsted_grade, svc.sa_outcome, svc.service_type),
            r.score if r else None, dataclasses.asdict(r.parts) if r else {}, r.miles if r else None,
            r.in_area if r else None, tuple(r.approvals) if r else (), r.explanation if r else "", reasons, offer))
    return out
