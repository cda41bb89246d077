"""The Placements Data Standard's fields on the referral form (issue 13, part C): each is answered with the
standard's options, a place is typed as words, a tick list takes several answers, ctrl+t signs a check as the
broker today, the form says where the types sought and the suitability disagree, and what was typed is saved
and read back into the form for an edit."""

from __future__ import annotations

from textual.widgets import Input, Select, SelectionList, Static

from broker_tui.services.referrals import form_support
from broker_tui.ui.screens.referrals.form import ReferralFormScreen
from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_form import (
    error_of,
    fill_valid,
    goto_section_of,
    open_form,
    saved,
    settle,
    type_into,
)


async def choose(pilot, key: str, value: str) -> None:
    await goto_section_of(pilot, key)
    pilot.app.screen.query_one(f"#f-{key}", Select).value = value
    await pilot.pause()


async def tick(pilot, key: str, *values: str) -> None:
    await goto_section_of(pilot, key)
    ticks = pilot.app.screen.query_one(f"#f-{key}", SelectionList)
    for value in values:
        ticks.select(value)
    await pilot.pause()


@sync
async def test_the_standard_fields_are_answered_and_saved(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        await fill_valid(pilot)  # a children's home is sought
        await goto_section_of(pilot, "types_sought")
        warning = app.screen.query_one("#warn-types_sought", Static)
        assert str(warning.render()) == ""
        await choose(pilot, "suitability_residential", "unsuitable")
        assert "External children's home sought but residential care is unsuitable" in str(warning.render())
        assert warning.display and warning.region.height >= 1  # on screen, not only in the widget
        await choose(pilot, "suitability_residential", "preferred")
        assert str(warning.render()) == "" and not warning.display
        await choose(pilot, "cultural_needs", "other")
        await type_into(pilot, "#f-cultural_needs_other", "halal food")
        await choose(pilot, "home_adaptation", "no")
        await choose(pilot, "communication_needs", "yes")
        await tick(pilot, "communication_requirements", "bsl", "other")
        await type_into(pilot, "#f-communication_other", "Tigrinya")
        await type_into(pilot, "#f-preferred_location", "leicester")
        await choose(pilot, "living_with_pets", "can")
        await tick(pilot, "additional_support", "taxis_to_school")
        await type_into(pilot, "#f-risk_to_child_other", "online grooming")
        await type_into(pilot, "#f-placed_weekly_cost_pence", "£5,800")
        await type_into(pilot, "#f-placed_location", "LE3")
        await choose(pilot, "placed_location_preferred", "yes")
        await type_into(pilot, "#f-placed_siblings_together", "0")
        app.screen.query_one("#f-qa_cost_officer", Input).focus()
        await pilot.press("ctrl+t")  # the focused check: the cost
        await pilot.pause()
        app.screen.query_one("#f-placed_type", Select).focus()
        await pilot.press("ctrl+t")  # none focused: the first not signed, the referral's
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen)
    (view,) = saved(sqlite_ctx)
    got = view.to_json()
    assert (got["cultural_needs"], got["cultural_needs_other"], got["home_adaptation"]) == ("other", "halal food", False)
    assert (got["communication_needs"], got["communication_requirements"], got["communication_other"]) == (
        "yes", ["bsl", "other"], "Tigrinya")
    assert got["preferred_location"] == {"kind": "la", "code": "E06000016"}
    assert got["living_with_pets"] == "can" and got["additional_support"] == ["taxis_to_school"]
    assert got["suitability_residential"] == "preferred" and got["suitability_foster"] == ""
    assert got["risk_to_child_other"] == "online grooming" and got["risk_to_others_other"] == ""
    assert (got["placed_weekly_cost_pence"], got["placed_location"], got["placed_location_preferred"]) == (
        580_000, {"kind": "district", "code": "LE3"}, True)
    assert got["placed_education_continuity"] is None and got["placed_siblings_together"] == 0
    assert (got["qa_cost_officer"], got["qa_cost_on"]) == ("test.broker", sqlite_ctx.today().isoformat())
    assert (got["qa_referral_officer"], got["qa_referral_on"]) == ("test.broker", sqlite_ctx.today().isoformat())
    assert (got["qa_placement_officer"], got["qa_placement_on"]) == ("", None)


