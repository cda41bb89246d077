"""The spot agreement form and the amendment form, driven by keys as a broker would: an agreement from an
accepted offer with parts that do not add up, a funding split of 90 and a planned end before the start is
refused beside each field with what was typed kept and nothing written, then put right and recorded; a
field is checked as the broker leaves it and a draft saved directly; leaving asks only when something was
typed; an amendment raising the price by more than 5% awaits approval, an uplift within it counts at once.
And a snapshot of the agreement form.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from textual.widgets import Input, Select, Static

from broker_tui.services.outreach import OfferInput, accept_offer, record_offer, search_log
from broker_tui.services.purchases import (
    SpotInput,
    add_agreement,
    list_agreements,
    prefill_from_offer,
    show_agreement,
)
from broker_tui.services.referrals import get_referral
from broker_tui.ui.screens.dialogs import ConfirmScreen
from broker_tui.ui.screens.purchases.amend import AmendmentFormScreen
from broker_tui.ui.screens.purchases.form import AgreementFormScreen
from broker_tui.ui.screens.purchases.form_reading import parts_line
from tests.conftest import TODAY
from tests.services.test_purchases import make_referral, make_service, spot
from tests.ui.conftest import SIZE, make_app, plain, settle, sync
from tests.ui.test_offers_screen import sent_ctx  # noqa: F401  (the fixture)

D = dt.timedelta
HEADING = "Spot agreement for LCC-300001 at Cedar View, from the accepted offer"


@pytest.fixture
def offer_id(sent_ctx) -> uuid.UUID:  # noqa: F811
    """LCC-300001's offer from Cedar View (£6,100 a week, all core fee, from 04/12/2026), accepted."""
    view = get_referral(sent_ctx, "LCC-300001")
    ids = {e.service_name: e.service_id for e in search_log(sent_ctx, view).entries}
    record_offer(sent_ctx, view.id, ids["Cedar View"], OfferInput(610_000, TODAY + D(3), TODAY + D(10),
                                                                   core_weekly_pence=610_000))
    accepted = next(e for e in search_log(sent_ctx, view).entries if e.service_name == "Cedar View")
    assert accepted.offer_id is not None
    accept_offer(sent_ctx, accepted.offer_id)
    return accepted.offer_id


def opened(app, screen) -> list[str | None]:
    """Push ``screen`` over Home; what it dismisses with lands in the list returned."""
    results: list[str | None] = []
    app.push_screen(screen, results.append)
    return results


async def tab_to(pilot, name: str) -> Input | Select:
    """Tab through the form (as a broker would) until the field ``name`` has the focus."""
    for _ in range(80):
        if pilot.app.focused is not None and pilot.app.focused.id == f"pf-f-{name}":
            return pilot.app.focused
        await pilot.press("tab")
    raise AssertionError(f"no field {name} to tab to")


async def fill(pilot, name: str, text: str) -> None:
    """Tab to the field, clear it and type."""
    await tab_to(pilot, name)
    await pilot.press("end", "ctrl+u")
    if text:
        await pilot.press(*text)


async def choose(pilot, name: str, downs: int) -> None:
    """Open the choice (Enter) and move ``downs`` options down from the top, then Enter."""
    await tab_to(pilot, name)
    await pilot.press("enter", "home", *(["down"] * downs), "enter")
    await pilot.pause()


def value(form, name: str) -> str:
    return form.query_one(f"#pf-f-{name}", Input).value


def error(form, slot: str) -> str:
    err = form.query_one(f"#pf-err-{slot}", Static)
    return str(err.content) if err.has_class("has-error") else ""


def agreements(ctx) -> int:
    return list_agreements(ctx).total


# ------------------------------------------------------------------------------------------------- pure

def test_the_parts_line_adds_up_what_was_typed_and_works_out_the_staffing() -> None:
    typed = {"weekly_price_pence": "6,100", "core_weekly_pence": "5820", "one_to_one_hours": "10.5",
             "one_to_one_hourly_pence": "25.01"}
    # 10.5 hours at £25.01 = £262.605, rounded half up once to £262.61
    assert parts_line(typed) == ("The parts add to £6,082.61 — £17.39 short of the weekly price of £6,100.00 · "
                                 "1:1 10.5 h × £25.01 = £262.61")
    assert parts_line({**typed, "core_weekly_pence": "5837.39"}).startswith(
        "The parts add to £6,100.00 — the weekly price ✓")
    assert "(not counting the 1:1 hours: not read)" in parts_line({**typed, "one_to_one_hours": "ten"})


