"""ssda903: the council's SSDA903 return as forecasting keeps it, under pseudonymous child ids

Revision ID: 0008_ssda903
Revises: 0007_sufficiency_records
Create Date: 2026-12-05

Five new tables (`broker-tui ssda903 import`, domain.sufficiency): ``ssda903_import`` (one an import:
when, by whom, what was kept), ``ssda903_file`` (one a file: name, SHA-256 unique so a file is read once,
table, rows, rows by collection year), ``ssda903_child`` (pseudonymous child id, council, year and month of
birth, sex, UASC), ``ssda903_episode`` (an episode's dates and codes, the placement's council and postcode
district) and ``ssda903_oc3`` (care leavers' in touch, activity, accommodation). No CHILD id, full date of
birth or full postcode has a column. All are history: triggers refuse an UPDATE or a DELETE on both
backends, as revision 0007's do (PostgreSQL: its broker_tui_insert_only()). No existing row changes. The
downgrade drops the tables (and their triggers with them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_ssda903"
down_revision: str | None = "0007_sufficiency_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT_ONLY = ("ssda903_import", "ssda903_file", "ssda903_child", "ssda903_episode", "ssda903_oc3")


def _history() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("id", sa.Uuid(), nullable=False)]


def _of_import() -> list[sa.Column]:
    return [sa.Column("import_id", sa.Uuid(), nullable=False),
            sa.Column("child_id", sa.BigInteger(), nullable=False),
            sa.Column("la", sa.String(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "ssda903_import", *_history(),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("uasc", sa.Integer(), nullable=False),
        sa.Column("oc3", sa.Integer(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ssda903_file", *_history(),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("years", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["ssda903_import.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256", name="uq_ssda903_file_sha256"),
    )
    op.create_table(
        "ssda903_child", *_history(), *_of_import(),
        sa.Column("birth_month", sa.String(), nullable=True),
        sa.Column("sex", sa.String(), nullable=False),
        sa.Column("uasc", sa.Boolean(), nullable=False),
        sa.Column("uasc_ceased_month", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["ssda903_import.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ssda903_episode", *_history(), *_of_import(),
        sa.Column("return_year", sa.String(), nullable=False),
        sa.Column("decom", sa.Date(), nullable=False),
        sa.Column("dec", sa.Date(), nullable=True),
        *(sa.Column(name, sa.String(), nullable=False) for name in (
            "rne", "ls", "cin", "place", "place_provider", "rec", "reason_place_change", "pl_la", "pl_district",
            "home_district")),
        sa.ForeignKeyConstraint(["import_id"], ["ssda903_import.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ssda903_oc3", *_history(), *_of_import(),
        sa.Column("return_year", sa.String(), nullable=False),
        sa.Column("in_touch", sa.String(), nullable=False),
        sa.Column("activ", sa.String(), nullable=False),
        sa.Column("accom", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["ssda903_import.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ssda903_file_import_id", "ssda903_file", ["import_id"])
    for table in ("ssda903_child", "ssda903_episode", "ssda903_oc3"):
        for column in ("import_id", "child_id"):
            op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_index("ix_ssda903_episode_place", "ssda903_episode", ["place"])
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
    for table in ("ssda903_oc3", "ssda903_episode", "ssda903_child", "ssda903_file", "ssda903_import"):
        op.drop_table(table)  # its indexes and triggers go with it
