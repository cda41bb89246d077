"""Find placements, driven by keys on the worked cases' market (tests/domain/matching_cases.py):
R1 ranks Oakfield House then Harbour View; the excluded view gives every reason; the filters rank again;
the detail pane follows the highlighted row; Escape goes back to the referral. And one snapshot.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, SelectionList, Static

from broker_tui.services.referrals import get_referral
from broker_tui.ui.screens.matching.results import ExcludedPane, ExcludedTable, MatchTable
from broker_tui.ui.screens.matching.search import MatchSearchScreen
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from tests.domain import matching_cases as mc
from tests.ui.conftest import SIZE, make_app, plain, run_command, sync, until
from tests.ui.test_referral_form import settle


@pytest.fixture
def cases_ctx(sqlite_ctx):
    mc.load_into_store(sqlite_ctx)
    return sqlite_ctx


def names(table) -> list[str]:
    return [table.item(i).service.name for i in range(table.row_count)]


def why(screen) -> str:
    """The detail pane's text (a Rich renderable) as plain text."""
    return plain(screen.query_one("#match-why", Static))


async def open_search(app, pilot, case: str = "R1") -> MatchSearchScreen:
    view = get_referral(app.ctx, mc.REFERRALS[case]["case_ref"])
    await settle(pilot)
    app.open_referral(str(view.id))
    await settle(pilot)
    assert isinstance(app.screen, ReferralDetailScreen)
    await pilot.press("f")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MatchSearchScreen)
    await asyncio.wait_for(screen.results_painted.wait(), 10)
    return screen


async def changed(pilot, screen, *keys: str) -> None:
    """Press the keys, then wait out the debounce and the new ranking. The mark is cleared before the keys: on a
    loaded machine the ranking can be painted before the last press returns."""
    screen.results_painted.clear()
    await pilot.press(*keys)
    await asyncio.wait_for(screen.results_painted.wait(), 10)
    await settle(pilot)


@sync
async def test_r1_ranks_oakfield_then_harbour_and_explains_the_highlighted_row(cases_ctx):
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        table = screen.query_one(MatchTable)
        assert names(table) == ["Oakfield House", "Harbour View"]
        assert screen.query_one("#f-budget", Input).value == "£6,500"
        assert screen.query_one("#f-types", SelectionList).selected == list(mc.CHILDRENS_HOMES)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "" and row[1] == "1" and row[6] == "Out" and row[7] == "Outstanding"
        assert row[8] == "£5,600 (\N{MINUS SIGN}£900)"
        assert "Oakfield House" in why(screen) and "Director of Children's Services" in why(screen)
        assert "Core weekly fee £5,600" in why(screen)
        assert app.focused is table
        await pilot.press("down")
        await pilot.pause()
        assert "2. Harbour View" in why(screen) and "£6,200" in why(screen)
        await pilot.press("enter")
        await pilot.pause()
        assert "2. Harbour View" in why(screen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)


@sync
async def test_excluded_view_gives_every_reason(cases_ctx):
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        table = screen.query_one(ExcludedTable)
        assert screen.query_one(ExcludedPane).display and not screen.query_one(MatchTable).display
        reasons = {table.item(i).service.name: " | ".join(table.item(i).reasons) for i in range(table.row_count)}
        assert "inside Leicester, an area to keep away from" in reasons["Beaumont Lodge"]
        assert "registration suspended" in reasons["Greenway House"] and "keep away" in reasons["Greenway House"]
        assert "council placement stop" in reasons["Castle Homes Derby"]
        assert "full" in reasons["Meadow Farm"]
        assert "Hawthorn Secure" not in reasons  # not a type sought: counted, not listed
        status = str(screen.query_one("#match-status", Static).render())
        assert "of the types sought" in status and "not a type sought" in status
        reasons_line = plain(screen.query_one("#excluded-reasons", Static))
        assert "By reason" in reasons_line and "a high need it cannot meet 4 · inside an area to keep away from 2" in reasons_line
        assert "page down for more" not in reasons_line  # every one is listed
        assert "Beaumont Lodge" in why(screen) and "area to keep away from" in why(screen)
        await pilot.press("x")
        await settle(pilot)
        assert screen.query_one(MatchTable).display and app.focused is screen.query_one(MatchTable)