# ------------------------------------------------------------------------------------------- the agreement

@sync
async def test_a_bad_agreement_is_refused_beside_its_fields_then_put_right_and_recorded(sent_ctx, offer_id) -> None:  # noqa: F811
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AgreementFormScreen(prefill_from_offer(sent_ctx, offer_id), heading=HEADING))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AgreementFormScreen)
        assert plain(form.query_one("#pf-child", Static)).strip() == "LCC-300001"  # the referral's child, read-only
        assert plain(form.query_one("#pf-service", Static)).startswith("Cedar View (Leicester City Council)")
        assert not form.query("#pf-f-case_ref") and not form.query("#pf-f-service")
        assert (value(form, "weekly_price_pence"), value(form, "core_weekly_pence"), value(form, "start_date")) == (
            "£6,100.00", "£6,100.00", "04/12/2026")
        assert app.focused is form.query_one("#pf-f-start_date", Input)
        # wrong on purpose: an end before the start, 1:1 hours on top of the whole price, a split of 90
        await fill(pilot, "planned_end", "02/12/2026")
        await fill(pilot, "one_to_one_hours", "10")
        await fill(pilot, "one_to_one_hourly_pence", "28")
        assert plain(form.query_one("#pf-parts-line", Static)).strip() == (
            "The parts add to £6,380.00 — £280.00 over the weekly price of £6,100.00 · 1:1 10 h × £28.00 = £280.00")
        await fill(pilot, "social_care_pct", "90")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and results == []
        assert "Must be after the start (04/12/2026)" in error(form, "planned_end")
        assert "The parts add to £6,380.00, £280.00 over the weekly price of £6,100.00" in error(
            form, "weekly_price_pence")
        assert "The funding shares add to 90%, not 100%" in error(form, "funding")
        assert "Give the cost centre" in error(form, "cost_centre")
        assert "Say why this placement is bought spot" in error(form, "route_reason")
        assert error(form, "start_date") == "" and error(form, "core_weekly_pence") == ""
        assert "Not saved: 5 problems to put right" in str(form.query_one("#pf-banner", Static).content)
        assert (value(form, "planned_end"), value(form, "one_to_one_hours"), value(form, "social_care_pct")) == (
            "02/12/2026", "10", "90")  # what was typed stays
        assert app.focused is form.query_one("#pf-f-planned_end", Input)  # the first problem
        assert agreements(sent_ctx) == 0  # nothing written
        # put right, field by field
        await fill(pilot, "planned_end", "04/06/2027")
        await fill(pilot, "core_weekly_pence", "5,820")
        assert plain(form.query_one("#pf-parts-line", Static)).startswith(
            "The parts add to £6,100.00 — the weekly price ✓")
        await pilot.press("tab")
        assert error(form, "planned_end") == "" and error(form, "weekly_price_pence") == ""  # put right: gone
        assert "add to 90%" in error(form, "funding")  # the service's words stand until the split changes
        await fill(pilot, "social_care_pct", "70")
        await fill(pilot, "education_pct", "30")
        await fill(pilot, "cost_centre", "CC-4410")
        assert error(form, "funding") == ""
        await fill(pilot, "route_reason", "No framework home has a place near school")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == ["Recorded the spot agreement for LCC-300001 at Cedar View: £6,100.00 a week, active"]
        assert not isinstance(app.screen, AgreementFormScreen)
    page = list_agreements(sent_ctx)
    assert page.total == 1
    (row,) = page.rows
    assert (row.case_ref, row.service_name, row.status, row.weekly_price_pence) == (
        "LCC-300001", "Cedar View", "active", 610_000)
    detail = show_agreement(sent_ctx, row.id)
    (made,) = detail.versions
    assert (made.core_weekly_pence, made.one_to_one_minutes, made.one_to_one_hourly_pence,
            made.one_to_one_weekly_pence) == (582_000, 600, 2_800, 28_000)
    assert (made.social_care_pct, made.education_pct, made.health_pct) == (70, 30, 0)
    assert (detail.offer_id, detail.cost_centre, detail.planned_end) == (offer_id, "CC-4410", TODAY + D(185))


