"""Migrations: empty to head on both backends, models and migrations agree, down and up again, and an
existing SQLite database at an older revision upgraded on start after a private backup copy."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from broker_tui.resources import MIGRATIONS_DIR
from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
from broker_tui.store import migrate
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import register_all
from tests.conftest import TODAY

register_all()
MODEL_TABLES = set(SQLModel.metadata.tables)


def _tables(engine) -> set[str]:
    with engine.connect() as con:
        return set(inspect(con).get_table_names()) - {"alembic_version"}


def test_head_revision_constant_is_the_alembic_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [HEAD_REVISION]  # one head, and the light start-up check knows it
    assert migrate.head_revision() == HEAD_REVISION


def test_empty_database_is_created_at_head(db_url: str) -> None:
    ctx = AppContext.for_target(db_url, today=TODAY)
    try:
        report = prepare_database(ctx, seed_demo_if_new=False)
        assert report.created and report.backup is None
        assert migrate.current_revision(ctx.engine) == HEAD_REVISION
        assert _tables(ctx.engine) == MODEL_TABLES
        # a second start finds it ready and changes nothing
        again = prepare_database(ctx, seed_demo_if_new=False)
        assert not again.created and again.upgraded_from is None and again.backup is None
    finally:
        ctx.close()


def test_models_and_migrations_agree(ctx) -> None:
    with ctx.engine.connect() as con:
        mc = MigrationContext.configure(con, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(mc, SQLModel.metadata)
    assert diff == [], f"the tables differ from db/versions; write a revision: {diff}"


def test_downgrade_to_base_and_upgrade_again(ctx) -> None:
    engine = ctx.engine
    migrate.downgrade(engine, "base")
    assert _tables(engine) == set()
    assert migrate.current_revision(engine) is None
    assert migrate.upgrade(engine, ctx.location) is None  # nothing to copy aside: it was empty
    assert _tables(engine) == MODEL_TABLES
    assert migrate.current_revision(engine) == HEAD_REVISION


def test_foreign_database_is_refused_untouched(db_url: str) -> None:
    """A database with someone else's tables and no revision is not ours to migrate."""
    from broker_tui.store.errors import DatabaseError

    ctx = AppContext.for_target(db_url, today=TODAY)
    try:
        if ctx.location.path is not None:
            con = sqlite3.connect(ctx.location.path)
            con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
            con.commit()
            con.close()
            before = ctx.location.path.read_bytes()
        else:
            with ctx.engine.begin() as con:
                con.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
        with pytest.raises(DatabaseError, match="not a broker-tui database"):
            prepare_database(ctx, seed_demo_if_new=False)
        if ctx.location.path is not None:
            assert ctx.location.path.read_bytes() == before
            assert not Path(f"{ctx.location.path}-wal").exists()
        else:
            assert _tables(ctx.engine) == {"invoices"}
    finally:
        ctx.close()


def test_database_from_a_newer_version_is_refused(ctx) -> None:
    from broker_tui.store.errors import DatabaseError

    with ctx.engine.begin() as con:
        con.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(DatabaseError, match="9999_from_the_future"):
        prepare_database(ctx, seed_demo_if_new=False)
    assert migrate.current_revision(ctx.engine) == "9999_from_the_future"


# --- an older SQLite database upgraded on start -------------------------------------------------------

NEXT_REVISION = '''"""a later revision, for the upgrade test"""

import sqlalchemy as sa
from alembic import op

revision = "0002_test_later"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provider") as batch_op:
        batch_op.add_column(sa.Column("test_note", sa.String(), nullable=False, server_default="upgraded"))


def downgrade() -> None:
    with op.batch_alter_table("provider") as batch_op:
        batch_op.drop_column("test_note")
'''


@pytest.fixture
def later_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """This code's migrations plus one later revision: what a database made today meets after an update."""
    scripts = tmp_path / "db"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0002_test_later.py").write_text(NEXT_REVISION.format(head=HEAD_REVISION))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr("broker_tui.services.startup.HEAD_REVISION", "0002_test_later")
    return "0002_test_later"


def test_older_sqlite_database_is_backed_up_then_upgraded_on_start(sqlite_ctx, later_migrations) -> None:
    from broker_tui.store.tables import Provider

    path = sqlite_ctx.location.path  # made by the code before the update, at HEAD_REVISION
    with sqlite_ctx.session() as s:
        s.add(Provider(name="Oakfield Care Ltd", sector="private"))
    sqlite_ctx.close()

    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        report = prepare_database(ctx, seed_demo_if_new=True)
        assert report.upgraded_from == HEAD_REVISION and not report.created and not report.seeded
        assert migrate.current_revision(ctx.engine) == later_migrations
        with ctx.engine.connect() as con:
            rows = con.execute(text("SELECT name, test_note FROM provider")).all()
        assert [tuple(r) for r in rows] == [("Oakfield Care Ltd", "upgraded")]
    finally:
        ctx.close()

    backup = report.backup
    assert backup is not None and backup.parent == path.parent and backup.exists()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        assert old.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert old.execute("SELECT name FROM provider").fetchall() == [("Oakfield Care Ltd",)]
        columns = {r[1] for r in old.execute("PRAGMA table_info(provider)")}
        assert "test_note" not in columns  # the copy is the database as it was before the upgrade
    finally:
        old.close()


def test_each_upgrade_keeps_its_own_backup(sqlite_ctx, later_migrations) -> None:
    path, engine = sqlite_ctx.location.path, sqlite_ctx.engine
    first = migrate.upgrade(engine, sqlite_ctx.location)
    migrate.downgrade(engine, HEAD_REVISION)
    second = migrate.upgrade(engine, sqlite_ctx.location)
    assert first and second and first != second
    assert first.exists() and second.exists()
    assert sorted(p.name for p in path.parent.glob("*.bak")) == sorted([first.name, second.name])


def test_a_database_downgraded_to_base_is_brought_back_on_start(ctx) -> None:
    migrate.downgrade(ctx.engine, "base")  # an empty schema with an empty alembic_version table
    ctx.close()
    again = AppContext.for_target(ctx.location.url, today=TODAY)
    try:
        report = prepare_database(again, seed_demo_if_new=False)
        assert report.created and report.backup is None  # nothing held data, so nothing to copy aside
        assert migrate.current_revision(again.engine) == HEAD_REVISION
        assert _tables(again.engine) == MODEL_TABLES
    finally:
        again.close()
