"""Create or upgrade a database to the head revision, copying a SQLite file aside first.

Each upgrade is one transaction on both backends, so a revision that fails leaves the database exactly as
it was. PostgreSQL's DDL is transactional as it comes; SQLite's is too, but Python's sqlite3 driver (in
its legacy transaction control, the default through Python 3.15) commits every CREATE, ALTER and DROP
on its own. Migrations therefore run on their own SQLite connection (``migration_engine``) on which
SQLAlchemy emits the BEGIN itself (SQLAlchemy's documented recipe for "Transactional DDL"): BEGIN
IMMEDIATE, so that a second process starting at the same moment waits for the first and then finds the
database upgraded. The app's everyday engine keeps the driver's default, which its sessions rely on.

On that connection foreign keys are off while the revisions run, as SQLite requires for a revision that
rebuilds a table (Alembic's batch mode copies, drops and renames it: with foreign keys on, dropping a
parent table whose rows are referenced fails, or cascades); ``PRAGMA foreign_key_check`` then runs
before the commit and any broken reference rolls the whole upgrade back.

Before an upgrade a SQLite file is checked (``quick_check``: a damaged file is refused, untouched) and
copied aside with the online backup API; a failure names that copy and restores nothing silently.
"""

from __future__ import annotations

import contextlib
import filecmp
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, StaticPool

from broker_tui.resources import MIGRATIONS_DIR
from broker_tui.store.errors import DatabaseError
from broker_tui.store.location import (
    DatabaseLocation,
    backup_sqlite,
    backups_of,
    integrity_problems,
    resolve,
    restore_advice,
    secure,
)

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def first_revision() -> str:
    """The revision every database starts from (the base of db/versions)."""
    return ScriptDirectory.from_config(alembic_config()).get_base() or ""


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as con:
        if not inspect(con).has_table("alembic_version"):
            return None
        row = con.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


# --- SQLite: one transaction for the whole upgrade ------------------------------------------------------

def _migration_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own; SQLAlchemy does
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before BEGIN
    cur.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migration_engine(url: str) -> Engine:
    """A SQLite engine whose transactions hold DDL too (see the module's docstring). One connection per use."""
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 5},
                           poolclass=StaticPool if in_memory else NullPool)
    event.listen(engine, "connect", _migration_pragmas)
    event.listen(engine, "begin", _begin_immediate)
    return engine


@contextlib.contextmanager
def _migration_connection(engine: Engine, location: DatabaseLocation) -> Iterator[Connection]:
    """One transaction for a whole upgrade or downgrade: committed at the end, rolled back on any error."""
    if location.path is None:  # PostgreSQL (transactional DDL), or an in-memory SQLite (nothing to keep)
        with engine.begin() as connection:
            yield connection
        return
    own = migration_engine(location.url)
    try:
        with own.begin() as connection:
            yield connection
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                tables = sorted({str(row[0]) for row in problems})
                raise _BrokenReferences(f"{len(problems)} row(s) would refer to rows that are not there "
                                        f"(in {', '.join(tables)})")
    finally:
        own.dispose()


class _BrokenReferences(Exception):
    """The revisions left rows referring to nothing: the upgrade is rolled back."""


def _run(engine: Engine, location: DatabaseLocation, step: str, target: str) -> None:
    cfg = alembic_config()
    with _migration_connection(engine, location) as connection:
        cfg.attributes["connection"] = connection
        if step == "upgrade":
            command.upgrade(cfg, target)
        else:
            command.downgrade(cfg, target)


# --- upgrade and downgrade ------------------------------------------------------------------------------

def upgrade(engine: Engine, location: DatabaseLocation, target: str = "head") -> Path | None:
    """Bring the database to ``target`` in one transaction. Returns the backup's path when an existing SQLite
    file was copied aside first. Raises DatabaseError with one line (nothing changed) when it cannot."""
    backup = None
    current = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    _check_ours(engine, location, current)
    if location.path is not None and current is not None:
        problems = integrity_problems(location.path, quick=True, limit=1)
        if problems:
            raise DatabaseError(f"The database {location.path} is damaged and was not upgraded ({problems[0]}): "
                                f"{restore_advice(location.path)}")
        backup = _backup_before(location.path, wanted)
    try:
        _run(engine, location, "upgrade", target)
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001  (any failure of a revision: one line, the database as it was)
        log.debug("upgrade to %s failed", wanted, exc_info=True)
        raise DatabaseError(_failed_line(location, wanted, current, backup, exc)) from None
    if location.path is not None:
        secure(location.path)
    return backup


def downgrade(engine: Engine, target: str, location: DatabaseLocation | None = None) -> None:
    """Take the database back to ``target`` in one transaction (tests and developers; never on start)."""
    _run(engine, location or _location_of(engine), "downgrade", target)


def _location_of(engine: Engine) -> DatabaseLocation:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return resolve(database)
    return DatabaseLocation(engine.url.render_as_string(hide_password=True), None)


def _backup_before(path: Path, wanted: str) -> Path:
    """The copy made before upgrading to ``wanted``. A failed upgrade changes nothing, so a second attempt
    finds an identical earlier copy: that one is named again rather than a new one piling up."""
    label = f"before-{wanted}"
    same = re.compile(re.escape(f"{path.name}.{label}") + r"(-\d+)?\.bak")
    earlier = [p for p in backups_of(path) if same.fullmatch(p.name)]
    backup = backup_sqlite(path, label)
    for previous in earlier[:1]:
        if previous.stat().st_size == backup.stat().st_size and filecmp.cmp(previous, backup, shallow=False):
            backup.unlink()
            return previous
    return backup


def _failed_line(location: DatabaseLocation, wanted: str, current: str | None, backup: Path | None,
                 exc: Exception) -> str:
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig or exc).strip()
    else:
        reason = str(exc).strip() or type(exc).__name__
    reason = reason.splitlines()[0] if reason else type(exc).__name__
    if len(reason) > 200:
        reason = reason[:199] + "…"
    state = f"at schema revision {current}" if current else "empty"
    line = (f"The upgrade of {location.display} to schema revision {wanted} failed ({reason}): "
            f"the database was left as it was, {state}")
    if backup is not None:
        return f"{line}; the copy made before the attempt is {backup} (nothing was restored from it)"
    if location.path is None and current is not None:
        return f"{line} (a server database is not copied aside: keep pg_dump backups)"
    return line


def tables_at(revision: str) -> frozenset[str]:
    """The tables a database at ``revision`` holds (built once, in memory), alembic_version included."""
    return _tables_at(revision, str(MIGRATIONS_DIR))


@functools.cache
def _tables_at(revision: str, _scripts: str) -> frozenset[str]:
    engine = migration_engine("sqlite://")
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            return frozenset(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _check_ours(engine: Engine, location: DatabaseLocation, current: str | None) -> None:
    """Refuse, before anything is written, a database this code must not migrate."""
    if current is None:
        with engine.connect() as con:
            tables = [t for t in inspect(con).get_table_names() if t != "alembic_version"]
        if tables:
            names = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
            raise DatabaseError(f"{location.display} holds other tables ({names}) and no broker-tui schema "
                                "revision: it is not a broker-tui database (nothing was changed)")
    elif current not in known_revisions():
        raise DatabaseError(f"{location.display} is at schema revision {current!r}, which this version of "
                            "broker-tui does not know (made by a newer version?): nothing was changed")