@sync
async def test_an_edit_shows_the_answers_and_a_full_postcode_is_refused(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        await fill_valid(pilot)
        await type_into(pilot, "#f-preferred_location", "LE2 1AB")
        await choose(pilot, "home_adaptation", "yes")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReferralFormScreen)
        assert "give its district (LE2)" in error_of(app.screen, "preferred_location")
        assert app.screen.query_one("#f-preferred_location", Input).value == "LE2 1AB"  # kept as typed
        await type_into(pilot, "#f-preferred_location", "Leicester")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen)
    (view,) = saved(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferralFormScreen(form_support(sqlite_ctx), opened=view))
        await settle(pilot)
        await goto_section_of(pilot, "preferred_location")
        assert app.screen.query_one("#f-preferred_location", Input).value == "Leicester"
        await goto_section_of(pilot, "home_adaptation")
        assert app.screen.query_one("#f-home_adaptation", Select).value == "yes"


@sync
async def test_the_referral_screen_shows_the_standard_in_words(sqlite_ctx) -> None:
    from broker_tui.services.referrals import create_referral
    from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
    from tests.ui.conftest import plain

    v = create_referral(sqlite_ctx, {
        "case_ref": "LCC-300010", "initials": "AB", "age_years": 12, "needed_by": "2026-12-12",
        "types_sought": ["fostering_ifa"], "suitability_foster": "preferred", "living_with_pets": "must",
        "preferred_location": {"kind": "la", "code": "E06000016"}, "placed_provider_urn": "SC123456"})
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferralDetailScreen(str(v.id)))
        await settle(pilot)
        text = plain(app.screen.query_one("#ref-standard"))
    lines = {line.split("  ", 1)[0]: " ".join(line.split()) for line in text.splitlines()}
    assert "foster preferred, residential not answered" in lines["Setting"]
    assert lines["Preferred location"] == "Preferred location Leicester"
    assert "Yes - must" in text and "SC123456" in text and "(from the purchase)" not in text


@sync
async def test_an_edit_keeps_no_known_risk_answers_and_the_history_reads_as_words(sqlite_ctx) -> None:
    from broker_tui.services.referrals import create_referral, get_referral, history
    from broker_tui.ui.screens.referrals.detail import _short

    risks = [{"tag": "fire_setting", "present": False, "level": 0}, {"tag": "cce", "present": True, "level": 2}]
    v = create_referral(sqlite_ctx, {"case_ref": "LCC-300011", "initials": "AB", "age_years": 12,
                                     "needed_by": "2026-12-12", "types_sought": ["fostering_ifa"], "risks": risks})
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferralFormScreen(form_support(sqlite_ctx), opened=v))
        await settle(pilot)
        await type_into(pilot, "#f-placed_weekly_cost_pence", "£5,800")
        await type_into(pilot, "#f-qa_cost_on", "30/11/2026")
        await goto_section_of(pilot, "risks")
        app.screen.query_one("#f-risks-missing").focus()
        await pilot.press("right", "left")  # set and put back: answered, not present
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen), app.screen.problems
    after = get_referral(sqlite_ctx, "LCC-300011").values["risks"]
    assert after == [*risks, {"tag": "missing", "present": False, "level": 0}]  # nothing lost, nothing reordered
    (edit,) = [e for e in history(sqlite_ctx, v.id) if e.action != "create"]
    assert set(edit.changes) == {"placed_weekly_cost_pence", "qa_cost_on", "risks"}
    assert _short(edit.changes["placed_weekly_cost_pence"][1], "placed_weekly_cost_pence") == "£5,800.00"
    assert _short(edit.changes["qa_cost_on"][1], "qa_cost_on") == "30/11/2026"
    assert _short({"kind": "district", "code": "LE3"}, "placed_location") == "LE3"
    assert _short(risks, "risks").startswith("Fire-setting: no known risk, Child crim")
