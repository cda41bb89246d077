"""SQLAlchemy engines and sessions for SQLite (embedded default) and PostgreSQL (the team's server).

Every engine hides SQL parameters in its errors (``hide_parameters``): a failed INSERT must never carry
a child's initials or date of birth into a message, a log or a terminal.

A SQLite file found damaged by any statement ("database disk image is malformed", "file is not a
database") raises DatabaseError with one line naming the newest sound backup to restore, wherever it
happens (``_damage_is_one_line``): no traceback, and the broker learns what to do. So does a write that
could not get the database's lock ("database is locked"): the app's own writers to a SQLite file queue
fairly for it (store.writers) and wait as long as the writes ahead of them take, so that is only ever met
when something holds the database for a minute.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection, ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from broker_tui.store.audit import attach
from broker_tui.store.base import utcnow
from broker_tui.store.errors import DatabaseError, RuleBroken
from broker_tui.store.location import (
    DatabaseLocation,
    check_sqlite_file,
    create_private_file,
    damaged_line,
    is_damage,
    secure,
)
from broker_tui.store.rules import broken_rule
from broker_tui.store.writers import queued_connection


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _damage_is_one_line(path: Path) -> Callable[[ExceptionContext], None]:
    """A ``handle_error`` listener: SQLite's damage errors become DatabaseError naming the backup to restore."""

    def handle_error(context: ExceptionContext) -> None:
        original = context.original_exception
        if isinstance(original, sqlite3.DatabaseError) and is_damage(original):
            raise DatabaseError(damaged_line(path, original)) from None
        if isinstance(original, sqlite3.OperationalError) and _is_busy(original):
            raise DatabaseError(f"The database {path} is busy: another program has been writing to it for too "
                                "long; nothing was saved (try again)") from None

    return handle_error


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "database is locked" in str(error)


def make_engine(location: DatabaseLocation, *, create: bool = True) -> Engine:
    """An engine for the location, after checking it can be used. Raises DatabaseError with one line."""
    if location.path is not None:
        check_sqlite_file(location.path)
        if create:
            create_private_file(location.path)
        engine = create_engine(location.url, hide_parameters=True, connect_args={
            "timeout": 5, "factory": queued_connection(f"{location.path}.lock")})
        event.listen(engine, "connect", _sqlite_pragmas)
        path = location.path
        event.listen(engine, "connect", lambda *_: secure(path))
        event.listen(engine, "handle_error", _damage_is_one_line(path))
        try:
            with engine.connect() as con:
                con.execute(text("SELECT count(*) FROM sqlite_master"))
        except DBAPIError as exc:
            engine.dispose()
            raise DatabaseError(f"Cannot open the database {path}: {_first_line(exc)}") from None
        return engine
    if location.url.startswith("sqlite"):
        engine = create_engine(location.url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(location.url, connect_args={"connect_timeout": 5}, pool_pre_ping=True,
                           hide_parameters=True)
    try:
        with engine.connect() as con:
            con.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"Cannot reach the database at {location.display}: {_first_line(exc)}") from None
    return engine


def _first_line(exc: DBAPIError) -> str:
    text_ = str(exc.orig or "").strip()
    return text_.splitlines()[0].strip() if text_ else "no answer"


@contextlib.contextmanager
def session_scope(engine: Engine, *, actor: str | None = None,
                  now: Callable[[], dt.datetime] | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back (nothing half-written) on error.

    With an ``actor``, every row the session writes leaves its audit event (store.audit); without one the
    session may only read (a write raises AuditMissing).

    A write that breaks a rule the database holds raises RuleBroken naming the rule (never the row).
    """
    session = Session(engine, expire_on_commit=False)
    if actor is not None:
        attach(session, actor=actor, now=now or utcnow)
    try:
        yield session
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise RuleBroken(broken_rule(exc) or "of the database") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_role(engine: Engine) -> str | None:
    """Who the server says is connected (PostgreSQL's ``current_user``): the person, when each member
    of the team logs in as their own role. None for SQLite, which has no users."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as con:
        return str(con.execute(text("SELECT current_user")).scalar_one())