@sync
async def test_a_price_above_the_services_rate_asks_why_and_a_dear_one_awaits_approval(sent_ctx, offer_id) -> None:  # noqa: F811
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AgreementFormScreen(prefill_from_offer(sent_ctx, offer_id), heading=HEADING))
        await settle(pilot)
        form = app.screen
        await fill(pilot, "weekly_price_pence", "8000")
        await fill(pilot, "core_weekly_pence", "8000")
        await fill(pilot, "cost_centre", "CC-4410")
        assert not form.query_one("#pf-row-framework_name").display
        await choose(pilot, "purchasing_route", 1)  # Framework: its name and lot are asked for
        assert form.query_one("#pf-f-purchasing_route", Select).value == "framework"
        assert form.query_one("#pf-row-framework_name").display and form.query_one("#pf-row-framework_lot").display
        await fill(pilot, "framework_name", "East Midlands Children's Homes")
        await fill(pilot, "framework_lot", "Lot 1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and agreements(sent_ctx) == 0
        assert ("£8,000.00 a week is above the service's rate of £3,900.00" in error(form, "route_reason")
                and "say why" in error(form, "route_reason"))
        assert app.focused is form.query_one("#pf-f-route_reason", Input)
        await pilot.press(*"Waking night staff the list does not price")
        await pilot.press("ctrl+s")
        await settle(pilot)
    (message,) = results
    assert message.startswith("Recorded the spot agreement for LCC-300001 at Cedar View: £8,000.00 a week, "
                              "awaiting approval (£8,000.00 a week is above the £7,500.00 threshold")
    (row,) = list_agreements(sent_ctx).rows
    assert (row.status, row.weekly_price_pence) == ("awaiting_approval", 800_000)
    assert show_agreement(sent_ctx, row.id).framework_lot == "Lot 1"


@sync
async def test_a_field_is_checked_on_leaving_it_and_a_direct_agreement_saved_as_a_draft(market_ctx) -> None:
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AgreementFormScreen(SpotInput(), heading="New spot agreement (not from an offer)"))
        await settle(pilot)
        form = app.screen
        assert app.focused is form.query_one("#pf-f-case_ref", Input)
        await pilot.press(*"LCC-400001")
        await fill(pilot, "service", "SC100000")  # Ashfield House's Ofsted URN
        await fill(pilot, "start_date", "31/02/2027")
        await fill(pilot, "weekly_price_pence", "4,85O")  # a letter O for a nought
        await pilot.press("tab")
        assert "'31/02/2027' is not a real date" in error(form, "start_date")  # as soon as it is left
        assert "'4,85O' is not an amount of money" in error(form, "weekly_price_pence")
        assert error(form, "cost_centre") == ""  # not reached yet: nothing said about it
        await fill(pilot, "start_date", "01/02/2027")
        await fill(pilot, "weekly_price_pence", "4,850")
        await fill(pilot, "core_weekly_pence", "4850")
        assert error(form, "start_date") == "" and error(form, "weekly_price_pence") == ""
        await fill(pilot, "cost_centre", "CC-4410")
        await fill(pilot, "route_reason", "Emergency: no framework place today")
        await pilot.press("ctrl+d")
        await settle(pilot)
    assert results == ["Recorded the spot agreement for LCC-400001 at Ashfield House: £4,850.00 a week, a draft "
                       "(submit it from the agreement when ready)"]
    (row,) = list_agreements(market_ctx).rows
    assert (row.case_ref, row.status, row.start_date.isoformat()) == ("LCC-400001", "draft", "2027-02-01")


@sync
async def test_leaving_asks_only_when_something_was_typed(sent_ctx, offer_id) -> None:  # noqa: F811
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AgreementFormScreen(prefill_from_offer(sent_ctx, offer_id), heading=HEADING))
        await settle(pilot)
        await pilot.press("escape")  # only the pre-fill: closes at once
        await settle(pilot)
        assert results == [None] and not isinstance(app.screen, AgreementFormScreen)
        results = opened(app, AgreementFormScreen(prefill_from_offer(sent_ctx, offer_id), heading=HEADING))
        await settle(pilot)
        form = app.screen
        await fill(pilot, "cost_centre", "CC-1")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "What you typed will be lost" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and value(form, "cost_centre") == "CC-1" and results == []
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert results == [None]
    assert agreements(sent_ctx) == 0


