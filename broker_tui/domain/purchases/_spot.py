"""Spot agreements (IPAs): amendments as dated versions, and the cost rule, exact to the penny.

The cost rule (issue 11):
- a night costs the weekly price in force that night divided by 7, held exactly: a period's exact cost
  is (the sum over its nights of the weekly pence in force) / 7, an integer numerator divided once;
- the version in force on a night is the amendment with the latest ``effective_from`` on or before it
  (two on one date: the one recorded later, i.e. later in ``amendments``);
- a reported period's cost is rounded half up to the penny ONCE, and split between the funders by
  largest remainder in proportion to each funder's exact share of it (with one split throughout that is
  the split's percentages; ties: social care, education, health);
- a full year is its 365 or 366 nights, never 52 weeks; a financial year runs 1 April to 31 March.

Periods are half-open [start, end); an agreement covers [start, end) where end is ``ended_on``, else
``planned_end``, else it is open. Computed per version segment (nights x weekly pence), never per night.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from broker_tui.domain.dates import format_date
from broker_tui.domain.purchases._funding import (
    NOTHING,
    SOCIAL_CARE_ONLY,
    FundedPence,
    FundingSplit,
    check_funding_split,
    split_by_weights,
    split_pence,
)
from broker_tui.domain.purchases._parts import WeeklyPriceParts, check_price_parts
from broker_tui.domain.purchases._period import Cost, Period, financial_year, year_from


@dataclass(frozen=True, slots=True)
class Amendment:
    """One version of a spot agreement: its weekly price and parts and its funding split, in force from
    ``effective_from`` (the first amendment is the agreement as made)."""

    effective_from: dt.date
    price: WeeklyPriceParts
    split: FundingSplit = SOCIAL_CARE_ONLY
    reason: str = ""

    @property
    def weekly_pence(self) -> int:
        return self.price.weekly_pence


@dataclass(frozen=True)
class SpotAgreement:
    """An individual placement agreement: the nights [start, end) at the prices of its amendments."""

    start: dt.date
    amendments: tuple[Amendment, ...]
    planned_end: dt.date | None = None
    ended_on: dt.date | None = None
    reference: str = field(default="", compare=False)

    @property
    def end(self) -> dt.date | None:
        """The first night not bought: ended_on, else planned_end, else None (open)."""
        return self.ended_on if self.ended_on is not None else self.planned_end

    @cached_property
    def _timeline(self) -> tuple[tuple[dt.date, ...], tuple[Amendment, ...], tuple[tuple[int, int, int, int], ...]]:
        """The versions by date (one a date), and each one's (weekly pence, care %, education %, health %)."""
        versions = self.amendments
        dates = tuple([a.effective_from for a in versions])
        if sorted(set(dates)) != list(dates):  # not one a date in order: sort, the later recorded winning a tie
            latest: dict[dt.date, Amendment] = {}
            for amendment in versions:
                latest[amendment.effective_from] = amendment
            dates = tuple(sorted(latest))
            versions = tuple(latest[d] for d in dates)
        rates = tuple([(a.price.weekly_pence, a.split.social_care_pct, a.split.education_pct, a.split.health_pct)
                       for a in versions])
        return dates, versions, rates


@dataclass(frozen=True, slots=True)
class AgreementCost(Cost):
    """A period's cost of an agreement, and who pays it (the funders' pence add to ``pence``)."""

    funders: FundedPence


@dataclass(frozen=True, slots=True)
class ToEndCost(AgreementCost):
    """The cost to the end of the agreement, and what ends it: 'ended', 'planned end' or '18th birthday'."""

    until: str


@dataclass(frozen=True, slots=True)
class Projections:
    """An agreement's figures on a day: the weekly price in force, this financial year, a full year from
    the day, and to its end (None while it has no end and no 18th birthday is known)."""

    weekly: FundedPence
    financial_year: AgreementCost
    full_year: AgreementCost
    to_end: ToEndCost | None


def amendment_in_force(agreement: SpotAgreement, night: dt.date) -> Amendment | None:
    """The amendment in force on a night: the latest effective_from on or before it (None: none yet, or
    the night is outside the agreement's [start, end))."""
    if night < agreement.start or (agreement.end is not None and night >= agreement.end):
        return None
    dates, versions, _ = agreement._timeline
    i = bisect_right(dates, night) - 1
    return versions[i] if i >= 0 else None


def _priced(agreement: SpotAgreement, period: Period) -> AgreementCost:
    """The cost of exactly these nights (already clipped), version segment by version segment."""
    dates, _, rates = agreement._timeline
    sevenths = care = education = health = 0
    night, end = period.start, period.end
    if night < end:  # version_segments' walk, written out: this is the hot path of every projection
        i = bisect_right(dates, night) - 1
        if i < 0:
            raise ValueError(f"no amendment is in force on {format_date(night)}: the agreement's first "
                             f"price takes effect on {format_date(dates[0]) if dates else 'no date'}")
        last = len(dates) - 1
        while night < end:
            upto = dates[i + 1] if i < last and dates[i + 1] < end else end
            weekly, care_pct, education_pct, health_pct = rates[i]
            amount = (upto - night).days * weekly
            sevenths += amount
            care += amount * care_pct
            education += amount * education_pct
            health += amount * health_pct
            night, i = upto, i + 1
    pence = (2 * sevenths + 7) // 14  # round_half_up(sevenths, 7)
    return AgreementCost(period, sevenths, pence, split_by_weights(pence, care, education, health))


