"""Find placements' excluded view pages (issue 14): with many services excluded, the table holds one page
of rows (each described with every reason), the line above it counts them by reason and says more are
there, and page down at the end of the page brings the next page from the ranking, not the whole list."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from broker_tui.services.matching import EXCLUDED_PAGE
from broker_tui.ui.screens.matching.results import ExcludedTable
from tests.domain import matching_cases as mc
from tests.ui.conftest import SIZE, make_app, plain
from tests.ui.test_referral_form import settle
from tests.ui.test_search_screen import open_search

MANY = 2 * EXCLUDED_PAGE + 30  # homes for young children only: excluded for R1's 14-year-old by age


@pytest.fixture
def many_excluded_ctx(sqlite_ctx):
    from broker_tui.store.tables import Provider, Service

    mc.load_into_store(sqlite_ctx)
    with sqlite_ctx.session() as s:
        p = Provider(name="Little Steps Care", sector="private")
        s.add(p)
        s.flush()
        for n in range(MANY):
            name = f"Little Steps {n:03}"
            s.add(Service(provider_id=p.id, name=name, service_type="childrens_home_external", sector="private",
                          ofsted_urn=f"SC8{n:05}", registration_status="active", postcode_district="LE2",
                          min_age=0, max_age=5, places=3, vacancies=1, sort_name=name.casefold()))
    return sqlite_ctx


def test_the_excluded_view_shows_a_page_and_page_down_brings_the_next(many_excluded_ctx) -> None:
    import asyncio

    async def run() -> None:
        app = make_app(many_excluded_ctx)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_search(app, pilot)
            await pilot.press("x")
            await settle(pilot)
            table = screen.query_one(ExcludedTable)
            assert table.source is not None
            total = table.source.count
            assert total == MANY + 4  # the worked cases' four of a type sought, and the young children's homes
            assert table.row_count == EXCLUDED_PAGE  # one page of rows, not every one
            line = plain(screen.query_one("#excluded-reasons", Static))
            assert f"{EXCLUDED_PAGE} of {total} listed: page down for more" in line
            assert f"the child's age is outside the registration {MANY + 1}" in line
            first_page = [table.item(i).service.name for i in range(table.row_count)]
            await pilot.press("pagedown")
            await pilot.pause()
            assert table.row_count == EXCLUDED_PAGE  # the cursor was far from the end: nothing more yet
            presses = 0
            while table.row_count == EXCLUDED_PAGE and presses < EXCLUDED_PAGE:
                await pilot.press("pagedown")
                await pilot.pause()
                presses += 1
            assert table.row_count == 2 * EXCLUDED_PAGE  # the next page, added after the first
            assert presses > 2 and table.cursor_row >= EXCLUDED_PAGE  # near the end of the page; on into the next
            assert [table.item(i).service.name for i in range(EXCLUDED_PAGE)] == first_page
            names = [table.item(i).service.name for i in range(table.row_count)]
            assert names == sorted(names, key=str.casefold) and len(set(names)) == len(names)
            line = plain(screen.query_one("#excluded-reasons", Static))
            assert f"{2 * EXCLUDED_PAGE} of {total} listed" in line
            assert "takes ages 0-5" in "; ".join(table.item(table.row_count - 1).reasons)
            while table.row_count < total:  # down the last page, row by row, to the end
                await pilot.press("end", "down")
                await pilot.pause()
            assert table.row_count == total and "page down for more" not in plain(
                screen.query_one("#excluded-reasons", Static))

    asyncio.run(run())
