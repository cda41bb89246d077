"""The block contracts screens (F6), driven by keys as a broker would, on the test market with contracts
registered, amended and filled through services.contracts: the list with units, occupancy, voids, the unit
price in force and ending soon marked, filtered; one contract's units one by one, its usage and its terms as
history; placing a child (a taken unit refused beside the unit with the free ones named, a full contract and
one past its end refused in the dialog saying to buy a spot agreement, nothing written), ending a placement
with an SSDA903 reason, a unit's status, an uplift. And a snapshot of the list."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Select, Static

from broker_tui.services.contracts import (
    ContractInput,
    PlaceInput,
    TermInput,
    add_contract,
    amend_contract,
    place_in_block,
    show_contract,
)
from broker_tui.services.placements import get_placement
from broker_tui.ui.screens.contracts.detail import ContractDetailScreen
from broker_tui.ui.screens.contracts.dialogs import AmendDialog, EndDialog, PlaceDialog, UnitStatusDialog
from broker_tui.ui.screens.contracts.list import ContractsScreen
from tests.conftest import TODAY
from tests.ui.conftest import SIZE, make_app, plain, run_command, settle, sync

D = dt.timedelta


@pytest.fixture
def bc_ctx(market_ctx):
    """BC-16-01: three flats at Elm Court for 16+, an uplift of 3.5%, LCC-700001 in Unit 1 since long ago and
    LCC-700002 in Unit 2 until 10/01/2027, Unit 3 void; BC-ASH-01: two beds at Ashfield House ending in 60
    days, both void."""
    from broker_tui.services.market import DirectoryQuery, directory_page

    elm = directory_page(market_ctx, DirectoryQuery(text="Elm Court Supported Living"), None, 1).rows[0]
    add_contract(market_ctx, ContractInput(service=str(elm.id), reference="BC-16-01", name="16+ flats at Elm Court",
                                           for_16_plus=True, starts_on=TODAY - D(400), ends_on=TODAY + D(330), units=3,
                                           unit_weekly_pence=70_000, extension_option="12 months"))
    place_in_block(market_ctx, PlaceInput(contract="BC-16-01", case_ref="LCC-700001", start_date=TODAY - D(300)))
    place_in_block(market_ctx, PlaceInput(contract="BC-16-01", case_ref="LCC-700002", start_date=TODAY - D(20),
                                          planned_end=TODAY + D(40)))
    amend_contract(market_ctx, "BC-16-01", TermInput(kind="uplift", effective_from=TODAY - D(35), uplift_bp=350,
                                                     reason="Annual uplift"))
    add_contract(market_ctx, ContractInput(service="SC100000", reference="BC-ASH-01", name="Ashfield beds",
                                           starts_on=TODAY - D(200), ends_on=TODAY + D(60), units=2,
                                           unit_weekly_pence=480_000))
    return market_ctx


def cells(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(screen, table_id: str, first: str) -> list[str]:
    return next(r for r in cells(screen, table_id) if r[0] == first)


async def open_list(app, pilot) -> ContractsScreen:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    assert isinstance(app.screen, ContractsScreen)
    return app.screen


async def open_contract(app, pilot, reference: str = "BC-16-01") -> ContractDetailScreen:
    screen = await open_list(app, pilot)
    table = screen.query_one("#bc-table", DataTable)
    assert app.focused is table
    target = [r.reference for r in screen.rows].index(reference)
    while table.cursor_row != target:
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ContractDetailScreen)
    return app.screen


async def to_unit(pilot, screen: ContractDetailScreen, label: str) -> None:
    table = screen.query_one("#bc-units", DataTable)
    table.focus()
    target = [u.label for u in screen.detail.units].index(label)
    while table.cursor_row != target:
        await pilot.press("down" if table.cursor_row < target else "up")


async def choose(pilot, select: Select, starting: str) -> None:
    """Choose the first option whose label starts with ``starting`` by keys (the blank one by its prompt)."""
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    labels = [str(label) or select.prompt for label, _value in select._options]
    values = [value for _label, value in select._options]
    current, target = values.index(select.value), next(i for i, lb in enumerate(labels) if lb.startswith(starting))
    for _ in range(abs(target - current)):
        await pilot.press("down" if target > current else "up")
    await pilot.press("enter")
    await settle(pilot)
    assert select.value == values[target]


def error(dialog, key: str) -> str:
    slot = dialog.query_one(f"#bc-err-{key}", Static)
    return plain(slot) if slot.has_class("has-error") else ""


def banner(dialog) -> str:
    slot = dialog.query_one("#bc-dialog-banner", Static)
    return plain(slot) if slot.has_class("-shown") else ""


def occupants(ctx, reference: str = "BC-16-01") -> dict[str, str]:
    return {u.label: u.case_ref for u in show_contract(ctx, reference).units}


@sync
async def test_the_list_shows_units_occupancy_price_and_ending_soon_and_filters(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        assert row_of(screen, "#bc-table", "BC-16-01") == [
            "BC-16-01", "16+ flats at Elm Court", "Northgate Housing…", "16+", "3", "2", "1", "£724.50",
            (TODAY + D(330)).strftime("%d/%m/%Y"), ""]
        ash = row_of(screen, "#bc-table", "BC-ASH-01")
        assert ash[4:7] == ["2", "0", "2"] and ash[7] == "£4,800.00" and ash[9] == "⚠ 60 days left"

        await pilot.press("s")  # ending within six months
        await settle(pilot)
        assert "BC-16-01" not in [r[0] for r in cells(screen, "#bc-table")]
        assert "BC-ASH-01" in [r[0] for r in cells(screen, "#bc-table")]
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, screen.query_one("#bc-age", Select), "16+ only")
        assert "BC-16-01" in [r[0] for r in cells(screen, "#bc-table")]
        assert "BC-ASH-01" not in [r[0] for r in cells(screen, "#bc-table")]


@sync
async def test_a_contract_shows_each_unit_its_usage_and_its_terms_as_history(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contract(app, pilot)
        assert cells(screen, "#bc-units") == [
            ["Unit 1", "Available", (TODAY - D(400)).strftime("%d/%m/%Y"), "LCC-700001",
             (TODAY - D(300)).strftime("%d/%m/%Y"), "", "contract end"],
            ["Unit 2", "Available", (TODAY - D(400)).strftime("%d/%m/%Y"), "LCC-700002",
             (TODAY - D(20)).strftime("%d/%m/%Y"), "10/01/2027", "10/01/2027"],
            ["Unit 3", "Available", (TODAY - D(400)).strftime("%d/%m/%Y"), "void", "", "", "01/12/2026"]]
        summary = plain(screen.query_one("#bc-summary", Static))
        assert "3 units today: 2 occupied, 1 void" in summary and "£724.50 a unit a week" in summary
        usage = plain(screen.query_one("#bc-usage", Static))
        assert "Usage 01/12/2025 to 30/11/2026" in usage and "Utilisation 29.2%" in usage
        assert "void 775" in usage and "voids cost" in usage
        terms = cells(screen, "#bc-terms")
        assert [t[:4] for t in terms] == [[(TODAY - D(35)).strftime("%d/%m/%Y"), "3", "£724.50", ""],
                                          [(TODAY - D(400)).strftime("%d/%m/%Y"), "3", "£700.00", ""]]
        assert terms[0][4].startswith("Uplift 3.5%") and terms[0][5] == "Annual uplift"
        assert terms[0][6].startswith("test.broker ")


@sync
async def test_placing_refuses_a_taken_unit_a_full_and_an_expired_contract_then_places(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contract(app, pilot)
        await to_unit(pilot, screen, "Unit 1")  # taken: the dialog does not choose it for us
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlaceDialog) and dialog.query_one("#bc-f-unit", Select).value is Select.NULL
        assert "Free today: Unit 3" in plain(dialog.query_one(".bc-hint", Static))
        await pilot.press(*"LCC-700003")
        await choose(pilot, dialog.query_one("#bc-f-unit", Select), "Unit 1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlaceDialog)
        assert "Unit 1 is taken by LCC-700001" in error(dialog, "unit") and "free: Unit 3" in error(dialog, "unit")
        assert dialog.query_one("#bc-f-case_ref", Input).value == "LCC-700003"  # kept
        assert occupants(bc_ctx)["Unit 3"] == ""  # nothing written

        start = dialog.query_one("#bc-f-start_date", Input)  # after the contract's end
        start.focus()
        await pilot.press("ctrl+u", *(TODAY + D(400)).strftime("%d/%m/%Y"))
        await choose(pilot, dialog.query_one("#bc-f-unit", Select), "The first free unit")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "has expired" in banner(dialog) and "buy a spot agreement instead" in banner(dialog)
        assert not error(dialog, "unit")

        start.focus()
        await pilot.press("ctrl+u", *TODAY.strftime("%d/%m/%Y"), "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert "Placed LCC-700003 in Unit 3 from 01/12/2026" in plain(screen.query_one("#bc-detail-banner", Static))
        assert row_of(screen, "#bc-units", "Unit 3")[3] == "LCC-700003"

        await pilot.press("p")  # a fourth child: the contract is full
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*"LCC-700004", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PlaceDialog)
        assert "BC-16-01 is full" in banner(dialog) and "buy a spot agreement instead" in banner(dialog)
        await pilot.press("escape")
        await settle(pilot)
    assert occupants(bc_ctx) == {"Unit 1": "LCC-700001", "Unit 2": "LCC-700002", "Unit 3": "LCC-700003"}


@sync
async def test_ending_a_placement_asks_the_first_night_not_there_and_one_ssda903_reason(bc_ctx) -> None:
    placement = show_contract(bc_ctx, "BC-16-01").units[1].placement_id
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contract(app, pilot)
        await to_unit(pilot, screen, "Unit 3")  # void: nothing to end
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert "with a child in it" in plain(screen.query_one("#bc-detail-banner", Static))

        await to_unit(pilot, screen, "Unit 2")
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EndDialog) and "End LCC-700002's placement in Unit 2" in plain(
            dialog.query_one(".bc-question"))
        end = dialog.query_one("#bc-f-end_date", Input)
        await pilot.press("ctrl+u", *(TODAY - D(30)).strftime("%d/%m/%Y"), "ctrl+s")  # before the start; no reason
        await settle(pilot)
        assert isinstance(app.screen, EndDialog)
        assert "Must be after the start (11/11/2026)" in error(dialog, "end_date")
        assert "give one reason" in error(dialog, "why").lower()

        await choose(pilot, dialog.query_one("#bc-f-why", Select), "Leaves care")
        await choose(pilot, dialog.query_one("#bc-f-code", Select), "E13")
        end.focus()
        await pilot.press("ctrl+u", *(TODAY + D(7)).strftime("%d/%m/%Y"), "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert "Ended LCC-700002's placement: Unit 2 is free from 08/12/2026 (E13)" in plain(
            screen.query_one("#bc-detail-banner", Static))
        assert row_of(screen, "#bc-units", "Unit 2")[5:] == ["08/12/2026", "08/12/2026"]

    ended = get_placement(bc_ctx, placement)
    assert (ended.end_date, ended.reason_episode_ceased, ended.reason_place_change, ended.ended_by) == (
        TODAY + D(7), "E13", None, "test.broker")


@sync
async def test_a_unit_is_set_out_of_use_with_its_reason_and_a_taken_one_is_refused(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contract(app, pilot)
        await to_unit(pilot, screen, "Unit 1")
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, UnitStatusDialog)
        await choose(pilot, dialog.query_one("#bc-f-status", Select), "Held for an incoming")
        dialog.query_one("#bc-f-reason", Input).focus()
        await pilot.press(*"For LCC-700009", "ctrl+s")
        await settle(pilot)
        assert "Unit 1 is taken by LCC-700001" in error(dialog, "from")
        await pilot.press("escape")
        await settle(pilot)

        await to_unit(pilot, screen, "Unit 3")
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        await choose(pilot, dialog.query_one("#bc-f-status", Select), "Out of use (council)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "say why the unit is out of use (council)" in error(dialog, "reason").lower()
        dialog.query_one("#bc-f-reason", Input).focus()
        await pilot.press(*"Fire damage", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert row_of(screen, "#bc-units", "Unit 3")[1] == "Out of use (council)"


@sync
async def test_an_uplift_is_a_dated_term_and_a_bad_percentage_is_named(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_contract(app, pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AmendDialog)
        assert not dialog.query_one("#bc-row-uplift").display  # shown once the kind is chosen
        await choose(pilot, dialog.query_one("#bc-f-kind", Select), "Annual uplift")
        assert dialog.query_one("#bc-row-uplift").display and not dialog.query_one("#bc-row-ends_on").display
        dialog.query_one("#bc-f-uplift", Input).focus()
        await pilot.press(*"two", "ctrl+s")
        await settle(pilot)
        assert "percentage" in error(dialog, "uplift")
        await pilot.press("ctrl+u", *"2%", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
        assert "£738.99" in plain(screen.query_one("#bc-detail-banner", Static))  # £724.50 + 2%, half up
        assert cells(screen, "#bc-terms")[0][:3] == ["01/12/2026", "3", "£738.99"]


def test_contracts_snapshot(snap_compare, bc_ctx) -> None:
    async def open_it(pilot) -> None:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)

    assert snap_compare(make_app(bc_ctx), terminal_size=SIZE, run_before=open_it)


@sync
async def test_a_child_with_another_placement_is_refused_unless_coded_a_retainer_and_the_palette_finds_it(bc_ctx) -> None:
    app = make_app(bc_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "block contracts", "block contracts")
        assert isinstance(app.screen, ContractsScreen)
        table = app.screen.query_one("#bc-table", DataTable)
        target = [r.reference for r in app.screen.rows].index("BC-16-01")
        while table.cursor_row != target:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ContractDetailScreen)
        await to_unit(pilot, screen, "Unit 3")
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlaceDialog) and dialog.query_one("#bc-f-unit", Select).value is not Select.NULL
        await pilot.press(*"LCC-700001", "ctrl+s")  # already in Unit 1
        await settle(pilot)
        assert "LCC-700001 has two placements at once" in error(dialog, "start_date")
        await choose(pilot, dialog.query_one("#bc-f-overlap_kind", Select), "Retainer")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "say why" in error(dialog, "overlap_reason").lower()
        dialog.query_one("#bc-f-overlap_reason", Input).focus()
        await pilot.press(*"In hospital; the flat is kept for her return", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ContractDetailScreen)
    assert occupants(bc_ctx)["Unit 3"] == "LCC-700001"
