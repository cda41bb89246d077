"""A weekly price against its parts: exact addition, staffing as minutes x hourly rate, problems by field,
never a raise; hours as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import (
    MINUTES_IN_WEEK,
    HoursError,
    WeeklyPriceParts,
    check_price_parts,
    format_hours,
    parse_hours,
    staffing_pence,
)

# core £4,800 + 12 hours 1:1 at £25 (£300) + 3.5 hours 2:1 at £50 (£175) + education £600 + therapy £250
# + solo premium £1,500 + other £75 (transport to school) = £7,700
FULL = WeeklyPriceParts(weekly_pence=770_000, core_pence=480_000, one_to_one_minutes=720,
                        one_to_one_hourly_pence=2_500, two_to_one_minutes=210, two_to_one_hourly_pence=5_000,
                        education_pence=60_000, therapy_pence=25_000, solo_premium_pence=150_000,
                        other_pence=7_500, other_words="transport to school")


def test_every_part_adds_to_the_weekly_price() -> None:
    assert (FULL.one_to_one_pence, FULL.two_to_one_pence) == (30_000, 17_500)
    assert FULL.parts_pence == 770_000 and check_price_parts(FULL) == {}


def test_staffing_is_minutes_times_rate_rounded_half_up_once() -> None:
    assert staffing_pence(630, 2_850) == 29_925  # 10.5 h at £28.50
    assert staffing_pence(30, 2_501) == 1_251  # half an hour at £25.01: 1,250.5p rounds up
    assert staffing_pence(20, 2_500) == 833  # 20 minutes: 833.33p
    assert staffing_pence(0, 9_999) == 0


def test_parts_that_do_not_add_up_are_reported_against_the_weekly_price() -> None:
    short = WeeklyPriceParts(weekly_pence=770_001, core_pence=770_000)
    assert check_price_parts(short) == {
        "weekly_pence": "the parts add to £7,700.00, £0.01 short of the weekly price of £7,700.01"}
    over = WeeklyPriceParts(weekly_pence=100, core_pence=90, education_pence=20)
    assert "£0.10 over" in check_price_parts(over)["weekly_pence"]


def test_each_bad_part_is_named_and_the_sum_waits_for_them() -> None:
    bad = {"weekly_pence": 1000, "core_pence": -5, "education_pence": 12.5, "therapy_pence": True,
           "one_to_one_minutes": 10_081, "two_to_one_minutes": 60, "other_pence": 100}
    problems = check_price_parts(bad)
    assert problems == {
        "core_pence": "is negative: amounts must be £0 or more",
        "education_pence": "must be a whole number of pence, not float",
        "therapy_pence": "must be a whole number of pence, not bool",
        "one_to_one_minutes": "is 168:01 hours: a week has only 168",
        "two_to_one_hourly_pence": "2:1 hours need an hourly rate",
        "other_words": "say what the other £1.00 a week is for",
    }
    assert check_price_parts({}) == {"weekly_pence": "is required", "core_pence": "is required"}
    assert "more than" in check_price_parts({"weekly_pence": 10**13, "core_pence": 10**13})["weekly_pence"]
    assert "terminal escape" in check_price_parts({"weekly_pence": 1, "core_pence": 0, "other_pence": 1,
                                           "other_words": "bus\x1b[2J"})["other_words"]


hostile = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
FIELDS = ["weekly_pence", "core_pence", "one_to_one_minutes", "one_to_one_hourly_pence", "two_to_one_minutes",
          "two_to_one_hourly_pence", "education_pence", "therapy_pence", "solo_premium_pence", "other_pence",
          "other_words", "unknown"]


@settings(max_examples=200, deadline=None)
@given(st.one_of(hostile, st.dictionaries(st.sampled_from(FIELDS), hostile, max_size=12)))
def test_the_check_never_raises_whatever_it_is_given(value: object) -> None:
    problems = check_price_parts(value)
    assert all(type(k) is str and type(v) is str and "\n" not in v for k, v in problems.items())


money = st.integers(min_value=0, max_value=2_000_000)


@settings(max_examples=200, deadline=None)
@given(money, st.integers(0, MINUTES_IN_WEEK), st.integers(1, 10_000), st.integers(0, MINUTES_IN_WEEK),
       st.integers(1, 10_000), money, money, money, money, st.integers(-3, 3))
def test_parts_add_up_exactly_or_the_check_says_by_how_much(core: int, m1: int, r1: int, m2: int, r2: int, edu: int,
                                                             therapy: int, solo: int, other: int, off: int) -> None:
    parts = WeeklyPriceParts(0, core, m1, r1, m2, r2, edu, therapy, solo, other, "respite nights")
    total = core + staffing_pence(m1, r1) + staffing_pence(m2, r2) + edu + therapy + solo + other
    assert parts.parts_pence == total
    price = WeeklyPriceParts(total + off, core, m1, r1, m2, r2, edu, therapy, solo, other, "respite nights")
    problems = check_price_parts(price)
    assert (problems == {}) == (off == 0) and (off == 0 or set(problems) == {"weekly_pence"})


@pytest.mark.parametrize(("text", "minutes"), [("10", 600), ("10.5", 630), ("12.25", 735), ("7:20", 440),
                                               ("0.1", 6), (" 3 hours", 180), ("168", MINUTES_IN_WEEK), ("0", 0)])
def test_hours_as_people_type_them(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["", "-2", "169", "0.01", "7:60", "ten", "1e2", "3.333"])
def test_hours_that_are_not_hours_are_refused_with_words(text: str) -> None:
    with pytest.raises(HoursError) as info:
        parse_hours(text)
    assert str(info.value)


@given(st.integers(0, MINUTES_IN_WEEK))
def test_hours_written_are_read_back(minutes: int) -> None:
    assert parse_hours(format_hours(minutes)) == minutes