# ----------------------------------------------------------------------------------------------- amending

def _active(ctx) -> uuid.UUID:
    """LCC-200001 at Oakfield House: £6,000 a week, all core fee, active from 08/12/2026."""
    service = make_service(ctx)
    make_referral(ctx, "LCC-200001")
    return add_agreement(ctx, spot(service), submit=True).id


@sync
async def test_an_amendment_raising_the_price_by_more_than_5_percent_awaits_approval(sqlite_ctx) -> None:
    agreement = _active(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AmendmentFormScreen(show_agreement(sqlite_ctx, agreement)))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AmendmentFormScreen)
        assert app.focused is form.query_one("#pf-f-kind", Select)
        assert not form.query_one("#pf-row-weekly_price_pence").display  # no kind chosen: no parts yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "Choose what changes" in error(form, "kind")
        assert len(show_agreement(sqlite_ctx, agreement).versions) == 1  # nothing written
        await choose(pilot, "kind", 1)  # Price change
        assert form.query_one("#pf-row-weekly_price_pence").display and not form.query_one("#pf-row-uplift").display
        assert (value(form, "effective_from"), value(form, "weekly_price_pence"), value(form, "core_weekly_pence"),
                value(form, "social_care_pct")) == ("08/12/2026", "£6,000.00", "£6,000.00", "100")
        await fill(pilot, "weekly_price_pence", "6400")
        await fill(pilot, "core_weekly_pence", "6400")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "Say why the price changes" in error(form, "reason")
        assert app.focused is form.query_one("#pf-f-reason", Input)
        await pilot.press(*"Waking night cover added")
        await pilot.press("ctrl+s")
        await settle(pilot)
    (message,) = results
    assert message.startswith("Amended: price change from 08/12/2026, £6,400.00 a week — awaits approval (")
    assert "by 6.67%" in message
    detail = show_agreement(sqlite_ctx, agreement)
    assert detail.pending_amendment_id is not None and detail.status == "active"
    assert [(v.kind, v.weekly_price_pence, v.state) for v in detail.versions] == [
        ("as_made", 600_000, "in_force"), ("price_change", 640_000, "awaiting_approval")]


@sync
async def test_an_uplift_within_the_limits_counts_from_its_date(sqlite_ctx) -> None:
    agreement = _active(sqlite_ctx)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        results = opened(app, AmendmentFormScreen(show_agreement(sqlite_ctx, agreement)))
        await settle(pilot)
        form = app.screen
        await choose(pilot, "kind", 2)  # Annual uplift
        assert form.query_one("#pf-row-uplift").display and not form.query_one("#pf-row-weekly_price_pence").display
        await fill(pilot, "uplift", "3.5x")
        await pilot.press("tab")
        assert "'3.5x' is not an uplift this form takes" in error(form, "uplift")
        await fill(pilot, "uplift", "3.5")
        assert "3.5% on every part: £6,000.00 → £6,210.00 a week" in plain(form.query_one("#pf-uplift-line", Static))
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert results == ["Amended: annual uplift from 08/12/2026, £6,210.00 a week — in force from that date"]
    versions = show_agreement(sqlite_ctx, agreement).versions
    assert [(v.kind, v.weekly_price_pence, v.state) for v in versions][-1] == ("uplift", 621_000, "in_force")


# ------------------------------------------------------------------------------------------------ snapshot

def test_agreement_form_snapshot(snap_compare, sent_ctx, offer_id) -> None:  # noqa: F811
    async def open_it(pilot):
        await settle(pilot)
        pilot.app.push_screen(AgreementFormScreen(prefill_from_offer(sent_ctx, offer_id), heading=HEADING))
        await settle(pilot)
        await fill(pilot, "planned_end", "02/12/2026")
        await fill(pilot, "one_to_one_hours", "10")
        await fill(pilot, "one_to_one_hourly_pence", "28")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await tab_to(pilot, "purchasing_route")  # a choice has the focus: no blinking cursor in the picture
        await settle(pilot)

    assert snap_compare(make_app(sent_ctx), terminal_size=SIZE, run_before=open_it)
