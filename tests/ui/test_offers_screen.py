"""Offers and search log, driven by keys as a broker would: a referral sent to three services (through
services.outreach.send_referral); a decline with 'Other' and no words is refused, then recorded; an offer
with bad money and a past valid-until is refused beside the fields with what was typed kept and nothing
written; parts that do not add up ask why; a good offer; compare; accept; export the search log as CSV.
And a snapshot of the screen.
"""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, RadioSet, Static

from broker_tui.services.outreach import OfferInput, record_offer, search_log, send_referral
from broker_tui.services.referrals import create_referral, get_referral
from broker_tui.store.tables import Offer
from broker_tui.ui.screens.outreach.compare import CompareOffersScreen
from broker_tui.ui.screens.outreach.offer_dialogs import DeclineDialog, ExportDialog
from broker_tui.ui.screens.outreach.offer_form import OfferFormScreen, read_offer
from broker_tui.ui.screens.outreach.offers import OffersScreen
from broker_tui.ui.screens.outreach.tables import OfferCompareTable, SearchLogTable
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from tests.conftest import TODAY
from tests.services.test_outreach import referral_request
from tests.ui.conftest import SIZE, make_app, plain, settle, sync

D = dt.timedelta
SENT_TO = ["Ashfield House", "Beacon Lodge", "Cedar View"]


@pytest.fixture
def sent_ctx(market_ctx):
    """LCC-300001 (QZ) sent to three services today, replies due in three days."""
    from tests.market_data import SERVICES

    with market_ctx.session() as s:
        from broker_tui.store.tables import Service

        ids = {svc.name: svc.id for svc in s.scalars(select(Service).where(Service.name.in_(SENT_TO)))}
    assert set(ids) == set(SENT_TO) and SERVICES
    view = create_referral(market_ctx, referral_request())
    send_referral(market_ctx, view.id, [ids[n] for n in SENT_TO], TODAY + D(3))
    return market_ctx


def rows(screen) -> list[list[str]]:
    table = screen.query_one(SearchLogTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def offers_in_db(ctx, case_ref: str = "LCC-300001") -> int:
    """The replies (offers and declines) recorded for the referral."""
    referral_id = get_referral(ctx, case_ref).id
    with ctx.session() as s:
        return s.scalar(select(func.count()).select_from(Offer).where(Offer.referral_id == referral_id))


async def open_offers(app, pilot, case_ref: str = "LCC-300001") -> OffersScreen:
    await settle(pilot)
    app.open_referral(str(get_referral(app.ctx, case_ref).id))
    await settle(pilot)
    assert isinstance(app.screen, ReferralDetailScreen)
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, OffersScreen)
    return app.screen


async def to_row(pilot, screen, service: str) -> None:
    table = screen.query_one(SearchLogTable)
    table.focus()
    target = [e.service_name for e in screen.outreach_log.entries].index(service)
    while table.cursor_row != target:
        await pilot.press("down" if table.cursor_row < target else "up")


