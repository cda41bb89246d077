"""Working the offers: send a referral to shortlisted services, record the declines and offers that
come back, compare the offers side by side, accept one.

The shortlist is whatever list of service ids the caller holds. Every change runs in one transaction
with its audit events; a save over a newer save is refused (store.versioning.apply_edit). Money is
integer pence; dates are dates (ISO in storage and audit).

Statuses move by act (domain.referral_rules.ACT_TRANSITIONS):
- sending: a *new* referral first becomes *searching* (a manual step the rules allow, audited as its own
  status event), then *sent to providers*; sending more while it is *sent to providers* or *offers
  received* leaves the status as it is (offers already in stay visible as offers received);
- the first offer moves *sent to providers* to *offers received*; a decline changes no status;
- accepting an offer makes it *accepted*, the other open offers *not taken*, and the referral
  *placement agreed*. The accepted offer keeps its figures for the purchase record a later issue adds.

A reply (offer or decline) is recorded only from a service the referral was sent to, once per service.
An offer's price parts must add up to its weekly price, or the offer says why not (``parts_note``,
kept at the end of its conditions as "Price parts: ...", the offer table having no column of its own).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from broker_tui.domain.provider_text import provider_text
from broker_tui.domain.referral_rules import transition_problem
from broker_tui.domain.vocabulary import DECLINE_REASONS, OPEN_REFERRAL_STATUSES
from broker_tui.services.audit import record, snapshot
from broker_tui.services.context import AppContext
from broker_tui.services.referral_views import ReferralView, view_of
from broker_tui.services.referrals import ReferralNotFound, TransitionRefused, get_referral
from broker_tui.services.search_log import OfferRow, OverdueReply, compare_offers, overdue_replies
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import LocalAuthority, Offer, Provider, Referral, ReferralSent, Service
from broker_tui.store.versioning import apply_edit, changed_fields

__all__ = ["OfferInput", "OfferRow", "OutreachRefused", "OverdueReply", "ReferralNotFound", "SentRecord", "StaleEdit",
           "TransitionRefused", "accept_offer", "compare_offers", "overdue_replies", "record_decline", "record_offer",
           "send_referral"]
log = logging.getLogger(__name__)
PART_KEYS = ("core_weekly_pence", "staffing_weekly_pence", "education_weekly_pence", "therapy_weekly_pence",
             "solo_premium_weekly_pence")
PARTS_NOTE_PREFIX = "Price parts: "
DECLINED = "declined"  # the status of a decline (offers are open, accepted, not_taken, withdrawn or expired)


class OutreachRefused(ValueError):
    """The request cannot be done as asked: ``problems`` maps each field to a message."""

    def __init__(self, problems: dict[str, str] | str):
        self.problems = problems if isinstance(problems, dict) else {"": problems}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.problems.items()))


@dataclass(frozen=True)
class SentRecord:
    id: uuid.UUID
    referral_id: uuid.UUID
    case_ref: str
    service_id: uuid.UUID
    service_name: str
    provider_name: str
    contact: str  # the provider's referral contact (name and email as far as known); "" when none is recorded
    sent_at: dt.datetime
    sent_by: str
    reply_due_on: dt.date
    provider_text: str


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
    before = snapshot(current)
    row = apply_edit(session, opened, {"status": new_status})
    record(session, actor=ctx.actor, at=ctx.clock.now(), entity="referral", entity_id=row.id, action="status",
           before=before, after=snapshot(row))
    return row


def contact_of(provider: Provider | None) -> str:
    if provider is None:
        return ""
    name, email = provider.referral_contact_name, provider.referral_email
    if name and email:
        return f"{name} <{email}>"
    return name or email or provider.referral_phone or ""


def resolve_service(session: Session, ref: str | uuid.UUID) -> Service | None:
    """A service by id or by Ofsted URN."""
    try:
        return session.get(Service, ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref).strip()))
    except ValueError:
        return session.scalars(select(Service).where(Service.ofsted_urn == str(ref).strip())).first()


def text_for(ctx: AppContext, view: ReferralView, reply_due_on: dt.date) -> str:
    """The anonymised provider text for a referral (case reference, never initials or date of birth)."""
    codes = [a.get("code") for a in view.values.get("avoid_areas") or () if a.get("kind") == "la"]
    names: dict[str, str] = {}
    if codes:
        with ctx.session() as session:
            names = dict(session.execute(select(LocalAuthority.ons_code, LocalAuthority.name)
                                         .where(LocalAuthority.ons_code.in_(codes))).all())
    return provider_text(view.values, age_years=view.age_years, reply_due_on=reply_due_on,
                         home_la_name=ctx.settings.home.la_name, la_names=names)


def send_referral(ctx: AppContext, referral: str | uuid.UUID | ReferralView, service_ids: list[str | uuid.UUID],
                  reply_due_on: dt.date, *, sent_by: str | None = None) -> list[SentRecord]:
    """Send the referral to each service: record who it went to (the provider's referral contact), when,
    the reply deadline and the text as sent; audit each; move the referral to sent to providers.
    Refuses a past reply date, an unknown or archived service, and a service it was already sent to."""
    view = _referral(ctx, referral)
    today = ctx.today()
    if reply_due_on < today:
        raise OutreachRefused({"reply_due_on": f"{reply_due_on.isoformat()} is in the past"})
    wanted = list(dict.fromkeys(str(s).strip() for s in service_ids if str(s).strip()))
    if not wanted:
        raise OutreachRefused({"service_ids": "choose at least one service to send the referral to"})
    text = text_for(ctx, view, reply_due_on)
    now, who = ctx.clock.now(), sent_by or ctx.actor
    out: list[SentRecord] = []
    with ctx.session() as session:
        current = _current(session, view, ("new", "searching", "sent_to_providers", "offers_received"),
                           "cannot be sent to providers")
        already = set(session.scalars(select(ReferralSent.service_id).where(ReferralSent.referral_id == view.id)))
        problems: dict[str, str] = {}
        services = []
        for ref in wanted:
            svc = resolve_service(session, ref)
            if svc is None:
                problems[ref] = "no such service"
            elif svc.archived_on is not None:
                problems[ref] = f"{svc.name} is archived"
            elif svc.id in already:
                problems[ref] = f"the referral was already sent to {svc.name}"
            else:
                services.append(svc)
        if problems:
            raise OutreachRefused(problems)
        if current.status == "new":
            current = _move(ctx, session, current, "searching", by_act=False)
        if current.status == "searching":
            _move(ctx, session, current, "sent_to_providers", by_act=True)
        for svc in services:
            provider = session.get(Provider, svc.provider_id)
            row = ReferralSent(referral_id=view.id, service_id=svc.id, sent_at=now, sent_by=who,
                               contact=contact_of(provider), reply_due_on=reply_due_on, provider_text=text)
            session.add(row)
            session.flush()
            record(session, actor=ctx.actor, at=now, entity="referral_sent", entity_id=row.id, action="create",
                   after=snapshot(row))
            out.append(SentRecord(row.id, view.id, view.case_ref, svc.id, svc.name,
                                  provider.name if provider else "", row.contact, now, who, reply_due_on, text))
    log.info("sent %s to %d providers: %s", view.case_ref, len(out), "; ".join(
        f"{r.service_name} ({r.contact or 'no referral contact'})" for r in out))
    return out


def _sent_for(session: Session, referral_id: uuid.UUID, service: Service) -> ReferralSent:
    sent = session.scalars(select(ReferralSent).where(ReferralSent.referral_id == referral_id,
                                                      ReferralSent.service_id == service.id)).first()
    if sent is None:
        raise OutreachRefused({"service": f"the referral was not sent to {service.name}"})
    replied = session.scalars(select(Offer).where(Offer.referral_id == referral_id,
                                                  Offer.service_id == service.id)).first()
    if replied is not None:
        raise OutreachRefused({"service": f"{service.name} already replied ({replied.outcome} on "
                                          f"{replied.received_on.isoformat()})"})
    return sent


def _service_or_refuse(session: Session, ref: str | uuid.UUID) -> Service:
    svc = resolve_service(session, ref)
    if svc is None:
        raise OutreachRefused({"service": f"no service {ref}"})
    return svc


def _received_on(ctx: AppContext, received_on: dt.date | None) -> dt.date:
    day = received_on or ctx.today()
    if day > ctx.today():
        raise OutreachRefused({"received_on": f"{day.isoformat()} is in the future"})
    return day


def record_decline(ctx: AppContext, referral: str | uuid.UUID | ReferralView, service: str | uuid.UUID,
                   reason_code: str, text: str = "", *, received_on: dt.date | None = None) -> ReplyRecord:
    """Record that a service declined, with a coded reason (vocabulary.DECLINE_REASONS; 'other' needs text)."""
    text = (text or "").strip()
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
        record(session, actor=ctx.actor, at=ctx.clock.now(), entity="offer", entity_id=row.id, action="create",
               after=snapshot(row))
        reply = ReplyRecord(row.id, view.id, svc.id, "declined", row.status, current.status, row)
    log.info("%s: a provider declined (%s)", view.case_ref, reason_code)
    return reply


def check_offer(offer: OfferInput, today: dt.date) -> dict[str, str]:
    """The problems with an offer, field by field (empty when it can be recorded)."""
    problems: dict[str, str] = {}
    if not _is_int(offer.weekly_price_pence) or offer.weekly_price_pence <= 0:
        problems["weekly_price_pence"] = "must be a whole number of pence above 0"
    for k, v in offer.parts().items():
        if v is not None and (not _is_int(v) or v < 0):
            problems[k] = "must be a whole number of pence, 0 or more"
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
                    valid_until=offer.valid_until, conditions=conditions, status="open", **offer.parts())
        session.add(row)
        session.flush()
        record(session, actor=ctx.actor, at=ctx.clock.now(), entity="offer", entity_id=row.id, action="create",
               after=snapshot(row))
        status = current.status
        if status == "sent_to_providers":
            status = _move(ctx, session, current, "offers_received", by_act=True).status
        reply = ReplyRecord(row.id, view.id, svc.id, "offered", row.status, status, row)
    log.info("%s: offer recorded", view.case_ref)
    return reply


def accept_offer(ctx: AppContext, offer: str | uuid.UUID | Any) -> ReferralView:
    """Accept an open, unexpired offer: it becomes accepted (its figures kept for the purchase record),
    the referral's other open offers not taken, and the referral placement agreed. ``offer`` is an id, or
    a row as opened (ReplyRecord or compare row with ``raw_row``) so that a stale copy is refused."""
    opened = getattr(offer, "raw_row", None)
    offer_id = opened.id if opened is not None else uuid.UUID(str(offer).strip())
    today, now = ctx.today(), ctx.clock.now()
    with ctx.session() as session:
        current = session.get(Offer, offer_id)
        if current is None:
            raise OutreachRefused({"offer": f"no offer {offer_id}"})
        if current.outcome != "offered" or current.status != "open":
            raise OutreachRefused({"offer": f"the offer is {current.status}, not open"})
        if current.valid_until is not None and current.valid_until < today:
            raise OutreachRefused({"offer": f"the offer expired on {current.valid_until.isoformat()}"})
        referral = session.get(Referral, current.referral_id)
        if referral.status != "offers_received":
            raise TransitionRefused(f"a referral that is {referral.status.replace('_', ' ')} cannot accept an offer")
        for row, status in [(opened or current, "accepted")] + [
                (o, "not_taken") for o in session.scalars(select(Offer).where(
                    Offer.referral_id == current.referral_id, Offer.id != offer_id, Offer.outcome == "offered",
                    Offer.status == "open"))]:
            before = snapshot(session.get(Offer, row.id))
            edited = apply_edit(session, row, {"status": status})
            record(session, actor=ctx.actor, at=now, entity="offer", entity_id=edited.id, action="status",
                   before=before, after=snapshot(edited))
        moved = _move(ctx, session, referral, "placement_agreed", by_act=True)
        view = view_of(moved, today)
    log.info("%s: offer accepted, placement agreed", view.case_ref)
    return view
