"""Snapshots of every screen on the deterministic market, a fixed clock (TODAY) and a fixed size.

Update with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from tests.ui.conftest import SIZE, make_app, settle


def test_home(snap_compare, market_ctx):
    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=settle)


def test_directory(snap_compare, big_market_ctx):
    async def open_directory(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+t", "pagedown", "down")  # the table has focus: no blinking cursor
        await settle(pilot)

    assert snap_compare(make_app(big_market_ctx), terminal_size=SIZE, run_before=open_directory)


def test_directory_filtered(snap_compare, market_ctx):
    async def filter_directory(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"trust")
        pilot.app.screen.query_one("#sort").value = "price"
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=filter_directory)


def test_detail(snap_compare, market_ctx):
    async def open_detail(pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"ashfield", "enter", "enter")
        await settle(pilot)

    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=open_detail)


def test_help(snap_compare, market_ctx):
    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=open_help)
