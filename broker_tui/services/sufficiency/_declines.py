"""Decline evidence from the brokers' search logs (`broker-tui sufficiency declines`): the referrals received in
a period, the services each was sent to and their answers, read with Core selects (no row objects); the
counting in domain.sufficiency.declines. The days to placement agreed are the search log's: from the referral
being received to its first audited move to placement agreed.

Beside them, the Placements Data Standard's sufficiency records imported (`referrals import --standard
placements-v2`, counted by services.referrals.sufficiency_summary) by placement type: all of them, whatever the
period (the standard dates a record only by its quality checks). Counts and case references only: never
initials or dates of birth.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from broker_tui.domain.sufficiency.declines import (
    ANSWERS,
    DIMENSIONS,
    Approach,
    Declines,
    Search,
    age_band_on,
    count_declines,
    high_need_domains,
    placement_agreed_on,
    risks_present,
)
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES, OPEN_REFERRAL_STATUSES
from broker_tui.services.context import AppContext
from broker_tui.services.referrals import sufficiency_summary
from broker_tui.store.tables import AuditEvent, Offer, Referral, ReferralSent, Service

# open and not yet agreed: counted to today (one agreed with no audited date is left out of the longest)
STILL_SEARCHING = tuple(st for st in OPEN_REFERRAL_STATUSES if st != "placement_agreed")

@dataclass(frozen=True)
class DeclineEvidence:
    since: dt.date | None
    until: dt.date | None
    today: dt.date
    referrals_received: int  # in the period (by the date received)
    declines: Declines
    standard_records: dict[str, int]  # placement type ("" not given) -> the standard's records imported (all)
    standard_files: int

    def as_json(self) -> dict[str, Any]:
        """Counts and case references only (no initials, no dates of birth); dates ISO."""
        d = self.declines
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "today": self.today.isoformat(),
            "referrals_received": self.referrals_received,
            "referrals_approached": d.referrals,
            "approaches": d.approaches,
            "answers": {a: {"count": d.answers[a], "share": d.rate(a)} for a in ANSWERS},
            "declines_by_reason": [{"reason": r.reason, "label": r.label, "declines": r.declines,
                                    "share_of_answers": r.share_of_answers, "share_of_declines": r.share_of_declines}
                                   for r in d.reasons],
            "by": {dim: [{"key": row.key, "label": row.label, "approaches": row.approaches, "offered": row.offered,
                          "declined": row.declined, "decline_rate": row.decline_rate, "by_reason": row.by_reason}
                         for row in d.crosstabs[dim]] for dim in DIMENSIONS},
            "longest_to_place": [{"case_ref": s.case_ref, "placed": s.placed, "days": s.days,
                                  "services_approached": s.services_approached, "offers": s.offers,
                                  "declines": s.declines} for s in d.longest],
            "standard_records": {"files": self.standard_files, "total": sum(self.standard_records.values()),
                                 "by_placement_type": dict(self.standard_records)},
        }


def _in_period(column: Any, since: dt.date | None, until: dt.date | None) -> list[Any]:
    where = []
    if since is not None:
        where.append(column >= since)
    if until is not None:
        where.append(column <= until)
    return where


def decline_evidence(ctx: AppContext, *, since: dt.date | None = None, until: dt.date | None = None,
                     longest: int = 10) -> DeclineEvidence:
    """The decline evidence for the referrals received from ``since`` to ``until`` (both included; None: no
    bound): every service each was sent to (or that answered it) and the answer, the cross-tabs, and the
    ``longest`` searches to place. Raises ValueError if ``until`` is before ``since``."""
    if since is not None and until is not None and until < since:
        raise ValueError(f"the period ends ({until.isoformat()}) before it starts ({since.isoformat()})")
    r, rs, o, s = Referral.__table__.c, ReferralSent.__table__.c, Offer.__table__.c, Service.__table__.c
    a = AuditEvent.__table__.c
    needs = [r["need_" + d] for d in NEED_DOMAIN_CODES]
    period = _in_period(r.date_received, since, until)
    today = ctx.today()
    with ctx.engine.connect() as con:
        referrals = con.execute(select(r.id, r.case_ref, r.date_received, r.date_of_birth, r.age_years, r.status,
                                       r.risks, *needs).where(*period)).all()
        place = (s.service_type, s.in_area, s.local_authority_name)
        sent = con.execute(select(rs.referral_id, rs.service_id, *place).join(Referral, r.id == rs.referral_id)
                           .join(Service, s.id == rs.service_id).where(*period)).all()
        replies = con.execute(select(o.referral_id, o.service_id, *place, o.outcome, o.decline_reason)
                              .join(Referral, r.id == o.referral_id).join(Service, s.id == o.service_id)
                              .where(*period).order_by(o.received_on, o.id)).all()
        agreed_events = con.execute(
            select(a.entity_id, a.at, a.after).where(a.entity == "referral", a.action == "status",
                                                     a.after["status"].as_string() == "placement_agreed")
            .order_by(a.at, a.id)).all()
    changes: dict[str, list[tuple[dt.datetime, Any]]] = defaultdict(list)
    for entity_id, at, after in agreed_events:
        changes[entity_id].append((at, after))
    answer: dict[tuple[uuid.UUID, uuid.UUID], tuple[str, str | None]] = {}
    services: dict[uuid.UUID, Any] = {}  # the service's type, area and local authority
    for send in sent:
        services[send.service_id] = send
    for reply in replies:  # the latest reply from a service counts, as in the search log
        answer[(reply.referral_id, reply.service_id)] = (reply.outcome, reply.decline_reason)
        services[reply.service_id] = reply
    by_id = {row.id: row for row in referrals}
    pairs = list(dict.fromkeys([(send.referral_id, send.service_id) for send in sent] + list(answer)))
    approaches = []
    for referral_id, service_id in pairs:
        ref, svc = by_id[referral_id], services[service_id]
        outcome, reason = answer.get((referral_id, service_id), ("no_reply", None))
        approaches.append(Approach(
            str(referral_id), svc.service_type, bool(svc.in_area), svc.local_authority_name or "",
            age_band_on(ref.date_of_birth, ref.age_years, ref.date_received),
            high_need_domains({d: getattr(ref, "need_" + d) for d in NEED_DOMAIN_CODES}), risks_present(ref.risks),
            outcome, reason if outcome == "declined" else None))
    searches = [Search(str(ref.id), ref.case_ref, ref.date_received, placement_agreed_on(changes.get(str(ref.id), ())),
                       ref.status in STILL_SEARCHING) for ref in referrals]
    standard = sufficiency_summary(ctx)
    return DeclineEvidence(since, until, today, len(referrals), count_declines(approaches, searches, today, longest),
                           {t: standard.by_placement_type[t] for t in sorted(standard.by_placement_type,
                                                                             key=lambda t: (t == "", t))},
                           len(standard.imports))
