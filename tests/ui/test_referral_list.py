"""The referral list and a referral's workflow, driven with the keyboard as a broker would."""

from __future__ import annotations

import datetime as dt

from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList, Static

from broker_tui.services.referrals import (
    ReferralQuery,
    create_referral,
    get_referral,
    history,
    list_referrals,
)
from broker_tui.ui.screens.dialogs import ChoiceScreen, ReasonScreen
from broker_tui.ui.screens.home import HomeScreen
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from broker_tui.ui.screens.referrals.form import ReferralFormScreen
from broker_tui.ui.screens.referrals.list import PAGE_SIZE, ReferralListScreen
from tests.conftest import TODAY
from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_form import settle, type_into
from tests.ui.test_referral_snapshots import make_referrals

OPEN_IN_ORDER = ["LCC-400101", "LCC-400102", "LCC-400104", "LCC-400103", "LCC-400105"]  # by needed-by date


async def open_list(app, pilot) -> ReferralListScreen:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, ReferralListScreen)
    return app.screen


def shown(screen: ReferralListScreen) -> list[str]:
    """The case references in the table, top to bottom."""
    table = screen.query_one("#ref-table", DataTable)
    return [str(table.get_cell_at(Coordinate(i, 0))) for i in range(table.row_count)]


def row_of(screen: ReferralListScreen, case_ref: str) -> dict[str, str]:
    table = screen.query_one("#ref-table", DataTable)
    labels = [str(c.label) for c in table.columns.values()]
    for i in range(table.row_count):
        cells = [str(c) for c in table.get_row_at(i)]
        if cells[0] == case_ref:
            return dict(zip(labels, cells, strict=True))
    raise AssertionError(f"{case_ref} is not shown")


def range_text(screen: ReferralListScreen) -> str:
    return str(screen.query_one("#ref-range", Static).content)


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def choose(pilot, select_id: str, label: str) -> None:
    """Open a Select with Enter and move down (or up) to the option, as a user would; Enter picks it."""
    select = pilot.app.screen.query_one(select_id, Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one(OptionList)
    prompts = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
    target = prompts.index(label)
    while overlay.highlighted != target:
        await pilot.press("down" if (overlay.highlighted or 0) < target else "up")
    await pilot.press("enter")
    await settle(pilot)


async def open_detail(app, pilot, case_ref: str) -> ReferralDetailScreen:
    """From the list: search for the case, move to the table, Enter."""
    screen = app.screen
    search = screen.query_one("#ref-search", Input)
    search.focus()
    search.value = ""
    await pilot.press(*case_ref)
    await settle(pilot)
    assert shown(screen) == [case_ref]
    screen.query_one("#ref-table", DataTable).focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ReferralDetailScreen)
    return app.screen


def detail_text(screen: ReferralDetailScreen) -> str:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    console = Console(file=out, width=120, color_system=None)
    console.print(screen.query_one("#ref-summary", Static).content)
    console.print(screen.query_one("#ref-history", Static).content)
    return out.getvalue()


@sync
async def test_f4_opens_the_list_of_open_referrals_most_urgent_first(sqlite_ctx) -> None:
    make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        assert shown(screen) == OPEN_IN_ORDER
        assert range_text(screen) == "Referrals 1–5"
        row = row_of(screen, "LCC-400101")
        assert row == {"Case ref": "LCC-400101", "Initials": "AB", "Age": "14",
                       "Types sought": "Children's home (external)", "Urgency": "Emergency",
                       "Needed by": "01/12/2026", "Status": "New", "Days open": "0", "Broker": "Amira Patel"}
        assert row_of(screen, "LCC-400102")["Urgency"] == "Urgent"  # needed in 3 days
        assert row_of(screen, "LCC-400105")["Urgency"] == "Planned"  # needed in 21 days
        assert row_of(screen, "LCC-400104")["Days open"] == "14"
        # a long list of types ends in … rather than pushing the broker off the screen
        await choose(pilot, "#ref-status", "All referrals")
        assert row_of(screen, "LCC-400108")["Types sought"].endswith("…")
        assert row_of(screen, "LCC-400108")["Broker"] == "Dev Sharma"


