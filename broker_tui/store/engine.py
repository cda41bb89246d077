"""SQLAlchemy engines and sessions for SQLite (embedded default) and PostgreSQL (the team's server).

Every engine hides SQL parameters in its errors (``hide_parameters``): a failed INSERT must never carry
a child's initials or date of birth into a message, a log or a terminal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from broker_tui.store.errors import DatabaseError, RuleBroken
from broker_tui.store.location import DatabaseLocation, check_sqlite_file, create_private_file, secure
from broker_tui.store.rules import broken_rule


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(location: DatabaseLocation, *, create: bool = True) -> Engine:
    """An engine for the location, after checking it can be used. Raises DatabaseError with one line."""
    if location.path is not None:
        check_sqlite_file(location.path)
        if create:
            create_private_file(location.path)
        engine = create_engine(location.url, connect_args={"timeout": 5}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        path = location.path
        event.listen(engine, "connect", lambda *_: secure(path))
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
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back (nothing half-written) on error.

    A write that breaks a rule the database holds raises RuleBroken naming the rule (never the row).
    """
    session = Session(engine, expire_on_commit=False)
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
