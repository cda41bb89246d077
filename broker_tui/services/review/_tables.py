"""The 16+ review laid out as the tables every export writes (a CSV each, a sheet each), one row per figure's
subject, with typed cells: whole pence as ``Money``, utilisation as a Fraction, dates as dates, counts as
ints, averages as floats, text as text. The two cohorts are columns or rows of their own, never summed as
one. Children appear only as case references (the Review holds nothing else about them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from broker_tui.domain.text_rules import printable, spreadsheet_safe
from broker_tui.services.review._model import Review


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in whole pence (written as pounds to the penny, exactly)."""

    pence: int


Value = str | int | float | Fraction | dt.date | Money | None
Row = tuple[Value, ...]


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's file name without .csv
    title: str  # the sheet's name (31 characters at most)
    header: tuple[str, ...]
    rows: list[Row]


def money(pence: int | None) -> Money | None:
    return None if pence is None else Money(pence)


def period_rows(review: Review) -> list[Row]:
    """(item, value): the period and the day the review was made."""
    period = review.period
    return [("First night", period.first_day), ("Last night", period.last_day), ("Nights", period.nights),
            ("Made on", review.made_on)]


def cohort_grid(review: Review) -> list[Row]:
    """Each cohort's totals side by side: a header row (figure, each cohort), then a row per figure. There is
    no column adding the cohorts up."""
    totals = review.totals
    rows: list[Row] = [("Figure", *(t.label for t in totals))]
    for label, get in (
            ("Block contracts", lambda t: t.contracts), ("Units paid for now", lambda t: t.units_now),
            ("Available unit-days", lambda t: t.available_unit_days),
            ("Occupied unit-days", lambda t: t.occupied_unit_days), ("Utilisation", lambda t: t.utilisation),
            ("Void unit-days", lambda t: t.available_unit_days - t.occupied_unit_days),
            ("Void cost", lambda t: Money(t.void_cost_pence)), ("Block paid", lambda t: Money(t.block_paid_pence)),
            ("Spot agreements", lambda t: t.spot_agreements), ("Spot paid", lambda t: Money(t.spot_paid_pence))):
        rows.append((label, *(get(t) for t in totals)))
    return rows


def _totals(review: Review) -> Table:
    return Table("totals", "Totals", (
        "Cohort", "Block contracts", "Units paid for now", "Available unit-days", "Occupied unit-days",
        "Utilisation", "Void unit-days", "Void cost", "Block paid", "Spot agreements", "Spot paid"), [
        (t.label, t.contracts, t.units_now, t.available_unit_days, t.occupied_unit_days, t.utilisation,
         t.available_unit_days - t.occupied_unit_days, Money(t.void_cost_pence), Money(t.block_paid_pence),
         t.spot_agreements, Money(t.spot_paid_pence)) for t in review.totals])


