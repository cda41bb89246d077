"""Send a referral, record declines and offers, compare, accept: statuses move by act, every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from broker_tui.domain.provider_text import leaks
from broker_tui.services.outreach import (
    OfferInput,
    OutreachRefused,
    accept_offer,
    compare_offers,
    overdue_replies,
    record_decline,
    record_offer,
    send_referral,
)
from broker_tui.services.referrals import TransitionRefused, create_referral, get_referral, history, withdraw
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import AuditEvent, Offer, Provider, ReferralSent
from tests.conftest import TODAY
from tests.market_data import build_market

D = dt.timedelta
DOB = dt.date(2012, 5, 17)


def referral_request(**over) -> dict:
    raw = {
        "case_ref": "LCC-300001", "initials": "QZ", "date_received": (TODAY - D(10)).isoformat(),
        "needed_by": (TODAY + D(7)).isoformat(), "date_of_birth": DOB.isoformat(), "gender": "female",
        "types_sought": ["childrens_home_external", "childrens_home_in_house"], "home_district": "LE2",
        "budget_weekly_pence": 650_000, "needs": {"risk": 2, "behaviour": 2, "emotional": 2},
        "risks": [{"tag": "cce", "present": True, "level": 3}], "specialist_needs": ["autism"],
        "avoid_areas": [{"kind": "la", "code": "E06000018"}, {"kind": "district", "code": "LE3", "radius_miles": 2}],
        "max_distance_miles": 30, "one_to_one_hours": 10, "expected_duration_weeks": 26,
    }
    raw.update(over)
    return raw


@pytest.fixture
def world(ctx):
    market = build_market(ctx, TODAY)
    with ctx.session() as s:
        brightway = s.scalars(select(Provider).where(Provider.name == "Brightway Care Ltd")).one()
        brightway.referral_contact_name = "Pat Referrals"
    view = create_referral(ctx, referral_request())
    ids = {name: svc.id for name, svc in market.services.items()}
    return ctx, view, ids


def offer(**over) -> OfferInput:
    values = dict(weekly_price_pence=560_000, core_weekly_pence=480_000, staffing_weekly_pence=80_000,
                  start_date=TODAY + D(7), valid_until=TODAY + D(14), conditions="Impact assessment first")
    values.update(over)
    return OfferInput(**values)


def test_send_records_contact_deadline_text_and_moves_status(world) -> None:
    ctx, view, ids = world
    sent = send_referral(ctx, view.id, [ids["Ashfield House"], str(ids["Cedar View"])], TODAY + D(3))
    assert [s.service_name for s in sent] == ["Ashfield House", "Cedar View"]
    assert sent[0].contact == "Pat Referrals <referrals@brightway.example>"
    assert sent[1].contact == "referrals@leicester.example"
    assert all(s.sent_at.date() == TODAY and s.sent_by == "test.broker" for s in sent)
    assert all(s.reply_due_on == TODAY + D(3) for s in sent)
    assert "LCC-300001" in sent[0].provider_text and leaks(sent[0].provider_text, initials="QZ", date_of_birth=DOB,
                                                            eighteenth_birthday=dt.date(2030, 5, 17)) == []
    assert get_referral(ctx, view.id).status == "sent_to_providers"
    changes = [h.changes.get("status") for h in history(ctx, view.id) if h.action == "status"]
    assert changes == [("new", "searching"), ("searching", "sent_to_providers")]
    with ctx.session() as s:
        rows = s.scalars(select(ReferralSent).where(ReferralSent.referral_id == view.id)).all()
        assert {r.provider_text for r in rows} == {sent[0].provider_text}
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "referral_sent",
                                                    AuditEvent.after["referral_id"].as_string() == str(view.id))).all()
        assert {e.entity_id for e in events} == {str(r.id) for r in rows}


def test_send_refusals_write_nothing(world) -> None:
    ctx, view, ids = world
    with pytest.raises(OutreachRefused, match="in the past"):
        send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY - D(1))
    with pytest.raises(OutreachRefused, match="at least one"):
        send_referral(ctx, view.id, [], TODAY + D(3))
    with pytest.raises(OutreachRefused, match="no such service"):
        send_referral(ctx, view.id, [ids["Ashfield House"], "00000000-0000-0000-0000-000000000000"], TODAY + D(3))
    assert get_referral(ctx, view.id).status == "new"
    send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY + D(3))
    with pytest.raises(OutreachRefused, match="already sent to Ashfield House"):
        send_referral(ctx, view.id, [ids["Beacon Lodge"], ids["Ashfield House"]], TODAY + D(3))
    with ctx.session() as s:
        assert len(s.scalars(select(ReferralSent).where(ReferralSent.referral_id == view.id)).all()) == 1
    # sending to more services later keeps the status; a withdrawn referral is not sent
    send_referral(ctx, view.id, [ids["Beacon Lodge"]], TODAY)
    assert get_referral(ctx, view.id).status == "sent_to_providers"
    withdraw(ctx, view.case_ref, "Returned home")
    with pytest.raises(TransitionRefused):
        send_referral(ctx, view.id, [ids["Cedar View"]], TODAY + D(3))


def test_send_from_a_stale_copy_is_refused(world) -> None:
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY + D(3))
    with pytest.raises(StaleEdit):
        record_offer(ctx, view, ids["Ashfield House"], offer())  # view is the copy opened before sending


def test_decline_offer_compare_accept(world) -> None:
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"], ids["Beacon Lodge"]], TODAY + D(3))
    with pytest.raises(OutreachRefused, match="not a decline reason"):
        record_decline(ctx, view.id, ids["Beacon Lodge"], "too_far")
    with pytest.raises(OutreachRefused, match="say why"):
        record_decline(ctx, view.id, ids["Beacon Lodge"], "other", "  ")
    with pytest.raises(OutreachRefused, match="not sent to Hillview"):
        record_decline(ctx, view.id, ids["Hillview"], "no_vacancy")
    declined = record_decline(ctx, view.id, ids["Beacon Lodge"], "impact", "Current group too young")
    assert declined.outcome == "declined" and get_referral(ctx, view.id).status == "sent_to_providers"
    with pytest.raises(OutreachRefused, match="already replied"):
        record_decline(ctx, view.id, ids["Beacon Lodge"], "no_vacancy")

    first = record_offer(ctx, view.id, ids["Ashfield House"], offer())
    assert first.referral_status == "offers_received"
    second = record_offer(ctx, view.id, ids["Cedar View"], offer(
        weekly_price_pence=420_000, core_weekly_pence=390_000, staffing_weekly_pence=None,
        valid_until=TODAY + D(2), parts_note="includes a one-off transition fee"))
    assert second.referral_status == "offers_received"

    rows = compare_offers(ctx, view.id)
    assert [r.service_name for r in rows] == ["Cedar View", "Ashfield House"]  # cheapest first
    cedar, ashfield = rows
    assert cedar.over_budget_pence == 420_000 - 650_000 and not cedar.expired
    assert "Price parts: includes a one-off transition fee" in cedar.conditions
    assert ashfield.parts["core_weekly_pence"] == 480_000 and ashfield.parts["staffing_weekly_pence"] == 80_000
    assert ashfield.quality == "Good" and cedar.quality == "Requires improvement to be good"
    for r in rows:
        assert (r.fit_score is not None) != bool(r.excluded_reasons)
    assert ashfield.fit_score is not None and 0 < ashfield.fit_score <= 1
    assert set(ashfield.score_parts) == {"need_fit", "specialist", "cost", "place", "quality", "strategy"}
    assert any("nominated officer" in a for a in ashfield.approvals)  # Leicestershire: out of area
    assert ashfield.to_json()["valid_until"] == (TODAY + D(14)).isoformat()

    agreed = accept_offer(ctx, ashfield.offer_id)
    assert agreed.status == "placement_agreed"
    with ctx.session() as s:
        statuses = {o.service_id: (o.status, o.weekly_price_pence) for o in s.scalars(
            select(Offer).where(Offer.referral_id == view.id))}
    assert statuses[ids["Ashfield House"]] == ("accepted", 560_000)
    assert statuses[ids["Cedar View"]] == ("not_taken", 420_000)
    assert statuses[ids["Beacon Lodge"]][0] == "declined"
    with pytest.raises(OutreachRefused, match="not open"):
        accept_offer(ctx, cedar.offer_id)
    with ctx.session() as s:
        ours = [str(i) for i in s.scalars(select(Offer.id).where(Offer.referral_id == view.id))]
        offer_events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "offer",
                                                          AuditEvent.entity_id.in_(ours))).all()
    assert sorted(e.action for e in offer_events) == ["create", "create", "create", "status", "status"]
    changes = [h.changes.get("status") for h in history(ctx, view.id) if h.action == "status"]
    assert changes[-2:] == [("sent_to_providers", "offers_received"), ("offers_received", "placement_agreed")]


def test_offer_checks_field_by_field(world) -> None:
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY + D(3))
    with pytest.raises(OutreachRefused) as info:
        record_offer(ctx, view.id, ids["Ashfield House"], offer(core_weekly_pence=470_000))
    assert set(info.value.problems) == {"parts"} and "add up to 550000" in info.value.problems["parts"]
    with pytest.raises(OutreachRefused) as info:
        record_offer(ctx, view.id, ids["Ashfield House"], offer(
            weekly_price_pence=0, staffing_weekly_pence=-5, valid_until=TODAY - D(1), start_date=TODAY - D(3)))
    assert set(info.value.problems) == {"weekly_price_pence", "staffing_weekly_pence", "valid_until", "start_date"}
    with pytest.raises(OutreachRefused, match="not sent to"):
        record_offer(ctx, view.id, ids["Beacon Lodge"], offer())
    with ctx.session() as s:
        assert s.scalars(select(Offer).where(Offer.referral_id == view.id)).all() == []
    assert get_referral(ctx, view.id).status == "sent_to_providers"


def test_offer_needs_a_sent_referral_and_accept_refuses_expired_and_stale(world) -> None:
    ctx, view, ids = world
    with pytest.raises(TransitionRefused):
        record_offer(ctx, view.id, ids["Ashfield House"], offer())
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
    record_offer(ctx, view.id, ids["Ashfield House"], offer())
    opened = compare_offers(ctx, view.id)[0]
    with ctx.session() as s:  # someone else edits the offer after it was opened
        row = s.get(Offer, opened.offer_id)
        row.conditions = "Revised"
    with pytest.raises(StaleEdit):
        accept_offer(ctx, opened)
    assert get_referral(ctx, view.id).status == "offers_received"
    with ctx.session() as s:
        s.get(Offer, opened.offer_id).valid_until = TODAY - D(1)
    assert compare_offers(ctx, view.id)[0].expired
    with pytest.raises(OutreachRefused, match="expired"):
        accept_offer(ctx, opened.offer_id)


def test_overdue_replies(world) -> None:
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"], ids["Beacon Lodge"]], TODAY)
    record_decline(ctx, view.id, ids["Cedar View"], "no_vacancy")
    assert [o for o in overdue_replies(ctx) if o.case_ref == view.case_ref] == []  # due today: not yet overdue
    ctx.clock = ctx.clock.__class__(TODAY + D(3))
    mine = [(o.service_name, o.days_overdue) for o in overdue_replies(ctx) if o.case_ref == view.case_ref]
    assert mine == [("Ashfield House", 3), ("Beacon Lodge", 3)]
    # the market's own sent referral (CR2405): deadlines 2 and 1 days before TODAY, one 3 days after
    seeded = [(o.service_name, o.days_overdue) for o in overdue_replies(ctx) if o.case_ref == "CR2405"]
    assert seeded == [("Ashfield House", 5), ("Beacon Lodge", 4)]
    withdraw(ctx, view.case_ref, "Returned home")
    assert [o for o in overdue_replies(ctx) if o.case_ref == view.case_ref] == []


def test_logs_name_the_case_reference_only(world, caplog) -> None:
    ctx, view, ids = world
    with caplog.at_level("INFO", logger="broker_tui.services.outreach"):
        send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
        record_offer(ctx, view.id, ids["Ashfield House"], offer())
        record_decline(ctx, view.id, ids["Cedar View"], "price")
        accept_offer(ctx, compare_offers(ctx, view.id)[0].offer_id)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("sent LCC-300001 to 2 providers: Ashfield House (Pat Referrals")
    text = "\n".join(messages)
    assert "QZ" not in text and all(f not in text for f in ("2012-05-17", "17/05/2012"))


def test_no_reply_is_overdue_once_a_placement_is_agreed(world) -> None:
    from broker_tui.services.home import todays_work

    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Beacon Lodge"]], TODAY)
    record_offer(ctx, view.id, ids["Ashfield House"], offer())
    ctx.clock = ctx.clock.__class__(TODAY + D(2))
    assert [o.service_name for o in overdue_replies(ctx) if o.case_ref == view.case_ref] == ["Beacon Lodge"]
    before = todays_work(ctx)
    accept_offer(ctx, compare_offers(ctx, view.id)[0])
    assert [o for o in overdue_replies(ctx) if o.case_ref == view.case_ref] == []
    after = todays_work(ctx)
    assert after.replies_overdue == before.replies_overdue - 1
    assert view.case_ref not in {r.case_ref for r in after.overdue_replies}


def test_an_offers_cost_approval_is_judged_on_its_price_not_the_list_price() -> None:
    from broker_tui.services.outreach._offers import offer_approvals

    flagged = ("Out of area: the nominated officer's approval", "Over £7,500 a week: a manager's approval")
    assert offer_approvals(flagged, 610_000, 750_000) == ("Out of area: the nominated officer's approval",)
    assert offer_approvals(flagged[:1], 780_000, 750_000) == (
        "Out of area: the nominated officer's approval",
        "Over £7,500 a week: a manager's approval (offered at £7,800.00)")
    assert offer_approvals((), 750_000, 750_000) == ()  # at the threshold is not above it


def test_compare_describes_each_offer_at_its_price_not_the_list_price(world) -> None:
    """Issue 13: the Why line said the service's list price ('£4,175 a week, £1,825 under budget') beside a
    £5,800 offer. Every line describes the offer: its weekly price against the budget, and the fit's cost."""
    import numpy as np

    from broker_tui.domain.matching import scores as matching_scores
    from broker_tui.domain.money import format_pence
    from broker_tui.services.matching import match_referral

    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
    record_offer(ctx, view.id, ids["Ashfield House"], offer(weekly_price_pence=580_000, core_weekly_pence=500_000))
    record_offer(ctx, view.id, ids["Cedar View"], offer(weekly_price_pence=700_000, core_weekly_pence=620_000))
    listed = {r.service.name: r for r in match_referral(ctx, view.id, top_n=50).results}
    rows = {r.service_name: r for r in compare_offers(ctx, view.id)}
    for name, price, words in (("Ashfield House", 580_000, "£5,800 a week, £700 under budget"),
                               ("Cedar View", 700_000, "£7,000 a week, £500 over budget")):
        at_list = listed[name]
        assert at_list.estimate.weekly_pence != price  # the list price says something else ...
        row = rows[name]
        assert words in row.explanation, row.explanation  # ... but the offer is what the line describes
        assert format_pence(at_list.estimate.weekly_pence, whole=True) not in row.explanation
        assert row.score_parts["cost"] == round(float(matching_scores.cost(np.array([price]), 650_000)[0]), 4)
        assert row.score_parts["need_fit"] == at_list.parts.need_fit  # only the price differs
