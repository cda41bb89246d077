"""Looking after the database file: check it, back it up, restore a backup.

SQLite only does all three; a team's PostgreSQL server is the administrator's (pg_dump, pg_restore,
amcheck), so on PostgreSQL ``check`` proves the connection and the schema and the others refuse with the
command to use. Nothing here migrates: a restored database is brought to the current schema by the next
start, as any older database is. Every refusal is one line and changes nothing.

Backups are private (0600), beside the database, named with the moment (ISO, no colons) and the schema
revision: ``<file>.backup-2026-12-04-153012-0002_casework_rules.bak``; what a restore replaces is kept as
``<file>.replaced-<moment>-<revision>.bak``. The copies made before each migration
(``<file>.before-<revision>.bak``) are made by the migrations themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from broker_tui.services.context import AppContext
from broker_tui.store.errors import DatabaseError
from broker_tui.store.location import (
    DatabaseLocation,
    backup_sqlite,
    copy_sqlite,
    damaged_line,
    integrity_problems,
    is_sqlite_file,
    keep_copy,
    restore_advice,
    restore_sqlite,
    sqlite_revision,
    sqlite_tables,
)

SHOWN_PROBLEMS = 20


class MaintenanceRefused(DatabaseError):
    """A check, backup or restore that cannot be done: ``str()`` is one line, and nothing was changed."""


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    summary: str  # one line: "ok: ..." or what is wrong and what to do
    problems: list[str] = field(default_factory=list)  # SQLite's own words, at most SHOWN_PROBLEMS


@dataclass(frozen=True)
class BackupResult:
    path: Path
    revision: str | None


@dataclass(frozen=True)
class RestoreResult:
    revision: str
    head: str
    kept: Path | None  # the copy of the database it replaced (None when there was none)


# --- check -----------------------------------------------------------------------------------------------

def check_database(ctx: AppContext) -> CheckResult:
    """SQLite: ``PRAGMA integrity_check`` over the whole file (read-only). PostgreSQL: the connection and
    the schema revision; checking the server's own pages (amcheck) is its administrator's."""
    location = ctx.location
    if location.path is None:
        return _check_server(ctx)
    path = location.path
    if not path.exists() or path.stat().st_size == 0:
        raise MaintenanceRefused(f"there is no database at {path} to check")
    if path.is_dir():
        raise MaintenanceRefused(f"{path} is a folder, not a database file")
    if not is_sqlite_file(path):
        return CheckResult(False, f"{path} is not a SQLite database (damaged at its start, or another kind of "
                                  f"file): {restore_advice(path)}")
    problems = integrity_problems(path, limit=100)
    revision = _revision_or_none(path)
    if not problems:
        return CheckResult(True, f"ok: {path} passed SQLite's integrity check (schema revision {revision})")
    shown = problems[:SHOWN_PROBLEMS]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more" + (" (SQLite stops at 100)"
                                                                       if len(problems) >= 100 else ""))
    many = f"{len(problems)}{'+' if len(problems) >= 100 else ''} problem{'s' if len(problems) != 1 else ''}"
    return CheckResult(False, f"The database {path} is damaged ({many} found by SQLite's integrity check): "
                              f"{restore_advice(path)}", shown)


def quick_damage(ctx: AppContext) -> str | None:
    """SQLite's ``quick_check`` of the database file: None when it passes (or for a server database), else
    one line saying it is damaged and which backup to restore. Reads the whole file: for commands that
    maintain the database, never for the everyday start."""
    path = ctx.location.path
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    problems = integrity_problems(path, quick=True, limit=1)
    return damaged_line(path, problems[0]) if problems else None


def _check_server(ctx: AppContext) -> CheckResult:
    from sqlalchemy import text

    from broker_tui.store.migrate import current_revision, known_revisions

    if not ctx.location.url.startswith("postgresql"):
        raise MaintenanceRefused("an in-memory database has nothing to check")
    engine = ctx.engine  # connecting proves the server answers (or raises one line)
    with engine.connect() as con:
        version = str(con.execute(text("SHOW server_version")).scalar_one()).split()[0]
        tables = con.execute(text("SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema = current_schema()")).scalar_one()
    revision = current_revision(engine)
    where = f"{ctx.location.display} (PostgreSQL {version})"
    if revision is None:
        return CheckResult(False, f"{where} answers but holds no broker-tui schema ({tables} tables): "
                                  "`broker-tui db upgrade` creates it")
    if revision not in known_revisions():
        return CheckResult(False, f"{where} is at schema revision {revision}, which this version of broker-tui "
                                  "does not know (made by a newer version?)")
    return CheckResult(True, f"ok: {where} answers at schema revision {revision} ({tables} tables); checking the "
                             "server's own pages (amcheck, pg_amcheck) is its administrator's")


# --- backup ----------------------------------------------------------------------------------------------

def backup_database(ctx: AppContext, out: Path | None = None) -> BackupResult:
    """Copy the SQLite database with the online backup API (safe while the app runs) to ``out`` or, by
    default, beside it named with the moment and the schema revision. The copy is private (0600) and
    checked (``quick_check``); a damaged database refuses to be passed off as a good backup."""
    location = ctx.location
    if location.path is None:
        raise MaintenanceRefused(_server_only(location, "backup"))
    path = _existing_sqlite(location, "backed up")
    revision = _revision_or_none(path)
    if out is None:
        target = backup_sqlite(path, f"backup-{_moment(ctx)}-{revision or 'unknown'}")
    else:
        target = Path(os.path.expanduser(out))
        if target.is_dir():
            raise MaintenanceRefused(f"{target} is a folder: give the backup a file name (nothing was written)")
        if not target.parent.is_dir():
            raise MaintenanceRefused(f"there is no folder {target.parent} (nothing was written)")
        copy_sqlite(path, target)
    problems = integrity_problems(target, quick=True, limit=1)
    if problems:
        raise MaintenanceRefused(f"The copy {target} was made but the database is damaged ({problems[0]}): "
                                 f"it is not a good backup; {restore_advice(path)}")
    return BackupResult(target, revision)


# --- restore ---------------------------------------------------------------------------------------------

def restore_database(ctx: AppContext, source: Path) -> RestoreResult:
    """Replace the SQLite database with the backup ``source`` after checking it is a sound broker-tui
    database this code can bring to its schema. What it replaces is kept beside it (0600)."""
    from broker_tui.store.migrate import head_revision

    location = ctx.location
    if location.path is None:
        raise MaintenanceRefused(_server_only(location, "restore"))
    target = location.path
    source = Path(os.path.expanduser(source))
    revision = _check_restorable(source)
    if target.exists() and source.resolve() == target.resolve():
        raise MaintenanceRefused(f"{source} is the database itself: nothing to restore (nothing was changed)")
    _check_replaceable(target)
    kept = None
    if target.exists() and target.stat().st_size > 0:
        kept = keep_copy(target, f"replaced-{_moment(ctx)}-{_revision_or_none(target) or 'unknown'}")
    restore_sqlite(source, target)
    return RestoreResult(revision, head_revision(), kept)


def _check_replaceable(target: Path) -> None:
    """Restore replaces a broker-tui database (sound or damaged), never another program's file."""
    if not target.exists() or target.stat().st_size == 0:
        return
    if target.is_dir():
        raise MaintenanceRefused(f"{target} is a folder, not a database file (nothing was changed)")
    if not is_sqlite_file(target):
        raise MaintenanceRefused(f"{target} is not a SQLite database: restore replaces only a broker-tui "
                                 "database; move that file away first (nothing was changed)")
    try:
        tables = sqlite_tables(target)
    except DatabaseError:
        return  # too damaged to list its tables: ours to replace (a copy is kept)
    if tables and "alembic_version" not in tables:
        raise MaintenanceRefused(f"{target} holds other tables ({_names(sorted(tables))}) and no broker-tui "
                                 "schema revision: restore will not replace it (nothing was changed)")


