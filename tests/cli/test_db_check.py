"""`db upgrade` after a failed revision and `db check`: one line each time, never a traceback.

- A revision that fails: `db upgrade` says once, in one line, that the database was left as it was and
  names the copy made before the attempt; the second run says the same line (not "already exists").
- `db check`: "ok" on a sound file; on a damaged one SQLite's problems and the command restoring the
  newest sound backup; on PostgreSQL the connection and schema, and that server-side checks are the
  administrator's.
- Damage met by any command is one line naming the backup; `db upgrade` never calls a damaged file
  "up to date".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from broker_tui.store.location import backup_sqlite, sqlite_revision
from tests.store.database_files import (
    FAILS_HALFWAY,
    copy_file,
    damage,
    one_line,
    run_cli,
    seed_demo_file,
    with_revision,
)

_run, _one_line = run_cli, one_line


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_demo_file(tmp_path_factory.mktemp("demo") / "demo.sqlite3")


def test_db_upgrade_after_a_failing_revision_is_the_same_one_line_twice(ctx, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    url, display, path = ctx.location.url, ctx.location.display, ctx.location.path
    ctx.close()
    bad = with_revision(tmp_path, monkeypatch, "0999_fails_halfway", FAILS_HALFWAY)
    first = _run("--db", url, "db", "upgrade")
    second = _run("--db", url, "db", "upgrade")
    assert first.exit_code == second.exit_code == 2
    line = _one_line(first.stderr)
    assert _one_line(second.stderr) == line
    assert line.startswith(f"broker-tui: The upgrade of {display} to schema revision {bad} failed (the revision "
                           "broke halfway): the database was left as it was, at schema revision ")
    assert "already exists" not in line
    if path is not None:
        copies = sorted(path.parent.glob("*.bak"))
        assert len(copies) == 1 and line.endswith(f"the copy made before the attempt is {copies[0]} "
                                                  "(nothing was restored from it)")


def test_db_check_passes_a_sound_file(sqlite_ctx) -> None:
    path = sqlite_ctx.location.path
    sqlite_ctx.close()
    result = _run("--db", str(path), "db", "check")
    assert result.exit_code == 0 and result.stderr == ""
    assert _one_line(result.stdout) == (f"ok: {path} passed SQLite's integrity check "
                                        f"(schema revision {sqlite_revision(path)})")


def test_db_check_lists_the_damage_and_the_backup_to_restore(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    backup = backup_sqlite(path, "backup-2026-11-30-170000-known")
    damage(path)
    result = _run("--db", str(path), "db", "check")
    assert result.exit_code == 1
    problems = result.stdout.splitlines()
    assert 1 <= len(problems) <= 21 and all(problems)  # SQLite's own words, at most 20 and a count of the rest
    assert _one_line(result.stderr).startswith(f"broker-tui: The database {path} is damaged (")
    assert result.stderr.strip().endswith(f"found by SQLite's integrity check): restore the newest sound backup "
                                          f"with: broker-tui --db {path} restore {backup}")


def test_damage_met_by_a_command_is_one_line_naming_the_backup(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    backup = backup_sqlite(path, "backup-2026-11-30-170000-known")
    damage(path)
    result = _run("--db", str(path), "providers", "list")
    assert result.exit_code == 2 and result.stdout == ""
    assert _one_line(result.stderr) == (f"broker-tui: The database {path} is damaged (database disk image is "
                                        f"malformed): restore the newest sound backup with: broker-tui --db {path} "
                                        f"restore {backup}")


def test_db_upgrade_does_not_call_a_damaged_file_up_to_date(demo_file: Path, tmp_path: Path) -> None:
    path = copy_file(demo_file, tmp_path / "broker.sqlite3")
    damage(path)
    result = _run("--db", str(path), "db", "upgrade")
    assert result.exit_code == 2 and "up to date" not in result.output
    line = _one_line(result.stderr)
    assert line.startswith(f"broker-tui: The database {path} is damaged (")
    assert line.endswith(f"no sound backup of it was found in {tmp_path}")


@pytest.mark.parametrize("ctx", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_db_check_on_postgresql(ctx) -> None:
    result = _run("--db", ctx.location.url, "db", "check")
    assert result.exit_code == 0, result.output
    line = _one_line(result.stdout)
    assert line.startswith(f"ok: {ctx.location.display} (PostgreSQL ")
    assert "answers at schema revision" in line and line.endswith("(amcheck, pg_amcheck) is its administrator's")


def test_db_check_of_a_missing_database(tmp_path: Path) -> None:
    result = _run("--db", str(tmp_path / "none.sqlite3"), "db", "check")
    assert result.exit_code == 2
    assert _one_line(result.stderr) == f"broker-tui: there is no database at {tmp_path / 'none.sqlite3'} to check"
    assert not (tmp_path / "none.sqlite3").exists()
