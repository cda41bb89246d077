"""Full collections wait for a pause in the typing while a typing screen is shown (issue 14: the demo
keystroke's 95th centile was one full collection of the whole heap landing on a keystroke)."""

from __future__ import annotations

import asyncio
import gc

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from broker_tui.ui import collector
from broker_tui.ui.screens.market.directory import DirectoryScreen
from broker_tui.ui.screens.matching.search import MatchSearchScreen
from tests.ui.conftest import SIZE, make_app, settle, sync, until


@pytest.fixture(autouse=True)
def _thresholds_back():
    before = gc.get_threshold()
    yield
    while collector.deferring():
        collector.resume_full_collections()
    gc.set_threshold(*before)


def _young_collections(n: int) -> None:
    for _ in range(n):
        gc.collect(1)  # each one counts towards the oldest generation's threshold


def test_deferring_lifts_the_oldest_threshold_and_puts_it_back_when_the_last_holder_goes() -> None:
    gc.set_threshold(700, 10, 10)
    collector.defer_full_collections()
    collector.defer_full_collections()  # a second typing screen (or the same one twice)
    assert gc.get_threshold()[:2] == (700, 10) and gc.get_threshold()[2] > 10**6
    collector.resume_full_collections()
    assert collector.deferring() and gc.get_threshold()[2] > 10**6
    collector.resume_full_collections()
    assert not collector.deferring() and gc.get_threshold() == (700, 10, 10)
    collector.resume_full_collections()  # one too many: nothing to put back
    assert gc.get_threshold() == (700, 10, 10)


def test_the_owed_collection_is_made_at_a_pause_and_past_the_cap_without_one() -> None:
    full: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    gc.set_threshold(700, 10, 10)
    assert not collector.collect_if_due()  # not deferring: the collector decides for itself
    gc.callbacks.append(seen)
    try:
        collector.defer_full_collections()
        gc.collect()
        full.clear()
        _young_collections(9)
        assert not collector.collect_if_due() and not full  # not yet owed
        _young_collections(1)
        assert not collector.collect_if_due(pause=False) and not full  # owed, but typing: it waits
        assert collector.collect_if_due() and len(full) == 1  # the pause: made
        assert gc.get_count()[2] == 0
        _young_collections(collector.CAP)
        assert collector.collect_if_due(pause=False) and len(full) == 2  # no pause for this long: made anyway
    finally:
        gc.callbacks.remove(seen)


class _Typing(collector.TypingScreen, Screen[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="box")

    def on_input_changed(self) -> None:
        self.typing_seen()


class _TypingApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_Typing())


@sync
async def test_no_full_collection_while_keys_arrive_and_one_at_the_pause(monkeypatch) -> None:
    monkeypatch.setattr(collector, "PAUSE", 1.0)  # longer than any gap between keys, even on a loaded machine
    starts: list[float] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            starts.append(asyncio.get_running_loop().time())

    gc.set_threshold(700, 10, 10)
    app = _TypingApp()
    async with app.run_test() as pilot:
        await until(pilot, collector.deferring, "the collector to defer")
        gc.callbacks.append(seen)
        try:
            for key in "typing without a pause":
                _young_collections(3)  # each keystroke made garbage enough: one is owed after four
                await pilot.press("space" if key == " " else key)
                await pilot.pause(0.02)
            typed_until = asyncio.get_running_loop().time()
            assert not starts, "a full collection landed on a keystroke"
            await until(pilot, lambda: bool(starts), "the full collection owed, in the pause")
            await pilot.pause(0.2)
            assert len(starts) == 1 and starts[0] >= typed_until + 0.9  # made once, in the pause
        finally:
            gc.callbacks.remove(seen)
        app.pop_screen()
        await pilot.pause()
        assert not collector.deferring() and gc.get_threshold() == (700, 10, 10)


@sync
async def test_find_placements_and_the_directory_defer_while_shown(market_ctx) -> None:
    gc.set_threshold(700, 10, 10)
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not collector.deferring()
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, DirectoryScreen) and collector.deferring()
        await pilot.press("f2")  # home: the directory is kept in its mode, suspended
        await settle(pilot)
        assert not isinstance(app.screen, DirectoryScreen)
        assert not collector.deferring() and gc.get_threshold() == (700, 10, 10)
        await pilot.press("f3")  # and back
        await settle(pilot)
        assert collector.deferring()
        await pilot.press("f2")
        await settle(pilot)
        assert not collector.deferring()
        app.open_match_search(None)
        await settle(pilot)
        assert isinstance(app.screen, MatchSearchScreen) and collector.deferring()
        await pilot.press("escape")
        await settle(pilot)
        assert not collector.deferring() and gc.get_threshold() == (700, 10, 10)
