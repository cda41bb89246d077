"""The command line: the TUI by default, sub-commands for headless work over the same services.

This module stays light (no click) so that the everyday start — `broker-tui` with at most the root
options — reaches the first frame without importing the sub-commands' machinery; `entry()` takes that
path and hands everything else to the click group in `broker_tui.cli.commands`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from broker_tui.services.context import AppContext

ROOT_OPTIONS = ("--db", "--today", "--log-level")
LOG_LEVELS = ("debug", "info", "warning", "error")


class Root:
    """What the root options chose; sub-commands turn it into an AppContext when they need one."""

    def __init__(self, db: str | None, today: dt.date | None):
        self.db = db
        self.today = today

    def context(self) -> AppContext:
        from broker_tui.services.context import AppContext
        from broker_tui.services.locations import database_target
        from broker_tui.services.settings import load_settings

        target, is_default = database_target(self.db)
        return AppContext.for_target(target, settings=load_settings(), today=self.today,
                                     is_default_location=is_default)


def say(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for the person at the terminal: any control character, escape code or right-to-left
    override in stored text is shown as a visible escape (text_rules.printable), never obeyed."""
    from broker_tui.domain.text_rules import printable

    stream = sys.stderr if err else sys.stdout
    stream.write(printable(str(message)) + ("\n" if nl else ""))
    stream.flush()


def fail(message: str, code: int = 2) -> NoReturn:
    from broker_tui.domain.text_rules import printable

    print(f"broker-tui: {printable(message)}", file=sys.stderr)
    sys.exit(code)


def read_json_object(path: Path, what: str, *, writes: bool = True) -> dict[str, Any]:
    """One JSON object from a file ('-' reads standard input), or exit with one line saying what is wrong:
    unreadable, not UTF-8, not JSON, a number too long to be one, nesting no input of ours has."""
    import json

    after = "; nothing was written" if writes else ""
    try:
        data_bytes = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}{after}")
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{path} is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8{after}")
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}{after}")
    except RecursionError:
        fail(f"{path} nests too deeply to be {what}{after}")
    except ValueError as exc:  # an integer longer than Python reads (4,300 digits)
        fail(f"{path} holds a number too long to be one: {str(exc).split(';')[0]}{after}")
    if not isinstance(data, dict):
        fail(f"{path} must hold one JSON object ({what}){after}")
    return data


def run_app(root: Root, log_level: str = "warning") -> None:
    from broker_tui.cli import logs
    from broker_tui.domain.settings import SettingsError
    from broker_tui.store.errors import DatabaseError

    logs.configure(log_level, log_file=logs.app_log_file())
    try:
        app_ctx = root.context()
        from broker_tui.services.startup import prepare_database

        prepare_database(app_ctx, seed_demo_if_new=app_ctx.is_default_location,
                         progress=lambda m: print(m, file=sys.stderr))
    except (DatabaseError, SettingsError) as exc:
        fail(str(exc))
    from broker_tui.services.home import todays_work_ahead

    home = todays_work_ahead(app_ctx)  # read while the UI is imported and Textual starts
    from broker_tui.ui.app import BrokerApp

    BrokerApp(app_ctx, home_prefetch=home).run()


def with_context(root: Root) -> AppContext:
    """The AppContext the root options name, or exit with one clear line (settings, database location)."""
    from broker_tui.domain.settings import SettingsError
    from broker_tui.store.errors import DatabaseError

    try:
        return root.context()
    except (DatabaseError, SettingsError) as exc:
        fail(str(exc))


@contextmanager
def database_errors() -> Iterator[None]:
    """A database problem inside a command becomes one line on standard error and exit status 2."""
    from broker_tui.store.errors import DatabaseError

    try:
        yield
    except DatabaseError as exc:
        fail(str(exc))


def ready(root: Root) -> AppContext:
    """What every command over the data starts with: the AppContext, its database created or brought to the
    current schema (never seeded); or exit with one line saying why not."""
    from broker_tui.services.startup import prepare_database

    ctx = with_context(root)
    with database_errors():
        prepare_database(ctx, seed_demo_if_new=False)
    return ctx


def _plain_start(args: list[str]) -> dict[str, str] | None:
    """The root options when ``args`` only starts the app (no command, no --help/--version), else None."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name not in ROOT_OPTIONS:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        found[name] = value
        i += 1
    return found


def entry(argv: list[str] | None = None) -> None:
    """Console script. The plain start skips click; anything else (commands, help, errors) goes to click."""
    args = sys.argv[1:] if argv is None else argv
    plain = _plain_start(args)
    if plain is not None:
        level = (plain.get("--log-level") or os.environ.get("BROKER_TUI_LOG_LEVEL") or "warning").lower()
        today_text = plain.get("--today") or os.environ.get("BROKER_TUI_TODAY")
        if level in LOG_LEVELS:
            today = None
            if today_text:
                from broker_tui.domain.dates import DateError, parse_date

                try:
                    today = parse_date(today_text)
                except DateError:
                    today = None
                    plain = None  # let click report the bad value
            if plain is not None:
                run_app(Root(plain.get("--db") or os.environ.get("BROKER_TUI_DB") or None, today), level)
                return
    from broker_tui.cli.commands import main

    main(args=args)


def __getattr__(name: str) -> Any:  # `from broker_tui.cli import main` (the click group), loaded on demand
    if name == "main":
        from broker_tui.cli.commands import main

        return main
    raise AttributeError(name)
