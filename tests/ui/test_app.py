"""The app as a user drives it: keys only, on a small deterministic market."""

from __future__ import annotations

import os

from textual.widgets import DataTable, Input, Select, Static

from tests.ui.conftest import SIZE, make_app, run_command, settle, status_text, sync, table_names, until


@sync
async def test_starts_on_home_with_the_counts(market_ctx):
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        figures = {f.id: str(f.render()) for f in app.screen.query(".figure")}
        assert figures == {"fig-open": "8", "fig-ending": "2", "fig-overdue": "2", "fig-replies": "2",
                           "fig-services": "12"}
        by_status = app.screen.query_one("#by-status", DataTable)
        assert [str(by_status.get_row_at(i)[1]) for i in range(by_status.row_count)] == ["2", "3", "1", "1", "1"]
        assert "01/12/2026" in str(app.screen.query_one("#home-date", Static).render())


@sync
async def test_directory_search_filters_and_pages(big_market_ctx):
    app = make_app(big_market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert type(app.screen).__name__ == "DirectoryScreen"
        assert app.focused.id == "search"
        assert status_text(app).startswith("Rows 1–50 of 132")
        await pilot.press("pagedown")
        await settle(pilot)
        assert status_text(app).startswith("Rows 51–100 of 132")
        assert table_names(app)[0] == "Zenith House 038"
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        assert status_text(app).startswith("Rows 101–132 of 132")
        await pilot.press("pageup")
        await settle(pilot)
        assert status_text(app).startswith("Rows 51–100 of 132")

        await pilot.press(*"northgate")
        await settle(pilot)
        assert table_names(app) == ["Elm Court Supported Living", "Foxglove Flats", "Kestrel Lodgings"]
        assert status_text(app).startswith("Rows 1–3 of 3")
        # area filter by keyboard: tab to it, open it, choose "Local"
        app.screen.query_one("#area", Select).focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert app.screen.query_one("#area", Select).value == "local"
        assert table_names(app) == ["Elm Court Supported Living", "Kestrel Lodgings"]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == ""
        assert status_text(app).startswith("Rows 1–50 of 132")
        app.screen.query_one("#judgement", Select).value = "inconsistent"
        await settle(pilot)
        assert table_names(app) == ["Foxglove Flats"]


@sync
async def test_enter_opens_detail_and_escape_goes_back(market_ctx):
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"ivy", "enter")  # Enter in the search box moves to the table
        await settle(pilot)
        assert app.focused.id == "services"
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ServiceDetailScreen"
        from rich.console import Console

        from broker_tui.ui.screens.market.detail import render_detail

        console = Console(width=120, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(render_detail(app.screen.detail))
        text = console.export_text()
        assert "Ivy Bank" in text and "IN FORCE" in text and "Safeguarding concern under review" in text
        assert "£5,100.00" in text and "Regulation 44 report" in text
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DirectoryScreen"
        assert app.screen.query_one("#search", Input).value == "ivy"


@sync
async def test_help_lists_every_screens_bindings(market_ctx):
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        whats = {r[2] for r in rows}
        for expected in ("Next page", "Previous page", "Clear filters", "Open service", "Back", "Refresh",
                         "Directory", "Home", "Help", "Command palette", "Close"):
            assert expected in whats
        assert [r[0] for r in rows if r[0]] == [
            "Everywhere", "Home", "Directory", "Directory: service table", "Service detail", "Referrals", "Referral",
            "Find placements", "Send a referral", "Offers & search log", "Record a decline", "Record an offer",
            "Compare offers", "Export the search log", "Referral form", "Referral form: need and risk levels",
            "Referral form: needs typed as text",
            "Block contracts", "Block contract", "Block contract dialogs",
            "Quality assurance", "QA note form", "Placement stop after a red note",
            "Purchases", "Spot agreement", "Spot agreement form", "Amend an agreement",
            "Audit trail", "16+ review", "Export the 16+ review", "Sufficiency", "Write the commissioning plan",
            "Read an SSDA903 return",
            "Questions", "Help"]
        for expected in ("New referral", "Save", "Next section", "Withdraw", "Change status", "Referrals",
                         "Shortlist", "Send", "Copy text", "Record decline", "Record offer", "Compare offers",
                         "Record purchase", "Approve", "Amend", "End placement"):
            assert expected in whats
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"


@sync
async def test_command_palette_reaches_screens_actions_and_services(market_ctx):
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "provider directory", "provider directory")
        assert type(app.screen).__name__ == "DirectoryScreen"
        await run_command(pilot, "sort by distance", "sort by distance")
        assert app.screen.query_one("#sort", Select).value == "distance"
        assert table_names(app)[0] == "Leicester In-house Fostering"
        await run_command(pilot, "juniper", "juniper")
        assert type(app.screen).__name__ == "ServiceDetailScreen"
        assert app.screen.service_name == "Juniper Parent and Child Centre"
        await run_command(pilot, "keys help", "keys")
        assert type(app.screen).__name__ == "HelpScreen"


@sync
async def test_the_market_is_read_ahead_for_matching_once_home_is_up(market_ctx):
    from broker_tui.services.market import _search as market_search
    from broker_tui.services.matching import load_market
    from broker_tui.ui.app import BrokerApp

    app = BrokerApp(market_ctx, exit_after_home=False, warm_after=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(market_ctx, "_matching_market", None) is not None, "the warm-up")
        await settle(pilot)
        warmed = getattr(market_ctx, "_matching_market", None)
        assert warmed is not None and load_market(market_ctx) is warmed  # the cached snapshot, not read again
        assert market_search._cache(market_ctx).builds == 1
