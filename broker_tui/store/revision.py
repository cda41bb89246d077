"""The schema revision this code expects. Kept light (no Alembic import) for the start-up check;
a test asserts it equals the head of db/versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

HEAD_REVISION = "0008_ssda903"


def stored_revision(con: Connection) -> str | None:
    """The revision a database records (None when it has no alembic_version table or no row), read with
    SQLAlchemy Core only: the start-up check on any backend imports nothing of Alembic."""
    from sqlalchemy import inspect, text

    if not inspect(con).has_table("alembic_version"):
        return None
    row = con.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])
