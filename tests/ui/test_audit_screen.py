"""The audit trail screen, driven with the keyboard: F8 opens it, newest first; a case reference narrows
it to one child's records; a bad date is named where the broker is looking and the table keeps its rows;
the highlighted event's before and after are shown below."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable, Input, Static

from broker_tui.services.referrals import change_status
from broker_tui.ui.screens.audit.trail import AuditScreen
from tests.ui.conftest import SIZE, make_app, settle, sync
from tests.ui.test_referral_snapshots import make_referrals


def cells(screen: AuditScreen) -> list[list[str]]:
    table = screen.query_one("#audit-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@sync
async def test_the_trail_filters_by_case_reference_and_names_a_bad_date(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    colleague = dataclasses.replace(sqlite_ctx, acting_as="a.colleague")
    change_status(colleague, made["LCC-400101"], "searching", by_act=False)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        everything = cells(screen)
        assert len(everything) > 5 and everything[0][1] == "a.colleague" and everything[0][2] == "status"
        detail = str(screen.query_one("#audit-detail", Static).content)
        assert "status: new → searching" in detail and "a.colleague" in detail

        record = screen.query_one("#audit-record", Input)
        record.focus()
        await pilot.press(*"LCC-400101", "enter")
        await settle(pilot)
        mine = cells(screen)
        assert mine and len(mine) < len(everything)
        assert {row[3] for row in mine} == {"referral"}

        since = screen.query_one("#audit-since", Input)
        since.focus()
        await pilot.press(*"31/02/2026", "enter")
        await settle(pilot)
        problem = screen.query_one("#audit-problem", Static)
        assert "Since:" in str(problem.content) and problem.has_class("has-error")
        assert cells(screen) == mine  # the rows stay; nothing crashed
        assert since.value == "31/02/2026"  # what was typed is kept
