"""Esc in Find placements' filters stays on the screen: it clears the search words, then goes back to the table."""

from __future__ import annotations

from textual.widgets import Input

from broker_tui.ui.screens.matching.results import MatchTable
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_form import settle
from tests.ui.test_search_screen import cases_ctx, changed, names, open_search

__all__ = ["cases_ctx"]  # the fixture, used by name


@sync
async def test_escape_in_the_search_box_clears_it_then_leaves_it_and_never_the_screen(cases_ctx) -> None:
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        table = screen.query_one(MatchTable)
        before = names(table)
        await pilot.press("slash")
        await changed(pilot, screen, *"oak")
        box = screen.query_one("#f-text", Input)
        assert app.focused is box and names(table) == ["Oakfield House"]
        await changed(pilot, screen, "escape")  # clears the words: the whole ranking is back
        assert app.screen is screen and app.focused is box and box.value == ""
        assert names(table) == before
        await pilot.press("escape")  # empty: back to the table
        await settle(pilot)
        assert app.screen is screen and app.focused is table
        await pilot.press("b", "escape")  # from any other filter too
        await settle(pilot)
        assert app.screen is screen and app.focused is table
        await pilot.press("escape")  # from the table: leaves
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
