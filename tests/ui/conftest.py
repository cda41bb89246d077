"""UI fixtures: the app on a small deterministic market, a fixed clock and a fixed terminal size."""

from __future__ import annotations

import contextlib

import pytest

from tests.conftest import TODAY
from tests.market_data import build_market

SIZE = (130, 40)


@pytest.fixture(autouse=True)
def _steady_cursor(request, monkeypatch) -> None:
    """In a snapshot, a focused field's cursor stays shown. It blinks every half second, and on a loaded machine
    the picture could be taken in the off half (CI failed on the send dialog's reply-by field so)."""
    if "snap_compare" not in request.fixturenames:
        return
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def market_ctx(sqlite_ctx):
    build_market(sqlite_ctx, TODAY)
    return sqlite_ctx


@pytest.fixture
def big_market_ctx(market_ctx):
    """The small market plus 120 more homes, so the directory has several pages."""
    from broker_tui.store.tables import Provider, Service

    with market_ctx.session() as s:
        p = Provider(name="Zenith Care Group", sector="private")
        s.add(p)
        s.flush()
        for n in range(120):
            name = f"Zenith House {n:03}"
            s.add(Service(provider_id=p.id, name=name, service_type="childrens_home_external", sector="private",
                          ofsted_urn=f"SC7{n:05}", registration_status="active", region="Yorkshire and The Humber",
                          sort_name=name.lower(),
                          search_text=f"{name} zenith care group".lower(), distance_miles=60 + n % 7,
                          price_from_pence=500000 + n * 1000, places=4, vacancies=n % 3))
    return market_ctx


def make_app(ctx):
    from broker_tui.ui.app import BrokerApp

    app = BrokerApp(ctx, exit_after_home=False, warm_after=None)  # tests that need the warm-up ask for it
    app.sub_title = "test.sqlite3"  # the real path is a temp dir: keep snapshots stable
    return app


async def settle(pilot) -> None:
    """Let workers finish and the screen repaint."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # an exclusive worker replaced by a newer one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot, ready, what: str, timeout: float = 15.0) -> None:
    """Wait until ``ready()`` holds, in short pauses: for what a fixed pause would only guess at (a debounce, a
    search worker) on a machine whose load varies."""
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not ready():
        if loop.time() > end:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        await pilot.pause(0.05)


async def run_command(pilot, typed: str, *expect: str) -> None:
    """Open the command palette, type ``typed``, wait until its search is done with one of ``expect`` as the
    first hit, and choose it (Enter takes the first hit)."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    palette = app.screen
    await pilot.press(*typed)

    def first_hit_found() -> bool:
        if any(w.group == CommandPalette._GATHER_COMMANDS_GROUP and not w.is_finished for w in app.workers):
            return False
        hits = palette.query_one(CommandList)
        first = str(hits.get_option_at_index(0).prompt).lower() if hits.option_count else ""
        return any(e.lower() in first for e in expect)

    await until(pilot, first_hit_found, f"{' or '.join(expect)} first among the commands found for {typed!r}")
    await pilot.press("enter")
    await settle(pilot)


def sync(test):
    """Run an async test with asyncio.run (no async plugin is needed; fixtures pass through)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def status_text(app) -> str:
    """The directory's status line."""
    from textual.widgets import Static

    return str(app.screen.query_one("#status", Static).render())


def table_names(app) -> list[str]:
    """The first column of the directory's service table."""
    from textual.widgets import DataTable

    table = app.screen.query_one("#services", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def plain(widget) -> str:
    """A Static's content (text or a Rich renderable) as plain text."""
    import io

    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()
