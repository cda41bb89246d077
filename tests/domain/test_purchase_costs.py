"""The cost rule of spot agreements, to the penny: known answers across amendments, financial-year ends,
leap years and the 18th birthday, and the invariants (exact cost = the sum of its nights; splitting a
period moves the total by at most a penny a part; funders' pence add to the total)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.purchases import (
    Amendment,
    FundedPence,
    FundingSplit,
    Period,
    SpotAgreement,
    WeeklyPriceParts,
    amendment_in_force,
    anniversary,
    apportion,
    check_agreement,
    cost_for_full_year_from,
    cost_in_financial_year,
    cost_over,
    cost_to_end,
    financial_year,
    projections,
    round_half_up,
    weekly_cost_on,
    year_from,
)

D = dt.date
ONE = dt.timedelta(days=1)

# An IPA: core £5,200 + 10.5 hours of 1:1 at £28.50 (£299.25) + education £950 = £6,449.25 a week, paid 80%
# social care and 20% education; uplifted from 1 April 2026 to £6,700 (core £5,400, 1:1 at £29.50 =
# £309.75, education £990.25), with health taking 10%.
PRICE_2025 = WeeklyPriceParts(weekly_pence=644_925, core_pence=520_000, one_to_one_minutes=630,
                              one_to_one_hourly_pence=2_850, education_pence=95_000)
PRICE_2026 = WeeklyPriceParts(weekly_pence=670_000, core_pence=540_000, one_to_one_minutes=630,
                              one_to_one_hourly_pence=2_950, education_pence=99_025)
IPA = SpotAgreement(
    start=D(2025, 11, 3), planned_end=D(2027, 9, 1),
    amendments=(Amendment(D(2025, 11, 3), PRICE_2025, FundingSplit(80, 20, 0)),
                Amendment(D(2026, 4, 1), PRICE_2026, FundingSplit(70, 20, 10), reason="annual uplift")))


def core(weekly: int) -> WeeklyPriceParts:
    return WeeklyPriceParts.core_only(weekly)


def test_the_example_agreement_is_sound() -> None:
    assert check_agreement(IPA) == {}


def test_a_night_is_the_weekly_price_over_seven_rounded_once_per_period_not_per_night() -> None:
    agreement = SpotAgreement(D(2026, 5, 1), (Amendment(D(2026, 5, 1), core(100_000)),))
    one_night = cost_over(agreement, Period(D(2026, 5, 1), D(2026, 5, 2)))
    three = cost_over(agreement, Period(D(2026, 5, 1), D(2026, 5, 4)))
    assert (one_night.sevenths, one_night.pence) == (100_000, 14_286)  # 14,285.71p
    assert (three.sevenths, three.exact_pence, three.pence) == (300_000, Fraction(300_000, 7), 42_857)
    assert 3 * one_night.pence == 42_858  # rounding each night would be a penny out


def test_the_version_in_force_each_night_across_an_amendment() -> None:
    agreement = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 1, 1), core(70_000)),
                                              Amendment(D(2026, 1, 11), core(140_000))))
    cost = cost_over(agreement, Period(D(2026, 1, 1), D(2026, 1, 21)))
    assert cost.nights == 20 and cost.pence == 10 * 10_000 + 10 * 20_000
    assert amendment_in_force(agreement, D(2026, 1, 10)).weekly_pence == 70_000  # type: ignore[union-attr]
    assert amendment_in_force(agreement, D(2026, 1, 11)).weekly_pence == 140_000  # type: ignore[union-attr]


def test_two_amendments_on_one_date_the_later_recorded_wins() -> None:
    agreement = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 1, 1), core(70_000)),
                                              Amendment(D(2026, 1, 1), core(7_000))))
    assert cost_over(agreement, Period(D(2026, 1, 1), D(2026, 1, 8))).pence == 7_000


def test_a_period_is_clipped_to_the_agreements_own_nights() -> None:
    agreement = SpotAgreement(D(2026, 1, 10), (Amendment(D(2026, 1, 10), core(70_000)),), planned_end=D(2026, 1, 20),
                              ended_on=D(2026, 1, 15))
    cost = cost_over(agreement, Period(D(2026, 1, 1), D(2026, 2, 1)))
    assert cost.period == Period(D(2026, 1, 10), D(2026, 1, 15)) and cost.pence == 50_000  # ended_on wins
    assert cost_over(agreement, Period(D(2026, 3, 1), D(2026, 4, 1))).pence == 0


def test_this_financial_year_runs_1_april_to_31_march() -> None:
    assert financial_year(D(2026, 3, 31)) == Period(D(2025, 4, 1), D(2026, 4, 1))
    assert financial_year(D(2026, 4, 1)) == Period(D(2026, 4, 1), D(2027, 4, 1))
    fy = cost_in_financial_year(IPA, D(2026, 1, 15))
    # 3 November 2025 to 31 March 2026: 149 nights at £6,449.25: 96,093,825 / 7 = 13,727,689.29p
    assert (fy.nights, fy.sevenths, fy.pence) == (149, 96_093_825, 13_727_689)
    # 80/20: 10,982,151.2 and 2,745,537.8 -> the penny left goes to the larger remainder (education)
    assert fy.funders == FundedPence(10_982_151, 2_745_538, 0)
    next_fy = cost_in_financial_year(IPA, D(2026, 4, 1))
    # a whole 365-night year at £6,700: 244,550,000 / 7 = 34,935,714.29p
    assert (next_fy.nights, next_fy.pence) == (365, 34_935_714)
    # 70/20/10: 24,454,999.8 / 6,987,142.8 / 3,493,571.4: two pennies left, to the two .8s (tie: social care first)
    assert next_fy.funders == FundedPence(24_455_000, 6_987_143, 3_493_571)


def test_a_financial_year_the_agreement_ends_in_counts_only_its_nights() -> None:
    agreement = SpotAgreement(D(2026, 3, 25), (Amendment(D(2026, 3, 25), core(350_000)),), planned_end=D(2026, 4, 10))
    assert cost_in_financial_year(agreement, D(2026, 3, 30)).pence == 7 * 50_000  # 25 to 31 March
    assert cost_in_financial_year(agreement, D(2026, 4, 30)).pence == 9 * 50_000  # 1 to 9 April


def test_a_full_year_is_365_or_366_nights_never_52_weeks() -> None:
    agreement = SpotAgreement(D(2026, 4, 1), (Amendment(D(2026, 4, 1), core(100_000)),))
    plain = cost_for_full_year_from(agreement, D(2026, 4, 1))
    leap = cost_for_full_year_from(agreement, D(2027, 4, 1))  # holds 29 February 2028
    assert (plain.nights, plain.pence) == (365, 5_214_286)  # 36,500,000 / 7 = 5,214,285.71
    assert (leap.nights, leap.pence) == (366, 5_228_571)  # 36,600,000 / 7 = 5,228,571.43
    assert 52 * 100_000 == 5_200_000 != plain.pence
    assert cost_in_financial_year(agreement, D(2028, 2, 29)).nights == 366


def test_a_year_from_29_february_runs_to_1_march_and_holds_366_nights() -> None:
    assert year_from(D(2028, 2, 29)) == Period(D(2028, 2, 29), D(2029, 3, 1))
    assert year_from(D(2028, 2, 29)).nights == 366
    assert year_from(D(2028, 3, 1)).nights == 365 and year_from(D(2027, 3, 1)).nights == 366
    assert anniversary(D(2010, 2, 28), 18) == D(2028, 2, 28)


def test_a_full_year_straddling_an_uplift_prices_each_night_by_its_version() -> None:
    year = cost_for_full_year_from(IPA, D(2026, 1, 15))
    # 76 nights at £6,449.25 then 289 at £6,700: (49,014,300 + 193,630,000) / 7 = 34,663,471.43p
    assert (year.nights, year.sevenths, year.pence) == (365, 242_644_300, 34_663_471)


def test_a_full_year_is_an_annual_figure_not_cut_short_by_the_end() -> None:
    agreement = SpotAgreement(D(2026, 4, 1), (Amendment(D(2026, 4, 1), core(70_000)),), planned_end=D(2026, 5, 1))
    assert cost_for_full_year_from(agreement, D(2026, 4, 1)).nights == 365
    assert cost_for_full_year_from(agreement, D(2026, 1, 1)).period.start == D(2026, 4, 1)  # from its start


def test_to_the_end_stops_at_the_18th_birthday_whose_night_is_not_paid() -> None:
    to_end = cost_to_end(IPA, D(2026, 1, 15), eighteenth_birthday=D(2027, 3, 10))
    assert to_end is not None and to_end.until == "18th birthday"
    assert to_end.period == Period(D(2026, 1, 15), D(2027, 3, 10))  # last night paid: 9 March 2027
    # 76 nights at £6,449.25 + 343 at £6,700 = 278,824,300 / 7 = 39,832,042.86p
    assert (to_end.nights, to_end.sevenths, to_end.pence) == (419, 278_824_300, 39_832_043)
    # funders' exact shares 28,582,634.39 / 7,966,408.60 / 3,283,000.01: the penny left to education
    assert to_end.funders == FundedPence(28_582_634, 7_966_409, 3_283_000)


def test_to_the_end_takes_the_planned_end_when_it_comes_first_and_nothing_when_open() -> None:
    to_end = cost_to_end(IPA, D(2027, 8, 1), eighteenth_birthday=D(2030, 1, 1))
    assert to_end is not None and to_end.until == "planned end" and to_end.nights == 31
    assert to_end.pence == round_half_up(31 * 670_000, 7)
    ended = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 1, 1), core(70_000)),), planned_end=D(2027, 1, 1),
                          ended_on=D(2026, 2, 1))
    assert cost_to_end(ended, D(2026, 1, 1)).until == "ended"  # type: ignore[union-attr]
    open_ended = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 1, 1), core(70_000)),))
    assert cost_to_end(open_ended, D(2026, 1, 1)) is None
    assert cost_to_end(open_ended, D(2026, 1, 1), D(2026, 1, 8)).pence == 70_000  # type: ignore[union-attr]
    assert cost_to_end(ended, D(2026, 6, 1)).nights == 0  # type: ignore[union-attr]


def test_weekly_now_and_the_projections_bundle() -> None:
    assert weekly_cost_on(IPA, D(2026, 3, 31)) == FundedPence(515_940, 128_985, 0)  # 80/20 of £6,449.25
    assert weekly_cost_on(IPA, D(2026, 4, 1)) == FundedPence(469_000, 134_000, 67_000)
    assert weekly_cost_on(IPA, D(2025, 11, 2)).total == 0 == weekly_cost_on(IPA, D(2027, 9, 1)).total
    p = projections(IPA, D(2026, 1, 15), eighteenth_birthday=D(2027, 3, 10))
    assert (p.weekly.total, p.financial_year.pence, p.full_year.pence) == (644_925, 13_727_689, 34_663_471)
    assert p.to_end is not None and p.to_end.pence == 39_832_043


def test_nights_before_any_price_are_refused_by_the_check_and_by_the_sum() -> None:
    early = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 1, 5), core(70_000)),))
    assert "amendments" in check_agreement(early)
    with pytest.raises(ValueError, match="no amendment is in force on 01/01/2026"):
        cost_over(early, Period(D(2026, 1, 1), D(2026, 1, 10)))


def test_the_agreement_check_reports_by_field() -> None:
    bad = SpotAgreement(D(2026, 1, 1), (Amendment(D(2026, 3, 1), WeeklyPriceParts(100, 90), FundingSplit(50, 40, 0)),),
                        planned_end=D(2026, 2, 1))
    problems = check_agreement(bad)
    assert set(problems) == {"amendments", "amendments[0].effective_from", "amendments[0].price.weekly_pence",
                             "amendments[0].split.shares"}
    assert check_agreement(SpotAgreement(D(2026, 1, 1), ()))["amendments"].startswith("an agreement needs a price")
    assert "planned_end" in check_agreement(SpotAgreement(D(2026, 1, 1), IPA.amendments, planned_end=D(2026, 1, 1)))
    assert check_agreement(SpotAgreement("2026-01-01", ())) == {"start": "must be a date"}  # type: ignore[arg-type]


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(D(2026, 1, 2), D(2026, 1, 1))
    assert round_half_up(5, 10) == 1 and round_half_up(14, 10) == 1 and round_half_up(15, 10) == 2


# ---- invariants -------------------------------------------------------------------------------------------

BASE = D(2024, 1, 1)
offsets = st.integers(min_value=0, max_value=1_500)


@st.composite
def agreements(draw: st.DrawFn) -> SpotAgreement:
    start = BASE + dt.timedelta(days=draw(offsets))
    gaps = draw(st.lists(st.integers(min_value=1, max_value=400), max_size=5))
    froms = [start]
    for gap in gaps:
        froms.append(froms[-1] + dt.timedelta(days=gap))
    splits = st.sampled_from([FundingSplit(), FundingSplit(50, 30, 20), FundingSplit(33, 33, 34),
                              FundingSplit(0, 0, 100), FundingSplit(1, 99, 0)])
    amendments = tuple(Amendment(day, core(draw(st.integers(min_value=0, max_value=3_000_000))), draw(splits))
                       for day in froms)
    end = draw(st.none() | st.integers(min_value=1, max_value=2_000))
    return SpotAgreement(start, amendments, planned_end=None if end is None else start + dt.timedelta(days=end))


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = BASE + dt.timedelta(days=draw(offsets))
    return Period(start, start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=1_200))))


def night_by_night(agreement: SpotAgreement, period: Period) -> Fraction:
    """The reference: each night in turn, the weekly price in force that night over 7."""
    return sum((funder for funder in funders_night_by_night(agreement, period)), Fraction(0))


def funders_night_by_night(agreement: SpotAgreement, period: Period) -> tuple[Fraction, Fraction, Fraction]:
    """Each funder's exact share, night by night: the night's price over 7 times its percentage."""
    shares = [Fraction(0)] * 3
    for night in period.each_night():
        version = amendment_in_force(agreement, night)
        if version is not None:
            for k, pct in enumerate(version.split.shares):
                shares[k] += Fraction(version.weekly_pence * pct, 700)
    return shares[0], shares[1], shares[2]


@settings(max_examples=200, deadline=None)
@given(agreements(), periods())
def test_before_rounding_a_periods_cost_is_exactly_the_sum_of_its_nights(agreement: SpotAgreement,
                                                                       period: Period) -> None:
    cost = cost_over(agreement, period)
    assert cost.exact_pence == night_by_night(agreement, period)
    assert cost.pence == round_half_up(cost.sevenths, 7) and abs(cost.exact_pence - cost.pence) <= Fraction(1, 2)
    assert cost.funders.total == cost.pence and min(cost.funders.as_dict().values()) >= 0
    exact = funders_night_by_night(agreement, period.clip(agreement.start, agreement.end))
    if cost.sevenths:  # the rounded total shared by largest remainder in proportion to the exact shares
        weights = [int(share * 700) for share in exact]
        assert cost.funders == FundedPence(*apportion(cost.pence, weights))


@settings(max_examples=200, deadline=None)
@given(agreements(), periods(), st.lists(st.integers(min_value=0, max_value=1_200), max_size=8))
def test_splitting_a_period_moves_the_total_by_at_most_a_penny_a_part(agreement: SpotAgreement, period: Period,
                                                                     cuts: list[int]) -> None:
    days = sorted({period.start + dt.timedelta(days=c % (period.nights + 1)) for c in cuts} | {period.start, period.end})
    parts = [cost_over(agreement, Period(a, b)) for a, b in zip(days, days[1:], strict=False)]
    whole = cost_over(agreement, period)
    assert sum(p.sevenths for p in parts) == whole.sevenths  # exactly equal before rounding
    moved = abs(sum(p.pence for p in parts) - whole.pence)
    assert moved <= len(parts) and 2 * moved <= len(parts) + 1  # a penny a part; in fact under half of one each


@settings(max_examples=100, deadline=None)
@given(agreements(), st.integers(min_value=0, max_value=2_000))
def test_a_financial_year_is_the_sum_of_its_nights_and_a_full_year_its_365_or_366(agreement: SpotAgreement,
                                                                                  offset: int) -> None:
    day = BASE + dt.timedelta(days=offset)
    fy = financial_year(day)
    assert fy.nights in (365, 366) and fy.start.month == 4 and fy.start.day == 1 and day in fy
    assert cost_in_financial_year(agreement, day).exact_pence == night_by_night(
        agreement, fy.clip(agreement.start, agreement.end))
    year = cost_for_full_year_from(agreement, day)
    leap_day = any(n.month == 2 and n.day == 29 for n in year.period.each_night())
    assert year.nights == (366 if leap_day else 365)
