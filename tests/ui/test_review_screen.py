"""The 16+ review screen (F9), driven by keys as a commissioner would, over 16+ blocks and spot agreements made
through the services: the tables have rows for both cohorts (kept apart), a bad date is said beside its field
with what was typed kept, the cohort and word filters and the sort keys, Enter opens a contract or a spot
agreement, q reads a contract's QA notes, the charts are drawn from the figures, the export writes the file
named; the app starts without plotext or openpyxl. And snapshots of the Summary and Charts tabs."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from broker_tui.services.contracts import PlaceInput, TermInput, add_contract, amend_contract, place_in_block
from broker_tui.services.placements import end_placement
from broker_tui.services.purchases import add_agreement
from broker_tui.services.quality import ActionInput, NoteInput, add_note
from broker_tui.services.reference import ensure_reference_data
from tests.conftest import TODAY
from tests.services.test_contracts import contract_input
from tests.services.test_purchases import make_referral, spot
from tests.services.test_review import sixteen_plus_service
from tests.ui.conftest import SIZE, make_app, plain, run_command, settle, sync

D = dt.date
DAY = dt.timedelta(days=1)


@pytest.fixture
def review_ctx(sqlite_ctx):
    """In the default period (01/12/2025 to 30/11/2026): BC-R-01, two shared units for 16-17s (uplifted,
    extended, a stay ended, a red QA note with an overdue action); BC-L-01, care leavers' rooms ending in 60
    days with one young person in; spot agreements for two 16-17s (flats, shared) and a care leaver."""
    ctx = sqlite_ctx
    ensure_reference_data(ctx)
    shared = sixteen_plus_service(ctx, "Northgate Shared Houses", category="ring_fenced_shared")
    flats = sixteen_plus_service(ctx, "Riverside Flats", category="single_occupancy")
    adults = sixteen_plus_service(ctx, "Care Leavers Lodgings", stype="care_leavers_18_plus")
    add_contract(ctx, contract_input(shared, reference="BC-R-01", starts_on=D(2026, 1, 15), ends_on=D(2026, 3, 20),
                                     units=["Unit 1", "Unit 2"], unit_weekly_pence=70_000))
    amend_contract(ctx, "BC-R-01", TermInput(kind="uplift", effective_from=D(2026, 2, 1), uplift_bp=350))
    amend_contract(ctx, "BC-R-01", TermInput(kind="extension", effective_from=D(2026, 3, 1), ends_on=D(2026, 5, 1)))
    a = place_in_block(ctx, PlaceInput(contract="BC-R-01", unit="Unit 1", case_ref="LCC-300001",
                                       start_date=D(2026, 1, 15)))
    end_placement(ctx, a.id, end_date=D(2026, 2, 10), reason_place_change="CARPL")
    place_in_block(ctx, PlaceInput(contract="BC-R-01", unit="Unit 1", case_ref="LCC-300002",
                                   start_date=D(2026, 3, 1)))
    add_contract(ctx, contract_input(adults, reference="BC-L-01", name="Care leavers' rooms",
                                     starts_on=TODAY - 200 * DAY, ends_on=TODAY + 60 * DAY, units=["Room 1", "Room 2"],
                                     unit_weekly_pence=35_000))
    place_in_block(ctx, PlaceInput(contract="BC-L-01", case_ref="LCC-300008", start_date=TODAY - 100 * DAY))
    child = make_referral(ctx, "LCC-300003", date_of_birth=D(2009, 6, 15))
    for data in (spot(flats, case_ref="LCC-300003", referral=str(child.id), start_date=D(2026, 1, 1),
                      planned_end=D(2026, 3, 1), weekly_price_pence=50_000, core_weekly_pence=50_000),
                 spot(shared, case_ref="LCC-300004", start_date=D(2026, 2, 1), planned_end=D(2027, 1, 1),
                      weekly_price_pence=60_000, core_weekly_pence=60_000),
                 spot(adults, case_ref="LCC-300005", start_date=D(2026, 3, 1), planned_end=D(2026, 6, 1),
                      weekly_price_pence=30_000, core_weekly_pence=30_000)):
        assert add_agreement(ctx, data, submit=True).status == "active"
    add_note(ctx, NoteInput(subject="block_contract", subject_id="BC-R-01", kind="contract_review",
                            held_on=D(2026, 3, 15), rag="red", findings="Voids not reported",
                            actions=(ActionInput("Send the void report", "Contract manager", D(2026, 4, 1)),)))
    add_note(ctx, NoteInput(subject="service", subject_id=str(shared.id), kind="visit_unannounced",
                            held_on=D(2026, 2, 2), rag="amber", findings="Fire doors propped open"))
    return ctx


def column(screen, table_id: str, index: int = 0) -> list[str]:
    table = screen.query_one(table_id, DataTable)
    return [str(table.get_row_at(i)[index]).strip() for i in range(table.row_count)]


async def open_review(app, pilot):
    from broker_tui.ui.screens.review.screen import ReviewScreen

    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(app.screen, ReviewScreen)
    assert app.screen.review is not None
    return app.screen


async def retype(pilot, text: str) -> None:
    await pilot.press("end", *["backspace"] * 12, *text)


@sync
async def test_f9_opens_the_review_over_the_default_period_with_both_cohorts_apart(review_ctx) -> None:
    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        assert (screen.query_one("#rv-from", Input).value, screen.query_one("#rv-to", Input).value) == (
            "01/12/2025", "30/11/2026")
        assert column(screen, "#rv-contracts") == ["BC-R-01", "BC-L-01"]
        assert column(screen, "#rv-contracts", 2) == ["16-17", "18+"]
        contract = screen.query_one("#rv-contracts", DataTable).get_row_at(0)
        assert [str(c) for c in contract[4:8]] == ["2", "41.0%", "125", "0"]  # units, use (87 of 212), true void, held
        assert str(contract[16]).startswith("Red · 1 open (1 overdue)")
        assert sorted(column(screen, "#rv-spot")) == ["LCC-300003", "LCC-300004", "LCC-300005"]
        assert "AB" not in column(screen, "#rv-spot")  # case references only
        assert column(screen, "#rv-endings", 1) == ["BC-L-01"]
        assert "LCC-300004" not in column(screen, "#rv-versus")
        summary = plain(screen.query_one("#rv-summary", Static))
        assert "Looked after 16-17" in summary and "(supported accommodation)" in summary  # a column each
        assert "Care leavers 18+" in summary and "(unregulated accommodation)" in summary
        assert "never added together" in summary and "Assumptions" in summary
        assert "01/12/2025 to 30/11/2026 (365 nights)" in summary


@sync
async def test_a_bad_date_is_said_beside_its_field_and_what_was_typed_is_kept(review_ctx) -> None:
    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("p")
        assert app.focused is screen.query_one("#rv-from", Input)
        await retype(pilot, "31/02/2026")
        await pilot.press("enter")
        await settle(pilot)
        error = screen.query_one("#rv-err-from", Static)
        assert "'31/02/2026' is not a real date" in plain(error) and error.has_class("has-error")
        assert screen.query_one("#rv-from", Input).value == "31/02/2026"
        assert app.focused is screen.query_one("#rv-from", Input) and app.is_running
        assert screen.review is not None and screen.review.period.first_day == D(2025, 12, 1)  # as it was
        await retype(pilot, "01/01/2026")
        await pilot.press("tab")  # to the To field
        await retype(pilot, "2025-12-31")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "is before the start of the period" in plain(screen.query_one("#rv-err-to", Static))
        assert not screen.query_one("#rv-err-from", Static).has_class("has-error")
        await retype(pilot, "31/03/2026")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert (screen.review.period.first_day, screen.review.period.last_day) == (D(2026, 1, 1), D(2026, 3, 31))
        assert not screen.query_one("#rv-err-to", Static).has_class("has-error")
        # BC-L-01 starts after this period: listed (it runs today) with no nights in it
        assert column(screen, "#rv-contracts", 5) == ["37.5%", "–"]


@sync
async def test_dates_typed_while_the_review_is_worked_out_are_kept(review_ctx, monkeypatch) -> None:
    import threading

    import broker_tui.ui.screens.review.screen as screen_module
    from broker_tui.ui.screens.review.screen import ReviewScreen

    release, real = threading.Event(), screen_module.review_16_plus

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(screen_module, "review_16_plus", slow)
    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review is None
        assert screen.query_one("#rv-tabs", TabbedContent).loading  # the tabs wait, the screen answers keys
        await pilot.press("p")
        await retype(pilot, "01/02/20")
        release.set()
        await settle(pilot)
        assert screen.review is not None and screen.query_one("#rv-from", Input).value == "01/02/20"


@sync
async def test_a_review_that_fails_is_said_on_the_screen_and_the_app_stays_up(review_ctx, monkeypatch) -> None:
    import contextlib

    from textual.worker import WorkerFailed

    import broker_tui.ui.screens.review.screen as screen_module

    def boom(*_args, **_kwargs):
        raise RuntimeError("LCC-300003 AB")

    monkeypatch.setattr(screen_module, "review_16_plus", boom)
    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        for _ in range(3):
            with contextlib.suppress(WorkerFailed):
                await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        banner = plain(screen.query_one("#rv-banner", Static))
        assert "Could not work out the 16+ review" in banner and "AB" not in banner
        assert not screen.query_one("#rv-tabs", TabbedContent).loading and app.is_running
        await pilot.press("x")  # nothing to export yet: said, no dialog
        assert app.screen is screen


@sync
async def test_the_cohort_and_word_filters_and_the_sort_keys(review_ctx) -> None:
    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("3")
        assert screen.query_one("#rv-tabs", TabbedContent).active == "rv-spot-tab"
        assert app.focused is screen.query_one("#rv-spot", DataTable)
        await pilot.press("c")
        await settle(pilot)
        assert screen.query_one("#rv-cohort", Select).value == "supported_16_17"
        assert sorted(column(screen, "#rv-spot")) == ["LCC-300003", "LCC-300004"]
        assert set(column(screen, "#rv-spread")) == {"16-17"}
        assert column(screen, "#rv-contracts") == ["BC-R-01"]
        summary = plain(screen.query_one("#rv-summary", Static))
        assert "Looked after 16-17" in summary and "Care leavers 18+" not in summary
        await pilot.press("c")
        await settle(pilot)
        assert column(screen, "#rv-spot") == ["LCC-300005"] and column(screen, "#rv-contracts") == ["BC-L-01"]
        await pilot.press("c")  # back to both cohorts
        await pilot.press("slash", *"riverside", "enter")
        await settle(pilot)
        assert column(screen, "#rv-spot") == ["LCC-300003"]
        assert "1 of 3 spot agreements" in plain(screen.query_one("#rv-status", Static))
        screen.query_one("#rv-words", Input).value = ""
        await settle(pilot)
        screen.query_one("#rv-spot", DataTable).focus()
        await pilot.press(*"o" * 6)  # the sixth column: Weekly, lowest first
        weekly = column(screen, "#rv-spot", 5)
        assert weekly == ["£300.00", "£500.00", "£600.00"]
        assert "sorted by weekly, lowest first" in plain(screen.query_one("#rv-status", Static))
        await pilot.press("r")
        assert column(screen, "#rv-spot", 5) == ["£600.00", "£500.00", "£300.00"]
        await pilot.click("#rv-spot", offset=(3, 1))  # the first header (below the border): by case reference
        await settle(pilot)
        assert column(screen, "#rv-spot") == ["LCC-300003", "LCC-300004", "LCC-300005"]


@sync
async def test_enter_opens_the_contract_or_agreement_and_q_reads_the_qa_notes(review_ctx) -> None:
    from broker_tui.ui.screens.contracts.detail import ContractDetailScreen
    from broker_tui.ui.screens.purchases.detail import AgreementScreen

    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("2")
        assert "Void unit-nights" in plain(screen.query_one("#rv-contract-detail", Static))
        await pilot.press("q")
        await settle(pilot)
        notes = plain(screen.query_one("#rv-contract-detail", Static))
        assert "Voids not reported" in notes and "Send the void report" in notes
        assert "Fire doors propped open" in notes  # the service's note too, after the contract's (newer)
        assert notes.index("Voids not reported") < notes.index("Fire doors propped open")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert app.screen.detail is not None and app.screen.detail.reference == "BC-R-01"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AgreementScreen)
        assert app.screen.detail is not None and app.screen.detail.case_ref == column(screen, "#rv-spot")[0]


@sync
async def test_the_charts_are_drawn_from_the_figures(review_ctx) -> None:
    from textual_plotext import PlotextPlot

    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("7")
        await settle(pilot)
        charts = {c.id: c for c in screen.query(PlotextPlot)}
        assert set(charts) == {"rv-chart-use", "rv-chart-size", "rv-chart-spend-0", "rv-chart-spend-1"}
        use = charts["rv-chart-use"].series
        assert set(use) == {"BC-R-01", "BC-L-01"} and use["BC-R-01"][0] == 50.0  # January: 17 of 34 unit-nights
        spend = charts["rv-chart-spend-0"].series
        totals = {t.cohort: t for t in screen.review.totals}["supported_16_17"]
        assert sum(spend["block"]) == pytest.approx(totals.block_paid_pence / 100)  # the months add up to the total
        assert sum(spend["spot"]) == pytest.approx(totals.spot_paid_pence / 100)
        assert "Looked after 16-17" in charts["rv-chart-spend-0"].heading
        assert "Care leavers 18+" in charts["rv-chart-spend-1"].heading
        size = charts["rv-chart-size"]
        first = size.heading
        assert size.series["cost"] and "best" in size.series
        await pilot.press("k")
        await settle(pilot)
        assert size.heading != first and "[2/" in size.heading
        assert "cost by block size" in size.render().plain  # the plot builds at its size, titled
        await pilot.press("c")  # 16-17s only: one spend chart, the care leavers' block left out of the lines
        await settle(pilot)
        assert not charts["rv-chart-spend-1"].display and set(charts["rv-chart-use"].series) == {"BC-R-01"}


@sync
async def test_x_exports_the_review_to_the_path_given_and_says_where(review_ctx, tmp_path) -> None:
    from broker_tui.ui.screens.review.export_dialog import ExportReviewDialog

    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportReviewDialog)
        assert dialog.query_one("#rv-export-path", Input).value.endswith(
            "review-16plus-2025-12-01-to-2026-11-30.xlsx")
        await pilot.press("down", "down", "enter")  # JSON
        assert dialog.query_one("#rv-export-path", Input).value.endswith(".json")
        target = tmp_path / "review.json"
        dialog.query_one("#rv-export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ExportReviewDialog)
        said = [n.message for n in app._notifications]
        assert any(str(target) in m for m in said)
        text = target.read_text()
        assert "LCC-300003" in text and json.loads(text)["period"]["first_day"] == "2025-12-01"


def test_the_app_starts_without_plotext_or_openpyxl() -> None:
    code = ("import sys\nimport broker_tui.ui.app\n"
            "print([m for m in ('plotext', 'textual_plotext', 'openpyxl') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_review_summary_snapshot(snap_compare, review_ctx) -> None:
    async def open_it(pilot) -> None:
        await open_review(pilot.app, pilot)

    assert snap_compare(make_app(review_ctx), terminal_size=SIZE, run_before=open_it)


def test_review_charts_snapshot(snap_compare, review_ctx) -> None:
    async def open_it(pilot) -> None:
        await open_review(pilot.app, pilot)
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(make_app(review_ctx), terminal_size=SIZE, run_before=open_it)


@sync
async def test_the_palette_and_help_reach_the_review(review_ctx) -> None:
    from broker_tui.ui.screens.review.screen import ReviewScreen

    app = make_app(review_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "16+ review", "16+ review")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("f1")
        await settle(pilot)
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("", "f9", "16+ review") in rows
        assert {"Apply period", "Cohort", "Sort", "Reverse", "QA notes", "Next size chart", "Export"} <= {
            r[2] for r in rows}
