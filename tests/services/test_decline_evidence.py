"""Decline evidence from the search logs (issue 15), on both backends: referrals sent, declined, offered and
accepted through the outreach services, counted by reason and by group; the longest searches; the period;
the JSON holds case references only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from broker_tui.services.outreach import (
    accept_offer,
    compare_offers,
    record_decline,
    record_offer,
    send_referral,
)
from broker_tui.services.referrals import create_referral, export_standard, import_standard
from broker_tui.services.sufficiency import decline_evidence
from tests.conftest import TODAY
from tests.services.test_outreach import DOB, offer, referral_request, world  # noqa: F401 (the fixture)

D = dt.timedelta


def _searches(ctx, ids):
    """LCC-300001 (the world's; 14, no high need, CCE): two homes decline, the council's home offers, agreed today;
    LCC-300002 (16 by age, high behaviour, no risk): supported accommodation, two declines and one no reply;
    LCC-300003 (received 100 days ago, 9, high health and emotional, missing): one fostering agency declines."""
    a = "LCC-300001"
    send_referral(ctx, a, [ids["Ashfield House"], ids["Beacon Lodge"], ids["Cedar View"]], TODAY + D(2))
    record_decline(ctx, a, ids["Ashfield House"], "no_vacancy")
    record_decline(ctx, a, ids["Beacon Lodge"], "cannot_meet_needs")
    record_offer(ctx, a, ids["Cedar View"], offer(weekly_price_pence=390_000, core_weekly_pence=390_000,
                                                  staffing_weekly_pence=None))
    accept_offer(ctx, compare_offers(ctx, a)[0])
    b = create_referral(ctx, referral_request(
        case_ref="LCC-300002", initials="XY", date_of_birth=None, age_years=16, date_received=(TODAY - D(40)).isoformat(),
        types_sought=["supported_accommodation"], needs={"behaviour": 3, "risk": 1}, risks=[])).case_ref
    send_referral(ctx, b, [ids["Elm Court Supported Living"], ids["Foxglove Flats"], ids["Kestrel Lodgings"]],
                  TODAY + D(3))
    record_decline(ctx, b, ids["Elm Court Supported Living"], "price")
    record_decline(ctx, b, ids["Foxglove Flats"], "location")
    c = create_referral(ctx, referral_request(
        case_ref="LCC-300003", initials="WV", date_of_birth="2017-06-01", date_received=(TODAY - D(100)).isoformat(),
        types_sought=["fostering_ifa"], needs={"health": 3, "emotional": 3},
        risks=[{"tag": "missing", "present": True, "level": 2}, {"tag": "cce", "present": False}])).case_ref
    send_referral(ctx, c, [ids["Dovecote Fostering"]], TODAY + D(3))
    record_decline(ctx, c, ids["Dovecote Fostering"], "impact")


def _row(evidence, dimension: str, key: str) -> tuple[int, int, int, dict[str, int]]:
    row = next(r for r in evidence.declines.crosstabs[dimension] if r.key == key)
    return row.approaches, row.offered, row.declined, {k: v for k, v in row.by_reason.items() if v}


def test_counts_by_reason_and_group(world) -> None:  # noqa: F811
    ctx, _view, ids = world
    _searches(ctx, ids)
    # the market's own: CR2400-CR2410 received 30 to 20 days ago; CR2405 sent to three (no reply), CR2406 to
    # Cedar View (an offer); CR2407 agreed and CR2408 placed with no audited date; CR2409-10 withdrawn, closed
    every = decline_evidence(ctx)
    d = every.declines
    assert every.referrals_received == 14 and d.referrals == 5 and d.approaches == 11
    assert d.answers == {"offered": 2, "declined": 5, "no_reply": 4}
    assert {r.reason: r.declines for r in d.reasons} == {"no_vacancy": 1, "cannot_meet_needs": 1, "location": 1,
                                                         "price": 1, "impact": 1, "other": 0}
    assert {r.reason: r.share_of_answers for r in d.reasons}["price"] == pytest.approx(1 / 7)

    since = decline_evidence(ctx, since=TODAY - D(50))  # all but LCC-300003
    assert since.referrals_received == 13 and since.declines.approaches == 10
    assert _row(since, "need", "behaviour") == (3, 0, 2, {"price": 1, "location": 1})
    assert _row(since, "need", "none") == (7, 2, 2, {"no_vacancy": 1, "cannot_meet_needs": 1})
    assert _row(since, "risk", "cce") == (3, 1, 2, {"no_vacancy": 1, "cannot_meet_needs": 1})
    assert _row(since, "age_band", "16 to 17") == (3, 0, 2, {"price": 1, "location": 1})
    assert _row(since, "age_band", "10 to 15") == (3, 1, 2, {"no_vacancy": 1, "cannot_meet_needs": 1})
    assert _row(since, "age_band", "Age not known") == (4, 1, 0, {})  # the market's referrals give no age
    assert _row(since, "service_type", "supported_accommodation") == (3, 0, 2, {"price": 1, "location": 1})
    assert _row(since, "service_type", "childrens_home_external") == (4, 0, 2, {"no_vacancy": 1,
                                                                               "cannot_meet_needs": 1})
    assert _row(since, "area", "in_area") == (4, 2, 1, {"price": 1})  # Cedar View twice, Elm Court, Kestrel
    assert _row(since, "area", "outside_area") == (6, 0, 3, {"no_vacancy": 1, "cannot_meet_needs": 1,
                                                            "location": 1})
    assert _row(since, "local_authority", "Coventry") == (1, 0, 1, {"location": 1})

    window = decline_evidence(ctx, since=TODAY - D(120), until=TODAY - D(90))
    assert window.referrals_received == 1 and window.declines.answers == {"offered": 0, "declined": 1, "no_reply": 0}
    assert _row(window, "need", "health") == _row(window, "need", "emotional") == (1, 0, 1, {"impact": 1})
    assert _row(window, "risk", "missing") == (1, 0, 1, {"impact": 1})
    assert [r.key for r in window.declines.crosstabs["risk"]] == ["missing"]  # cce not present
    assert _row(window, "age_band", "5 to 9") == (1, 0, 1, {"impact": 1})
    with pytest.raises(ValueError, match="before it starts"):
        decline_evidence(ctx, since=TODAY, until=TODAY - D(1))


def test_longest_to_place(world) -> None:  # noqa: F811
    ctx, _view, ids = world
    _searches(ctx, ids)
    longest = decline_evidence(ctx, longest=4).declines.longest
    assert [(s.case_ref, s.placed, s.days, s.services_approached, s.offers, s.declines) for s in longest] == [
        ("LCC-300003", False, 100, 1, 0, 1), ("LCC-300002", False, 40, 3, 0, 2), ("CR2400", False, 30, 0, 0, 0),
        ("CR2401", False, 29, 0, 0, 0)]
    every = [s.case_ref for s in decline_evidence(ctx, longest=50).declines.longest]
    assert every[-3:] == ["CR2405", "CR2406", "LCC-300001"]
    assert not {"CR2407", "CR2408", "CR2409", "CR2410"} & set(every)  # no audited agreement; withdrawn, closed
    recent = decline_evidence(ctx, since=TODAY - D(15)).declines.longest
    assert [(s.case_ref, s.placed, s.days, s.services_approached, s.offers, s.declines) for s in recent] == [
        ("LCC-300001", True, 10, 3, 1, 2)]  # received 10 days ago, agreed today


def test_json_has_case_references_only_and_the_standard_records(world, tmp_path) -> None:  # noqa: F811
    ctx, _view, ids = world
    _searches(ctx, ids)
    recent = decline_evidence(ctx, since=TODAY - D(15))
    assert recent.standard_records == {} and recent.standard_files == 0
    export_standard(ctx, tmp_path / "std.json", since=TODAY - D(15))
    import_standard(ctx, tmp_path / "std.json")
    recent = decline_evidence(ctx, since=TODAY - D(15))
    data = recent.as_json()
    assert data["standard_records"] == {"files": 1, "total": 1, "by_placement_type": {"": 1}}
    assert data["since"] == (TODAY - D(15)).isoformat() and data["until"] is None
    assert data["answers"]["declined"] == {"count": 2, "share": pytest.approx(2 / 3)}
    assert data["longest_to_place"] == [{"case_ref": "LCC-300001", "placed": True, "days": 10,
                                         "services_approached": 3, "offers": 1, "declines": 2}]
    assert [r["key"] for r in data["by"]["local_authority"]] == ["Leicestershire", "Nottingham", "Leicester"]
    text = json.dumps(decline_evidence(ctx).as_json())
    assert "LCC-300002" in text and "CR2405" in text
    for secret in ("QZ", "XY", "WV", DOB.isoformat(), "2017-06-01", "initials", "date_of_birth"):
        assert secret not in text
