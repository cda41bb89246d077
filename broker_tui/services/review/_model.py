"""What the 16+ review hands the screen, the workbook and the JSON: plain frozen figures, money in whole
pence, dates as dates, utilisation as exact fractions (``to_json`` gives percentages to 0.1). Children
appear only as case references. Every list is in a stable order (cohort, then reference or key)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from broker_tui.domain.review import Spread


def plain(value: Any) -> Any:
    """A figure as JSON holds it: dates ISO, ids as text, fractions as percentages to 0.1."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Fraction):
        return round(float(value) * 100, 1)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def percent(value: Fraction | None) -> str:
    """'87.5%' (one decimal, half up as Python's round on the exact value's float) or '–'."""
    return "–" if value is None else f"{float(value) * 100:.1f}%"


@dataclass(frozen=True)
class ReviewPeriod:
    first_day: dt.date  # the first night counted
    last_day: dt.date  # the last night counted (inclusive)

    @property
    def end(self) -> dt.date:
        """The first night not counted (half-open, as every period in domain.purchases)."""
        return self.last_day + dt.timedelta(days=1)

    @property
    def nights(self) -> int:
        return (self.end - self.first_day).days


@dataclass(frozen=True)
class VoidSplit:
    """Empty unit-days of one kind (domain.review.VOID_KINDS) and what they cost."""

    kind: str
    label: str
    unit_days: int
    cost_pence: int


@dataclass(frozen=True)
class MonthUse:
    month: dt.date  # the first of the month
    available_unit_days: int
    occupied_unit_days: int
    paid_pence: int

    @property
    def utilisation(self) -> Fraction | None:
        return Fraction(self.occupied_unit_days, self.available_unit_days) if self.available_unit_days else None


@dataclass(frozen=True)
class PriceSpan:
    """The unit price and units paid for from ``effective_from`` (a term in force during the period)."""

    effective_from: dt.date
    units: int
    unit_weekly_pence: int
    change: str  # 'as made', 'uplift 3.5%', 'extension to 31/03/2027', ...


@dataclass(frozen=True)
class ContractReview:
    id: uuid.UUID
    reference: str
    name: str
    provider_name: str
    service_name: str
    cohort: str
    category: str
    category_label: str
    starts_on: dt.date
    ends_on: dt.date  # the first day not covered (extensions counted)
    status: str  # not_started | active | ended (on the day the review is made)
    units_now: int  # paid for today (0 once ended)
    unit_weekly_pence_now: int | None
    prices: tuple[PriceSpan, ...]  # the terms in force on some night of the period
    available_unit_days: int
    occupied_unit_days: int
    voids: tuple[VoidSplit, ...]  # one per void kind, in VOID_KINDS order
    paid_pence: int
    void_cost_pence: int
    cost_per_occupied_week_pence: int | None
    young_people: int  # children with a night in the contract in the period
    placements: int
    average_stay_days: float | None  # of the stays that ended in the period (None: none ended)
    endings: dict[str, int]  # reason code -> stays ended in the period
    qa_rag: str | None  # the latest QA rating on the contract or its service (red | amber | green)
    qa_held_on: dt.date | None
    open_actions: int
    overdue_actions: int
    extension_option: str
    extensions: tuple[dt.date, ...]  # the dates an extension was taken from
    comparable_spot_median_pence: int | None  # same cohort, category and the core-only band
    comparable_spot_count: int
    block_saving_pence: int | None  # (spot median x occupied weeks) - paid: above 0 the block saved
    monthly: tuple[MonthUse, ...]

    @property
    def utilisation(self) -> Fraction | None:
        return Fraction(self.occupied_unit_days, self.available_unit_days) if self.available_unit_days else None

    @property
    def void_unit_days(self) -> int:
        return self.available_unit_days - self.occupied_unit_days

    @property
    def last_day(self) -> dt.date:
        return self.ends_on - dt.timedelta(days=1)


@dataclass(frozen=True)
class SpotLine:
    """A 16+ spot agreement with a night in the period; its weekly price and band are those in force on its
    last night in the period."""

    agreement_id: uuid.UUID
    case_ref: str
    provider_name: str
    service_name: str
    cohort: str
    category: str
    category_label: str
    band: str
    band_label: str
    start_date: dt.date
    end_date: dt.date | None  # the first night not bought (None: open)
    weekly_pence: int
    support_minutes: int  # 1:1 + 2:1 minutes a week
    nights: int  # nights in the period
    paid_pence: int  # the period's nights, exact, rounded once


@dataclass(frozen=True)
class SpotGroup:
    """The spread of weekly prices of one cohort's spot lines grouped by category, band or provider."""

    cohort: str
    by: str  # category | band | provider
    key: str
    label: str
    spread: Spread
    paid_pence: int


@dataclass(frozen=True)
class SizeReview:
    """The right block size for one cohort and category (``note`` says why it could not be worked)."""

    cohort: str
    category: str
    category_label: str
    nights: int
    units_now: int  # units the category's blocks hold at the period's end
    peak: int
    average_placed: float  # young people a night, on average
    unit_weekly_pence: int | None  # the blocks' average unit price over the period (paid / unit-days)
    spot_weekly_pence: int | None  # the median weekly price of the category's spot lines
    costs_pence: tuple[int, ...]  # cost(k) for k = 0, 1, ...
    best_k: int | None
    best_pence: int | None
    actual_pence: int  # what the category's blocks and spot agreements were paid over the period
    saving_pence: int | None  # actual - best: what the best size would have saved
    note: str = ""


@dataclass(frozen=True)
class EndingContract:
    contract_id: uuid.UUID
    reference: str
    name: str
    cohort: str
    category_label: str
    ends_on: dt.date
    within_months: int  # 3, 6 or 12
    units: int
    occupied: int  # young people in it today
    block_weekly_pence: int  # units x unit price now
    spot_median_pence: int | None  # today's median weekly price of comparable running spot agreements
    replace_weekly_pence: int | None  # today's young people bought spot at that median
    replace_year_pence: int | None  # the same for a year (365 nights)


@dataclass(frozen=True)
class MonthSpend:
    month: dt.date
    cohort: str
    block_pence: int
    spot_pence: int


@dataclass(frozen=True)
class CohortTotals:
    cohort: str
    label: str
    contracts: int
    units_now: int
    available_unit_days: int
    occupied_unit_days: int
    void_cost_pence: int
    block_paid_pence: int
    spot_agreements: int
    spot_paid_pence: int

    @property
    def utilisation(self) -> Fraction | None:
        return Fraction(self.occupied_unit_days, self.available_unit_days) if self.available_unit_days else None


@dataclass(frozen=True)
class Review:
    period: ReviewPeriod
    made_on: dt.date
    cohorts: dict[str, str]  # key -> label
    totals: tuple[CohortTotals, ...]
    contracts: tuple[ContractReview, ...]
    spot_lines: tuple[SpotLine, ...]
    spot_groups: tuple[SpotGroup, ...]
    sizes: tuple[SizeReview, ...]
    endings: tuple[EndingContract, ...]
    spend: tuple[MonthSpend, ...]
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(self)
        for item, contract in zip(out["contracts"], self.contracts, strict=True):
            item["utilisation_pct"] = plain(contract.utilisation)
            item["void_unit_days"] = contract.void_unit_days
            for month, use in zip(item["monthly"], contract.monthly, strict=True):
                month["utilisation_pct"] = plain(use.utilisation)
        for item, total in zip(out["totals"], self.totals, strict=True):
            item["utilisation_pct"] = plain(total.utilisation)
        out["period"]["nights"] = self.period.nights
        return out