def cost_over(agreement: SpotAgreement, period: Period) -> AgreementCost:
    """The cost of the nights of ``period`` the agreement covers (clipped to its [start, end)): the sum
    over those nights of the weekly price in force / 7, exact, rounded half up once, split by funder."""
    return _priced(agreement, period.clip(agreement.start, agreement.end))


def weekly_cost_on(agreement: SpotAgreement, day: dt.date) -> FundedPence:
    """The weekly price in force on ``day``, split by funder (nothing outside the agreement's nights)."""
    version = amendment_in_force(agreement, day)
    return NOTHING if version is None else split_pence(version.weekly_pence, version.split)


def cost_in_financial_year(agreement: SpotAgreement, day: dt.date) -> AgreementCost:
    """The cost of the agreement's nights in the UK financial year holding ``day`` (1 April to 31 March),
    the whole year clipped to the agreement (not just the rest of it from ``day``)."""
    return cost_over(agreement, financial_year(day))


def cost_for_full_year_from(agreement: SpotAgreement, day: dt.date) -> AgreementCost:
    """A full year's cost: the 365 or 366 nights from ``day`` (from the start if it is later) at the
    version in force each night. An annual figure: the agreement's end does NOT cut it short (use
    cost_over with year_from for the nights actually bought)."""
    return _priced(agreement, year_from(max(day, agreement.start)))


def cost_to_end(agreement: SpotAgreement, day: dt.date,
                eighteenth_birthday: dt.date | None = None) -> ToEndCost | None:
    """The cost from ``day`` (or the start, if later) to whichever comes first: the agreement's end
    (ended_on, else planned_end) or the child's 18th birthday. The night of the 18th birthday is NOT
    paid: that day the child is no longer a child, so the period is [day, 18th birthday). None when the
    agreement is open and no 18th birthday is known. A tie is put down to the agreement's end."""
    end, until = agreement.end, "ended" if agreement.ended_on is not None else "planned end"
    if eighteenth_birthday is not None and (end is None or eighteenth_birthday < end):
        end, until = eighteenth_birthday, "18th birthday"
    if end is None:
        return None
    start = max(day, agreement.start)
    cost = _priced(agreement, Period(start, max(start, end)))
    return ToEndCost(cost.period, cost.sevenths, cost.pence, cost.funders, until)


def projections(agreement: SpotAgreement, day: dt.date,
                eighteenth_birthday: dt.date | None = None) -> Projections:
    """Weekly now, this financial year, a full year from ``day``, and to the end or the 18th birthday."""
    return Projections(weekly=weekly_cost_on(agreement, day),
                       financial_year=cost_in_financial_year(agreement, day),
                       full_year=cost_for_full_year_from(agreement, day),
                       to_end=cost_to_end(agreement, day, eighteenth_birthday))


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def check_agreement(agreement: SpotAgreement) -> dict[str, str]:
    """Every problem with an agreement and its amendments, by field (empty: sound). Never raises.

    Dates must be dates; planned_end and ended_on after the start (a placement of no nights is cancelled,
    not ended); at least one amendment; the first in force on the start day; none taking effect on or
    after the end; each amendment's price (check_price_parts) and split (check_funding_split) sound,
    reported as 'amendments[i].field'.
    """
    problems: dict[str, str] = {}
    start = getattr(agreement, "start", None)
    if not _is_date(start):
        return {"start": "must be a date"}
    assert isinstance(start, dt.date)
    for name in ("planned_end", "ended_on"):
        value = getattr(agreement, name, None)
        if value is None:
            continue
        if not _is_date(value):
            problems[name] = "must be a date"
        elif value <= start:
            problems[name] = f"is not after the start ({format_date(start)}): a placement needs a night"
    amendments = getattr(agreement, "amendments", ())
    if not isinstance(amendments, tuple | list) or not amendments:
        problems["amendments"] = "an agreement needs a price: give at least one amendment"
        return problems
    end = None if problems else agreement.end
    effective: list[dt.date] = []
    for i, amendment in enumerate(amendments):
        where = f"amendments[{i}]"
        if not isinstance(amendment, Amendment):
            problems[where] = f"must be an amendment, not {type(amendment).__name__}"
            continue
        if not _is_date(amendment.effective_from):
            problems[f"{where}.effective_from"] = "must be a date"
        else:
            effective.append(amendment.effective_from)
            if end is not None and amendment.effective_from >= end:
                problems[f"{where}.effective_from"] = (f"is on or after the agreement's end "
                                                       f"({format_date(end)}): it would never be in force")
        for name, problem in check_price_parts(amendment.price).items():
            problems[f"{where}.price.{name}"] = problem
        for name, problem in check_funding_split(amendment.split).items():
            problems[f"{where}.split.{name}"] = problem
    if effective and min(effective) > start:
        problems["amendments"] = (f"the first price takes effect on {format_date(min(effective))}, after the "
                                  f"start ({format_date(start)}): the nights before it have no price")
    return problems
