"""sufficiency records: files in the Placements Data Standard read in, kept with their source, never referrals

Revision ID: 0007_sufficiency_records
Revises: 0006_placements_standard
Create Date: 2026-12-05

Two new tables (`referrals import --standard placements-v2`, docs/placements-standard.md "Import"):
``sufficiency_import`` (one a file: standard, file name, SHA-256 unique so a file is read once, when, by
whom, how many records) and ``sufficiency_record`` (one a record: the childId pseudonym, the typed fields a
forecast counts on and the whole row as JSON). Both are history: triggers refuse an UPDATE or a DELETE on
both backends, as revision 0003's do for its insert-only tables (PostgreSQL: its broker_tui_insert_only()).
No existing row changes. The downgrade drops the tables (and their triggers with them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_sufficiency_records"
down_revision: str | None = "0006_placements_standard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT_ONLY = ("sufficiency_import", "sufficiency_record")


def upgrade() -> None:
    op.create_table(
        "sufficiency_import",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("standard", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256", name="uq_sufficiency_import_sha256"),
    )
    op.create_table(
        "sufficiency_record",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.BigInteger(), nullable=False),
        sa.Column("needed_by", sa.String(), nullable=False),
        sa.Column("placement_type", sa.String(), nullable=False),
        sa.Column("total_weekly_cost_pence", sa.Integer(), nullable=True),
        sa.Column("referral_date", sa.Date(), nullable=True),
        sa.Column("placement_date", sa.Date(), nullable=True),
        sa.Column("suitability_foster", sa.String(), nullable=False),
        sa.Column("suitability_residential", sa.String(), nullable=False),
        sa.Column("suitability_supported", sa.String(), nullable=False),
        sa.Column("preferred_location", sa.JSON(), nullable=True),
        sa.Column("placement_location", sa.JSON(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["sufficiency_import.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("import_id", "child_id", "placement_type"):
        op.create_index(f"ix_sufficiency_record_{column}", "sufficiency_record", [column])
    con = op.get_bind()
    for table in INSERT_ONLY:
        if con.dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                con.execute(sa.text(
                    f"CREATE TRIGGER tr_{table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'insert_only_{table}: history is never changed, add a new row'); END"))
        else:
            con.execute(sa.text(f"CREATE TRIGGER tr_{table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                                f"FOR EACH ROW EXECUTE FUNCTION broker_tui_insert_only()"))


def downgrade() -> None:
    op.drop_table("sufficiency_record")  # its indexes and triggers go with it
    op.drop_table("sufficiency_import")
