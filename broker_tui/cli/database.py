"""`locate`, `db upgrade`: where things are, and bringing a database to the current schema."""

from __future__ import annotations

import click

from broker_tui.cli import Root, fail


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
    click.echo(f"database: {location.display}{'  (default)' if is_default else ''}")
    click.echo(f"settings: {config_path()}")
    from broker_tui.cli.logs import app_log_file

    click.echo(f"app log:  {app_log_file()}")


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(root: Root) -> None:
    """Create the database or bring it to the current schema (a SQLite file is copied aside first)."""
    from broker_tui.cli import database_errors, with_context
    from broker_tui.services.startup import prepare_database

    ctx = with_context(root)
    with database_errors():
        report = prepare_database(ctx, seed_demo_if_new=False)
    if report.created:
        click.echo(f"Created the database at {ctx.location.display}")
    elif report.upgraded_from:
        click.echo(f"Upgraded {ctx.location.display} from {report.upgraded_from}"
                   + (f"; the old copy is at {report.backup}" if report.backup else ""))
    else:
        click.echo(f"{ctx.location.display} is up to date")


COMMANDS = (locate, db)
