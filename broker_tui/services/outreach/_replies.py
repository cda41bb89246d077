"""A provider's reply: a decline with its reason, or an offer whose price parts add up to its weekly price
(or say why not). Only from a service the referral was sent to, once per service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.money import pence_problem
from broker_tui.domain.text_rules import text_problem, text_problems
from broker_tui.domain.vocabulary import DECLINE_REASONS, OPEN_REFERRAL_STATUSES, WEEKLY_PRICE_PARTS
from broker_tui.services.context import AppContext
from broker_tui.services.outreach._common import (
    OutreachRefused,
    _current,
    _is_int,
    _move,
    _referral,
    _service_or_refuse,
    log,
)
from broker_tui.services.referrals import ReferralView
from broker_tui.store.tables import Offer, ReferralSent, Service

PART_KEYS = tuple(WEEKLY_PRICE_PARTS)


PARTS_NOTE_PREFIX = "Price parts: "


DECLINED = "declined"  # the status of a decline (offers are open, accepted, not_taken, withdrawn or expired)


@dataclass(frozen=True)
class OfferInput:
    """An offer as a provider made it. Every amount is integer pence a week."""

    weekly_price_pence: int
    start_date: dt.date
    valid_until: dt.date
    core_weekly_pence: int | None = None
    staffing_weekly_pence: int | None = None
    education_weekly_pence: int | None = None
    therapy_weekly_pence: int | None = None
    solo_premium_weekly_pence: int | None = None
    parts_note: str = ""  # why the parts do not add up to the weekly price (when they do not)
    conditions: str = ""
    received_on: dt.date | None = None  # today when None

    def parts(self) -> dict[str, int | None]:
        return {k: getattr(self, k) for k in PART_KEYS}


@dataclass(frozen=True)
class ReplyRecord:
    id: uuid.UUID
    referral_id: uuid.UUID
    service_id: uuid.UUID
    outcome: str  # offered | declined
    status: str
    referral_status: str
    raw_row: Any = field(default=None, repr=False, compare=False)


def _sent_for(session: Session, referral_id: uuid.UUID, service: Service) -> ReferralSent:
    sent = session.scalars(select(ReferralSent).where(col(ReferralSent.referral_id) == referral_id,
                                                      col(ReferralSent.service_id) == service.id)).first()
    if sent is None:
        raise OutreachRefused({"service": f"the referral was not sent to {service.name}"})
    replied = session.scalars(select(Offer).where(col(Offer.referral_id) == referral_id,
                                                  col(Offer.service_id) == service.id)).first()
    if replied is not None:
        raise OutreachRefused({"service": f"{service.name} already replied ({replied.outcome} on "
                                          f"{replied.received_on.isoformat()})"})
    return sent


def _received_on(ctx: AppContext, received_on: dt.date | None) -> dt.date:
    day = received_on or ctx.today()
    if day > ctx.today():
        raise OutreachRefused({"received_on": f"{day.isoformat()} is in the future"})
    return day


def record_decline(ctx: AppContext, referral: str | uuid.UUID | ReferralView, service: str | uuid.UUID,
                   reason_code: str, text: str = "", *, received_on: dt.date | None = None) -> ReplyRecord:
    """Record that a service declined, with a coded reason (vocabulary.DECLINE_REASONS; 'other' needs text)."""
    text = (text or "").strip()
    if problem := text_problem(text):
        raise OutreachRefused({"text": problem})
    if reason_code not in DECLINE_REASONS:
        raise OutreachRefused({"reason": f"{reason_code!r} is not a decline reason; known: "
                                         f"{', '.join(DECLINE_REASONS)}"})
    if reason_code == "other" and not text:
        raise OutreachRefused({"text": "say why the service declined (the reason is 'other')"})
    view = _referral(ctx, referral)
    day = _received_on(ctx, received_on)
    with ctx.session() as session:
        current = _current(session, view, OPEN_REFERRAL_STATUSES, "takes no more replies")
        svc = _service_or_refuse(session, service)
        sent = _sent_for(session, view.id, svc)
        row = Offer(referral_id=view.id, service_id=svc.id, referral_sent_id=sent.id, received_on=day,
                    outcome="declined", decline_reason=reason_code, decline_text=text or None, status=DECLINED)
        session.add(row)
        session.flush()
        reply = ReplyRecord(row.id, view.id, svc.id, "declined", row.status, current.status, row)
    log.info("%s: a provider declined (%s)", view.case_ref, reason_code)
    return reply


def check_offer(offer: OfferInput, today: dt.date) -> dict[str, str]:
    """The problems with an offer, field by field (empty when it can be recorded)."""
    problems = dict(text_problems({"conditions": offer.conditions, "parts_note": offer.parts_note}))
    if not _is_int(offer.weekly_price_pence) or offer.weekly_price_pence <= 0:
        problems["weekly_price_pence"] = "must be a whole number of pence above 0"
    elif too_much := pence_problem(offer.weekly_price_pence):
        problems["weekly_price_pence"] = too_much
    for k, v in offer.parts().items():
        if v is not None and (not _is_int(v) or v < 0):
            problems[k] = "must be a whole number of pence, 0 or more"
        elif v is not None and (too_much := pence_problem(v)):
            problems[k] = too_much
    if not problems:
        total = sum(v or 0 for v in offer.parts().values())
        if total != offer.weekly_price_pence and not offer.parts_note.strip():
            problems["parts"] = (f"the parts add up to {total} pence, not the weekly price of "
                                 f"{offer.weekly_price_pence}: correct them or say why (parts_note)")
    received = offer.received_on or today
    if offer.valid_until < today:
        problems["valid_until"] = f"{offer.valid_until.isoformat()} has passed: the offer has expired"
    if offer.start_date < received:
        problems["start_date"] = f"{offer.start_date.isoformat()} is before the offer was received"
    if received > today:
        problems["received_on"] = f"{received.isoformat()} is in the future"
    return problems


def record_offer(ctx: AppContext, referral: str | uuid.UUID | ReferralView, service: str | uuid.UUID,
                 offer: OfferInput) -> ReplyRecord:
    """Record a service's offer and move the referral to offers received (by act)."""
    problems = check_offer(offer, ctx.today())
    if problems:
        raise OutreachRefused(problems)
    view = _referral(ctx, referral)
    conditions = offer.conditions.strip()
    if offer.parts_note.strip():
        conditions = "\n".join(x for x in (conditions, PARTS_NOTE_PREFIX + offer.parts_note.strip()) if x)
    with ctx.session() as session:
        current = _current(session, view, ("sent_to_providers", "offers_received"), "cannot take an offer")
        svc = _service_or_refuse(session, service)
        sent = _sent_for(session, view.id, svc)
        row = Offer(referral_id=view.id, service_id=svc.id, referral_sent_id=sent.id,
                    received_on=offer.received_on or ctx.today(), outcome="offered",
                    weekly_price_pence=offer.weekly_price_pence, start_date=offer.start_date,
                    valid_until=offer.valid_until, conditions=conditions, status="open",
                    core_weekly_pence=offer.core_weekly_pence, staffing_weekly_pence=offer.staffing_weekly_pence,
                    education_weekly_pence=offer.education_weekly_pence, therapy_weekly_pence=offer.therapy_weekly_pence,
                    solo_premium_weekly_pence=offer.solo_premium_weekly_pence)
        session.add(row)
        session.flush()
        status = current.status
        if status == "sent_to_providers":
            status = _move(ctx, session, current, "offers_received", by_act=True).status
        reply = ReplyRecord(row.id, view.id, svc.id, "offered", row.status, status, row)
    log.info("%s: offer recorded", view.case_ref)
    return reply