@sync
async def test_changing_filters_ranks_again(cases_ctx):
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        table = screen.query_one(MatchTable)
        # types: untick external children's homes (the in-house one is in Leicester, to be avoided)
        await pilot.press("t")
        types = screen.query_one("#f-types", SelectionList)
        assert app.focused is types
        types.highlighted = 4  # Children's home (external)
        await changed(pilot, screen, "space")
        assert names(table) == []
        assert str(screen.query_one("#match-status", Static).render()).startswith("No results: the one service")
        assert why(screen).strip() == "No service to explain."
        await changed(pilot, screen, "space")
        assert names(table) == ["Oakfield House", "Harbour View"]
        # a distance limit leaves Harbour View (about 60 miles away) out
        await pilot.press("d")
        await changed(pilot, screen, *"40")
        assert names(table) == ["Oakfield House"]
        # a lower budget turns the estimate red and shows the overspend
        await pilot.press("ctrl+t", "b")
        budget = screen.query_one("#f-budget", Input)
        assert app.focused is budget
        budget.value = ""
        await changed(pilot, screen, *"5000")
        assert str(table.get_row_at(0)[8]) == "£5,600 (+£600)"
        budget.value = "lots"
        status = screen.query_one("#match-status", Static)
        await until(pilot, lambda: "not an amount of money" in str(status.render()), "the budget's message")
        # show full: Meadow Farm (ages 6-12) stays out on age; reset brings back the referral's profile
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert names(table) == ["Oakfield House", "Harbour View"] and budget.value == "£6,500"


@sync
async def test_a_budget_that_cannot_be_read_stays_said_until_it_is_mended(cases_ctx):
    """The message is not lost under a ranking already on its way (the budget cleared, then a word typed
    within the debounce: the ranking for no budget used to repaint the status line over it)."""
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        budget = screen.query_one("#f-budget", Input)
        status = screen.query_one("#match-status", Static)
        budget.value = ""  # a ranking for no budget, after the debounce
        budget.value = "lots"
        await settle(pilot)
        await pilot.pause(0.4)
        assert "not an amount of money" in str(status.render())
        assert budget.value == "lots" and "bad" in budget.classes  # what was typed is kept, marked
        assert names(screen.query_one(MatchTable)) == ["Oakfield House", "Harbour View"]
        budget.value = "£6,500"
        await until(pilot, lambda: "not an amount" not in str(status.render()), "the message to go")
        assert "bad" not in budget.classes


@sync
async def test_ad_hoc_search_from_the_palette(cases_ctx):
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "ad hoc search", "ad hoc search")
        screen = app.screen
        assert isinstance(screen, MatchSearchScreen)
        await asyncio.wait_for(screen.results_painted.wait(), 10)
        assert "Tick the types sought" in str(screen.query_one("#match-status", Static).render())
        screen.query_one("#f-age", Input).value = "10"
        await pilot.press("t")
        screen.query_one("#f-types", SelectionList).highlighted = 0  # Fostering (in-house)
        await changed(pilot, screen, "space", "down", "space")
        assert names(screen.query_one(MatchTable))[:2] == ["Leicester Fostering", "Brightstart Fostering"]


def test_search_snapshot(snap_compare, cases_ctx):
    view = get_referral(cases_ctx, "MC-R1")

    async def open_it(pilot):
        await open_search(pilot.app, pilot)
        await pilot.press("down")
        await settle(pilot)

    assert view is not None
    assert snap_compare(make_app(cases_ctx), terminal_size=SIZE, run_before=open_it)


@sync
async def test_the_market_file_for_the_next_start_is_written_once_the_first_ranking_is_shown(cases_ctx, monkeypatch):
    """Issue 14: with no market file, Find placements read the tables and then wrote the file for the next
    process before ranking (0.28 s of the wait at 100,000 services); the file now waits for the ranking."""
    from broker_tui.services.matching import _disk

    app = make_app(cases_ctx)
    ranked_first: list[bool] = []
    save = _disk.save

    def kept(*args):
        screen = app.screen
        ranked_first.append(isinstance(screen, MatchSearchScreen) and screen.results_painted.is_set())
        return save(*args)

    monkeypatch.setattr(_disk, "save", kept)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_match_search(get_referral(app.ctx, mc.REFERRALS["R1"]["case_ref"]))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatchSearchScreen)
        await asyncio.wait_for(screen.results_painted.wait(), 10)
        await settle(pilot)
        assert names(screen.query_one(MatchTable))[:2] == ["Oakfield House", "Harbour View"]
    assert ranked_first == [True]
    assert _disk.cache_file(cases_ctx.location.url).exists()


@sync
async def test_the_free_text_index_is_built_once_the_first_ranking_is_shown(cases_ctx, monkeypatch):
    """Issue 14: the referral screen's ranking ahead built the free-text index before its ranking (five seconds
    of work at 100,000 services, holding the interpreter from the first ranking on screen); the index is
    now asked for once the ranking is painted, and narrowing by text works as before."""
    import broker_tui.services.market as market

    app = make_app(cases_ctx)
    painted_first: list[bool] = []
    warm = market.warm_up_search

    def built(ctx):
        screen = app.screen
        painted_first.append(isinstance(screen, MatchSearchScreen) and screen.results_painted.is_set())
        return warm(ctx)

    monkeypatch.setattr(market, "warm_up_search", built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        await until(pilot, lambda: painted_first, "the free-text index asked for")
        await settle(pilot)
        assert painted_first == [True]
        assert names(screen.query_one(MatchTable))[:2] == ["Oakfield House", "Harbour View"]
        await pilot.press("slash")
        await changed(pilot, screen, *"harbour")
        assert names(screen.query_one(MatchTable)) == ["Harbour View"]
    assert painted_first == [True]  # once
