"""`locate`, `db upgrade`, `db check`, `backup`, `restore`: where things are, bringing a database to the
current schema, checking it for damage, and copying it aside or back."""

from __future__ import annotations

from pathlib import Path

import click

from broker_tui.cli import Root, fail, say


@click.command()
@click.pass_obj
def locate(root: Root) -> None:
    """Print the database and settings file locations."""
    from broker_tui.services.locations import config_path, database_target
    from broker_tui.store.errors import DatabaseError
    from broker_tui.store.location import resolve

    target, is_default = database_target(root.db)
    try:
        location = resolve(target)
    except DatabaseError as exc:
        fail(str(exc))
    say(f"database: {location.display}{'  (default)' if is_default else ''}")
    say(f"settings: {config_path()}")
    from broker_tui.cli.logs import app_log_file

    say(f"app log:  {app_log_file()}")


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(root: Root) -> None:
    """Create the database or bring it to the current schema (a SQLite file is copied aside first)."""
    from broker_tui.cli import database_errors, with_context
    from broker_tui.services.maintenance import quick_damage
    from broker_tui.services.startup import prepare_database

    ctx = with_context(root)
    with database_errors():
        report = prepare_database(ctx, seed_demo_if_new=False)
        damage = None if report.created or report.upgraded_from else quick_damage(ctx)
    if damage:  # "up to date" is said of a sound database only (an upgrade checks before it starts)
        fail(damage)
    if report.created:
        say(f"Created the database at {ctx.location.display}")
    elif report.upgraded_from:
        say(f"Upgraded {ctx.location.display} from {report.upgraded_from}"
                   + (f"; the old copy is at {report.backup}" if report.backup else ""))
    else:
        say(f"{ctx.location.display} is up to date")


@db.command("check")
@click.pass_obj
def db_check(root: Root) -> None:
    """Check the database for damage (SQLite: integrity_check; PostgreSQL: the connection and schema)."""
    from broker_tui.cli import database_errors, with_context
    from broker_tui.services.maintenance import check_database

    ctx = with_context(root)
    with database_errors():
        result = check_database(ctx)
    for problem in result.problems:
        say(problem)
    if not result.ok:
        fail(result.summary, 1)
    say(result.summary)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the copy (default: beside the database, named with the date and schema "
                   "revision). An existing file is never overwritten.")
@click.pass_obj
def backup(root: Root, out: Path | None) -> None:
    """Copy the SQLite database aside (safe while the app runs); the copy is readable by you only."""
    from broker_tui.cli import database_errors, with_context
    from broker_tui.services.maintenance import backup_database

    ctx = with_context(root)
    with database_errors():
        result = backup_database(ctx, out)
    say(f"Backed up {ctx.location.display} (schema revision {result.revision or 'none'}) to {result.path}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def restore(root: Root, file: Path) -> None:
    """Replace the SQLite database with a backup, keeping a copy of what it replaces."""
    from broker_tui.cli import database_errors, with_context
    from broker_tui.services.maintenance import restore_database

    ctx = with_context(root)
    with database_errors():
        result = restore_database(ctx, file)
    later = ("" if result.revision == result.head
             else f"; it is brought to the current schema ({result.head}) on the next start")
    kept = (f"; the database it replaced is kept at {result.kept}" if result.kept
            else "; there was no database there before")
    say(f"Restored {ctx.location.display} from {file} (schema revision {result.revision}){later}{kept}")


COMMANDS = (locate, db, backup, restore)
