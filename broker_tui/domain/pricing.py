"""The likely cost of a placement: a price list's parts for what the child needs, weekly and over time.

Estimate = core weekly fee
         + expected 1:1 hours a week x the 1:1 hourly rate
         + expected 2:1 hours a week x the 2:1 hourly rate
         + the education fee (when education is needed) + the therapy fee (when therapy is needed)
         + the solo premium (when a solo placement is needed),
all times the number of children for a sibling group placed together when the list prices each child,
from the price list in force on the start date (the latest ``valid_from`` on or before it whose
``valid_to`` is empty or not before it), each part raised by the list's annual uplift once for every
whole year from ``valid_from`` to the start date (domain.money.apply_uplift, rounding half up each year).

Conventions (integer pence throughout):
- annual = weekly x 52 (a 52-week year, as council budgets count it; not 365/7);
- to the end = weekly x days / 7, rounded half up to the penny, where days run from the start date to
  the planned end (start + expected duration) or, when none is given or it is later, the 18th birthday;
- a part the child needs that the list does not price (say 1:1 hours with no 1:1 rate) counts as £0 and
  is named in ``unpriced`` so the screen can say the estimate is short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from broker_tui.domain.money import apply_uplift

WEEKS_IN_YEAR = 52


@dataclass(frozen=True)
class PriceParts:
    """One price list of a service (the domain's copy of a price_list row)."""

    valid_from: dt.date
    core_weekly_pence: int
    valid_to: dt.date | None = None
    one_to_one_hourly_pence: int | None = None
    two_to_one_hourly_pence: int | None = None
    education_weekly_pence: int | None = None
    therapy_weekly_pence: int | None = None
    solo_premium_weekly_pence: int | None = None
    annual_uplift_bp: int = 0
    per_child: bool = True  # the fee is for each child placed (a sibling group pays it for each)

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


@dataclass(frozen=True)
class PriceNeeds:
    """What the child needs that a price list charges for."""

    one_to_one_hours: int = 0
    two_to_one_hours: int = 0
    education: bool = False
    therapy: bool = False
    solo: bool = False
    children: int = 1  # a sibling group placed together


@dataclass(frozen=True)
class PriceEstimate:
    list_valid_from: dt.date
    uplift_years: int
    core_pence: int
    one_to_one_pence: int
    two_to_one_pence: int
    education_pence: int
    therapy_pence: int
    solo_pence: int
    weekly_pence: int
    annual_pence: int
    start_date: dt.date
    end_date: dt.date | None
    end_is_18th: bool
    to_end_pence: int | None
    budget_weekly_pence: int | None
    unpriced: tuple[str, ...] = ()

    @property
    def over_budget_pence(self) -> int | None:
        """Weekly estimate minus the budget (negative: under budget); None without a budget."""
        return None if self.budget_weekly_pence is None else self.weekly_pence - self.budget_weekly_pence

    @property
    def within_budget(self) -> bool | None:
        over = self.over_budget_pence
        return None if over is None else over <= 0


def list_in_force(lists: Iterable[PriceParts], day: dt.date) -> PriceParts | None:
    """The list in force on ``day``: the latest valid_from on or before it that has not ended."""
    best: PriceParts | None = None
    for p in lists:
        if p.in_force_on(day) and (best is None or p.valid_from >= best.valid_from):
            best = p
    return best


def whole_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (anniversaries passed); 0 when end is before start."""
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(0, years)


def to_end_pence(weekly_pence: int, start: dt.date, end: dt.date) -> int:
    """The weekly price over the days from start to end, rounded half up to the penny."""
    days = max(0, (end - start).days)
    return (weekly_pence * days * 2 + 7) // 14


def estimate(lists: Iterable[PriceParts], needs: PriceNeeds, start: dt.date, *, end: dt.date | None = None,
             end_is_18th: bool = False, budget_weekly_pence: int | None = None) -> PriceEstimate | None:
    """The estimate from the list in force on ``start``; None when the service has no list then."""
    pl = list_in_force(lists, start)
    if pl is None:
        return None
    years = whole_years(pl.valid_from, start)

    def up(pence: int | None) -> int:
        return apply_uplift(pence, pl.annual_uplift_bp, years) if pence else 0

    unpriced: list[str] = []

    def part(needed: bool, pence: int | None, what: str, times: int = 1) -> int:
        if not needed:
            return 0
        if pence is None:
            unpriced.append(what)
            return 0
        return up(pence) * times

    core = up(pl.core_weekly_pence)
    one = part(needs.one_to_one_hours > 0, pl.one_to_one_hourly_pence, "1:1 hours", needs.one_to_one_hours)
    two = part(needs.two_to_one_hours > 0, pl.two_to_one_hourly_pence, "2:1 hours", needs.two_to_one_hours)
    edu = part(needs.education, pl.education_weekly_pence, "education")
    ther = part(needs.therapy, pl.therapy_weekly_pence, "therapy")
    solo = part(needs.solo, pl.solo_premium_weekly_pence, "solo premium")
    weekly = core + one + two + edu + ther + solo
    if pl.per_child and needs.children > 1:
        core, one, two, edu, ther, solo = (v * needs.children for v in (core, one, two, edu, ther, solo))
        weekly *= needs.children
    return PriceEstimate(
        list_valid_from=pl.valid_from, uplift_years=years, core_pence=core, one_to_one_pence=one,
        two_to_one_pence=two, education_pence=edu, therapy_pence=ther, solo_pence=solo, weekly_pence=weekly,
        annual_pence=weekly * WEEKS_IN_YEAR, start_date=start, end_date=end, end_is_18th=end_is_18th,
        to_end_pence=to_end_pence(weekly, start, end) if end is not None else None,
        budget_weekly_pence=budget_weekly_pence, unpriced=tuple(unpriced))
