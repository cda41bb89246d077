"""Approval rules: above the threshold, an amendment's raise, approvers' limits, never one's own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import (
    ApprovalRules,
    agreement_approval_reasons,
    amendment_approval_reasons,
    approver_problems,
    format_basis_points,
)

RULES = ApprovalRules(threshold_weekly_pence=750_000, raise_basis_points=500)  # £7,500 a week; 5%
LIMITS = {"A Manager": 1_000_000, "Head of Service": 2_500_000}


def test_an_agreement_above_the_threshold_needs_approval_one_at_it_does_not() -> None:
    assert agreement_approval_reasons(750_000, RULES) == []
    assert agreement_approval_reasons(750_001, RULES) == [
        "£7,500.01 a week is above the £7,500.00 threshold for approval"]


def test_an_amendment_raising_the_price_above_the_threshold_needs_approval() -> None:
    assert amendment_approval_reasons(740_000, 760_000, RULES) == [
        "raises the weekly price from £7,400.00 to £7,600.00, above the £7,500.00 threshold for approval"]
    assert amendment_approval_reasons(800_000, 780_000, RULES) == []  # a cut never needs it
    assert amendment_approval_reasons(800_000, 800_000, RULES) == []


def test_an_amendment_raising_the_price_by_more_than_the_percentage_needs_approval() -> None:
    assert amendment_approval_reasons(100_000, 105_000, RULES) == []  # exactly 5% is allowed
    assert amendment_approval_reasons(100_000, 105_001, RULES) == [
        "raises the weekly price by 5.01% (£50.01 a week), more than the 5% allowed without approval"]
    both = amendment_approval_reasons(700_000, 800_000, RULES)
    assert len(both) == 2 and "by 14.29%" in both[1]
    assert "from nothing" in amendment_approval_reasons(0, 1, RULES)[0]
    assert format_basis_points(250) == "2.5%" and format_basis_points(333) == "3.33%"


def test_who_may_approve() -> None:
    assert approver_problems("A Manager", "J Broker", 900_000, LIMITS) == []
    assert approver_problems("a manager ", "J Broker", 1_000_000, LIMITS) == []  # names are case-blind
    assert approver_problems("A Manager", "J Broker", 1_000_001, LIMITS) == [
        "A Manager may approve up to £10,000.00 a week; this is £10,000.01"]
    assert approver_problems("J Broker", "J Broker", 1, LIMITS) == [
        "J Broker recorded this purchase and cannot approve their own: another approver must",
        "J Broker is not on the list of approvers"]
    assert approver_problems("HEAD OF SERVICE", "head of service", 1, LIMITS) == [
        "HEAD OF SERVICE recorded this purchase and cannot approve their own: another approver must"]
    assert approver_problems("  ", "J Broker", 1, LIMITS) == ["say who approves"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5_000_000), st.integers(0, 5_000_000), st.integers(0, 5_000_000), st.integers(0, 10_000))
def test_an_amendment_needs_approval_exactly_when_it_raises_past_a_limit(old: int, new: int, threshold: int,
                                                                         bp: int) -> None:
    rules = ApprovalRules(threshold, bp)
    needed = new > old and (new > threshold or (new - old) * 10_000 > old * bp)
    assert bool(amendment_approval_reasons(old, new, rules)) == needed
