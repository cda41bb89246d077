"""Reading the audit trail with filters (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from broker_tui.domain.dates import DateError, parse_date
from broker_tui.services.context import AppContext
from broker_tui.store.tables import (
    Approval,
    AuditEvent,
    Offer,
    Placement,
    Referral,
    ReferralSent,
    SpotAgreement,
    SpotAmendment,
)

WITHHELD = "(withheld)"
PRIVATE_KEYS = frozenset({"initials", "date_of_birth"})  # never leave the screen (exports carry the case ref)
CASE_REF = re.compile(r"^[A-Za-z]{2,6}-\d{3,10}$")
BOOKKEEPING = ("version", "updated_at", "created_at")


class AuditQueryError(ValueError):
    """A filter that cannot be read: ``problems`` by field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class AuditQuery:
    record: str = ""  # an id, its last 8+ characters (ids begin with the time, so share their start), or a case ref
    entity: str = ""  # a table name: referral, offer, spot_agreement...
    user: str = ""  # who acted (the login or database role), exactly
    since: dt.date | None = None  # on or after this day (UTC)
    until: dt.date | None = None  # on or before this day


@dataclass(frozen=True)
class AuditEntry:
    id: uuid.UUID
    at: dt.datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    txn_id: str
    changes: dict[str, tuple[Any, Any]]  # field -> (before, after); a create lists what it set

    @property
    def summary(self) -> str:
        """What changed, in one line: 'status: open > accepted; weekly_price_pence: 1 > 2'."""
        if self.action == "create":
            return "; ".join(f"{k}: {_short(new)}" for k, (_old, new) in self.changes.items()
                             if new not in (None, "", False, 0))
        if self.action == "delete":
            return "; ".join(f"{k}: {_short(old)}" for k, (old, _new) in self.changes.items())
        return "; ".join(f"{k}: {_short(old)} > {_short(new)}" for k, (old, new) in self.changes.items())


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def display_value(value: Any) -> str:
    """A stored value as the screen shows it: dates dd/mm/yyyy, moments dd/mm/yyyy hh:mm, nothing as —."""
    if value is None or value == "":
        return "—"
    text = str(value)
    if ISO_DAY.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    if ISO_MOMENT.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}"
    return text


def _short(value: Any) -> str:
    text = display_value(value)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEntry]
    next_offset: int | None  # None: the last page


def parse_query(record: str = "", entity: str = "", user: str = "", since: str = "", until: str = "") -> AuditQuery:
    """The filters as typed (dates ISO or dd/mm/yyyy), every problem by field."""
    problems: dict[str, str] = {}
    days: dict[str, dt.date | None] = {}
    for key, raw in (("since", since), ("until", until)):
        days[key] = None
        if raw.strip():
            try:
                days[key] = parse_date(raw.strip())
            except DateError as exc:
                problems[key] = str(exc)
    if days["since"] and days["until"] and days["until"] < days["since"]:
        problems["until"] = "must be on or after the 'since' date"
    if entity.strip() and not re.fullmatch(r"[a-z_]+", entity.strip()):
        problems["entity"] = "a record type such as referral, offer, spot_agreement or placement"
    if problems:
        raise AuditQueryError(problems)
    return AuditQuery(record.strip(), entity.strip(), user.strip(), days["since"], days["until"])


def _ids_for_case(session: Session, case_ref: str) -> list[str]:
    """Every record about one child: its referrals and what hangs off them, its agreements and placements."""
    referrals = [r for r in session.scalars(select(Referral.id).where(func.upper(Referral.case_ref) == case_ref.upper()))]
    agreements = list(session.scalars(select(SpotAgreement.id).where(
        func.upper(SpotAgreement.case_ref) == case_ref.upper())))
    ids: list[Any] = [*referrals, *agreements]
    if referrals:
        ids += session.scalars(select(ReferralSent.id).where(col(ReferralSent.referral_id).in_(referrals)))
        ids += session.scalars(select(Offer.id).where(col(Offer.referral_id).in_(referrals)))
    ids += session.scalars(select(Placement.id).where(func.upper(Placement.case_ref) == case_ref.upper()))
    if agreements:
        ids += session.scalars(select(SpotAmendment.id).where(col(SpotAmendment.agreement_id).in_(agreements)))
        ids += session.scalars(select(Approval.id).where(col(Approval.agreement_id).in_(agreements)))
    return [str(i) for i in ids]


def _changes(event: AuditEvent) -> dict[str, tuple[Any, Any]]:
    before, after = event.before or {}, event.after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in BOOKKEEPING]
    return {k: (before.get(k), after.get(k)) for k in keys}


def audit_page(ctx: AppContext, query: AuditQuery, *, offset: int = 0, size: int = 100) -> AuditPage:
    """One page of events matching ``query``, newest first."""
    stmt = select(AuditEvent)
    with ctx.session() as session:
        if query.record:
            if CASE_REF.match(query.record):
                ids = _ids_for_case(session, query.record)
                stmt = stmt.where(col(AuditEvent.entity_id).in_(ids or ["-"]))
            else:
                stmt = stmt.where(or_(col(AuditEvent.entity_id) == query.record,
                                      col(AuditEvent.entity_id).endswith(query.record.lower())
                                      if len(query.record) >= 8 else col(AuditEvent.entity_id) == query.record))
        if query.entity:
            stmt = stmt.where(col(AuditEvent.entity) == query.entity)
        if query.user:
            stmt = stmt.where(func.lower(AuditEvent.actor) == query.user.lower())
        if query.since:
            stmt = stmt.where(col(AuditEvent.at) >= dt.datetime.combine(query.since, dt.time(), dt.UTC))
        if query.until:
            stmt = stmt.where(col(AuditEvent.at) < dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time(),
                                                                       dt.UTC))
        stmt = stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).offset(offset).limit(size + 1)
        events = list(session.scalars(stmt))
    rows = [AuditEntry(e.id, e.at, e.actor, e.entity, e.entity_id, e.action, e.txn_id, _changes(e))
            for e in events[:size]]
    return AuditPage(rows, offset + size if len(events) > size else None)


def audit_entities(ctx: AppContext) -> list[str]:
    """The record types the trail holds, for a filter's choices."""
    with ctx.session() as session:
        return sorted(session.scalars(select(AuditEvent.entity).distinct()))


def export_rows(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Events as plain rows for JSON or a file: the child's initials and date of birth withheld."""
    out = []
    for e in entries:
        changes = {k: [WITHHELD if k in PRIVATE_KEYS and v is not None else v for v in pair]
                   for k, pair in e.changes.items()}
        out.append({"id": str(e.id), "at": e.at.isoformat(), "user": e.actor, "entity": e.entity,
                    "record": e.entity_id, "action": e.action, "transaction": e.txn_id, "changes": changes})
    return out
