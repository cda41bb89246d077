"""The price estimate: parts, uplift, weekly / annual / to the end, against the budget; and the ranking's
vectorised estimate agreeing with it to the penny."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.matching import MarketService, MatchRequest
from broker_tui.domain.matching.arrays import MarketArrays, weekly_estimates
from broker_tui.domain.money import apply_uplift
from broker_tui.domain.pricing import (
    PriceNeeds,
    PriceParts,
    estimate,
    list_in_force,
    to_end_pence,
    whole_years,
)

D = dt.date
LIST = PriceParts(valid_from=D(2024, 4, 1), core_weekly_pence=500_000, one_to_one_hourly_pence=2_800,
                  two_to_one_hourly_pence=5_600, education_weekly_pence=95_000, therapy_weekly_pence=40_000,
                  solo_premium_weekly_pence=150_000, annual_uplift_bp=350)


def test_every_part_with_two_years_of_uplift() -> None:
    needs = PriceNeeds(one_to_one_hours=10, two_to_one_hours=2, education=True, therapy=True, solo=True)
    est = estimate([LIST], needs, D(2026, 4, 1), budget_weekly_pence=900_000)
    assert est is not None and est.uplift_years == 2
    up = lambda p: apply_uplift(p, 350, 2)  # noqa: E731
    assert est.core_pence == up(500_000) == 535_613
    assert est.one_to_one_pence == 10 * up(2_800)
    assert est.two_to_one_pence == 2 * up(5_600)
    assert (est.education_pence, est.therapy_pence, est.solo_pence) == (up(95_000), up(40_000), up(150_000))
    assert est.weekly_pence == sum((est.core_pence, est.one_to_one_pence, est.two_to_one_pence, est.education_pence,
                                    est.therapy_pence, est.solo_pence))
    assert est.annual_pence == 52 * est.weekly_pence
    assert est.over_budget_pence == est.weekly_pence - 900_000


def test_the_day_before_an_anniversary_is_still_the_earlier_year() -> None:
    assert estimate([LIST], PriceNeeds(), D(2026, 3, 31)).uplift_years == 1
    assert whole_years(D(2024, 2, 29), D(2025, 2, 28)) == 0
    assert whole_years(D(2024, 2, 29), D(2025, 3, 1)) == 1


def test_parts_not_needed_cost_nothing_and_unpriced_parts_are_named() -> None:
    bare = PriceParts(valid_from=D(2026, 1, 1), core_weekly_pence=100_000)
    est = estimate([bare], PriceNeeds(one_to_one_hours=5, therapy=True), D(2026, 6, 1))
    assert est.weekly_pence == 100_000 and est.unpriced == ("1:1 hours", "therapy")
    assert estimate([LIST], PriceNeeds(), D(2026, 6, 1)).weekly_pence == apply_uplift(500_000, 350, 2)


def test_the_list_in_force_on_the_start_date() -> None:
    old = PriceParts(valid_from=D(2025, 1, 1), valid_to=D(2025, 12, 31), core_weekly_pence=1)
    new = PriceParts(valid_from=D(2026, 1, 1), core_weekly_pence=2)
    assert list_in_force([new, old], D(2025, 6, 1)) is old
    assert list_in_force([old, new], D(2026, 6, 1)) is new
    assert list_in_force([new], D(2025, 6, 1)) is None
    assert estimate([new], PriceNeeds(), D(2025, 6, 1)) is None


def test_to_the_planned_end_or_the_18th_birthday() -> None:
    est = estimate([LIST], PriceNeeds(), D(2026, 4, 1), end=D(2026, 4, 15), end_is_18th=True)
    assert est.to_end_pence == 2 * est.weekly_pence and est.end_is_18th
    assert to_end_pence(700, D(2026, 1, 1), D(2026, 1, 2)) == 100
    assert to_end_pence(100, D(2026, 1, 1), D(2026, 1, 2)) == 14  # 14.29 rounds down
    assert to_end_pence(350, D(2026, 1, 1), D(2025, 1, 1)) == 0


def test_a_sibling_group_pays_each_childs_fee() -> None:
    est = estimate([LIST], PriceNeeds(children=3), D(2024, 4, 1))
    assert est.weekly_pence == 3 * 500_000
    flat = PriceParts(valid_from=D(2024, 4, 1), core_weekly_pence=500_000, per_child=False)
    assert estimate([flat], PriceNeeds(children=3), D(2024, 4, 1)).weekly_pence == 500_000


money = st.integers(0, 2_000_000)
optional_money = st.one_of(st.none(), st.integers(0, 10_000))
price_lists = st.builds(
    PriceParts, valid_from=st.dates(D(2015, 1, 1), D(2026, 12, 1)), core_weekly_pence=money,
    one_to_one_hourly_pence=optional_money, two_to_one_hourly_pence=optional_money,
    education_weekly_pence=st.one_of(st.none(), money), therapy_weekly_pence=st.one_of(st.none(), money),
    solo_premium_weekly_pence=st.one_of(st.none(), money), annual_uplift_bp=st.integers(0, 1_000),
    per_child=st.booleans())
needs = st.builds(PriceNeeds, one_to_one_hours=st.integers(0, 168), two_to_one_hours=st.integers(0, 168),
                  education=st.booleans(), therapy=st.booleans(), solo=st.booleans(), children=st.integers(1, 4))


@settings(max_examples=300, deadline=None)
@given(price_lists, needs, st.dates(D(2015, 1, 1), D(2030, 12, 31)))
def test_integer_pence_and_parts_add_up(pl: PriceParts, pn: PriceNeeds, start: dt.date) -> None:
    est = estimate([pl], pn, start, end=start + dt.timedelta(days=100))
    if start < pl.valid_from:
        assert est is None
        return
    values = (est.weekly_pence, est.annual_pence, est.to_end_pence, est.core_pence, est.one_to_one_pence)
    assert all(isinstance(v, int) and v >= 0 for v in values)
    parts = (est.core_pence + est.one_to_one_pence + est.two_to_one_pence + est.education_pence
             + est.therapy_pence + est.solo_pence)
    assert est.weekly_pence == parts
    assert est.weekly_pence >= pl.core_weekly_pence  # an uplift never lowers a price
    assert est.annual_pence == 52 * est.weekly_pence


@settings(max_examples=200, deadline=None)
@given(price_lists, needs, st.integers(0, 40), st.dates(D(2015, 1, 1), D(2030, 12, 31)))
def test_more_hours_never_cost_less(pl: PriceParts, pn: PriceNeeds, extra: int, start: dt.date) -> None:
    a = estimate([pl], pn, start)
    b = estimate([pl], PriceNeeds(pn.one_to_one_hours + extra, pn.two_to_one_hours + extra, pn.education,
                                  pn.therapy, pn.solo, pn.children), start)
    assert (a is None) == (b is None)
    if a is not None:
        assert b.weekly_pence >= a.weekly_pence


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(price_lists, max_size=3), min_size=1, max_size=6), needs,
       st.dates(D(2015, 1, 1), D(2030, 12, 31)))
def test_the_ranking_prices_as_the_estimate_does(lists: list[list[PriceParts]], pn: PriceNeeds,
                                                 start: dt.date) -> None:
    services = [MarketService(id=str(i), name=f"S{i}", service_type="childrens_home_external", sector="private",
                              prices=tuple(ls)) for i, ls in enumerate(lists)]
    request = MatchRequest(age_years=12, types_sought=("childrens_home_external",), start_date=start, price_needs=pn)
    weekly = weekly_estimates(MarketArrays.build(services), request)
    for i, ls in enumerate(lists):
        # ties on valid_from: the ranking takes the later row in the sorted order, as list_in_force does
        est = estimate(sorted(ls, key=lambda p: p.valid_from), pn, start)
        assert weekly[i] == (-1 if est is None else est.weekly_pence)
