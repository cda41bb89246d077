"""Purchases (F5) and one spot agreement, driven with the keyboard: what awaits an approver is marked and
filtered; the recorder asking to approve their own is refused in the banner with nothing changed; another
person, within their limit, approves it; a reason is asked before a rejection; the money is on screen."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable, Input, Select, Static

from broker_tui.services.purchases import add_agreement, list_agreements, show_agreement
from broker_tui.ui.screens.dialogs import ConfirmScreen, ReasonScreen
from broker_tui.ui.screens.purchases.detail import AgreementScreen
from broker_tui.ui.screens.purchases.list import PurchasesScreen
from tests.services.test_purchases import make_referral, make_service, spot
from tests.ui.conftest import SIZE, make_app, settle, sync

APPROVERS = (("m.manager", 1_500_000),)


def cells(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def _world(ctx):
    service = make_service(ctx)
    make_referral(ctx, "LCC-200001")
    make_referral(ctx, "LCC-200002")
    dear = add_agreement(ctx, spot(service, weekly_price_pence=900_000, core_weekly_pence=900_000), submit=True)
    cheap = add_agreement(ctx, spot(service, case_ref="LCC-200002"), submit=True)
    return dear, cheap


async def _open(app, pilot) -> PurchasesScreen:
    await settle(pilot)
    await pilot.press("f5")
    await settle(pilot)
    assert isinstance(app.screen, PurchasesScreen)
    return app.screen


@sync
async def test_the_recorder_cannot_approve_their_own_and_the_banner_says_so(sqlite_ctx) -> None:
    dear, _cheap = _world(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        rows = cells(screen, "#pu-table")
        assert {r[1]: (r[0], r[4], r[5]) for r in rows} == {
            "LCC-200001": ("⚑", "Awaiting approval", "£9,000.00"), "LCC-200002": ("", "Active", "£6,000.00")}
        screen.query_one("#pu-show", Select).value = "awaiting"
        await settle(pilot)
        assert [r[1] for r in cells(screen, "#pu-table")] == ["LCC-200001"]
        screen.query_one("#pu-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, AgreementScreen)
        assert "LCC-200001" in text(detail, "#pu-title") and "Awaiting approval" in text(detail, "#pu-title")
        money = text(detail, "#pu-money")
        assert "Weekly from 08/12/2026: £9,000.00" in money and "A full year" in money
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is detail  # not even asked: the recorder is told at once
        assert "recorded this agreement and cannot approve your own" in text(detail, "#pu-banner")
        assert show_agreement(sqlite_ctx, dear.id).status == "awaiting_approval"  # nothing changed


@sync
async def test_an_approver_within_their_limit_approves_and_a_rejection_asks_why(sqlite_ctx) -> None:
    dear, cheap = _world(sqlite_ctx)
    manager = dataclasses.replace(sqlite_ctx, acting_as="m.manager",
                                  settings=dataclasses.replace(sqlite_ctx.settings, approvers=APPROVERS))
    app = make_app(manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        search = screen.query_one("#pu-search", Input)
        search.focus()
        await pilot.press(*"200001")
        await settle(pilot)
        assert [r[1] for r in cells(screen, "#pu-table")] == ["LCC-200001"]
        screen.query_one("#pu-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("escape")  # not now: nothing happens
        await settle(pilot)
        assert show_agreement(manager, dear.id).status == "awaiting_approval"
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "above the £7,500.00 threshold" in app.screen.question and "m.manager" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert show_agreement(manager, dear.id).status == "active"
        assert "Active" in text(detail, "#pu-title")
        approvals = cells(detail, "#pu-approvals")
        assert approvals[0][:3] == ["Cost (manager)", "approved", "m.manager"]
        await pilot.press("c")  # cancel: it has not started yet, so it may be cancelled, with a reason
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"Family placement found", "enter")
        await settle(pilot)
        assert show_agreement(manager, dear.id).status == "cancelled"
        assert list_agreements(manager, status="active").total == 1  # the other one
    assert cheap.id != dear.id


def test_purchases_list_snapshot(sqlite_ctx, snap_compare) -> None:
    _world(sqlite_ctx)

    async def to_purchases(pilot) -> None:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_ctx), terminal_size=SIZE, run_before=to_purchases)


@sync
async def test_ending_a_spot_placement_from_the_agreement(sqlite_ctx) -> None:
    from textual.widgets import Select

    from broker_tui.services.reference import ensure_reference_data
    from broker_tui.ui.screens.placements.end import EndPlacementDialog

    ensure_reference_data(sqlite_ctx)  # the SSDA903 code lists
    _dear, cheap = _world(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AgreementScreen(str(cheap.id)))
        await settle(pilot)
        detail = app.screen
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EndPlacementDialog)
        assert "End LCC-200002's placement at Oakfield House" in str(dialog.question())
        end = dialog.query_one("#bc-f-end_date", Input)
        end.value = "01/12/2026"  # before the start: refused beside the field, the dialog stays as typed
        dialog.query_one("#bc-f-why", Select).value = "moves_on"
        await settle(pilot)
        dialog.query_one("#bc-f-code", Select).value = "CARPL"  # offered once "moves on" is chosen
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "Must be after the start" in str(
            dialog.query_one("#bc-err-end_date", Static).content)
        end.value = "05/01/2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert "first night not there is 05/01/2027 (CARPL)" in text(detail, "#pu-banner")
        assert show_agreement(sqlite_ctx, cheap.id).status == "ended"