@sync
async def test_filters_by_status_and_broker(sqlite_ctx) -> None:
    make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        await choose(pilot, "#ref-status", "Withdrawn")
        assert shown(screen) == ["LCC-400107"]
        await choose(pilot, "#ref-status", "Closed")
        assert shown(screen) == ["LCC-400108"]
        await choose(pilot, "#ref-status", "All referrals")
        assert len(shown(screen)) == 8
        # the broker filter offers the brokers referrals are assigned to
        broker = screen.query_one("#ref-broker", Select)
        broker.focus()
        await pilot.press("enter")
        await pilot.pause()
        overlay = broker.query_one(OptionList)
        names = [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]
        assert names == ["Any broker", "Amira Patel", "Ben Okafor", "Chloe Hughes", "Dev Sharma"]
        await pilot.press("escape")
        await choose(pilot, "#ref-broker", "Amira Patel")
        assert shown(screen) == ["LCC-400101", "LCC-400107", "LCC-400103"]
        await choose(pilot, "#ref-status", "Open referrals")  # both filters at once
        assert shown(screen) == ["LCC-400101", "LCC-400103"]
        await choose(pilot, "#ref-broker", "Any broker")
        assert shown(screen) == OPEN_IN_ORDER
        await choose(pilot, "#ref-broker", "Dev Sharma")
        assert shown(screen) == []
        assert range_text(screen) == "No referrals match"


@sync
async def test_search_narrows_the_list_as_the_user_types(sqlite_ctx) -> None:
    make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        assert screen.focused is screen.query_one("#ref-search", Input)  # type straight away
        after_each_key = []
        for key in "ast":
            await pilot.press(key)
            await settle(pilot)
            after_each_key.append(shown(screen))
        # "a": AB's initials and "autism", "asthma" in the needs; "as", "ast": only asthma
        assert after_each_key == [["LCC-400101", "LCC-400103"], ["LCC-400103"], ["LCC-400103"]]
        await pilot.press("x")
        await settle(pilot)
        assert shown(screen) == [] and range_text(screen) == "No referrals match"
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await settle(pilot)
        assert shown(screen) == OPEN_IN_ORDER
        await pilot.press(*"gh")  # initials, either case
        await settle(pilot)
        assert shown(screen) == ["LCC-400104"]
        screen.query_one("#ref-search", Input).value = ""
        await pilot.press(*"LCC-40010")  # case reference
        await settle(pilot)
        assert shown(screen) == OPEN_IN_ORDER
        await pilot.press("6")
        await settle(pilot)
        assert shown(screen) == []  # LCC-400106 is placed: not an open referral
        await choose(pilot, "#ref-status", "All referrals")
        assert shown(screen) == ["LCC-400106"]


