import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.referrals.rules import (
    age_facts,
    age_on,
    funding_problem,
    manual_transitions,
    placement_type_problem,
    transition_problem,
    urgency,
)
from broker_tui.domain.vocabulary import REFERRAL_STATUSES

TODAY = dt.date(2026, 12, 1)


def test_age_is_taken_at_the_needed_by_date() -> None:
    facts = age_facts(date_of_birth=dt.date(2010, 12, 10), age_years=None,
                      date_received=TODAY, needed_by=dt.date(2026, 12, 15))
    assert facts.age_years == 16 and not facts.estimated
    assert facts.eighteenth_birthday == dt.date(2028, 12, 10)


def test_age_only_gives_an_estimated_18th_birthday() -> None:
    facts = age_facts(date_of_birth=None, age_years=14, date_received=TODAY, needed_by=TODAY)
    assert facts.estimated and facts.age_years == 14
    assert dt.date(2030, 5, 1) < facts.eighteenth_birthday < dt.date(2030, 7, 1)


def test_leap_day_birthdays() -> None:
    facts = age_facts(date_of_birth=dt.date(2012, 2, 29), age_years=None, date_received=TODAY, needed_by=TODAY)
    assert facts.eighteenth_birthday == dt.date(2030, 2, 28)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 1, 1)),
       st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_age_on_matches_birthday_arithmetic(dob: dt.date, on: dt.date) -> None:
    age = age_on(dob, on)
    assert 0 <= age <= 30
    # the child has had exactly `age` birthdays by `on`
    assert dob.replace(year=dob.year + age, day=min(dob.day, 28)) <= on


@given(st.integers(min_value=-30, max_value=60))
def test_urgency_bands(days: int) -> None:
    u = urgency(TODAY + dt.timedelta(days=days), TODAY)
    assert u == ("emergency" if days <= 0 else "urgent" if days <= 5 else "planned")


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100))
def test_funding_shares_must_add_to_100(a: int, b: int, c: int) -> None:
    assert (funding_problem(a, b, c) is None) == (a + b + c == 100)


def test_funding_message_names_the_total() -> None:
    assert "90%" in funding_problem(50, 40, 0)


def test_under_16_only_supported_accommodation_is_refused_with_the_reason() -> None:
    msg = placement_type_problem(15, ["supported_accommodation"])
    assert msg and "under 16" in msg
    assert placement_type_problem(15, ["supported_accommodation", "fostering_ifa"]) is None
    assert placement_type_problem(16, ["supported_accommodation"]) is None


def test_statuses_that_record_an_act_are_never_chosen_by_hand() -> None:
    for status in REFERRAL_STATUSES:
        for target in ("sent_to_providers", "offers_received", "placement_agreed", "placed"):
            assert target not in manual_transitions(status)
            assert transition_problem(status, target) is not None


@pytest.mark.parametrize(("current", "new", "ok"), [
    ("new", "searching", True), ("new", "withdrawn", True), ("placed", "closed", True),
    ("withdrawn", "new", False), ("closed", "searching", False), ("new", "closed", False),
])
def test_manual_transitions(current: str, new: str, ok: bool) -> None:
    assert (transition_problem(current, new) is None) == ok


def test_acts_move_the_status_only_from_sensible_places() -> None:
    assert transition_problem("searching", "sent_to_providers", by_act=True) is None
    assert transition_problem("offers_received", "placement_agreed", by_act=True) is None
    assert transition_problem("new", "placed", by_act=True) is not None


def test_default_reply_by_two_working_days_before_the_child_is_needed() -> None:
    import datetime as dt

    from broker_tui.domain.referrals.rules import add_working_days, default_reply_by

    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 2) == dt.date(2026, 12, 1)  # over the weekend
    assert default_reply_by(friday, None) == dt.date(2026, 12, 1)
    assert default_reply_by(friday, dt.date(2026, 12, 20)) == dt.date(2026, 12, 1)
    assert default_reply_by(friday, dt.date(2026, 11, 30)) == dt.date(2026, 11, 29)  # the day before
    assert default_reply_by(friday, friday) == friday  # an emergency: today
    assert default_reply_by(friday, dt.date(2026, 11, 1)) == friday  # overdue: never in the past