async def type_in(pilot, field_id: str, text: str) -> None:
    field = pilot.app.screen.query_one(field_id, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


@sync
async def test_the_search_log_lists_each_service_and_the_referral_sums_it_up(sent_ctx) -> None:
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_referral(str(get_referral(sent_ctx, "LCC-300001").id))
        await settle(pilot)
        summary = plain(app.screen.query_one("#ref-summary", Static))
        assert "Outreach" in summary and "sent to 3 · 3 awaited" in summary
        shown = {b.binding.key: b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert shown["o"] == "Offers & search log"  # in the footer (and so in help)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OffersScreen)
        assert [r[0] for r in rows(screen)] == SENT_TO
        first = rows(screen)[0]
        assert first[2:6] == ["01/12/2026", "test.broker", "04/12/2026", "No reply yet"]
        assert "sent to 3" in str(screen.query_one("#offers-summary", Static).content)
        detail = plain(screen.query_one("#log-detail", Static))
        assert "Ashfield House" in detail and "Reply due  04/12/2026" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)


@sync
async def test_decline_other_needs_words_then_is_recorded(sent_ctx) -> None:
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await to_row(pilot, screen, "Beacon Lodge")
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DeclineDialog)
        assert app.focused is dialog.query_one(RadioSet)
        await pilot.press("down", "down", "down", "down", "down", "enter")  # to 'Other' and choose it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # refused: still open, the problem beside the field
        assert "Other" in str(dialog.query_one("#err-text", Static).content)
        assert dialog.query_one("#err-text").has_class("has-error")
        assert offers_in_db(sent_ctx) == 0
        assert app.focused is dialog.query_one("#decline-text", Input)
        await pilot.press(*"full until March", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OffersScreen)
        beacon = next(r for r in rows(screen) if r[0] == "Beacon Lodge")
        assert beacon[5] == "Declined" and beacon[6] == "Other: full until March"
        assert "Beacon Lodge declined (Other)" in str(screen.query_one("#offers-banner", Static).content)
        assert offers_in_db(sent_ctx) == 1
        # a second answer from the same service is not taken
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, OffersScreen)
        assert "already replied" in str(screen.query_one("#offers-banner", Static).content)


@sync
async def test_a_bad_offer_is_refused_beside_its_fields_and_a_good_one_recorded(sent_ctx) -> None:
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await to_row(pilot, screen, "Ashfield House")
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OfferFormScreen)
        assert form.query_one("#f-received_on", Input).value == "01/12/2026"  # today by default
        await pilot.press(*"5,6x0")  # the weekly price has focus (Pilot cannot type £; tmux can)
        await type_in(pilot, "#f-start_date", "08/12/2026")
        await type_in(pilot, "#f-valid_until", "30/11/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        errors = {k: str(form.query_one(f"#err-{k}", Static).content) for k in ("weekly_price_pence", "valid_until",
                                                                                 "start_date")}
        assert "is not an amount of money" in errors["weekly_price_pence"]
        assert "30/11/2026 has passed" in errors["valid_until"]
        assert errors["start_date"] == ""
        assert form.query_one("#f-weekly_price_pence", Input).value == "5,6x0"  # what was typed stays
        assert form.query_one("#f-valid_until", Input).value == "30/11/2026"
        assert app.focused is form.query_one("#f-weekly_price_pence", Input)
        assert offers_in_db(sent_ctx) == 0
        # the parts do not add up: the form asks why (as soon as the broker leaves a part), and the note
        # goes with the offer
        assert not form.query_one("#row-parts_note").display
        await type_in(pilot, "#f-weekly_price_pence", "5600")
        await type_in(pilot, "#f-core_weekly_pence", "4,800")
        await type_in(pilot, "#f-staffing_weekly_pence", "700.00")
        await type_in(pilot, "#f-valid_until", "2026-12-15")
        assert form.query_one("#row-parts_note").display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and form.query_one("#row-parts_note").display
        assert "add up to £5,500.00, not the weekly price of £5,600.00" in str(
            form.query_one("#err-parts_note", Static).content)
        assert app.focused is form.query_one("#f-parts_note", Input)
        assert offers_in_db(sent_ctx) == 0
        await pilot.press(*"transport not itemised")
        await type_in(pilot, "#f-conditions", "Impact assessment first")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OffersScreen)
        ashfield = next(r for r in rows(screen) if r[0] == "Ashfield House")
        assert ashfield[5] == "Offer (open)" and ashfield[6] == "£5,600.00 a week"
        assert "Offers received" in str(screen.query_one("#offers-title", Static).content)
        with sent_ctx.session() as s:
            offer = s.scalars(select(Offer).where(Offer.referral_id == get_referral(sent_ctx, "LCC-300001").id)).one()
            assert (offer.weekly_price_pence, offer.core_weekly_pence, offer.staffing_weekly_pence) == (
                560_000, 480_000, 70_000)
            assert offer.valid_until == dt.date(2026, 12, 15) and offer.start_date == dt.date(2026, 12, 8)
            assert offer.conditions == "Impact assessment first\nPrice parts: transport not itemised"