def _contracts(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("contracts", "Contracts", (
        "Cohort", "Reference", "Name", "Provider", "Service", "Category", "Starts on",
        "Ends on (first day not covered)", "Status", "Units now", "Unit weekly price now", "Available unit-days",
        "Occupied unit-days", "Void unit-days", "Utilisation", "Paid", "Void cost", "Cost per occupied week",
        "Young people", "Placements", "Average stay (days)", "Endings (reason: stays)", "QA rating", "QA held on",
        "Open actions", "Overdue actions", "Extension option", "Extensions taken from", "Comparable spot median",
        "Comparable spot agreements", "Block saving"), [
        (cohort(c.cohort, c.cohort), c.reference, c.name, c.provider_name, c.service_name, c.category_label,
         c.starts_on, c.ends_on, c.status.replace("_", " "), c.units_now, money(c.unit_weekly_pence_now),
         c.available_unit_days, c.occupied_unit_days, c.void_unit_days, c.utilisation, Money(c.paid_pence),
         Money(c.void_cost_pence), money(c.cost_per_occupied_week_pence), c.young_people, c.placements,
         c.average_stay_days, "; ".join(f"{code}: {n}" for code, n in sorted(c.endings.items())),
         c.qa_rag or "", c.qa_held_on, c.open_actions, c.overdue_actions, c.extension_option,
         ", ".join(day.isoformat() for day in c.extensions), money(c.comparable_spot_median_pence),
         c.comparable_spot_count, money(c.block_saving_pence)) for c in review.contracts])


def _voids(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("voids", "Voids", ("Cohort", "Reference", "Kind", "Why empty", "Unit-days", "Cost"), [
        (cohort(c.cohort, c.cohort), c.reference, v.kind, v.label, v.unit_days, Money(v.cost_pence))
        for c in review.contracts for v in c.voids])


def _months(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("contract_months", "Contract months", (
        "Cohort", "Reference", "Month", "Available unit-days", "Occupied unit-days", "Utilisation", "Paid"), [
        (cohort(c.cohort, c.cohort), c.reference, m.month, m.available_unit_days, m.occupied_unit_days,
         m.utilisation, Money(m.paid_pence)) for c in review.contracts for m in c.monthly])


def _prices(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("prices", "Prices", ("Cohort", "Reference", "From", "Units", "Unit weekly price", "Change"), [
        (cohort(c.cohort, c.cohort), c.reference, p.effective_from, p.units, Money(p.unit_weekly_pence), p.change)
        for c in review.contracts for p in c.prices])


def _spot_lines(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("spot_lines", "Spot lines", (
        "Cohort", "Case reference", "Provider", "Service", "Category", "Support band", "Start",
        "End (first night not bought)", "Weekly price", "Support minutes a week", "Nights in the period", "Paid"), [
        (cohort(s.cohort, s.cohort), s.case_ref, s.provider_name, s.service_name, s.category_label, s.band_label,
         s.start_date, s.end_date, Money(s.weekly_pence), s.support_minutes, s.nights, Money(s.paid_pence))
        for s in review.spot_lines])


def _spot_groups(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("spot_groups", "Spot groups", (
        "Cohort", "Grouped by", "Group", "Agreements", "Lowest weekly", "Lower quartile", "Median", "Upper quartile",
        "Highest weekly", "Paid"), [
        (cohort(g.cohort, g.cohort), g.by, g.label, g.spread.count, money(g.spread.minimum),
         money(g.spread.lower_quartile), money(g.spread.median), money(g.spread.upper_quartile),
         money(g.spread.maximum), Money(g.paid_pence)) for g in review.spot_groups])


def _block_vs_spot(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("block_vs_spot", "Block vs spot", (
        "Cohort", "Reference", "Category", "Occupied unit-days", "Utilisation", "Paid", "Cost per occupied week",
        "Comparable spot median (core only)", "Comparable spot agreements", "Block saving (above 0: the block saved)"), [
        (cohort(c.cohort, c.cohort), c.reference, c.category_label, c.occupied_unit_days, c.utilisation,
         Money(c.paid_pence), money(c.cost_per_occupied_week_pence), money(c.comparable_spot_median_pence),
         c.comparable_spot_count, money(c.block_saving_pence)) for c in review.contracts])


def _block_size(review: Review) -> Table:
    """One row per cohort, category and k units (with the category's figures repeated), the best flagged;
    a category that could not be worked is one row with its note."""
    cohort = review.cohorts.get
    rows: list[Row] = []
    for s in review.sizes:
        facts: Row = (s.units_now, s.peak, s.average_placed, money(s.unit_weekly_pence),
                      money(s.spot_weekly_pence), Money(s.actual_pence), money(s.saving_pence))
        if not s.costs_pence:
            rows.append((cohort(s.cohort, s.cohort), s.category_label, None, None, "", *facts, s.note))
        for k, cost in enumerate(s.costs_pence):
            rows.append((cohort(s.cohort, s.cohort), s.category_label, k, Money(cost),
                         "best" if k == s.best_k else "", *facts, s.note))
    return Table("block_size", "Block size", (
        "Cohort", "Category", "Units (k)", "Cost with k units", "Best", "Units now", "Peak young people",
        "Average young people a night", "Block unit weekly price", "Spot median weekly", "Actually paid",
        "Saving at the best size", "Note"), rows)


def _endings(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("endings", "Endings", (
        "Cohort", "Reference", "Name", "Category", "Ends on (first day not covered)", "Within (months)", "Units",
        "Young people now", "Block weekly now", "Spot median weekly", "Replacement weekly", "Replacement a year"), [
        (cohort(e.cohort, e.cohort), e.reference, e.name, e.category_label, e.ends_on, e.within_months, e.units,
         e.occupied, Money(e.block_weekly_pence), money(e.spot_median_pence), money(e.replace_weekly_pence),
         money(e.replace_year_pence)) for e in review.endings])


def _spend(review: Review) -> Table:
    cohort = review.cohorts.get
    return Table("spend_by_month", "Spend by month", ("Cohort", "Month", "Block", "Spot", "Block and spot"), [
        (cohort(m.cohort, m.cohort), m.month, Money(m.block_pence), Money(m.spot_pence),
         Money(m.block_pence + m.spot_pence)) for m in review.spend])


def _assumptions(review: Review) -> Table:
    return Table("assumptions", "Assumptions", ("Number", "Assumption"),
                 [(i, text) for i, text in enumerate(review.assumptions, 1)])


def tables(review: Review) -> list[Table]:
    """Every table, the summary first."""
    summary = Table("summary", "Summary", ("Item", "Value"), period_rows(review))
    return [summary, *(make(review) for make in (
        _totals, _contracts, _voids, _months, _prices, _spot_lines, _spot_groups, _block_vs_spot, _block_size,
        _endings, _spend, _assumptions))]


def utilisation_grid(review: Review) -> tuple[list[dt.date], list[tuple[str, str]], list[list[Fraction | None]]]:
    """Utilisation by month: the months, the contracts as (cohort, reference) in cohort order, and a row per
    month of each contract's utilisation (None: no unit paid for that month)."""
    months = sorted({m.month for c in review.contracts for m in c.monthly})
    by_contract = [{m.month: m.utilisation for m in c.monthly} for c in review.contracts]
    grid = [[uses.get(month) for uses in by_contract] for month in months]
    return months, [(c.cohort, c.reference) for c in review.contracts], grid


def pounds(pence: int) -> str:
    """Whole pence as pounds to the penny, exactly: 1561300 -> '15613.00', -5 -> '-0.05'."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def percent_text(value: Fraction) -> str:
    """A fraction as a percentage to 0.1, as the JSON gives it: Fraction(3, 8) -> '37.5'."""
    return f"{round(float(value) * 100, 1):.1f}"


def csv_text(value: Value) -> str:
    """A cell as the CSV holds it: pounds to the penny, percentages to 0.1, dates ISO, text made safe for a
    spreadsheet (no formula, no control character)."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return pounds(value.pence)
    if isinstance(value, Fraction):
        return percent_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def safe_text(value: str) -> str:
    """Stored text as a cell: control characters shown as escapes, a leading = + - @ made plain text."""
    safe = spreadsheet_safe(printable(value))
    return safe if isinstance(safe, str) else value
