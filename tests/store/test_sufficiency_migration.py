"""Revision 0007: the sufficiency tables come and go (down to 0006 and up again) on SQLite and PostgreSQL,
leaving every other table as it was, and their rows are history: the database itself refuses an UPDATE or
a DELETE of one."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from broker_tui.store import migrate
from broker_tui.store.errors import RuleBroken
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import SufficiencyImport, SufficiencyRecord

BEFORE = "0006_placements_standard"
TABLES = ("sufficiency_import", "sufficiency_record")


def _add(ctx) -> None:
    with ctx.session() as s:
        batch = SufficiencyImport(standard="placements-v2", source_name="a.json", sha256="0" * 64,
                                  imported_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), imported_by="t",
                                  row_count=1)
        s.add(batch)
        s.flush()
        s.add(SufficiencyRecord(import_id=batch.id, row_number=1, child_id=2**47 + 5, fields={"childId": 2**47 + 5}))


def test_down_and_up_again(ctx) -> None:
    _add(ctx)
    later = {t for t in sa.inspect(ctx.engine).get_table_names() if t.startswith("ssda903_")}  # revision 0008's
    others = set(sa.inspect(ctx.engine).get_table_names()) - set(TABLES) - later
    migrate.downgrade(ctx.engine, BEFORE)
    assert set(sa.inspect(ctx.engine).get_table_names()) == others
    assert migrate.current_revision(ctx.engine) == BEFORE
    migrate.upgrade(ctx.engine, ctx.location)
    assert migrate.current_revision(ctx.engine) == HEAD_REVISION
    assert set(TABLES) <= set(sa.inspect(ctx.engine).get_table_names())
    _add(ctx)  # the tables work again (and a big childId fits)
    with ctx.engine.connect() as con:
        assert con.execute(text("SELECT child_id FROM sufficiency_record")).scalar_one() == 2**47 + 5


@pytest.mark.parametrize("table", TABLES)
def test_sufficiency_rows_are_history(ctx, table: str) -> None:
    _add(ctx)
    for sql in (f"UPDATE {table} SET created_at = created_at", f"DELETE FROM {table}"):
        with pytest.raises(RuleBroken) as refused, ctx.session() as s:
            s.execute(text(sql))
        assert refused.value.rule == f"insert_only_{table}"
