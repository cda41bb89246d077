"""Home: the replies overdue listed (most overdue first), and Enter on one opens its referral.
And a snapshot of home with the panel (test_snapshots.test_home covers the same screen on the same market)."""

from __future__ import annotations

from textual.widgets import DataTable

from broker_tui.services.referrals import get_referral
from broker_tui.ui.screens.home import HomeScreen
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from tests.ui.conftest import SIZE, make_app, settle, sync


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@sync
async def test_home_lists_overdue_replies_and_enter_opens_the_referral(market_ctx) -> None:
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one("#replies", DataTable)
        assert cells(table) == [
            ["CR2405 FT", "Ashfield House", "Brightway Care Ltd", "29/11/2026", "2"],
            ["CR2405 FT", "Beacon Lodge", "Brightway Care Ltd", "30/11/2026", "1"],
        ]
        table.focus()
        await pilot.press("down", "enter")  # the second row: the same referral
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        assert app.screen.view is not None and app.screen.view.case_ref == "CR2405"
        assert str(app.screen.view.id) == str(get_referral(market_ctx, "CR2405").id)


@sync
async def test_no_replies_overdue_says_so_and_enter_does_nothing(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#replies", DataTable)
        assert cells(table) == [["[dim]No replies overdue[/dim]", "", "", "", ""]]
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


def test_home_with_overdue_replies(snap_compare, market_ctx) -> None:
    async def focus_replies(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#replies", DataTable).focus()
        await settle(pilot)

    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=focus_replies)
