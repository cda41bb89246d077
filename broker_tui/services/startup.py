"""Start-up: make sure the database exists, is at the head revision and (on first start) holds the demo.

The everyday path is light: for a SQLite file already at the head revision and prepared, nothing heavier
than the stdlib's sqlite3 is touched, so the first frame paints fast; on PostgreSQL the same look goes
through SQLAlchemy Core, without Alembic. Creating, upgrading, finishing and seeding import Alembic and
happen once.

A database is *prepared* once its first start has finished: the reference data loaded and, when that start
wanted it (``seed_demo_if_new``: the app at the default location) and the database is empty, the demo
market seeded, in one transaction that also writes the marker (AppMeta ``prepared_on``, or the demo's own
``demo_seeded_on``). A first start killed at any moment (after the migration, during the seed) leaves a
database that is not prepared, and the next start finishes it: the app's start seeds the demo then; a
command (``seed_demo_if_new`` False) loads the reference data and leaves the database empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from broker_tui.services.context import AppContext
from broker_tui.store.location import check_sqlite_file, sqlite_start_state
from broker_tui.store.revision import HEAD_REVISION

if TYPE_CHECKING:
    from sqlalchemy import Connection

PREPARED = "prepared_on"
# Either marker says the first start finished: ours, or the demo's (services.demo.DEMO_SEEDED, written in
# the seed's transaction; spelled out here so that the light path imports nothing of SQLAlchemy).
PREPARED_KEYS = (PREPARED, "demo_seeded_on")


@dataclass
class StartupReport:
    created: bool = False
    upgraded_from: str | None = None
    backup: Path | None = None
    seeded: bool = False


def is_ready_light(ctx: AppContext) -> bool:
    """True when a SQLite file is at the head revision and prepared (read with sqlite3 only)."""
    path = ctx.location.path
    if path is None or not check_sqlite_file(path):
        return False
    revision, prepared = sqlite_start_state(path, PREPARED_KEYS)
    return revision == HEAD_REVISION and prepared


def prepare_database(ctx: AppContext, *, seed_demo_if_new: bool,
                     progress: Callable[[str], None] = lambda _m: None) -> StartupReport:
    """Create or upgrade the database, and finish its first start (reference data; the demo market when
    ``seed_demo_if_new`` and the database is empty) if no start has finished it yet."""
    report = StartupReport()
    if is_ready_light(ctx) or _is_ready(ctx):
        return report
    from broker_tui.store import migrate

    engine = ctx.engine
    before = migrate.current_revision(engine)
    report.created = before is None
    if before != migrate.head_revision():
        progress("Creating the database…" if before is None else f"Upgrading the database from {before}…")
        report.backup = migrate.upgrade(engine, ctx.location)
        report.upgraded_from = before
    if _is_prepared(ctx):
        if report.upgraded_from is not None:
            from broker_tui.services.reference import ensure_reference_data

            ensure_reference_data(ctx)
        return report
    report.seeded = _finish_first_start(ctx, seed_demo_if_new, progress)
    return report


def _is_ready(ctx: AppContext) -> bool:
    """True when the database (any backend) is at the head revision and prepared, read without Alembic (its
    import and the walk of db/versions cost a PostgreSQL start most of a second)."""
    from broker_tui.store.revision import stored_revision

    with ctx.engine.connect() as con:
        if stored_revision(con) != HEAD_REVISION:
            return False
    return _is_prepared(ctx)


def _is_prepared(ctx: AppContext) -> bool:
    from sqlalchemy import select

    from broker_tui.store.tables import AppMeta

    table = AppMeta.__table__
    with ctx.engine.connect() as con:
        found = con.execute(select(table.c.key).where(table.c.key.in_(PREPARED_KEYS)).limit(1)).first()
    return found is not None


def _finish_first_start(ctx: AppContext, seed_demo_if_new: bool, progress: Callable[[str], None]) -> bool:
    """The reference data, the demo when wanted, the marker: one transaction. True when it seeded."""
    from sqlalchemy.exc import IntegrityError

    from broker_tui.services.demo import DemoRefused

    try:
        return _finish_once(ctx, seed_demo_if_new, progress)
    except (DemoRefused, IntegrityError):
        # another start seeded the database, filled it or loaded the reference data at this very moment
        # (read empty here before it committed): once more, with what it wrote in (a second failure is ours)
        return _finish_once(ctx, seed_demo_if_new, progress)


def _finish_once(ctx: AppContext, seed_demo_if_new: bool, progress: Callable[[str], None]) -> bool:
    from broker_tui.services.demo import is_empty, seed_demo_on
    from broker_tui.services.reference import load_reference_data

    seed = seed_demo_if_new and is_empty(ctx)
    if seed:
        progress("Loading the demo market (first start only)…")
    with ctx.engine.begin() as con:
        if seed:
            seed_demo_on(con, ctx, progress)
        else:
            load_reference_data(con)
        _mark_prepared(con, ctx)
    if seed:
        progress("Demo market ready")
    return seed


def _mark_prepared(con: Connection, ctx: AppContext) -> None:
    """The marker, once: a second start finishing at the same moment leaves the first one's."""
    from broker_tui.store.tables import AppMeta

    row = {"key": PREPARED, "value": ctx.clock.today().isoformat()}
    if con.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        con.execute(postgresql.insert(AppMeta.__table__).on_conflict_do_nothing(index_elements=["key"]), row)
    else:
        from sqlalchemy.dialects import sqlite

        con.execute(sqlite.insert(AppMeta.__table__).on_conflict_do_nothing(index_elements=["key"]), row)