@sync
async def test_pages_down_and_up_when_there_are_more_than_a_page(sqlite_ctx) -> None:
    for n in range(PAGE_SIZE + 12):
        create_referral(sqlite_ctx, {"case_ref": f"LCC-5{n:05}", "initials": "ZZ", "age_years": 10,
                                     "types_sought": ["fostering_ifa"],
                                     "needed_by": (TODAY + dt.timedelta(days=n % 20)).isoformat()})
    everything = list_referrals(sqlite_ctx, ReferralQuery(status="open"), size=1000).rows
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        assert shown(screen) == [v.case_ref for v in everything[:PAGE_SIZE]]
        assert range_text(screen) == f"Referrals 1–{PAGE_SIZE} (more: page down)"
        await pilot.press("pagedown")  # from the search box
        await settle(pilot)
        assert shown(screen) == [v.case_ref for v in everything[PAGE_SIZE:]]
        assert range_text(screen) == f"Referrals {PAGE_SIZE + 1}–{PAGE_SIZE + 12}"
        await pilot.press("pagedown")  # no further page: stays
        await settle(pilot)
        assert range_text(screen) == f"Referrals {PAGE_SIZE + 1}–{PAGE_SIZE + 12}"
        await pilot.press("pageup")
        await settle(pilot)
        assert shown(screen) == [v.case_ref for v in everything[:PAGE_SIZE]]
        screen.query_one("#ref-table", DataTable).focus()  # in the table, the keys page too
        await pilot.press("pagedown")
        await settle(pilot)
        assert range_text(screen) == f"Referrals {PAGE_SIZE + 1}–{PAGE_SIZE + 12}"
        await pilot.press("pageup")
        await settle(pilot)
        assert range_text(screen) == f"Referrals 1–{PAGE_SIZE} (more: page down)"
        screen.query_one("#ref-search", Input).focus()
        # a filter change starts again from the first page
        await pilot.press("pagedown")
        await settle(pilot)
        await pilot.press(*"LCC-50001")
        await settle(pilot)
        assert shown(screen) == [v.case_ref for v in everything if v.case_ref.startswith("LCC-50001")]
        assert range_text(screen) == "Referrals 1–10"


@sync
async def test_enter_opens_the_referral_and_escape_comes_back(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        screen.query_one("#ref-table", DataTable).focus()
        await pilot.press("down", "down", "enter")  # the third row: LCC-400104
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, ReferralDetailScreen)
        assert detail.view is not None and detail.view.id == made["LCC-400104"].id
        text = detail_text(detail)
        assert "LCC-400104" in text and "Offers received" in text and "Chloe Hughes" in text
        assert "status: New → Searching" in text and "created" in text  # its history
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and shown(screen) == OPEN_IN_ORDER


