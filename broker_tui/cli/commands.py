"""The click group: root options and every headless sub-command."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from broker_tui import __version__
from broker_tui.cli import LOG_LEVELS, Root, fail, run_app


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if not value:
        return None
    from broker_tui.domain.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None


class _RootGroup(click.Group):
    """The root group: a database problem met anywhere in a command (one that no command turned into its own
    message, such as a damaged file found halfway through a listing) is one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        from broker_tui.store.errors import DatabaseError

        try:
            return super().invoke(ctx)
        except DatabaseError as exc:
            fail(str(exc))


@click.group(cls=_RootGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="PATH|URL", envvar="BROKER_TUI_DB",
              help="Database file or SQLAlchemy URL (default: your data folder; also BROKER_TUI_DB).")
@click.option("--today", callback=_parse_today, envvar="BROKER_TUI_TODAY", hidden=True,
              help="Fix today's date (dd/mm/yyyy or ISO), for demonstrations and tests.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
              default="warning", envvar="BROKER_TUI_LOG_LEVEL", show_default=True,
              help="How much to log (to stderr; the app logs to a private file, see `locate`).")
@click.version_option(__version__, "--version", prog_name="broker-tui")
@click.pass_context
def main(ctx: click.Context, db: str | None, today: dt.date | None, log_level: str) -> None:
    """broker-tui: the placement brokerage workbench. With no command, starts the app."""
    from broker_tui.cli import logs

    ctx.obj = Root(db, today)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, log_level)
    else:
        logs.configure(log_level)


def _register() -> None:
    from broker_tui.cli import database, market, matching, outreach, referrals

    for command in (*database.COMMANDS, *market.COMMANDS, *referrals.COMMANDS, *matching.COMMANDS, *outreach.COMMANDS):
        main.add_command(command)


_register()
