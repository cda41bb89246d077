"""Sufficiency (F10), driven by keys as a commissioner would, over the shared synthetic SSDA903 return and a
small market: the forecast by category and year, its chart (the total, then each category with g), the gap
against the council's own places (a diverging bar per category and year, and the table), diversity; a bad
distance is said beside its field and kept; x writes the workbook where asked; with no return imported the
screen says how to read one. Counts only: no child is named."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent

from broker_tui.services.sufficiency import import_ssda903
from tests.ui.conftest import SIZE, make_app, plain, run_command, settle, sync

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")


@pytest.fixture
def sufficiency_ctx(sqlite_ctx, shared_data: Path, tmp_path: Path):
    folder = tmp_path / "return"
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    import_ssda903(sqlite_ctx, [folder])
    return sqlite_ctx


def column(screen, table_id: str, index: int = 0) -> list[str]:
    table = screen.query_one(table_id, DataTable)
    return [str(table.get_row_at(i)[index]).strip() for i in range(table.row_count)]


def declined(ctx, declines: dict[str, str], *, case_ref: str = "LCC-300001", days_ago: int = 10,
             market: dict | None = None) -> tuple[str, dict]:
    """A referral received ``days_ago`` days ago, sent to the small market's homes named in ``declines``,
    each of which declined it for its reason: its case reference, and the market's services by name (built
    here unless given)."""
    from broker_tui.services.outreach import record_decline, send_referral
    from broker_tui.services.referrals import create_referral
    from tests.conftest import TODAY
    from tests.market_data import build_market
    from tests.services.test_outreach import referral_request

    ids = market or {name: svc.id for name, svc in build_market(ctx, TODAY).services.items()}
    received = (TODAY - dt.timedelta(days=days_ago)).isoformat()
    case = create_referral(ctx, referral_request(case_ref=case_ref, date_received=received)).case_ref
    send_referral(ctx, case, [ids[home] for home in declines], TODAY + dt.timedelta(days=2))
    for home, reason in declines.items():
        record_decline(ctx, case, ids[home], reason)
    return case, ids


async def open_it(app, pilot):
    from broker_tui.ui.screens.sufficiency.screen import SufficiencyScreen

    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    assert isinstance(app.screen, SufficiencyScreen)
    return app.screen


@sync
async def test_f10_shows_the_forecast_the_gap_and_diversity(sufficiency_ctx) -> None:
    from broker_tui.ui.screens.sufficiency.charts import ForecastChart, GapChart

    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        assert screen.gap is not None
        assert column(screen, "#sf-forecast") == ["In-house fostering", "External fostering", "Kinship care",
                                                  "Residential", "Supported accommodation", "Other", "Total",
                                                  "Turning 18 in the year"]
        assert column(screen, "#sf-forecast", 1) == ["23", "25", "7", "12", "9", "10", "86", ""]  # now: March 2022
        table = screen.query_one("#sf-forecast", DataTable)
        assert [str(c.label) for c in table.columns.values()][1:] == ["Now (Mar 2022)", "Mar 2023", "Mar 2024",
                                                                     "Mar 2025", "Mar 2026", "Mar 2027"]
        chart = screen.query_one("#sf-chart-forecast", ForecastChart)
        assert chart.series["actual"][-1] == 86 and len(chart.series["mean"]) == 60
        assert all(lo <= mu <= hi for lo, mu, hi in zip(chart.series["low"], chart.series["mean"],
                                                        chart.series["high"], strict=True))
        await pilot.press("g")
        assert chart.heading.startswith("In-house fostering") and chart.series["actual"][-1] == 23
        await pilot.press("2")
        gap = screen.query_one("#sf-chart-gap", GapChart)
        assert set(gap.series) == {"in_house_fostering", "external_fostering", "residential", "supported"}
        text = plain(gap)
        assert "Residential" in text and "│" in text
        assert column(screen, "#sf-gap")[0] == "In-house fostering" and len(column(screen, "#sf-gap")) == 20
        await pilot.press("3")
        assert column(screen, "#sf-diversity") == ["External fostering", "External fostering", "Residential",
                                                   "Residential", "Supported accommodation", "Supported accommodation"]
        status = plain(screen.query_one("#sf-status", Static))
        assert "Forecast from the end of Mar 2022" in status and "24 episode(s) left open" in status
        assert "pools 3 councils' returns" in status
        await pilot.press("4")
        assert set(column(screen, "#sf-reasons", 1)) == {"0"}  # nobody has declined a referral here
        assert "0 referral(s) sent to 0 service(s)" in plain(screen.query_one("#sf-declines-note", Static))


@sync
async def test_the_declines_tab_counts_the_search_logs(sufficiency_ctx) -> None:
    from broker_tui.ui.screens.sufficiency.charts import DeclinesChart

    case, _ = declined(sufficiency_ctx, {"Ashfield House": "no_vacancy", "Beacon Lodge": "price"})
    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        await pilot.press("4")
        chart = screen.query_one("#sf-chart-declines", DeclinesChart)
        counts = dict(zip(column(screen, "#sf-reasons"), column(screen, "#sf-reasons", 1), strict=True))
        assert {k: v for k, v in counts.items() if v != "0"} == {"No vacancy": "1", "Price": "1"}
        assert sorted(chart.series["declines"]) == [0, 0, 0, 0, 1.0, 1.0]
        assert case in column(screen, "#sf-longest")  # on screen a child is its case reference
        assert "2 decline(s)" in plain(screen.query_one("#sf-declines-note", Static))


@sync
async def test_a_scenario_chosen_is_worked_out_at_once(sufficiency_ctx) -> None:
    from textual.widgets import Select

    from broker_tui.domain.settings import settings_from_mapping

    sufficiency_ctx.settings = settings_from_mapping({"forecast": {"scenarios": {
        "step_down": {"shift": {"from": "residential", "to": "supported", "places": 5}}}}})
    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        assert "scenario baseline" in plain(screen.query_one("#sf-status", Static))
        choice = screen.query_one("#sf-scenario", Select)
        choice.focus()
        await pilot.press("enter", "down", "enter")  # baseline -> step_down: no ctrl+r needed
        await settle(pilot)
        status = " ".join(plain(screen.query_one("#sf-status", Static)).split())  # as one line, unwrapped
        assert "scenario step_down" in status
        assert "up to 5 placed in supported accommodation instead of residential" in status
        assert screen.gap is not None and screen.gap.forecast.scenario == "step_down"


@sync
async def test_the_declines_tab_reads_the_period_chosen(sufficiency_ctx) -> None:
    from textual.widgets import Select

    from tests.conftest import TODAY

    old, ids = declined(sufficiency_ctx, {"Ashfield House": "no_vacancy"}, case_ref="LCC-300002", days_ago=250)
    new, _ = declined(sufficiency_ctx, {"Beacon Lodge": "price"}, market=ids)
    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        await pilot.press("4")

        def nonzero() -> dict[str, str]:
            counts = dict(zip(column(screen, "#sf-reasons"), column(screen, "#sf-reasons", 1), strict=True))
            return {k: v for k, v in counts.items() if v != "0"}

        assert nonzero() == {"No vacancy": "1", "Price": "1"} and {old, new} <= set(column(screen, "#sf-longest"))
        period = screen.query_one("#sf-period", Select)
        await pilot.press("1", "p")  # from any tab, p goes to the declines' period
        assert app.focused is period and screen.query_one("#sf-tabs", TabbedContent).active == "sf-declines-tab"
        await pilot.press("enter", "down", "down", "enter")  # every referral -> 3 months -> 6 months
        await settle(pilot)
        assert period.value == 6
        assert nonzero() == {"Price": "1"}
        assert new in column(screen, "#sf-longest") and old not in column(screen, "#sf-longest")
        note = plain(screen.query_one("#sf-declines-note", Static))
        since = TODAY.replace(month=TODAY.month - 6) if TODAY.month > 6 else TODAY.replace(year=TODAY.year - 1,
                                                                                          month=TODAY.month + 6)
        assert f"referrals received from {since:%d/%m/%Y}:" in note and "1 decline(s)" in note
        await pilot.press("ctrl+r")  # working it all out again keeps the period
        await settle(pilot)
        assert nonzero() == {"Price": "1"}


@sync
async def test_a_bad_distance_is_said_and_kept_and_x_writes_the_workbook(sufficiency_ctx, tmp_path) -> None:
    from broker_tui.ui.screens.sufficiency.export import ExportPlanDialog

    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        miles = screen.query_one("#sf-miles", Input)
        miles.focus()
        await pilot.press("end", "backspace", "backspace", *"far", "enter")
        await settle(pilot)
        assert miles.value == "far"
        assert "a distance in miles, 0 to 500" in plain(screen.query_one("#sf-miles-error", Static))
        await pilot.press("backspace", "backspace", "backspace", *"35", "enter")
        await settle(pilot)
        assert screen.gap is not None and screen.gap.miles == 35.0
        assert not screen.query_one("#sf-miles-error", Static).has_class("has-error")
        assert app.focused is screen.query_one("#sf-forecast", DataTable)  # Enter left the field for the tab
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportPlanDialog)
        assert dialog.query_one("#sf-export-path", Input).value.endswith(".xlsx")
        dialog.query_one("#sf-export-path", Input).value = str(tmp_path / "plan.txt")
        await pilot.press("enter")
        assert "name ends .xlsx" in plain(dialog.query_one("#sf-export-error", Static))
        target = tmp_path / "plan.xlsx"
        dialog.query_one("#sf-export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and target.stat().st_mode & 0o777 == 0o600
        assert str(target) in plain(screen.query_one("#sf-status", Static))


@sync
async def test_no_return_says_how_to_read_one(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        assert screen.gap is None
        assert "broker-tui ssda903 import DIR" in plain(screen.query_one("#sf-status", Static))
        await pilot.press("x")
        assert "needs an imported SSDA903 return" in plain(screen.query_one("#sf-status", Static))


@sync
async def test_the_palette_and_help_reach_sufficiency(sqlite_ctx) -> None:
    from broker_tui.ui.screens.sufficiency.screen import SufficiencyScreen

    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "sufficiency", "sufficiency")
        assert isinstance(app.screen, SufficiencyScreen)
        await pilot.press("f1")
        await settle(pilot)
        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("", "f10", "Sufficiency") in rows
        assert {"Work out", "Chart: next category", "Workbook"} <= {r[2] for r in rows}


@sync
async def test_i_reads_a_return_and_the_forecast_follows(sqlite_ctx, shared_data: Path, tmp_path: Path) -> None:
    from broker_tui.ui.screens.sufficiency.import_return import ImportReturnDialog

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "episodes_2023-24.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\n"
        "C1,01/11/2023,S,C2,N1,H5,PR4,,,,,\n")
    good = tmp_path / "good"
    good.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, good / name)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        assert "or press i here" in plain(screen.query_one("#sf-status", Static))
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportReturnDialog)
        await pilot.press(*str(bad), "enter")
        await settle(pilot)
        problems = plain(dialog.query_one("#sf-import-problems", Static))
        assert "nothing was written" in problems and "episodes_2023-24.csv:2: PLACE: 'H5'" in problems
        assert dialog.query_one("#sf-import-path", Input).value == str(bad)  # what was typed is kept
        dialog.query_one("#sf-import-path", Input).value = str(good)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.gap is not None and screen.gap.forecast.cutoff == "2022-03"
        assert "Read the SSDA903 return: 820 children, 2827 episodes" in plain(screen.query_one("#sf-status", Static))


@pytest.mark.parametrize(("tab", "declines"), [("1", False), ("2", False), ("4", True)],
                         ids=["forecast", "gap", "declines"])
def test_sufficiency_snapshot(snap_compare, sufficiency_ctx, tab: str, declines: bool) -> None:
    if declines:
        declined(sufficiency_ctx, {"Ashfield House": "no_vacancy", "Beacon Lodge": "price"})

    async def run(pilot) -> None:
        await open_it(pilot.app, pilot)
        await pilot.press(tab)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()  # the tab's underline slides to it

    assert snap_compare(make_app(sufficiency_ctx), terminal_size=SIZE, run_before=run)


@sync
async def test_opening_works_it_out_once_and_a_slow_forecast_never_brings_back_an_old_period(
        sufficiency_ctx, monkeypatch) -> None:
    import time

    from textual.widgets import Select

    import broker_tui.ui.screens.sufficiency.screen as screen_module

    old, ids = declined(sufficiency_ctx, {"Ashfield House": "no_vacancy"}, case_ref="LCC-300002", days_ago=250)
    declined(sufficiency_ctx, {"Beacon Lodge": "price"}, market=ids)
    calls: list[float] = []
    real = screen_module.market_gap

    def counted(*args, **kwargs):
        calls.append(time.monotonic())
        if len(calls) > 1:
            time.sleep(0.8)  # the forecast worked out again takes a while
        return real(*args, **kwargs)

    monkeypatch.setattr(screen_module, "market_gap", counted)
    app = make_app(sufficiency_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_it(app, pilot)
        assert len(calls) == 1  # the choices' first values as they mount work nothing out again
        await pilot.press("4", "ctrl+r")  # worked out again (slowly), reading every referral's declines ...
        await pilot.pause(0.1)
        period = screen.query_one("#sf-period", Select)
        period.focus()
        await pilot.press("enter", "down", "down", "enter")  # ... while the last 6 months are chosen
        await settle(pilot)
        assert len(calls) == 2 and period.value == 6
        assert old not in column(screen, "#sf-longest")  # the slow forecast did not put every referral back
        counts = dict(zip(column(screen, "#sf-reasons"), column(screen, "#sf-reasons", 1), strict=True))
        assert counts["No vacancy"] == "0" and counts["Price"] == "1"
