"""Migrations are all or nothing on both backends, and a damaged SQLite file is found and named.

- A revision that fails halfway leaves the database as it was (no half-made table, the revision unchanged),
  on SQLite too, and says so in one line naming the copy made before the attempt; a second attempt says
  the same line (not "already exists") and piles up no second copy.
- Migrations run on their own SQLite connection: one transaction holding the DDL, WAL and the busy
  timeout kept, foreign keys off while tables are rebuilt and checked before the commit; the app's own
  engine is unchanged.
- A damaged file is refused before an upgrade (nothing copied, nothing changed), and damage met by any
  later statement is one line naming the newest sound backup to restore.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
from broker_tui.store import migrate
from broker_tui.store.errors import DatabaseError
from broker_tui.store.location import backup_sqlite, backups_of, sqlite_revision
from tests.conftest import TODAY
from tests.store.database_files import (
    BREAKS_REFERENCES,
    FAILS_HALFWAY,
    REBUILDS_PROVIDER,
    copy_file,
    damage,
    seed_demo_file,
    sqlite_scalar,
    with_revision,
)


def _tables(engine) -> set[str]:
    with engine.connect() as con:
        return set(inspect(con).get_table_names())


def _attempt(url: str) -> tuple[str, str | None, set[str]]:
    """One start against ``url``: the one-line refusal, then the revision and tables as they are after it."""
    ctx = AppContext.for_target(url, today=TODAY)
    try:
        with pytest.raises(DatabaseError) as refused:
            prepare_database(ctx, seed_demo_if_new=False)
        return str(refused.value), migrate.current_revision(ctx.engine), _tables(ctx.engine)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo market in a SQLite file at head, made once for the module; tests take copies."""
    return seed_demo_file(tmp_path_factory.mktemp("demo") / "demo.sqlite3")


# --- a failed migration changes nothing -------------------------------------------------------------------

