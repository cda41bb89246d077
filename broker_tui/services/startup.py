"""Start-up: make sure the database exists, is at the head revision and (on first start) holds the demo.

The everyday path is light: for a SQLite file already at the head revision nothing heavier than the
stdlib's sqlite3 is touched, so the first frame paints fast. Creating, upgrading and seeding import
SQLAlchemy and Alembic and happen once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from broker_tui.services.context import AppContext
from broker_tui.store.location import check_sqlite_file, sqlite_revision
from broker_tui.store.revision import HEAD_REVISION


@dataclass
class StartupReport:
    created: bool = False
    upgraded_from: str | None = None
    backup: Path | None = None
    seeded: bool = False


def is_ready_light(ctx: AppContext) -> bool:
    """True when a SQLite file is already at the head revision (read with sqlite3 only)."""
    path = ctx.location.path
    if path is None:
        return False
    return check_sqlite_file(path) and sqlite_revision(path) == HEAD_REVISION


def prepare_database(ctx: AppContext, *, seed_demo_if_new: bool,
                     progress: Callable[[str], None] = lambda _m: None) -> StartupReport:
    """Create or upgrade the database; seed the demo market into a new empty one when asked."""
    report = StartupReport()
    if is_ready_light(ctx):
        return report
    from broker_tui.store import migrate

    engine = ctx.engine
    before = migrate.current_revision(engine)
    report.created = before is None
    if before != migrate.head_revision():
        progress("Creating the database…" if before is None else f"Upgrading the database from {before}…")
        report.backup = migrate.upgrade(engine, ctx.location)
        report.upgraded_from = before
        from broker_tui.services.reference import ensure_reference_data

        ensure_reference_data(ctx)
    if seed_demo_if_new and report.created:
        from broker_tui.services.demo import is_empty, seed_demo

        if is_empty(ctx):
            progress("Loading the demo market (first start only)…")
            seed_demo(ctx, progress=progress)
            report.seeded = True
    return report
