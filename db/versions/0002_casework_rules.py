"""casework rules held by the database: one open referral per case, one send per service, one accepted offer

Revision ID: 0002_casework_rules
Revises: 0001_initial
Create Date: 2026-12-04

Before this revision the rules were checks in Python that two processes could race past, so a database
may already break them. Such rows are put right first, each with an audit event naming this upgrade (so a
broker can see what was done, and by what):
- a case reference with several open referrals keeps its earliest; the later ones are withdrawn;
- a referral sent to one service twice keeps its first record: replies to a later one move to the first,
  and the later record (a double of the first, made by the race) goes, its whole row kept in the event;
- a referral with several accepted offers keeps the first accepted; the others become not taken.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker_tui.domain.ids import new_id

revision: str = "0002_casework_rules"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = ("new", "searching", "sent_to_providers", "offers_received", "placement_agreed")
OPEN_WHERE = sa.text("status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")")
ACCEPTED_WHERE = sa.text("status = 'accepted'")
ACTOR = "broker-tui upgrade 0002"

referral = sa.table("referral", sa.column("id", sa.Uuid()), sa.column("case_ref", sa.String()),
                    sa.column("status", sa.String()), sa.column("date_received", sa.Date()),
                    sa.column("withdrawn_reason", sa.String()), sa.column("version", sa.Integer()),
                    sa.column("updated_at", sa.DateTime(timezone=True)))
sent = sa.table("referral_sent", sa.column("id", sa.Uuid()), sa.column("referral_id", sa.Uuid()),
                sa.column("service_id", sa.Uuid()), sa.column("sent_at", sa.DateTime(timezone=True)),
                sa.column("sent_by", sa.String()), sa.column("reply_due_on", sa.Date()))
offer = sa.table("offer", sa.column("id", sa.Uuid()), sa.column("referral_id", sa.Uuid()),
                 sa.column("referral_sent_id", sa.Uuid()), sa.column("status", sa.String()),
                 sa.column("updated_at", sa.DateTime(timezone=True)), sa.column("version", sa.Integer()))
audit = sa.table("audit_event", sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
                 sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String()),
                 sa.column("entity", sa.String()), sa.column("entity_id", sa.String()),
                 sa.column("action", sa.String()), sa.column("before", sa.JSON()), sa.column("after", sa.JSON()))


def _audit(con: sa.Connection, now: dt.datetime, entity: str, entity_id: uuid.UUID, action: str,
           before: dict[str, object], after: dict[str, object] | None) -> None:
    con.execute(sa.insert(audit).values(id=new_id(), created_at=now, at=now, actor=ACTOR, entity=entity,
                                        entity_id=str(entity_id), action=action, before=before, after=after))


def _withdraw_duplicate_open_referrals(con: sa.Connection, now: dt.datetime) -> None:
    rows = con.execute(sa.select(referral.c.id, referral.c.case_ref, referral.c.status, referral.c.version)
                       .where(referral.c.status.in_(OPEN))
                       .order_by(referral.c.case_ref, referral.c.date_received, referral.c.id)).all()
    kept: dict[str, uuid.UUID] = {}
    for row in rows:
        if row.case_ref not in kept:
            kept[row.case_ref] = row.id
            continue
        reason = f"withdrawn by the upgrade: a second open referral for {row.case_ref} (kept: {kept[row.case_ref]})"
        con.execute(sa.update(referral).where(referral.c.id == row.id).values(
            status="withdrawn", withdrawn_reason=reason, version=row.version + 1, updated_at=now))
        _audit(con, now, "referral", row.id, "status", {"status": row.status},
               {"status": "withdrawn", "withdrawn_reason": reason})


def _merge_duplicate_sends(con: sa.Connection, now: dt.datetime) -> None:
    rows = con.execute(sa.select(sent).order_by(sent.c.referral_id, sent.c.service_id, sent.c.sent_at,
                                                sent.c.id)).all()
    first: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
    for row in rows:
        key = (row.referral_id, row.service_id)
        if key not in first:
            first[key] = row.id
            continue
        con.execute(sa.update(offer).where(offer.c.referral_sent_id == row.id).values(referral_sent_id=first[key]))
        con.execute(sa.delete(sent).where(sent.c.id == row.id))
        _audit(con, now, "referral_sent", row.id, "merge duplicate",
               {"id": str(row.id), "referral_id": str(row.referral_id), "service_id": str(row.service_id),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None, "sent_by": row.sent_by,
                "reply_due_on": row.reply_due_on.isoformat() if row.reply_due_on else None},
               {"merged_into": str(first[key])})


def _one_accepted_offer(con: sa.Connection, now: dt.datetime) -> None:
    rows = con.execute(sa.select(offer.c.id, offer.c.referral_id, offer.c.version).where(offer.c.status == "accepted")
                       .order_by(offer.c.referral_id, offer.c.updated_at, offer.c.id)).all()
    seen: set[uuid.UUID] = set()
    for row in rows:
        if row.referral_id not in seen:
            seen.add(row.referral_id)
            continue
        con.execute(sa.update(offer).where(offer.c.id == row.id).values(status="not_taken", version=row.version + 1,
                                                                         updated_at=now))
        _audit(con, now, "offer", row.id, "status", {"status": "accepted"}, {"status": "not_taken"})


def upgrade() -> None:
    con = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    _withdraw_duplicate_open_referrals(con, now)
    _merge_duplicate_sends(con, now)
    _one_accepted_offer(con, now)
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("uq_referral_open_case", ["case_ref"], unique=True, sqlite_where=OPEN_WHERE,
                              postgresql_where=OPEN_WHERE)
    with op.batch_alter_table("referral_sent", schema=None) as batch_op:
        batch_op.create_index("uq_referral_sent_once", ["referral_id", "service_id"], unique=True)
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index("uq_offer_one_accepted", ["referral_id"], unique=True, sqlite_where=ACCEPTED_WHERE,
                              postgresql_where=ACCEPTED_WHERE)


def downgrade() -> None:
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("uq_offer_one_accepted")
    with op.batch_alter_table("referral_sent", schema=None) as batch_op:
        batch_op.drop_index("uq_referral_sent_once")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("uq_referral_open_case")
