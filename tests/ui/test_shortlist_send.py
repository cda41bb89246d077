"""Find placements, driven by keys: the free text narrows the ranking (typos tolerated, ranks kept);
the shortlist; sending the referral (reply date checked, the provider text anonymised, saved to a file
readable by its owner only); what was sent is marked and cannot be sent again; an ad hoc search has
no shortlist."""

from __future__ import annotations

import asyncio
import os
import stat

from sqlalchemy import func, select
from textual.widgets import Input, Static, TextArea

from broker_tui.services.referrals import get_referral
from broker_tui.store.tables import ReferralSent
from broker_tui.ui.screens.dialogs import ReasonScreen
from broker_tui.ui.screens.matching.results import ExcludedTable, MatchTable
from broker_tui.ui.screens.matching.search import MatchSearchScreen
from broker_tui.ui.screens.outreach.send import SendReferralScreen
from tests.domain import matching_cases as mc
from tests.ui.conftest import SIZE, make_app, plain, sync, until
from tests.ui.test_referral_form import settle
from tests.ui.test_search_screen import cases_ctx, names, open_search  # noqa: F401  (fixture)


def status(screen) -> str:
    return str(screen.query_one("#match-status", Static).render())


def marks(table) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def sent_count(ctx) -> int:
    with ctx.session() as s:
        return s.execute(select(func.count()).select_from(ReferralSent)).scalar_one()


async def type_text(pilot, screen, text: str) -> None:
    """Type into the search box as a person would, then wait for the table."""
    box = screen.query_one("#f-text", Input)
    if pilot.app.focused is not box:
        await pilot.press("slash")
    assert pilot.app.focused is box
    screen.results_painted.clear()
    await pilot.press(*text)
    await asyncio.wait_for(screen.results_painted.wait(), 10)
    await settle(pilot)


@sync
async def test_free_text_narrows_the_ranking_with_typos_and_keeps_the_ranks(cases_ctx):  # noqa: F811
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        table = screen.query_one(MatchTable)
        await type_text(pilot, screen, "harbor veiw")
        assert names(table) == ["Harbour View"]
        assert str(table.get_row_at(0)[1]) == "2"  # its rank among all that could take the child
        assert "1 of the 2 service(s) that could take this child match “harbor veiw”" in status(screen)
        screen.results_painted.clear()
        screen.query_one("#f-text", Input).value = ""
        await asyncio.wait_for(screen.results_painted.wait(), 10)
        await settle(pilot)
        assert names(table) == ["Oakfield House", "Harbour View"]
        # the excluded view follows the text: why is Greenway House not there?
        await type_text(pilot, screen, "greenway")
        assert names(table) == [] and "None of the 2" in status(screen)
        await pilot.press("ctrl+t", "x")
        await settle(pilot)
        excluded = screen.query_one(ExcludedTable)
        assert [excluded.item(i).service.name for i in range(excluded.row_count)] == ["Greenway House"]
        assert "registration suspended" in " ".join(excluded.item(0).reasons)
        assert "matching “greenway”" in status(screen)


@sync
async def test_shortlist_and_send_with_a_bad_date_then_a_good_one(cases_ctx, tmp_path):  # noqa: F811
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        table = screen.query_one(MatchTable)
        await pilot.press("space", "down", "space")
        await pilot.pause()
        assert marks(table) == ["★", "★"]
        assert "Shortlist: 2" in status(screen)
        await pilot.press("space")  # off again, and on
        await pilot.pause()
        assert marks(table) == ["★", ""]
        await pilot.press("space")
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SendReferralScreen)
        assert set(dialog.services.values()) == {"Oakfield House", "Harbour View"}
        text = dialog.query_one("#send-text", TextArea).text
        assert "MC-R1" in text and "XY" not in text
        recipients = plain(dialog.query_one("#send-recipients", Static))
        assert "Oakfield House" in recipients and "Harbour View" in recipients
        # a date that does not exist, then one in the past: said beside the field, nothing sent
        due = dialog.query_one("#send-due", Input)
        due.value = "31/02/2026"
        await pilot.pause()
        shown = dialog.query_one("#send-due-error", Static)
        assert "not a real date" in str(shown.render())
        assert shown.region.width > 20 and shown.region.height > 0  # on screen, not only in the widget
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and sent_count(cases_ctx) == 0
        problem = dialog.query_one("#send-error", Static)
        assert "Give a reply date" in str(problem.render()) and problem.region.height > 0
        due.value = "30/11/2026"
        await pilot.pause()
        assert "in the past" in str(dialog.query_one("#send-due-error", Static).render())
        assert due.value == "30/11/2026"  # what was typed stays
        # save the text: a folder is refused, a file is written for its owner only
        due.value = "03/12/2026"
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        app.screen.query_one(Input).value = str(tmp_path)
        await pilot.press("enter")
        await settle(pilot)
        assert "is a folder" in str(dialog.query_one("#send-error", Static).render())
        await pilot.press("ctrl+e")
        await settle(pilot)
        target = tmp_path / "r1.txt"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        saved = target.read_text(encoding="utf-8")
        assert "MC-R1" in saved and "XY" not in saved and "03/12/2026" in saved
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        # send
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert sent_count(cases_ctx) == 2
        assert get_referral(cases_ctx, "MC-R1").status == "sent_to_providers"
        assert marks(table) == ["✓", "✓"] and "sent to 2" in status(screen)
        # a service it went to cannot be shortlisted or sent again
        await pilot.press("space", "s")
        await settle(pilot)
        assert app.screen is screen and marks(table) == ["✓", "✓"] and sent_count(cases_ctx) == 2


@sync
async def test_the_marks_survive_leaving_and_opening_again(cases_ctx):  # noqa: F811
    from datetime import date

    from broker_tui.services.outreach import send_referral

    send_referral(cases_ctx, "MC-R1", [mc.service_id("S3")], date(2026, 12, 3))  # Harbour View
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        await settle(pilot)
        assert marks(screen.query_one(MatchTable)) == ["", "✓"]
        await pilot.press("s")  # nothing shortlisted: the highlighted service
        await settle(pilot)
        assert isinstance(app.screen, SendReferralScreen)
        assert list(app.screen.services.values()) == ["Oakfield House"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and sent_count(cases_ctx) == 1


@sync
async def test_an_ad_hoc_search_offers_no_shortlist(cases_ctx):  # noqa: F811
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_match_search()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatchSearchScreen)
        assert screen.check_action("send", ()) is False and screen.check_action("shortlist", ()) is False
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is screen


def test_send_dialog_snapshot(snap_compare, cases_ctx):  # noqa: F811
    async def open_it(pilot):
        await open_search(pilot.app, pilot)
        await pilot.press("space", "down", "space", "s")
        await settle(pilot)
        await until(pilot, lambda: getattr(pilot.app.screen, "preview", None) is not None,
                    "the recipients and the text, from a worker")
        await settle(pilot)

    assert snap_compare(make_app(cases_ctx), terminal_size=SIZE, run_before=open_it)


@sync
async def test_the_shortlist_stays_when_the_broker_leaves_and_comes_back(cases_ctx):  # noqa: F811
    app = make_app(cases_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(app, pilot)
        await pilot.press("down", "space")
        await pilot.pause()
        assert marks(screen.query_one(MatchTable)) == ["", "★"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, MatchSearchScreen) and again is not screen
        await asyncio.wait_for(again.results_painted.wait(), 10)
        await settle(pilot)
        assert marks(again.query_one(MatchTable)) == ["", "★"] and "Shortlist: 1" in status(again)
