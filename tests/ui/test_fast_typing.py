"""Keys typed without pauses land where they were typed on every form, not only the referral form (issue
13, defect 4): Tab moves the focus as the app reads it (an app-wide priority binding) and every form's inputs
run their own keys (backspace, arrows, end) in order (InOrderInput)."""

from __future__ import annotations

from textual.widgets import Input

from broker_tui.ui.screens.dialogs import ReasonScreen
from broker_tui.ui.screens.outreach.offer_form import OfferFormScreen
from tests.ui.conftest import SIZE, make_app, settle, sync
from tests.ui.test_offers_screen import open_offers, sent_ctx, to_row  # noqa: F401  (sent_ctx: the fixture)
from tests.ui.test_referral_form_keys import burst


@sync
async def test_an_offer_typed_quickly(sent_ctx) -> None:  # noqa: F811
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await to_row(pilot, screen, "Ashfield House")
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OfferFormScreen) and app.focused is form.query_one("#f-weekly_price_pence")
        burst(app, "5", "6", "0", "9", "backspace", "0", "tab", "4", "8", "0", "0", "tab", "8", "left", "0", "end",
              "0", "tab", "x")
        await settle(pilot)
        typed = [form.query_one(f"#f-{k}", Input).value for k in (
            "weekly_price_pence", "core_weekly_pence", "staffing_weekly_pence", "education_weekly_pence")]
        assert typed == ["5600", "4800", "080", "x"]


@sync
async def test_a_reason_typed_quickly(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    got: list[str | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ReasonScreen("Why?"), got.append)
        await settle(pilot)
        burst(app, "a", "b", "backspace", "c", "home", "X", "enter")
        await settle(pilot)
    assert got == ["Xac"]
