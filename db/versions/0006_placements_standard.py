"""the referral holds the Placements Data Standard's fields (v2 draft, 18 July 2025); who the child can live
alongside may be not answered or 'no preference'

Revision ID: 0006_placements_standard
Revises: 0005_registration_from_register
Create Date: 2026-12-05

New referral columns (docs/placements-standard.md maps each onto the standard): communication needs and
requirements, home adaptation, cultural needs, living with pets, additional support, the preferred
location, a suitability per setting (foster, residential, supported accommodation), the words for other
risks to the child and to others, the actual placement (placed_*) and the data entry's QA (qa_*).

Not answered is kept apart from every answer: existing rows get every new field not answered ("" for a
choice or words, [] for a list, NULL for yes/no, a place, a date, a cost or a number). Filling new columns
is not a change to the recorded history, so no audit event is written for it. living_alongside keeps what
each row holds: an old 'with_others' may have been the silent default of the code before, but it cannot
be told apart from an answer, so it is left for a person to confirm. New rows no longer default it.

The columns are added with a server default for the existing rows, which is then dropped (the models give
every value; on SQLite that is a rebuild of the table in batch mode, which keeps its indexes, including the
partial unique index of open referrals per case, and its foreign keys).

The downgrade drops the columns and gives living_alongside the only values the code before knew: a row not
answered or 'no preference' becomes 'with_others' (the old default), each with an audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from broker_tui.domain.ids import new_id

revision: str = "0006_placements_standard"
down_revision: str | None = "0005_registration_from_register"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "referral"
# (name, type, server default for the existing rows; None: nullable, no default). As of this revision.
TEXT = ("communication_needs", "communication_other", "cultural_needs", "cultural_needs_other", "living_with_pets",
        "additional_support_other", "suitability_foster", "suitability_residential", "suitability_supported",
        "risk_to_child_other", "risk_to_others_other", "placed_provider_urn", "placed_type", "qa_referral_officer",
        "qa_placement_officer", "qa_cost_officer")
LISTS = ("communication_requirements", "additional_support")
PLACES = ("preferred_location", "placed_location")
NULLABLE: tuple[tuple[str, sa.types.TypeEngine[object]], ...] = (
    ("home_adaptation", sa.Boolean()), ("placed_location_preferred", sa.Boolean()),
    ("placed_education_continuity", sa.Boolean()), ("placed_weekly_cost_pence", sa.Integer()),
    ("placed_siblings_together", sa.Integer()), ("qa_referral_on", sa.Date()), ("qa_placement_on", sa.Date()),
    ("qa_cost_on", sa.Date()),
)
WITH_DEFAULT = (*TEXT, *LISTS, *PLACES)

referral = sa.table(TABLE, sa.column("id", sa.Uuid()), sa.column("living_alongside", sa.String()),
                    sa.column("version", sa.Integer()), sa.column("updated_at", sa.DateTime(timezone=True)))
audit = sa.table("audit_event", sa.column("id", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
                 sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String()),
                 sa.column("entity", sa.String()), sa.column("entity_id", sa.String()),
                 sa.column("action", sa.String()), sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
                 sa.column("txn_id", sa.String()))


def upgrade() -> None:
    for name in TEXT:
        op.add_column(TABLE, sa.Column(name, sa.String(), nullable=False, server_default=""))
    for name in LISTS:
        op.add_column(TABLE, sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    for name in PLACES:
        op.add_column(TABLE, sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'null'")))
    for name, kind in NULLABLE:
        op.add_column(TABLE, sa.Column(name, kind, nullable=True))
    with op.batch_alter_table(TABLE) as batch:
        for name in WITH_DEFAULT:
            batch.alter_column(name, server_default=None)


def downgrade() -> None:
    con = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    txn = uuid.uuid4().hex
    rows = con.execute(sa.select(referral.c.id, referral.c.version, referral.c.living_alongside).where(
        referral.c.living_alongside.in_(("", "no_preference"))).order_by(referral.c.id)).all()
    for row in rows:
        con.execute(sa.update(referral).where(referral.c.id == row.id).values(
            living_alongside="with_others", version=row.version + 1, updated_at=now))
        con.execute(sa.insert(audit).values(
            id=new_id(), created_at=now, at=now, actor="broker-tui downgrade 0006", entity=TABLE,
            entity_id=str(row.id), action="update", before={"living_alongside": row.living_alongside},
            after={"living_alongside": "with_others"}, txn_id=txn))
    with op.batch_alter_table(TABLE) as batch:
        for name in (*WITH_DEFAULT, *(n for n, _k in NULLABLE)):
            batch.drop_column(name)
