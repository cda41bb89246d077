"""Places to keep a child away from: named as the broker knows them, and every unknown one said."""

from __future__ import annotations

from broker_tui.services.referrals import create_referral
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from tests.ui.conftest import SIZE, make_app, plain, sync
from tests.ui.test_referral_form import error_of, open_form, settle, type_into


@sync
async def test_the_referral_names_the_council_to_keep_away_from(sqlite_ctx) -> None:
    v = create_referral(sqlite_ctx, {"case_ref": "LCC-300009", "initials": "ZOË", "age_years": 12,
                                     "needed_by": "2026-12-12", "types_sought": ["fostering_ifa"],
                                     "avoid_areas": [{"kind": "la", "code": "E06000016", "radius_miles": 5},
                                                     {"kind": "district", "code": "LE1", "radius_miles": None}]})
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReferralDetailScreen(str(v.id)))
        await settle(pilot)
        text = plain(app.screen.query_one("#ref-summary"))
        assert "keep away from Leicester +5mi, LE1" in text and "E06000016" not in text
        assert "LCC-300009  ZOË" in text


@sync
async def test_the_form_says_every_place_it_does_not_know(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await type_into(pilot, "#f-avoid_areas", "Narnia; LE1; Gondor")
        assert "'Narnia' and 'Gondor' are neither" in error_of(form, "avoid_areas")
        await type_into(pilot, "#f-initials", "Zoë")
        assert error_of(form, "initials") == ""
