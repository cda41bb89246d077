"""Sending a referral: the shortlist, the text each provider receives (case reference only), the preview
and the send itself (a new referral becomes searching, then sent to providers; one audit event each).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import col

from broker_tui.domain.provider_text import provider_text
from broker_tui.services.context import AppContext
from broker_tui.services.outreach._common import (
    OutreachRefused,
    _current,
    _move,
    _referral,
    log,
    resolve_service,
    rules_refuse,
)
from broker_tui.services.outreach._search_log import search_log
from broker_tui.services.referrals import ReferralView
from broker_tui.store.tables import LocalAuthority, Provider, ReferralSent, Service


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


def contact_of(provider: Provider | None) -> str:
    if provider is None:
        return ""
    name, email = provider.referral_contact_name, provider.referral_email
    if name and email:
        return f"{name} <{email}>"
    return name or email or provider.referral_phone or ""


def text_for(ctx: AppContext, view: ReferralView, reply_due_on: dt.date) -> str:
    """The anonymised provider text for a referral (case reference, never initials or date of birth)."""
    codes = [a.get("code") for a in view.values.get("avoid_areas") or () if a.get("kind") == "la"]
    names: dict[str, str] = {}
    if codes:
        with ctx.session() as session:
            names = {code: name for code, name in session.execute(
                select(col(LocalAuthority.ons_code), col(LocalAuthority.name))
                .where(col(LocalAuthority.ons_code).in_(codes)))}
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
    with rules_refuse({"uq_referral_sent_once": ("service_ids", "someone else sent the referral to one of these "
                                                               "services at the same moment; nothing was sent")}), \
            ctx.session() as session:
        current = _current(session, view, ("new", "searching", "sent_to_providers", "offers_received"),
                           "cannot be sent to providers")
        already = set(session.scalars(select(col(ReferralSent.service_id)).where(col(ReferralSent.referral_id) == view.id)))
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
            out.append(SentRecord(row.id, view.id, view.case_ref, svc.id, svc.name,
                                  provider.name if provider else "", row.contact, now, who, reply_due_on, text))
    log.info("sent %s to %d providers: %s", view.case_ref, len(out), "; ".join(
        f"{r.service_name} ({r.contact or 'no referral contact'})" for r in out))
    return out


@dataclass(frozen=True)
class Recipient:
    service_id: str
    service_name: str
    provider_name: str
    contact: str  # the provider's referral contact; "" when none is recorded


@dataclass(frozen=True)
class SendPreview:
    """What sending would do: who gets the referral, and the anonymised text they get."""

    recipients: tuple[Recipient, ...]
    reply_due_on: dt.date
    text: str


def send_preview(ctx: AppContext, view: ReferralView, service_ids: list[str], reply_due_on: dt.date) -> SendPreview:
    """The recipients (with their providers' referral contacts) and the provider text, before sending."""
    wanted = [uuid.UUID(i) for i in service_ids]
    with ctx.session() as session:
        rows = {str(svc.id): (svc, provider) for svc, provider in session.execute(
            select(Service, Provider).join(Provider, col(Provider.id) == Service.provider_id)
            .where(col(Service.id).in_(wanted))).all()}
    recipients = tuple(Recipient(i, rows[i][0].name, rows[i][1].name, contact_of(rows[i][1]))
                       for i in service_ids if i in rows)
    return SendPreview(recipients, reply_due_on, text_for(ctx, view, reply_due_on))


def sent_service_ids(ctx: AppContext, view: ReferralView) -> set[str]:
    """The services this referral has been sent to already (as market ids)."""
    return {str(e.service_id) for e in search_log(ctx, view).entries}


@dataclass
class Shortlist:
    """The services a broker picked to send a referral to (in the order picked), and those it was sent
    to already (which cannot be picked again)."""

    chosen: dict[str, str] = field(default_factory=dict)  # service id -> name
    sent: set[str] = field(default_factory=set)

    def toggle(self, service_id: str, name: str) -> str | None:
        """Pick the service, or drop it when picked; a reason when it cannot be picked."""
        if service_id in self.sent:
            return f"{name}: the referral was sent there already"
        if self.chosen.pop(service_id, None) is None:
            self.chosen[service_id] = name
        return None

    def mark_sent(self, service_ids: set[str]) -> None:
        self.sent |= service_ids
        for service_id in service_ids:
            self.chosen.pop(service_id, None)

    def marks(self) -> dict[str, str]:
        """The mark beside each service in the table: ★ picked, ✓ sent."""
        return {**dict.fromkeys(self.chosen, "★"), **dict.fromkeys(self.sent, "✓")}

    def words(self) -> str:
        picked = f"Shortlist: {len(self.chosen)} (s: send)" if self.chosen else "Space: shortlist"
        return picked + (f" · sent to {len(self.sent)}" if self.sent else "")
