"""The directory's search box through the typo-tolerant index, driven by keys, and the palette's services."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.ui.conftest import SIZE, make_app, run_command, settle, status_text, sync, table_names


@sync
async def test_a_typo_in_the_search_box_finds_the_services(big_market_ctx):
    app = make_app(big_market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.focused.id == "search"
        assert "sorted by name" in status_text(app)  # best match is name order until there is text
        await pilot.press(*"nottingam")
        await settle(pilot)
        assert table_names(app) == ["Beacon Lodge"]
        assert status_text(app).startswith("Rows 1–1 of 1") and "sorted by best match" in status_text(app)

        app.screen.query_one("#search", Input).value = ""
        await settle(pilot)
        await pilot.press(*"leicster")
        await settle(pilot)
        found = table_names(app)
        assert {"Cedar View", "Hillview (registration pending)", "Elm Court Supported Living", "Kestrel Lodgings",
                "Leicester In-house Fostering"} <= set(found)  # a home Ofsted has not registered yet is marked
        assert not any(n.startswith("Zenith House") for n in found)
        app.screen.query_one("#sort", Select).value = "name"
        await settle(pilot)
        assert table_names(app) == sorted(found)  # another sort over the same matches
        app.screen.query_one("#type", Select).value = "supported_accommodation"
        await settle(pilot)
        assert table_names(app) == ["Elm Court Supported Living", "Kestrel Lodgings"]

        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press(*"zenth hous")  # every one of 120 homes matches: pages in best-match order
        app.screen.query_one("#sort", Select).value = "relevance"
        await settle(pilot)
        assert status_text(app).startswith("Rows 1–50 of 120")
        first_page = table_names(app)
        await pilot.press("ctrl+t", "pagedown")
        await settle(pilot)
        assert status_text(app).startswith("Rows 51–100 of 120")
        assert not set(first_page) & set(table_names(app))


@sync
async def test_the_palette_finds_a_service_by_a_typo(market_ctx):
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "brightwya", "Ashfield House", "Beacon Lodge")
        assert type(app.screen).__name__ == "ServiceDetailScreen"
        assert app.screen.detail.name in {"Ashfield House", "Beacon Lodge"}  # Brightway Care's two homes