def test_a_failing_revision_leaves_the_database_as_it_was(ctx, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from broker_tui.store.tables import Provider

    with ctx.session() as s:
        s.add(Provider(name="Oakfield Care Ltd", sector="private"))
    revision, tables, url, path = migrate.current_revision(ctx.engine), _tables(ctx.engine), ctx.location.url, \
        ctx.location.path
    ctx.close()
    bad = with_revision(tmp_path, monkeypatch, "0999_fails_halfway", FAILS_HALFWAY)

    first, revision_after, tables_after = _attempt(url)
    assert revision_after == revision and tables_after == tables  # no half_done table, no revision change
    assert "\n" not in first and "Traceback" not in first and "already exists" not in first
    assert first.startswith(f"The upgrade of {ctx.location.display} to schema revision {bad} failed "
                            "(the revision broke halfway): the database was left as it was, at schema revision "
                            f"{revision}")
    second, revision_after, tables_after = _attempt(url)
    assert second == first  # the same line, not "table half_done already exists"
    assert revision_after == revision and tables_after == tables

    if path is not None:
        copies = backups_of(path)
        assert len(copies) == 1  # the second attempt named the identical first copy again
        assert first.endswith(f"; the copy made before the attempt is {copies[0]} (nothing was restored from it)")
        assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
        assert sqlite_revision(copies[0]) == revision
        assert sqlite_scalar(path, "SELECT count(*) FROM provider") == 1
    else:
        assert first.endswith("(a server database is not copied aside: keep pg_dump backups)")


def test_a_failing_first_creation_leaves_an_empty_database(db_url: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with_revision(tmp_path, monkeypatch, "0999_fails_halfway", FAILS_HALFWAY)
    line, revision, tables = _attempt(db_url)
    assert revision is None and tables == set()  # not even the first revision's tables stay
    assert "the database was left as it was, empty" in line and "copy" not in line


def test_migrations_hold_ddl_in_their_transaction_and_keep_wal_and_busy_timeout(sqlite_ctx) -> None:
    engine = migrate.migration_engine(sqlite_ctx.location.url)
    try:
        with engine.connect() as con:
            assert con.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert con.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
            assert con.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 0  # set before BEGIN
            con.rollback()
            tx = con.begin()
            con.exec_driver_sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY)")
            con.exec_driver_sql("INSERT INTO scratch (id) VALUES (1)")
            tx.rollback()
    finally:
        engine.dispose()
    assert "scratch" not in _tables(sqlite_ctx.engine)  # the CREATE TABLE was rolled back with the INSERT
    with sqlite_ctx.engine.connect() as con:  # the app's own connections are as they were
        assert con.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert con.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert con.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
        assert con.connection.dbapi_connection.isolation_level == ""  # the driver's default handling


def test_a_revision_rebuilding_a_parent_table_keeps_every_child(demo_file: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    services = sqlite_scalar(path, "SELECT count(*) FROM service")
    providers = sqlite_scalar(path, "SELECT count(*) FROM provider")
    rebuilt = with_revision(tmp_path, monkeypatch, "0999_rebuilds_provider", REBUILDS_PROVIDER)
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        report = prepare_database(ctx, seed_demo_if_new=False)  # with foreign keys on, DROP TABLE provider fails
        assert report.upgraded_from and migrate.current_revision(ctx.engine) == rebuilt
        with ctx.engine.connect() as con:
            assert con.execute(text("SELECT count(*) FROM service")).scalar_one() == services
            assert con.execute(text("SELECT count(*) FROM provider")).scalar_one() == providers
            assert con.execute(text("PRAGMA foreign_key_check")).all() == []
            assert con.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert not {t for t in _tables(ctx.engine) if t.startswith("_alembic_tmp")}
    finally:
        ctx.close()


def test_a_revision_that_would_break_references_is_rolled_back(demo_file: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    revision, providers = sqlite_revision(path), sqlite_scalar(path, "SELECT count(*) FROM provider")
    with_revision(tmp_path, monkeypatch, "0999_breaks_references", BREAKS_REFERENCES)
    line, after, _tables_after = _attempt(str(path))
    assert "would refer to rows that are not there (in " in line and "left as it was" in line
    assert after == revision and sqlite_scalar(path, "SELECT count(*) FROM provider") == providers


# --- damage ------------------------------------------------------------------------------------------------

def test_a_damaged_database_is_not_upgraded_and_names_the_backup(demo_file: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    backup = backup_sqlite(path, "backup-2026-11-30-170000-known")
    damage(path)
    before = path.read_bytes()
    with_revision(tmp_path, monkeypatch, "0999_later", "    pass")
    line, revision, _tables_after = _attempt(str(path))
    assert line.startswith(f"The database {path} is damaged and was not upgraded (")
    assert line.endswith(f"restore the newest sound backup with: broker-tui --db {path} restore {backup}")
    assert revision == sqlite_revision(backup)
    assert backups_of(path) == [backup]  # no copy of a damaged file was taken as a "backup"
    assert path.read_bytes() == before


def test_damage_met_later_is_one_line_naming_the_newest_sound_backup(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    older = backup_sqlite(path, "backup-2026-11-29-170000-known")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    newest_sound = backup_sqlite(path, "backup-2026-11-30-170000-known")
    os.utime(newest_sound, (1_700_000_100, 1_700_000_100))
    newer_but_damaged = copy_file(path, path.with_name(f"{path.name}.backup-2026-12-01-170000-known.bak"))
    damage(newer_but_damaged)
    damage(path)
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        with pytest.raises(DatabaseError) as refused, ctx.engine.connect() as con:
            con.execute(text("SELECT count(*), sum(length(name)) FROM service")).all()
    finally:
        ctx.close()
    line = str(refused.value)
    assert "\n" not in line and "SELECT" not in line
    assert line == (f"The database {path} is damaged (database disk image is malformed): restore the newest sound "
                    f"backup with: broker-tui --db {path} restore {newest_sound}")


def test_damage_with_no_backup_says_so(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    damage(path)
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        with pytest.raises(DatabaseError, match=re.escape(f"no sound backup of it was found in {tmp_path}") + "$"), \
                ctx.engine.connect() as con:
            con.execute(text("SELECT count(*), sum(length(name)) FROM service")).all()
    finally:
        ctx.close()


def test_damage_met_by_the_home_screens_light_read_is_the_same_one_line(demo_file: Path, tmp_path: Path) -> None:
    """The first frame reads through plain sqlite3 (store.quick), not SQLAlchemy: the same line there."""
    from broker_tui.services.home import todays_work

    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    damage(path, "referral")
    ctx = AppContext.for_target(str(path), today=TODAY)
    try:
        with pytest.raises(DatabaseError) as refused:
            todays_work(ctx)
    finally:
        ctx.close()
    line = str(refused.value)
    assert line.startswith(f"The database {path} is damaged (") and "\n" not in line
    assert "no sound backup of it was found" in line
