"""`backup` and `restore`: SQLite's online backup API both ways, private files named with the date and
the schema revision, and a restore that refuses (one line, nothing changed) anything that is not a sound
broker-tui database this code knows, keeping a copy of what it replaces."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from pathlib import Path

import pytest

from broker_tui.services.context import AppContext
from broker_tui.store import migrate
from broker_tui.store.location import backup_sqlite, sqlite_revision
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import Provider
from tests.conftest import TODAY
from tests.store.database_files import copy_file, damage, one_line, run_cli, seed_demo_file, sqlite_scalar

STAMP = r"\d{4}-\d{2}-\d{2}-\d{6}"


_run, _one_line = run_cli, one_line


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_demo_file(tmp_path_factory.mktemp("demo") / "demo.sqlite3")


@pytest.fixture
def broker_db(sqlite_ctx) -> Path:
    """A broker-tui database at head with one provider, closed."""
    with sqlite_ctx.session() as s:
        s.add(Provider(name="Oakfield Care Ltd", sector="private"))
    sqlite_ctx.close()
    return sqlite_ctx.location.path


# --- backup ------------------------------------------------------------------------------------------------

def test_backup_is_private_beside_the_database_and_named_with_date_and_revision(broker_db: Path) -> None:
    result = _run("--db", str(broker_db), "backup")
    assert result.exit_code == 0, result.output
    line = _one_line(result.stdout)
    match = re.fullmatch(rf"Backed up {re.escape(str(broker_db))} \(schema revision {HEAD_REVISION}\) to (.+)", line)
    assert match, line
    copy = Path(match.group(1))
    assert copy.parent == broker_db.parent
    assert re.fullmatch(rf"{re.escape(broker_db.name)}\.backup-{STAMP}-{HEAD_REVISION}\.bak", copy.name)
    assert _mode(copy) == 0o600
    assert sqlite_scalar(copy, "PRAGMA integrity_check") == "ok"
    assert sqlite_scalar(copy, "SELECT name FROM provider") == "Oakfield Care Ltd"
    assert sqlite_revision(copy) == HEAD_REVISION
    assert not Path(f"{copy}-wal").exists() and not Path(f"{copy}-shm").exists()  # one self-contained file


def test_backup_while_the_app_is_writing_copies_what_is_committed(broker_db: Path, tmp_path: Path) -> None:
    ctx = AppContext.for_target(str(broker_db), today=TODAY)
    out = tmp_path / "copy.bak"
    try:
        with ctx.session() as s:  # a write under way in the app: not committed while the backup runs
            s.add(Provider(name="Meadow View Care", sector="private"))
            s.flush()
            result = _run("--db", str(broker_db), "backup", "--out", str(out))
        assert result.exit_code == 0, result.output
    finally:
        ctx.close()
    assert _one_line(result.stdout).endswith(f" to {out}")
    assert _mode(out) == 0o600
    assert sqlite_scalar(out, "SELECT group_concat(name) FROM provider") == "Oakfield Care Ltd"
    assert sqlite_scalar(broker_db, "SELECT count(*) FROM provider") == 2


def test_backup_never_overwrites_a_file(broker_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "existing.bak"
    out.write_bytes(b"keep me")
    result = _run("--db", str(broker_db), "backup", "--out", str(out))
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (f"broker-tui: {out} already exists: nothing was written; "
                                        "choose another name")
    assert out.read_bytes() == b"keep me"


def test_backup_of_no_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = _run("--db", str(missing), "backup")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == f"broker-tui: there is no database at {missing} to be backed up"
    assert list(tmp_path.iterdir()) == []


def test_backup_of_a_postgresql_database_says_to_use_pg_dump() -> None:
    url = "postgresql://broker:s3cret@db.example:5433/brokerage"
    result = _run("--db", url, "backup")
    assert result.exit_code == 2 and result.stdout == ""
    assert _one_line(result.stderr) == (
        "broker-tui: postgresql+psycopg://broker@db.example:5433/brokerage is a PostgreSQL database: back it up on "
        "the server with pg_dump, e.g. pg_dump --format=custom --file=broker-tui.dump "
        "'postgresql://broker@db.example:5433/brokerage' (nothing was written)")
    assert "s3cret" not in result.output


# --- restore -----------------------------------------------------------------------------------------------

def test_restore_over_a_damaged_database_keeps_a_copy_of_it(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "data" / "broker.sqlite3")
    backup = backup_sqlite(path, "backup-2026-11-30-170000-known")
    services = sqlite_scalar(backup, "SELECT count(*) FROM service")
    damage(path)
    damaged = path.read_bytes()
    result = _run("--db", str(path), "restore", str(backup))
    assert result.exit_code == 0, result.output
    line = _one_line(result.stdout)
    kept = [p for p in path.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1
    assert re.fullmatch(rf"{re.escape(path.name)}\.replaced-{STAMP}-{HEAD_REVISION}\.bak", kept[0].name)
    assert line == (f"Restored {path} from {backup} (schema revision {HEAD_REVISION}); the database it replaced "
                    f"is kept at {kept[0]}")
    assert _mode(kept[0]) == 0o600 and _mode(path) == 0o600
    copy = kept[0].read_bytes()  # kept as it was, damage and all (its header says rollback journal, not WAL)
    assert len(copy) == len(damaged) and copy[100:] == damaged[100:]
    check = _run("--db", str(path), "db", "check")
    assert check.exit_code == 0 and check.stdout.startswith("ok: ")
    assert sqlite_scalar(path, "SELECT count(*) FROM service") == services
    listed = _run("--db", str(path), "providers", "list", "--json")  # the app reads it again
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) > 1000


def test_a_restored_older_database_is_brought_to_head_on_the_next_start(broker_db: Path, tmp_path: Path) -> None:
    first = migrate.first_revision()
    if first == HEAD_REVISION:
        pytest.skip("one revision only: nothing older to restore")
    older = tmp_path / "older" / "broker.sqlite3"
    older.parent.mkdir()
    ctx = AppContext.for_target(str(older), today=TODAY)
    try:
        migrate.upgrade(ctx.engine, ctx.location, target=first)
        with ctx.engine.begin() as con:
            con.exec_driver_sql("INSERT INTO provider (id, name, sector, version, created_at, updated_at) VALUES "
                                "('0190e1f2a3b47c8d9e0f1a2b3c4d5e6f', 'Older Care Ltd', 'private', 1, "
                                "'2026-11-01 09:00:00', '2026-11-01 09:00:00')")
    finally:
        ctx.close()
    result = _run("--db", str(broker_db), "restore", str(older))
    assert result.exit_code == 0, result.output
    assert f"(schema revision {first}); it is brought to the current schema ({HEAD_REVISION}) on the next start" \
        in _one_line(result.stdout)
    assert sqlite_revision(broker_db) == first  # nothing migrated by the restore itself
    upgraded = _run("--db", str(broker_db), "db", "upgrade")
    assert upgraded.exit_code == 0 and f"Upgraded {broker_db} from {first}" in upgraded.stdout
    assert sqlite_revision(broker_db) == HEAD_REVISION
    assert sqlite_scalar(broker_db, "SELECT group_concat(name) FROM provider") == "Older Care Ltd"


def _not_sqlite(path: Path) -> None:
    path.write_text("case_ref,initials\nLCC-1,AB\n")


def _foreign(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
    con.commit()
    con.close()


def _with_table(name: str, revision: str | None = None):
    def make(path: Path, source: Path) -> None:
        copy_file(source, path)
        con = sqlite3.connect(path)
        if name:
            con.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY)")
        if revision is not None:
            con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        con.commit()
        con.close()
    return make


def _damaged(path: Path, source: Path) -> None:
    copy_file(source, path)
    damage(path)


REFUSED = [
    pytest.param(lambda p, _s: _not_sqlite(p), "is not a SQLite database (nothing was changed)", id="not-sqlite"),
    pytest.param(lambda p, _s: _foreign(p), "has no broker-tui schema revision: it is not a broker-tui database "
                 "(nothing was changed)", id="foreign"),
    pytest.param(_with_table("invoices"), "has tables broker-tui does not make (invoices) at schema revision",
                 id="unknown-table"),
    pytest.param(_with_table("", "9999_from_the_future"), "is at schema revision 9999_from_the_future, which this "
                 "version of broker-tui does not know (made by a newer version?): nothing was changed", id="newer"),
    pytest.param(_damaged, "fails SQLite's integrity check (", id="damaged"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED)
def test_restore_refuses_what_is_not_a_sound_known_broker_tui_database(demo_file: Path, broker_db: Path,
                                                                       tmp_path: Path, make, message: str) -> None:
    candidate = tmp_path / "candidates" / "candidate.bak"
    candidate.parent.mkdir()
    make(candidate, demo_file)
    before = _folder(broker_db)
    result = _run("--db", str(broker_db), "restore", str(candidate))
    assert result.exit_code == 2 and result.stdout == ""
    line = _one_line(result.stderr)
    assert line.startswith(f"broker-tui: {candidate} ") and message in line and "nothing was changed" in line
    assert _folder(broker_db) == before  # the database untouched, no copy made


def test_restore_will_not_replace_another_programs_database(demo_file: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "invoices.sqlite3"
    _foreign(theirs)
    before = theirs.read_bytes()
    result = _run("--db", str(theirs), "restore", str(demo_file))
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (f"broker-tui: {theirs} holds other tables (invoices) and no broker-tui "
                                        "schema revision: restore will not replace it (nothing was changed)")
    assert theirs.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [theirs.name]


def test_restore_into_a_postgresql_database_is_refused(demo_file: Path) -> None:
    result = _run("--db", "postgresql://broker@db.example:5433/brokerage", "restore", str(demo_file))
    assert result.exit_code == 2
    assert _one_line(result.stderr) == (
        "broker-tui: postgresql+psycopg://broker@db.example:5433/brokerage is a PostgreSQL database: restore it on "
        "the server with pg_restore, e.g. pg_restore --clean --if-exists "
        "--dbname='postgresql://broker@db.example:5433/brokerage' broker-tui.dump (nothing was changed)")
