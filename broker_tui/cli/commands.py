"""The click group: root options and every headless sub-command."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
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
    message, such as a damaged file found halfway through a listing) is one line and exit status 2; so is
    anything else no command expected, never a traceback (its frames go to the private app log, without the
    error's own words, which might quote what was typed)."""

    def invoke(self, ctx: click.Context) -> Any:
        from broker_tui.store.errors import DatabaseError, RuleBroken

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except (DatabaseError, RuleBroken) as exc:
            fail(str(exc))
        except BrokenPipeError:  # the reader went away (`| head`): what it wanted it has; say nothing more
            _quiet_stdout()
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001  (the last line of defence: one line, details to the log)
            fail(_unexpected(exc))


def _quiet_stdout() -> None:
    """Point stdout at the null device, so flushing it at exit cannot fail again on the closed pipe."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _unexpected(exc: Exception) -> str:
    import logging
    import traceback

    from broker_tui.cli.logs import app_log_file, configure

    log_file = app_log_file()
    try:
        configure("error", log_file=log_file)
        logging.getLogger("broker_tui").error("unexpected %s in a command:\n%s", type(exc).__name__,
                                              "".join(traceback.format_tb(exc.__traceback__)))
        where = f"; what happened is logged in {log_file}"
    except OSError:
        where = ""
    return (f"an unexpected error ({type(exc).__name__}) stopped the command; no half-made change was "
            f"kept{where}")


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
    from broker_tui.cli import (
        audit,
        contracts,
        database,
        forecast,
        market,
        matching,
        outreach,
        referrals,
        ssda903,
        sufficiency,
    )

    for command in (*database.COMMANDS, *market.COMMANDS, *referrals.COMMANDS, *matching.COMMANDS, *outreach.COMMANDS,
                    *audit.COMMANDS, *contracts.COMMANDS, *ssda903.COMMANDS, *forecast.COMMANDS,
                    *sufficiency.COMMANDS):
        main.add_command(command)
    from broker_tui.cli.quality import qa

    main.add_command(qa)
    from broker_tui.cli.purchases import purchases

    main.add_command(purchases)
    from broker_tui.cli.report import report

    main.add_command(report)


_register()
