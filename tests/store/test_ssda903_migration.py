"""Revision 0008: the SSDA903 tables come and go (down to 0007 and up again) on SQLite and PostgreSQL,
leaving every other table as it was, and their rows are history: the database refuses an UPDATE or a DELETE."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from broker_tui.store import migrate
from broker_tui.store.errors import RuleBroken
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import Ssda903Child, Ssda903Episode, Ssda903File, Ssda903Import, Ssda903Oc3

BEFORE = "0007_sufficiency_records"
TABLES = ("ssda903_import", "ssda903_file", "ssda903_child", "ssda903_episode", "ssda903_oc3")


def _add(ctx, sha: str = "0" * 64) -> None:
    with ctx.session() as s:
        batch = Ssda903Import(imported_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), imported_by="t", children=1,
                              episodes=1, uasc=0, oc3=1, queries=0)
        s.add(batch)
        s.flush()
        s.add(Ssda903File(import_id=batch.id, source_name="e.csv", sha256=sha, table_name="Episodes", row_count=1,
                          years={"2024-25": 1}))
        s.add(Ssda903Child(import_id=batch.id, child_id=2**47 + 5, birth_month="2010-03", sex="F"))
        s.add(Ssda903Episode(import_id=batch.id, child_id=2**47 + 5, return_year="2024-25", decom=dt.date(2024, 5, 1),
                             rne="S", ls="C2", cin="N1", place="U4", place_provider="PR1", pl_district="LE2"))
        s.add(Ssda903Oc3(import_id=batch.id, child_id=2**47 + 5, return_year="2024-25", in_touch="YES"))


def test_down_and_up_again(ctx) -> None:
    _add(ctx)
    others = set(sa.inspect(ctx.engine).get_table_names()) - set(TABLES)
    migrate.downgrade(ctx.engine, BEFORE)
    assert set(sa.inspect(ctx.engine).get_table_names()) == others
    assert migrate.current_revision(ctx.engine) == BEFORE
    migrate.upgrade(ctx.engine, ctx.location)
    assert migrate.current_revision(ctx.engine) == HEAD_REVISION == "0008_ssda903"
    _add(ctx)
    with ctx.engine.connect() as con:
        assert con.execute(text("SELECT child_id FROM ssda903_episode")).scalar_one() == 2**47 + 5


def test_a_file_is_read_once(ctx) -> None:
    _add(ctx)
    with pytest.raises(RuleBroken) as refused:
        _add(ctx)
    assert refused.value.rule == "uq_ssda903_file_sha256"


@pytest.mark.parametrize("table", TABLES)
def test_ssda903_rows_are_history(ctx, table: str) -> None:
    _add(ctx)
    for sql in (f"UPDATE {table} SET created_at = created_at", f"DELETE FROM {table}"):
        with pytest.raises(RuleBroken) as refused, ctx.session() as s:
            s.execute(text(sql))
        assert refused.value.rule == f"insert_only_{table}"