@sync
async def test_compare_then_accept_makes_the_referral_placement_agreed(sent_ctx) -> None:
    view = get_referral(sent_ctx, "LCC-300001")
    log = search_log(sent_ctx, view)
    ids = {e.service_name: e.service_id for e in log.entries}
    record_offer(sent_ctx, view.id, ids["Ashfield House"], OfferInput(560_000, TODAY + D(7), TODAY + D(14),
                                                                       core_weekly_pence=560_000))
    record_offer(sent_ctx, view.id, ids["Cedar View"], OfferInput(610_000, TODAY + D(3), TODAY + D(10),
                                                                   core_weekly_pence=610_000))
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await pilot.press("c")
        await settle(pilot)
        compare = app.screen
        assert isinstance(compare, CompareOffersScreen)
        table = compare.query_one(OfferCompareTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [c[0] for c in cells] == ["Ashfield House", "Cedar View"]  # cheapest first
        assert cells[0][2] == "£5,600" and cells[0][3] == "\N{MINUS SIGN}£900"  # the budget is £6,500
        assert cells[1][2] == "£6,100" and cells[1][3] == "\N{MINUS SIGN}£400"
        assert cells[0][8] == "15/12/2026" and cells[0][9] == "open"
        detail = plain(compare.query_one("#compare-detail", Static))
        assert "Ashfield House" in detail and "from 08/12/2026; valid until 15/12/2026" in detail
        await pilot.press("down", "a")
        await settle(pilot)
        await pilot.press("n")  # not yet
        await settle(pilot)
        assert get_referral(sent_ctx, view.id).status == "offers_received"
        await pilot.press("up", "a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert get_referral(sent_ctx, view.id).status == "placement_agreed"
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [c[9] for c in cells] == ["accepted", "not taken"]
        assert "placement agreed" in str(compare.query_one("#compare-banner", Static).content)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "Placement agreed" in str(screen.query_one("#offers-title", Static).content)
        assert "placement agreed on 01/12/2026, 10 days from referral" in str(
            screen.query_one("#offers-summary", Static).content)
        answers = {r[0]: r[5] for r in rows(screen)}
        assert answers == {"Ashfield House": "Offer (accepted)", "Beacon Lodge": "No reply yet",
                           "Cedar View": "Offer (not taken)"}
        # nothing more can be accepted, and the log says why
        await to_row(pilot, screen, "Cedar View")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, OffersScreen)
        assert "not taken, not open" in str(screen.query_one("#offers-banner", Static).content)


@sync
async def test_accept_from_the_search_log_row(sent_ctx) -> None:
    view = get_referral(sent_ctx, "LCC-300001")
    ids = {e.service_name: e.service_id for e in search_log(sent_ctx, view).entries}
    record_offer(sent_ctx, view.id, ids["Cedar View"], OfferInput(610_000, TODAY + D(3), TODAY + D(10),
                                                                   parts_note="no breakdown given"))
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await pilot.press("a")  # Ashfield House: no offer to accept
        await settle(pilot)
        assert "Highlight an offer" in str(screen.query_one("#offers-banner", Static).content)
        await to_row(pilot, screen, "Cedar View")
        await pilot.press("a")
        await settle(pilot)
        question = app.screen.question  # the approvals matching flagged, asked before the broker agrees
        assert "The purchase will need:\n• Out of area: the nominated officer's approval" in question
        assert "manager's approval" not in question  # £6,100 is under the £7,500 threshold
        await pilot.press("y")
        await settle(pilot)
        assert get_referral(sent_ctx, view.id).status == "placement_agreed"
        assert next(r for r in rows(screen) if r[0] == "Cedar View")[5] == "Offer (accepted)"
        # a referral that is placement agreed takes no more offers
        await to_row(pilot, screen, "Beacon Lodge")
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is screen
        assert "cannot take an offer" in str(screen.query_one("#offers-banner", Static).content)


@sync
async def test_export_writes_the_case_reference_and_no_initials(sent_ctx, tmp_path) -> None:
    app = make_app(sent_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        path = dialog.query_one("#export-path", Input)
        assert path.value.endswith("search-log-LCC-300001-2026-12-01.csv")
        await type_in(pilot, "#export-path", str(tmp_path / "no-such-folder" / "log.csv"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and "does not exist" in str(dialog.query_one("#err-path", Static).content)
        target = tmp_path / "log.csv"
        await type_in(pilot, "#export-path", str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert f"3 rows to {target}" in str(screen.query_one("#offers-banner", Static).content)
    text = target.read_text()
    assert "LCC-300001" in text and "QZ" not in text and "2012-05-17" not in text
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_read_offer_reports_every_field_at_once() -> None:
    raw = {"weekly_price_pence": "abc", "core_weekly_pence": "-5", "start_date": "31/02/2027",
           "valid_until": "01/11/2026", "received_on": ""}
    offer, problems = read_offer(raw, TODAY)
    assert offer is None
    assert set(problems) == {"weekly_price_pence", "core_weekly_pence", "start_date", "valid_until"}
    assert "negative" in problems["core_weekly_pence"] and "not a real date" in problems["start_date"]
    assert problems["valid_until"] == "01/11/2026 has passed: the offer has expired"
    offer, problems = read_offer({"weekly_price_pence": "£1,234.5", "core_weekly_pence": "1234.50",
                                  "start_date": "2026-12-02", "valid_until": "02/12/2026"}, TODAY)
    assert problems == {} and offer is not None
    assert (offer.weekly_price_pence, offer.core_weekly_pence, offer.received_on) == (123_450, 123_450, None)
    _offer, problems = read_offer({"weekly_price_pence": "0", "start_date": "02/12/2026",
                                   "valid_until": "02/12/2026"}, TODAY)
    assert problems == {"weekly_price_pence": "The weekly price must be more than £0.00"}


@sync
async def test_overdue_replies_stand_out(market_ctx) -> None:
    """CR2405 (the market's) was sent to Ashfield House and Beacon Lodge with deadlines passed."""
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_offers(app, pilot, "CR2405")
        assert [(r[0], r[4], r[5]) for r in rows(screen)] == [
            ("Ashfield House", "29/11/2026", "Overdue"), ("Beacon Lodge", "30/11/2026", "Overdue"),
            ("Dovecote Fostering", "04/12/2026", "No reply yet")]
        table = screen.query_one(SearchLogTable)
        assert "red" in str(table.get_row_at(0)[5].style) and "red" in str(table.get_row_at(0)[0].style)
        assert "red" not in str(table.get_row_at(2)[5].style)
        assert "2 overdue" in str(screen.query_one("#offers-summary", Static).content)


def market_outreach(ctx) -> None:
    """CR2405: an offer from Dovecote Fostering, a decline from Beacon Lodge, Ashfield House overdue."""
    from broker_tui.services.outreach import record_decline

    view = get_referral(ctx, "CR2405")
    ids = {e.service_name: e.service_id for e in search_log(ctx, view).entries}
    record_offer(ctx, view.id, ids["Dovecote Fostering"], OfferInput(
        98_000, TODAY + D(7), TODAY + D(14), core_weekly_pence=90_000, therapy_weekly_pence=8_000,
        conditions="Matching meeting first"))
    record_decline(ctx, view.id, ids["Beacon Lodge"], "location")


def test_offers_snapshot(snap_compare, market_ctx) -> None:
    market_outreach(market_ctx)

    async def open_it(pilot):
        await open_offers(pilot.app, pilot, "CR2405")
        await settle(pilot)

    assert snap_compare(make_app(market_ctx), terminal_size=SIZE, run_before=open_it)
