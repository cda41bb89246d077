"""The funding split: whole percentages adding to 100, pence by largest remainder adding exactly, ties
broken social care, education, health."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import FundedPence, FundingSplit, apportion, check_funding_split, split_pence


def test_a_split_must_be_whole_percentages_adding_to_100() -> None:
    assert check_funding_split(FundingSplit(60, 30, 10)) == {}
    assert check_funding_split(FundingSplit(60, 30, 0)) == {"shares": "the funding shares add to 90%, not 100%"}
    assert check_funding_split({"social_care_pct": 100}) == {}
    problems = check_funding_split({"social_care_pct": 50.5, "education_pct": True, "health_pct": -1})
    assert set(problems) == {"social_care_pct", "education_pct", "health_pct"}
    assert problems["health_pct"] == "is -1%: a share must be between 0% and 100%"
    assert check_funding_split(FundingSplit(150, -50, 0)).keys() == {"social_care_pct", "education_pct"}


@pytest.mark.parametrize("split", [None, 7, "100/0/0", [100, 0, 0], object()])
def test_the_check_never_raises_on_what_it_is_given(split: object) -> None:
    assert isinstance(check_funding_split(split), dict)


def test_known_splits_by_largest_remainder() -> None:
    # 42,857p at 50/30/20: 21,428.5 / 12,857.1 / 8,571.4 -> the penny left to the .5
    assert split_pence(42_857, FundingSplit(50, 30, 20)) == FundedPence(21_429, 12_857, 8_571)
    # 100p at 33/33/34: 33 / 33 / 34 exactly
    assert split_pence(100, FundingSplit(33, 33, 34)) == FundedPence(33, 33, 34)
    # 1p three ways at 33/33/34: remainders .33 / .33 / .34 -> health
    assert split_pence(1, FundingSplit(33, 33, 34)) == FundedPence(0, 0, 1)
    assert split_pence(0, FundingSplit(50, 50, 0)) == FundedPence(0, 0, 0)


def test_ties_go_social_care_then_education_then_health() -> None:
    assert split_pence(1, FundingSplit(50, 50, 0)) == FundedPence(1, 0, 0)
    assert split_pence(1, FundingSplit(0, 50, 50)) == FundedPence(0, 1, 0)
    assert split_pence(2, FundingSplit(34, 33, 33)) == FundedPence(1, 1, 0)  # .68 / .66 / .66: then the tie
    assert apportion(5, (1, 1, 1)) == (2, 2, 1)


def test_splitting_by_a_bad_split_is_refused() -> None:
    with pytest.raises(ValueError, match="add to 90%"):
        split_pence(100, FundingSplit(60, 30, 0))


splits = st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda t: t[0] + t[1] <= 100).map(
    lambda t: FundingSplit(t[0], t[1], 100 - t[0] - t[1]))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), splits)
def test_funders_pence_add_exactly_and_each_is_within_a_penny_of_its_share(pence: int, split: FundingSplit) -> None:
    parts = split_pence(pence, split)
    assert parts.total == pence
    assert parts == FundedPence(*apportion(pence, split.shares))  # the three-way fast path is the general rule
    for share, got in zip(split.shares, (parts.social_care, parts.education, parts.health), strict=True):
        exact = Fraction(pence * share, 100)
        assert exact - 1 < got < exact + 1 and got >= 0
        if share == 0:
            assert got == 0  # a funder with no share never gets a penny


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=6))
def test_apportion_adds_exactly_for_any_weights(total: int, weights: list[int]) -> None:
    if not any(weights):
        weights[0] = 1
    shares = apportion(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
