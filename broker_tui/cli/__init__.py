"""The command line: the TUI by default, sub-commands for headless work over the same services."""

from __future__ import annotations

import datetime as dt
import sys

import click

from broker_tui import __version__


class Root:
    """What the root options chose; sub-commands turn it into an AppContext when they need one."""

    def __init__(self, db: str | None, today: dt.date | None):
        self.db = db
        self.today = today

    def context(self):  # -> AppContext
        from broker_tui.services.context import AppContext
        from broker_tui.services.locations import database_target
        from broker_tui.services.settings import load_settings

        target, is_default = database_target(self.db)
        return AppContext.for_target(target, settings=load_settings(), today=self.today,
                                     is_default_location=is_default)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"broker-tui: {message}", err=True)
    sys.exit(code)


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if not value:
        return None
    from broker_tui.domain.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="PATH|URL", envvar="BROKER_TUI_DB",
              help="Database file or SQLAlchemy URL (default: your data folder; also BROKER_TUI_DB).")
@click.option("--today", callback=_parse_today, envvar="BROKER_TUI_TODAY", hidden=True,
              help="Fix today's date (dd/mm/yyyy or ISO), for demonstrations and tests.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              default="warning", envvar="BROKER_TUI_LOG_LEVEL", show_default=True,
              help="How much to log (to stderr; the app logs to a private file, see `locate`).")
@click.version_option(__version__, "--version", prog_name="broker-tui")
@click.pass_context
def main(ctx: click.Context, db: str | None, today: dt.date | None, log_level: str) -> None:
    """broker-tui: the placement brokerage workbench. With no command, starts the app."""
    from broker_tui.cli import logs

    ctx.obj = Root(db, today)
    if ctx.invoked_subcommand is None:
        logs.configure(log_level, log_file=logs.app_log_file())
        run_app(ctx.obj)
    else:
        logs.configure(log_level)


def run_app(root: Root) -> None:
    from broker_tui.domain.settings import SettingsError
    from broker_tui.store.errors import DatabaseError

    try:
        app_ctx = root.context()
        from broker_tui.services.startup import prepare_database

        prepare_database(app_ctx, seed_demo_if_new=app_ctx.is_default_location,
                         progress=lambda m: click.echo(m, err=True))
    except (DatabaseError, SettingsError) as exc:
        fail(str(exc))
        return
    from broker_tui.ui.app import BrokerApp

    BrokerApp(app_ctx).run()


def with_context(root: Root):  # -> AppContext, or exit with one clear line
    from broker_tui.domain.settings import SettingsError
    from broker_tui.store.errors import DatabaseError

    try:
        return root.context()
    except (DatabaseError, SettingsError) as exc:
        fail(str(exc))


def register() -> None:
    from broker_tui.cli import database, market, referrals

    for command in (*database.COMMANDS, *market.COMMANDS, *referrals.COMMANDS):
        main.add_command(command)


register()
