"""The referral form driven as a broker would: keys only, bad input on purpose."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import Input, SelectionList

from broker_tui.services.referrals import (
    ReferralQuery,
    create_referral,
    get_referral,
    list_referrals,
    update_referral,
)
from broker_tui.ui.screens.dialogs import ConfirmScreen
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from broker_tui.ui.screens.referrals.form import SECTION_OF, ReferralFormScreen
from broker_tui.ui.screens.referrals.list import ReferralListScreen
from tests.ui.conftest import SIZE, make_app, sync

TYPES_INDEX = {"fostering_in_house": 0, "fostering_ifa": 1, "childrens_home_external": 4, "supported_accommodation": 6}


async def settle(pilot) -> None:
    """Let workers finish (an exclusive worker replaced by a newer one counts as finished) and repaint."""
    from textual.worker import WorkerCancelled

    for _ in range(4):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_form(app, pilot) -> ReferralFormScreen:
    await app.push_screen(ReferralListScreen())
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(app.screen, ReferralFormScreen)
    return app.screen


async def goto_section_of(pilot, key: str) -> None:
    """Move through the section tabs with ctrl+page down / up, as a user would."""
    screen = pilot.app.screen
    target = SECTION_OF[key]
    while screen.section != target:
        await pilot.press("ctrl+pagedown" if screen.section < target else "ctrl+pageup")
        await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    await goto_section_of(pilot, selector.removeprefix("#f-"))
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text) if text else None
    await pilot.press("tab")  # leave the field: it is checked on blur
    await settle(pilot)


async def tick_type(pilot, code: str) -> None:
    await goto_section_of(pilot, "types_sought")
    options = pilot.app.screen.query_one("#f-types_sought", SelectionList)
    options.focus()
    await pilot.pause()
    options.highlighted = 0
    for _ in range(TYPES_INDEX[code]):
        await pilot.press("down")
    await pilot.press("space")
    await settle(pilot)


def error_of(screen, slot: str) -> str:
    widget = screen.query_one(f"#err-{slot}")
    return str(widget.content) if widget.has_class("has-error") else ""


async def fill_valid(pilot) -> None:
    await type_into(pilot, "#f-case_ref", "LCC-300001")
    await type_into(pilot, "#f-initials", "mk")
    await type_into(pilot, "#f-age_years", "13")
    await tick_type(pilot, "childrens_home_external")
    await type_into(pilot, "#f-needed_by", "08/12/2026")
    await type_into(pilot, "#f-home_district", "le4")
    await type_into(pilot, "#f-budget_weekly_pence", "£6,000")


def saved(ctx) -> list:
    return list_referrals(ctx, ReferralQuery()).rows


@sync
async def test_a_broker_fills_and_saves_a_referral(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        await fill_valid(pilot)
        await goto_section_of(pilot, "specialist_needs")
        picker_input = app.screen.query_one(".tag-input", Input)
        picker_input.focus()
        await pilot.press(*"autsim", "enter")
        await pilot.press(*"likes football")
        await pilot.press("down", "down", "enter")  # the last suggestion keeps it as free text
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen)
    rows = saved(sqlite_ctx)
    assert len(rows) == 1
    v = rows[0]
    assert (v.case_ref, v.initials, v.values["home_district"], v.values["budget_weekly_pence"]) == \
        ("LCC-300001", "MK", "LE4", 600_000)
    assert v.values["types_sought"] == ["childrens_home_external"]
    assert v.values["specialist_needs"] == ["autism"]
    assert v.values["date_received"] == sqlite_ctx.today()


@pytest.mark.parametrize(("selector", "text", "slot", "words"), [
    ("#f-needed_by", "31/02/2027", "needed_by", "not a real date"),
    ("#f-needed_by", "20/11/2026", "needed_by", "in the past"),
    ("#f-date_of_birth", "next week", "date_of_birth", "not a date"),
    ("#f-age_years", "31", "age_years", "0 to 25"),
    ("#f-budget_weekly_pence", "six grand", "budget_weekly_pence", "not an amount"),
    ("#f-budget_weekly_pence", "-100", "budget_weekly_pence", "negative"),
    ("#f-funding_health_pct", "20", "funding_social_care_pct", "120%"),
    ("#f-home_district", "ZZ99", "home_district", "not a postcode district"),
    ("#f-sibling_group_size", "0", "sibling_group_size", "at least 1"),
    ("#f-avoid_areas", "LE1; Narnia", "avoid_areas", "Narnia"),
    ("#f-initials", "ß", "initials", "no capital letter of its own"),
    ("#f-date_of_birth", "31/12/9999", "date_of_birth", "years 1900 to 2200"),
])
@sync
async def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(sqlite_ctx, selector, text, slot,
                                                                        words) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, "#f-case_ref", "LCC-300001")
        await type_into(pilot, selector, text)
        assert words in error_of(form, slot)  # shown on leaving the field
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still on the form
        assert "Not saved" in str(form.query_one("#form-banner").content)
        await goto_section_of(pilot, selector.removeprefix("#f-"))
        assert form.query_one(selector, Input).value == text  # what was typed is kept
        await goto_section_of(pilot, "case_ref")
        assert form.query_one("#f-case_ref", Input).value == "LCC-300001"
    assert saved(sqlite_ctx) == []


@sync
async def test_pasted_text_with_a_right_to_left_override_is_refused_beside_its_field(sqlite_ctx) -> None:
    """Keys that are not printable never reach an Input, but a paste does: the form says what it found."""
    from textual import events

    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await goto_section_of(pilot, "religion")
        field = form.query_one("#f-religion", Input)
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste("Christian\u202eeno"))
        await pilot.pause()
        assert "\u202e" in field.value
        await pilot.press("tab")
        await settle(pilot)
        assert "right-to-left override" in error_of(form, "religion")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
    assert saved(sqlite_ctx) == []


@sync
async def test_one_bad_field_in_an_otherwise_good_request_saves_nothing(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await fill_valid(pilot)
        await type_into(pilot, "#f-funding_education_pct", "30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "130%" in error_of(form, "funding_social_care_pct")
        assert "Support & budget ⚠1" in str(form.query_one("#sec-6").label)
    assert saved(sqlite_ctx) == []


@sync
async def test_under_16_with_only_supported_accommodation_says_why(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, "#f-case_ref", "LCC-300002")
        await type_into(pilot, "#f-initials", "RJ")
        await type_into(pilot, "#f-age_years", "15")
        await type_into(pilot, "#f-needed_by", "10/12/2026")
        await tick_type(pilot, "supported_accommodation")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "under 16" in error_of(form, "types_sought")
        assert "9 September 2021" in error_of(form, "types_sought")
    assert saved(sqlite_ctx) == []


@sync
async def test_case_already_open_offers_to_open_it(sqlite_ctx) -> None:
    existing = create_referral(sqlite_ctx, {"case_ref": "LCC-300001", "initials": "MK", "age_years": 13,
                                            "needed_by": "2026-12-08", "types_sought": ["fostering_ifa"]})
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await fill_valid(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already has an open referral" in str(form.query_one("#form-banner").content)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen)
    assert [r.id for r in saved(sqlite_ctx)] == [existing.id]


@sync
async def test_leaving_with_unsaved_changes_asks_first(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, "#f-case_ref", "LCC-9")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # stay
        await settle(pilot)
        assert app.screen is form and form.query_one("#f-case_ref", Input).value == "LCC-9"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # leave
        await settle(pilot)
        assert isinstance(app.screen, ReferralListScreen)


@sync
async def test_a_stale_save_is_refused_with_what_changed(sqlite_ctx) -> None:
    v = create_referral(sqlite_ctx, {"case_ref": "LCC-300003", "initials": "PT", "age_years": 10,
                                     "needed_by": "2026-12-12", "types_sought": ["fostering_in_house"]})
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferralDetailScreen(str(v.id)))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralFormScreen)
        # meanwhile a colleague saves a change
        update_referral(sqlite_ctx, get_referral(sqlite_ctx, v.id), {**v.form_values(), "school": "Hope Academy"})
        await type_into(pilot, "#f-pets", "A cat")
        await pilot.press("ctrl+s")
        await settle(pilot)
        banner = str(form.query_one("#form-banner").content)
        assert "someone else saved" in banner and "school" in banner
        assert form.query_one("#f-pets", Input).value == "A cat"
    after = get_referral(sqlite_ctx, v.id)
    assert after.values["school"] == "Hope Academy" and after.values["pets"] == ""