def _check_restorable(source: Path) -> str:
    """The schema revision of a sound broker-tui database at ``source``, or a refusal in one line."""
    from broker_tui.store.migrate import known_revisions, tables_at

    unchanged = "nothing was changed"
    if not source.is_file():
        raise MaintenanceRefused(f"there is no file {source} ({unchanged})")
    if not is_sqlite_file(source):
        raise MaintenanceRefused(f"{source} is not a SQLite database ({unchanged})")
    problems = integrity_problems(source, limit=1)
    if problems:
        raise MaintenanceRefused(f"{source} fails SQLite's integrity check ({problems[0]}): it cannot be "
                                 f"restored ({unchanged})")
    tables = sqlite_tables(source)
    if "alembic_version" not in tables:
        raise MaintenanceRefused(f"{source} has no broker-tui schema revision: it is not a broker-tui database "
                                 f"({unchanged})")
    revision = sqlite_revision(source)
    if not revision:
        raise MaintenanceRefused(f"{source} has an empty schema revision: it is not a broker-tui database "
                                 f"({unchanged})")
    if revision not in known_revisions():
        raise MaintenanceRefused(f"{source} is at schema revision {revision}, which this version of broker-tui "
                                 f"does not know (made by a newer version?): {unchanged}")
    expected = tables_at(revision)
    unknown, missing = sorted(tables - expected), sorted(expected - tables)
    if unknown or missing:
        what = (f"tables broker-tui does not make ({_names(unknown)})" if unknown
                else f"no {_names(missing)} table{'s' if len(missing) > 1 else ''}")
        raise MaintenanceRefused(f"{source} has {what} at schema revision {revision}: it is not a broker-tui "
                                 f"database ({unchanged})")
    return revision


# --- helpers ---------------------------------------------------------------------------------------------

def _existing_sqlite(location: DatabaseLocation, what: str) -> Path:
    path = location.path
    assert path is not None
    if not path.exists() or path.stat().st_size == 0:
        raise MaintenanceRefused(f"there is no database at {path} to be {what}")
    if path.is_dir():
        raise MaintenanceRefused(f"{path} is a folder, not a database file")
    if not is_sqlite_file(path):
        raise MaintenanceRefused(f"{path} is not a SQLite database (nothing was changed)")
    return path


def _revision_or_none(path: Path) -> str | None:
    return sqlite_revision(path)


def _names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (", …" if len(names) > 3 else "")


def _moment(ctx: AppContext) -> str:
    return ctx.clock.now().astimezone().strftime("%Y-%m-%d-%H%M%S")


def _server_only(location: DatabaseLocation, what: str) -> str:
    if not location.url.startswith("postgresql"):
        return f"an in-memory database cannot be {'backed up' if what == 'backup' else 'restored'}"
    url = location.display.replace("postgresql+psycopg://", "postgresql://", 1)
    if what == "backup":
        return (f"{location.display} is a PostgreSQL database: back it up on the server with pg_dump, e.g. "
                f"pg_dump --format=custom --file=broker-tui.dump '{url}' (nothing was written)")
    return (f"{location.display} is a PostgreSQL database: restore it on the server with pg_restore, e.g. "
            f"pg_restore --clean --if-exists --dbname='{url}' broker-tui.dump (nothing was changed)")
