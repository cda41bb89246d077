"""Defect 6 (issue 13): who the child can live alongside, left unanswered on the referral form, is stored as
not answered, never as a silent 'with other children'; the form offers 'No preference' as an answer."""

from __future__ import annotations

from textual.widgets import Select

from broker_tui.ui.screens.referrals.form import ReferralFormScreen
from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_form import fill_valid, goto_section_of, open_form, saved, settle


@sync
async def test_living_alongside_left_blank_is_not_answered(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        await fill_valid(pilot)
        await goto_section_of(pilot, "living_alongside")
        select = app.screen.query_one("#f-living_alongside", Select)
        assert select.is_blank()
        assert "no_preference" in [value for _label, value in select._options]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralFormScreen)
    (view,) = saved(sqlite_ctx)
    assert view.values["living_alongside"] == ""
    assert view.to_json()["suitability_foster"] == ""
