import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.referrals.parse import parse_referral

TODAY = dt.date(2026, 12, 1)
DISTRICTS = {"LE1", "LE2", "LE3", "NG7", "DE1"}


def parse(raw: dict, **kw):
    return parse_referral(raw, today=TODAY, district_exists=DISTRICTS.__contains__, **kw)


def valid(**over) -> dict:
    raw = {
        "case_ref": "LCC-104233", "initials": "ab", "date_received": "28/11/2026", "needed_by": "05/12/2026",
        "age_years": 14, "types_sought": ["childrens_home_external"], "home_district": "le2",
        "budget_weekly_pence": "£6,500", "needs": {"risk": 3, "behaviour": 2},
        "risks": [{"tag": "cce", "present": True, "level": 3}], "specialist_needs": ["autism"],
        "free_text_needs": ["likes football "],
    }
    raw.update(over)
    return raw


def test_a_good_request_parses_into_typed_columns() -> None:
    draft, problems = parse(valid())
    assert problems == {}
    cols = draft.columns()
    assert cols["initials"] == "AB" and cols["home_district"] == "LE2"
    assert cols["needed_by"] == dt.date(2026, 12, 5) and cols["date_received"] == dt.date(2026, 11, 28)
    assert cols["budget_weekly_pence"] == 650_000
    assert cols["need_risk"] == 3 and cols["need_health"] == 0
    assert cols["free_text_needs"] == ["likes football"]


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"needed_by": "31/02/2026"}, "needed_by", "not a real date"),
    ({"needed_by": "20/11/2026"}, "needed_by", "in the past"),
    ({"age_years": 31}, "age_years", "0 to 25"),
    ({"age_years": -1}, "age_years", "0 to 25"),
    ({"budget_weekly_pence": "lots"}, "budget_weekly_pence", "not an amount"),
    ({"budget_weekly_pence": -5}, "budget_weekly_pence", "negative"),
    ({"funding_social_care_pct": 60, "funding_health_pct": 30}, "funding_social_care_pct", "90%"),
    ({"home_district": "ZZ99"}, "home_district", "not a postcode district"),
    ({"sibling_group_size": 0}, "sibling_group_size", "at least 1"),
    ({"age_years": 15, "types_sought": ["supported_accommodation"]}, "types_sought", "under 16"),
    ({"initials": "Alexander"}, "initials", "initials only"),
    ({"case_ref": ""}, "case_ref", "required"),
    ({"types_sought": []}, "types_sought", "at least one"),
    ({"types_sought": ["castle"]}, "types_sought", "unknown"),
    ({"needs": {"risk": 4}}, "needs.risk", "0 (none) to 3"),
    ({"date_of_birth": "01/01/2030", "age_years": None}, "date_of_birth", "future"),
    ({"date_of_birth": "01/01/1990", "age_years": None}, "date_of_birth", "ages 0 to 25"),
    ({"section25_order": {"court": "", "made_on": "x"}}, "section25_order.made_on", "not a date"),
    ({"specialist_needs": ["unicorns"]}, "specialist_needs", "free text"),
])
def test_bad_input_is_named_against_its_field(over: dict, field: str, words: str) -> None:
    draft, problems = parse(valid(**over))
    assert draft is None
    assert field in problems, problems
    assert words in problems[field]


def test_age_or_date_of_birth_is_needed() -> None:
    _d, problems = parse(valid(age_years=None))
    assert "age_years" in problems


def test_date_of_birth_wins_over_age() -> None:
    draft, problems = parse(valid(age_years=None, date_of_birth="10/12/2010"))
    assert problems == {}
    assert draft.date_of_birth == dt.date(2010, 12, 10) and draft.age_years is None


def test_past_needed_by_allowed_when_editing_an_old_request() -> None:
    draft, problems = parse(valid(needed_by="20/11/2026", date_received="01/11/2026"), check_needed_by_past=False)
    assert problems == {}


@given(st.integers(-5, 40))
def test_age_rule_property(age: int) -> None:
    _d, problems = parse(valid(age_years=age))
    assert ("age_years" in problems) == (not 0 <= age <= 25)


@given(st.integers(0, 10**9))
def test_money_as_pence_or_text_agrees(pence: int) -> None:
    a, _ = parse(valid(budget_weekly_pence=pence))
    b, _ = parse(valid(budget_weekly_pence=f"£{pence // 100:,}.{pence % 100:02d}"))
    assert a.budget_weekly_pence == b.budget_weekly_pence == pence


@given(st.integers(0, 100), st.integers(0, 100))
def test_shares_property(social: int, education: int) -> None:
    health = 100 - social - education
    raw = valid(funding_social_care_pct=social, funding_education_pct=education, funding_health_pct=health)
    _d, problems = parse(raw)
    assert (not any(k.startswith("funding") for k in problems)) == (0 <= health <= 100)