@sync
async def test_withdraw_asks_for_a_reason_and_refuses_an_empty_one(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        detail = await open_detail(app, pilot, "LCC-400101")
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        await pilot.press("enter")  # no reason
        await settle(pilot)
        assert app.screen is dialog
        error = dialog.query_one("#reason-error", Static)
        assert "A reason is needed" in str(error.content) and error.display  # shown where the broker looks
        assert get_referral(sqlite_ctx, made["LCC-400101"].id).status == "new"
        await pilot.press(*"   ", "enter")  # spaces are not a reason either
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press(*"placed with grandmother", "enter")
        await settle(pilot)
        assert app.screen is detail
        after = get_referral(sqlite_ctx, made["LCC-400101"].id)
        assert (after.status, after.withdrawn_reason, after.closed_on) == \
            ("withdrawn", "placed with grandmother", TODAY)
        assert "LCC-400101: Withdrawn" in messages(app)
        assert "withdrawn: placed with grandmother" in detail_text(detail)
        last = history(sqlite_ctx, after.id)[-1]
        assert (last.actor, last.action, last.changes["status"]) == ("test.broker", "status", ("new", "withdrawn"))
        await pilot.press("w")  # a withdrawn referral cannot be withdrawn again
        await settle(pilot)
        assert app.screen is detail and "This referral cannot be withdrawn now" in messages(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        screen.query_one("#ref-search", Input).value = ""
        await settle(pilot)
        assert "LCC-400101" not in shown(screen)  # no longer open


@sync
async def test_escape_in_the_reason_dialog_withdraws_nothing(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(app, pilot)
        detail = await open_detail(app, pilot, "LCC-400103")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"changed my mind", "escape")
        await settle(pilot)
        assert app.screen is detail
    assert get_referral(sqlite_ctx, made["LCC-400103"].id).status == "sent_to_providers"


async def status_choices(app, pilot) -> list[str] | None:
    """Press s; the labels offered (None when no dialog opened). Leaves the dialog open."""
    await pilot.press("s")
    await settle(pilot)
    if not isinstance(app.screen, ChoiceScreen):
        return None
    options = app.screen.query_one("#choices", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@sync
async def test_change_status_offers_only_sensible_statuses(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        await choose(pilot, "#ref-status", "All referrals")
        # sent / offers / agreed / placed are reached by their act, never chosen; withdrawing has its own key
        expected = {"LCC-400103": ["Searching"],  # sent to providers: back to searching
                    "LCC-400104": ["Searching"],  # offers received
                    "LCC-400106": ["Closed"]}  # placed
        for case_ref, offered in expected.items():
            await open_detail(app, pilot, case_ref)
            assert await status_choices(app, pilot) == offered, case_ref
            await pilot.press("escape")  # close the dialog
            await settle(pilot)
            assert isinstance(app.screen, ReferralDetailScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
        for case_ref in ("LCC-400102", "LCC-400105", "LCC-400107", "LCC-400108"):  # nothing to choose by hand
            await open_detail(app, pilot, case_ref)
            assert await status_choices(app, pilot) is None, case_ref
            await pilot.press("escape")
            await settle(pilot)
        assert any("No status change is open from here" in m for m in messages(app))
        # new -> searching, chosen with Enter
        detail = await open_detail(app, pilot, "LCC-400101")
        assert await status_choices(app, pilot) == ["Searching"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is detail
        assert "Searching" in detail_text(detail).split("Status", 1)[1].splitlines()[0]
    after = get_referral(sqlite_ctx, made["LCC-400101"].id)
    assert after.status == "searching"
    assert history(sqlite_ctx, after.id)[-1].changes["status"] == ("new", "searching")
    assert get_referral(sqlite_ctx, made["LCC-400106"].id).status == "placed"  # dialogs closed: nothing changed


@sync
async def test_m_starts_a_new_referral_from_this_one(sqlite_ctx) -> None:
    made = make_referrals(sqlite_ctx)
    previous = made["LCC-400106"]  # placed; the child is moving
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(app, pilot)
        await choose(pilot, "#ref-status", "All referrals")
        await open_detail(app, pilot, "LCC-400106")
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralFormScreen) and form.previous_referral_id == previous.id
        assert form.opened is None  # a new referral, not an edit
        assert form.query_one("#f-case_ref", Input).value == "LCC-400106"
        assert form.query_one("#f-initials", Input).value == "LM"
        assert form.query_one("#f-age_years", Input).value == "15"
        await type_into(pilot, "#f-date_received", "01/12/2026")  # received today (kept as filled in)
        assert form.query_one("#f-date_received", Input).value == "01/12/2026"
        assert form.query_one("#f-needed_by", Input).value == ""  # a new date is asked for
        assert form.query_one("#f-assigned_broker", Input).value == "Chloe Hughes"
        assert form.query_one("#f-social_worker", Input).value == "Sam Lee"
        assert form.query_one("#f-types_sought", SelectionList).selected == ["childrens_home_in_house"]
        await type_into(pilot, "#f-needed_by", "15/12/2026")
        await type_into(pilot, "#f-current_placement", "Oak House")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)  # the new referral is shown
        new_id = app.screen.referral_id
    new = get_referral(sqlite_ctx, new_id)
    assert new.id != previous.id and new.previous_referral_id == previous.id and new.status == "new"
    assert (new.case_ref, new.initials, new.values["needed_by"], new.values["date_received"]) == \
        ("LCC-400106", "LM", dt.date(2026, 12, 15), TODAY)
    assert new.values["assigned_broker"] == "Chloe Hughes"
    assert new.values["disability_health"] == "epilepsy"
    assert new.values["current_placement"] == "Oak House"
    assert get_referral(sqlite_ctx, previous.id).status == "placed"  # the previous one is untouched


@sync
async def test_from_the_search_box_enter_or_down_goes_to_the_list(sqlite_ctx) -> None:
    from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen

    make_referrals(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        table = screen.query_one("#ref-table", DataTable)
        assert screen.focused is screen.query_one("#ref-search", Input)
        await pilot.press("down")
        assert screen.focused is table
        await pilot.press("slash", *"LCC-4001", "enter")
        await settle(pilot)
        assert screen.focused is table
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
