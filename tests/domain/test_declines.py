"""Decline evidence (issue 15), counted by hand: declines by reason and their shares, response rates, the
cross-tabs by high need, risk, age band, service type, area and local authority, and the longest searches."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_tui.domain.sufficiency.declines import (
    DIMENSIONS,
    Approach,
    Declines,
    Search,
    age_band_on,
    count_declines,
    high_need_domains,
    placement_agreed_on,
    risks_present,
)

TODAY = dt.date(2026, 12, 1)


def ap(ref: str, answer: str, reason: str | None = None, *, stype: str = "childrens_home_external",
       in_area: bool = False, la: str = "Derby", band: str = "10 to 15", needs: tuple[str, ...] = (),
       risks: tuple[str, ...] = ()) -> Approach:
    return Approach(ref, stype, in_area, la, band, needs, risks, answer, reason)


# R1: 13, high behaviour and risk, CCE: four homes approached, three declines, one offer
# R2: 16, no high need, no risk: two supported accommodation (one in the area), one decline, one no reply
# R3: 8, high emotional, missing and CCE: one fostering agency, no reply
APPROACHES = (
    ap("r1", "declined", "no_vacancy", la="Derby", needs=("behaviour", "risk"), risks=("cce",)),
    ap("r1", "declined", "cannot_meet_needs", la="Nottingham", needs=("behaviour", "risk"), risks=("cce",)),
    ap("r1", "declined", "cannot_meet_needs", la="Derby", needs=("behaviour", "risk"), risks=("cce",)),
    ap("r1", "offered", la="Leicester", in_area=True, stype="childrens_home_in_house", needs=("behaviour", "risk"),
       risks=("cce",)),
    ap("r2", "declined", "price", stype="supported_accommodation", la="Leicester", in_area=True, band="16 to 17"),
    ap("r2", "no_reply", stype="supported_accommodation", la="", band="16 to 17"),
    ap("r3", "no_reply", stype="fostering_ifa", la="Derby", band="5 to 9", needs=("emotional",),
       risks=("missing", "cce")),
)
SEARCHES = (
    Search("r1", "LCC-1", dt.date(2026, 10, 1), dt.date(2026, 11, 10), still_open=False),  # 40 days, placed
    Search("r2", "LCC-2", dt.date(2026, 9, 1), None, still_open=True),  # 91 days to today
    Search("r3", "LCC-3", dt.date(2026, 11, 21), None, still_open=True),  # 10 days
    Search("r4", "LCC-4", dt.date(2026, 1, 1), None, still_open=False),  # withdrawn: left out
    Search("r5", "LCC-5", dt.date(2026, 11, 1), dt.date(2026, 11, 11), still_open=False),  # 10 days, no approach
)


def rows(result: Declines, dimension: str) -> dict[str, tuple[int, int, int, dict[str, int]]]:
    return {r.key: (r.approaches, r.offered, r.declined, {k: v for k, v in r.by_reason.items() if v})
            for r in result.crosstabs[dimension]}


def test_declines_by_reason_and_response_rates() -> None:
    result = count_declines(APPROACHES, SEARCHES, TODAY)
    assert result.approaches == 7 and result.referrals == 3
    assert result.answers == {"offered": 1, "declined": 4, "no_reply": 2}
    assert result.rate("declined") == pytest.approx(4 / 7) and result.rate("no_reply") == pytest.approx(2 / 7)
    by_reason = {r.reason: (r.declines, r.share_of_answers, r.share_of_declines) for r in result.reasons}
    assert list(by_reason) == ["no_vacancy", "cannot_meet_needs", "location", "price", "impact", "other"]
    assert by_reason["cannot_meet_needs"] == pytest.approx((2, 2 / 5, 2 / 4))
    assert by_reason["no_vacancy"] == pytest.approx((1, 1 / 5, 1 / 4))
    assert by_reason["price"] == pytest.approx((1, 1 / 5, 1 / 4))
    assert by_reason["location"] == (0, 0.0, 0.0)
    assert [r.label for r in result.reasons][:2] == ["No vacancy", "Cannot meet needs"]


def test_crosstabs() -> None:
    result = count_declines(APPROACHES, SEARCHES, TODAY)
    assert set(result.crosstabs) == set(DIMENSIONS)
    need = rows(result, "need")
    assert list(need) == ["emotional", "behaviour", "risk", "none"]  # the vocabulary's order, none last
    assert need["behaviour"] == need["risk"] == (4, 1, 3, {"no_vacancy": 1, "cannot_meet_needs": 2})
    assert need["emotional"] == (1, 0, 0, {})
    assert need["none"] == (2, 0, 1, {"price": 1})
    risk = rows(result, "risk")
    assert list(risk) == ["cce", "missing", "none"]
    assert risk["cce"] == (5, 1, 3, {"no_vacancy": 1, "cannot_meet_needs": 2})  # r1's four and r3's one
    assert risk["missing"] == (1, 0, 0, {}) and risk["none"] == (2, 0, 1, {"price": 1})
    assert rows(result, "age_band") == {"5 to 9": (1, 0, 0, {}),
                                        "10 to 15": (4, 1, 3, {"no_vacancy": 1, "cannot_meet_needs": 2}),
                                        "16 to 17": (2, 0, 1, {"price": 1})}
    assert list(rows(result, "age_band")) == ["5 to 9", "10 to 15", "16 to 17"]
    stype = rows(result, "service_type")
    assert list(stype) == ["fostering_ifa", "childrens_home_in_house", "childrens_home_external",
                           "supported_accommodation"]
    assert stype["childrens_home_external"] == (3, 0, 3, {"no_vacancy": 1, "cannot_meet_needs": 2})
    assert [r.label for r in result.crosstabs["service_type"]][0] == "Fostering (IFA)"
    assert rows(result, "area") == {"in_area": (2, 1, 1, {"price": 1}),
                                    "outside_area": (5, 0, 3, {"no_vacancy": 1, "cannot_meet_needs": 2})}
    la = rows(result, "local_authority")
    assert list(la) == ["Derby", "Leicester", "Nottingham", "Not known"]  # most declines first
    assert la["Derby"] == (3, 0, 2, {"no_vacancy": 1, "cannot_meet_needs": 1})
    assert la["Not known"] == (1, 0, 0, {})
    derby = result.crosstabs["local_authority"][0]
    assert derby.answered == 2 and derby.decline_rate == 1.0
    assert result.crosstabs["need"][0].decline_rate is None  # emotional: no answer yet


def test_longest_searches() -> None:
    result = count_declines(APPROACHES, SEARCHES, TODAY, longest=3)
    assert [(s.case_ref, s.placed, s.days, s.services_approached, s.offers, s.declines) for s in result.longest] == [
        ("LCC-2", False, 91, 2, 0, 1), ("LCC-1", True, 40, 4, 1, 3), ("LCC-3", False, 10, 1, 0, 0)]
    everything = count_declines(APPROACHES, SEARCHES, TODAY, longest=10).longest
    assert [s.case_ref for s in everything] == ["LCC-2", "LCC-1", "LCC-3", "LCC-5"]  # ties by case reference
    assert everything[-1].services_approached == 0
    assert count_declines(APPROACHES, SEARCHES, TODAY, longest=0).longest == ()


def test_nothing_yet_and_a_bad_answer() -> None:
    empty = count_declines((), (), TODAY)
    assert empty.approaches == 0 and empty.rate("declined") is None
    assert all(r.declines == 0 and r.share_of_answers is None for r in empty.reasons)
    assert all(rows == () for rows in empty.crosstabs.values())
    with pytest.raises(ValueError, match="unknown answer"):
        count_declines((ap("r1", "maybe"),), (), TODAY)


def test_an_unlisted_reason_is_kept_after_the_vocabulary() -> None:
    result = count_declines((ap("r1", "declined", "staffing"), ap("r1", "declined", None)), (), TODAY)
    assert [(r.reason, r.declines) for r in result.reasons][-2:] == [("other", 1), ("staffing", 1)]


def test_record_helpers() -> None:
    assert high_need_domains({"health": 4, "behaviour": 3, "risk": 2, "emotional": None}) == ("health", "behaviour")
    assert risks_present([{"tag": "cce", "present": True, "level": 3}, {"tag": "missing", "present": False},
                          {"tag": "cce", "present": True}, {"present": True}, "junk"]) == ("cce",)
    assert risks_present(None) == ()
    received = dt.date(2026, 3, 10)
    assert age_band_on(dt.date(2025, 3, 11), None, received) == "Under 1"  # 11 months
    assert age_band_on(dt.date(2025, 3, 10), None, received) == "1 to 4"  # 12 months to the day
    assert age_band_on(dt.date(2010, 3, 11), None, received) == "10 to 15"  # 15 years 11 months
    assert age_band_on(dt.date(2010, 3, 10), 3, received) == "16 to 17"  # the date of birth wins
    assert age_band_on(None, 16, received) == "16 to 17" and age_band_on(None, 4, received) == "1 to 4"
    assert age_band_on(None, None, received) == "Age not known"
    at = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    assert placement_agreed_on([(at, {"status": "searching"}), (at + dt.timedelta(days=3), {"status":
                                "placement_agreed"}), (at + dt.timedelta(days=9), {"status": "placement_agreed"}),
                                (at, None)]) == dt.date(2026, 5, 4)
    assert placement_agreed_on([(at, {"status": "placed"})]) is None


def test_a_care_leavers_referral_is_18_and_over() -> None:
    import datetime as dt

    from broker_tui.domain.sufficiency.declines import age_band_on

    day = dt.date(2026, 12, 1)
    assert age_band_on(None, 20, day) == "18 and over"  # referrals take young people up to 25
    assert age_band_on(dt.date(2008, 12, 2), None, day) == "16 to 17"  # 18 tomorrow
    assert age_band_on(dt.date(2008, 12, 1), None, day) == "18 and over"
