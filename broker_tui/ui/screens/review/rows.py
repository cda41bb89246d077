"""The review's tables as columns and rows, made from a Review: what each cell shows (money as £, dates
dd/mm/yyyy, children by case reference only), what it sorts by and the words the text filter searches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.review import (
    ContractReview,
    EndingContract,
    Review,
    SizeReview,
    SpotGroup,
    SpotLine,
    percent,
)

COHORT_SHORT = {"supported_16_17": "16-17", "care_leavers_18_plus": "18+"}
RAG_STYLES = {"red": "bold red", "amber": "bold dark_orange", "green": "green"}
GROUP_WORDS = {"category": "Category", "band": "Support band", "provider": "Provider"}


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class Row:
    """One row: its key (an id, for Enter), its cohort (for the cohort filter), the cells shown, a value per
    column to sort by (None sorts last either way) and the lower-case words the text filter looks in."""

    key: str
    cohort: str
    cells: tuple[Text, ...]
    order: tuple[Any, ...]
    words: str


PROVIDER_WIDTH = 30
CATEGORY_WIDTH = 24


def cut(text: str, width: int) -> str:
    """The text cut to ``width`` with an ellipsis (the filter still searches the whole of it)."""
    return text if len(text) <= width else text[:width - 1] + "…"


def short_cohort(cohort: str) -> str:
    return COHORT_SHORT.get(cohort, cohort)


def money(pence: int | None) -> str:
    return "–" if pence is None else format_pence(pence)


def signed_saving(pence: int | None) -> Text:
    """A block's saving against spot: 'saved £x' (green) or '£x more' (red)."""
    if pence is None:
        return Text("–", style="dim")
    if pence >= 0:
        return Text(f"saved {format_pence(pence)}", style="green")
    return Text(f"{format_pence(-pence)} more", style="bold red")


def make_row(key: str, cohort: str, columns: Sequence[Column], shown: Sequence[str | Text],
             order: Sequence[Any], more: str = "") -> Row:
    """A row from its cells; ``more``: words the filter also finds it by (what a cut cell leaves out)."""
    cells = tuple(
        (value if isinstance(value, Text) else Text(value)) for value in shown)
    for cell, column in zip(cells, columns, strict=True):
        if column.numeric:
            cell.justify = "right"
    words = " ".join([*(cell.plain for cell in cells), more]).lower()
    return Row(key, cohort, cells, tuple(order), words)


def qa_cell(c: ContractReview) -> Text:
    if c.qa_rag is None:
        return Text("none", style="dim")
    text = Text(c.qa_rag.capitalize(), style=RAG_STYLES.get(c.qa_rag, ""))
    if c.open_actions:
        text.append(f" · {c.open_actions} open", style="")
        if c.overdue_actions:
            text.append(f" ({c.overdue_actions} overdue)", style="bold red")
    return text


def units_of(c: ContractReview) -> int:
    """The units paid for at the period's end (the last terms in force in it), or today's."""
    return c.prices[-1].units if c.prices else c.units_now


def void_days(c: ContractReview, kind: str) -> int:
    return next((v.unit_days for v in c.voids if v.kind == kind), 0)


CONTRACT_COLUMNS = (
    Column("Reference"), Column("Provider"), Column("Cohort"), Column("Category"), Column("Units", True),
    Column("Use", True), Column("Void", True), Column("Held", True), Column("Out prov.", True),
    Column("Out LA", True), Column("Void cost", True), Column("Paid", True), Column("£/occ. week", True),
    Column("YP", True), Column("Avg stay", True), Column("Endings", True), Column("QA"), Column("Ends"),
    Column("Extension option"),
)


def contract_rows(review: Review) -> list[Row]:
    rows = []
    for c in review.contracts:
        ends = sum(c.endings.values())
        stay = "–" if c.average_stay_days is None else f"{c.average_stay_days:.0f} days"
        kinds = [void_days(c, k) for k in ("available", "held", "out_of_use_provider", "out_of_use_council")]
        shown: list[str | Text] = [
            c.reference, cut(c.provider_name, PROVIDER_WIDTH), short_cohort(c.cohort),
            cut(c.category_label, CATEGORY_WIDTH), str(units_of(c)),
            percent(c.utilisation), *(f"{k:,}" for k in kinds), money(c.void_cost_pence), money(c.paid_pence),
            money(c.cost_per_occupied_week_pence), str(c.young_people), stay, str(ends), qa_cell(c),
            format_date(c.ends_on), c.extension_option or "–"]
        order = [c.reference.lower(), c.provider_name.lower(), c.cohort, c.category_label.lower(), units_of(c),
                 c.utilisation, *kinds, c.void_cost_pence, c.paid_pence, c.cost_per_occupied_week_pence,
                 c.young_people, c.average_stay_days, ends,
                 None if c.qa_rag is None else ("red", "amber", "green").index(c.qa_rag), c.ends_on,
                 c.extension_option.lower()]
        rows.append(make_row(str(c.id), c.cohort, CONTRACT_COLUMNS, shown, order,
                             f"{c.name} {c.provider_name} {c.category_label} {c.service_name}"))
    return rows


SPOT_COLUMNS = (Column("Case ref"), Column("Provider"), Column("Cohort"), Column("Category"), Column("Support band"),
                Column("Weekly", True), Column("Nights", True), Column("Paid", True))


def spot_rows(lines: Iterable[SpotLine]) -> list[Row]:
    return [make_row(str(s.agreement_id), s.cohort, SPOT_COLUMNS,
                     [s.case_ref, cut(s.provider_name, PROVIDER_WIDTH), short_cohort(s.cohort),
                      cut(s.category_label, CATEGORY_WIDTH), s.band_label, money(s.weekly_pence), f"{s.nights:,}",
                      money(s.paid_pence)],
                     [s.case_ref.lower(), s.provider_name.lower(), s.cohort, s.category_label.lower(),
                      s.band_label.lower(), s.weekly_pence, s.nights, s.paid_pence],
                     f"{s.provider_name} {s.service_name} {s.category_label}")
            for s in lines]


SPREAD_COLUMNS = (Column("Cohort"), Column("By"), Column("Group"), Column("Count", True), Column("Lowest", True),
                  Column("Lower quartile", True), Column("Median", True), Column("Upper quartile", True),
                  Column("Highest", True), Column("Paid", True))


def spread_rows(groups: Iterable[SpotGroup]) -> list[Row]:
    rows = []
    for g in groups:
        s = g.spread
        prices = (s.minimum, s.lower_quartile, s.median, s.upper_quartile, s.maximum)
        rows.append(make_row(f"{g.cohort}/{g.by}/{g.key}", g.cohort, SPREAD_COLUMNS,
                             [short_cohort(g.cohort), GROUP_WORDS.get(g.by, g.by), cut(g.label, PROVIDER_WIDTH),
                              str(s.count), *(money(p) for p in prices), money(g.paid_pence)],
                             [g.cohort, g.by, g.label.lower(), s.count, *prices, g.paid_pence], g.label))
    return rows


VERSUS_COLUMNS = (Column("Reference"), Column("Provider"), Column("Cohort"), Column("Category"),
                  Column("Occ. weeks", True), Column("Block/occ. week", True), Column("Spot median", True),
                  Column("Spot n", True), Column("A week", True), Column("Over the period", True))


def versus_rows(review: Review) -> list[Row]:
    rows = []
    for c in review.contracts:
        block, spot = c.cost_per_occupied_week_pence, c.comparable_spot_median_pence
        difference = None if block is None or spot is None else block - spot
        diff_text = (Text("–", style="dim") if difference is None
                     else Text(f"{format_pence(-difference)} less", style="green") if difference <= 0
                     else Text(f"{format_pence(difference)} more", style="bold red"))
        weeks = c.occupied_unit_days / 7
        rows.append(make_row(str(c.id), c.cohort, VERSUS_COLUMNS,
                             [c.reference, cut(c.provider_name, PROVIDER_WIDTH), short_cohort(c.cohort),
                              cut(c.category_label, CATEGORY_WIDTH), f"{weeks:,.1f}", money(block), money(spot), str(c.comparable_spot_count), diff_text,
                              signed_saving(c.block_saving_pence)],
                             [c.reference.lower(), c.provider_name.lower(), c.cohort, c.category_label.lower(),
                              c.occupied_unit_days, block, spot, c.comparable_spot_count, difference,
                              c.block_saving_pence], f"{c.name} {c.provider_name} {c.category_label}"))
    return rows


SIZE_COLUMNS = (Column("Cohort"), Column("Category"), Column("Units now", True), Column("Peak", True),
                Column("Avg placed", True), Column("Unit price", True), Column("Spot median", True),
                Column("Best size", True), Column("Cost at best", True), Column("Paid", True),
                Column("Best against paid", True), Column("Note"))


def size_key(s: SizeReview) -> str:
    return f"{s.cohort}/{s.category}"


def size_rows(sizes: Iterable[SizeReview]) -> list[Row]:
    rows = []
    for s in sizes:
        best = "–" if s.best_k is None else f"{s.best_k} unit{'s' if s.best_k != 1 else ''}"
        rows.append(make_row(size_key(s), s.cohort, SIZE_COLUMNS,
                             [short_cohort(s.cohort), s.category_label, str(s.units_now), str(s.peak),
                              f"{s.average_placed:.1f}", money(s.unit_weekly_pence), money(s.spot_weekly_pence),
                              best, money(s.best_pence), money(s.actual_pence), signed_saving(s.saving_pence),
                              Text(s.note or "", style="italic")],
                             [s.cohort, s.category_label.lower(), s.units_now, s.peak, s.average_placed,
                              s.unit_weekly_pence, s.spot_weekly_pence, s.best_k, s.best_pence, s.actual_pence,
                              s.saving_pence, s.note.lower()]))
    return rows


CURVE_COLUMNS = (Column("Block of k units", True), Column("Cost over the period", True),
                 Column("Above the best", True), Column(""))


def curve_rows(s: SizeReview | None) -> list[Row]:
    if s is None or not s.costs_pence:
        return []
    best = s.best_pence if s.best_pence is not None else min(s.costs_pence)
    rows = []
    for k, cost in enumerate(s.costs_pence):
        marks = []
        if k == s.best_k:
            marks.append("◀ best")
        if k == s.units_now:
            marks.append("units now")
        mark = Text(" · ".join(marks), style="bold green" if k == s.best_k else "bold")
        cells: list[str | Text] = [str(k), money(cost), money(cost - best) if cost != best else "–", mark]
        row = make_row(str(k), s.cohort, CURVE_COLUMNS, cells, [k, cost, cost - best, " ".join(marks)])
        if k == s.best_k:
            for cell in row.cells:
                cell.stylize("bold")
        rows.append(row)
    return rows


ENDING_COLUMNS = (Column("Within"), Column("Reference"), Column("Name"), Column("Cohort"), Column("Category"),
                  Column("Ends"), Column("Units", True), Column("In it today", True), Column("Block a week", True),
                  Column("Spot median", True), Column("Replacement a week", True),
                  Column("a year", True))


def ending_rows(endings: Iterable[EndingContract], today: dt.date) -> list[Row]:
    rows = []
    for e in endings:
        days = (e.ends_on - today).days
        within = Text(f"{e.within_months} months", style="bold dark_orange" if e.within_months <= 3 else "")
        rows.append(make_row(str(e.contract_id), e.cohort, ENDING_COLUMNS,
                             [within, e.reference, cut(e.name, PROVIDER_WIDTH), short_cohort(e.cohort),
                              cut(e.category_label, CATEGORY_WIDTH), f"{format_date(e.ends_on)} ({days} days)", str(e.units), str(e.occupied),
                              money(e.block_weekly_pence), money(e.spot_median_pence),
                              money(e.replace_weekly_pence), money(e.replace_year_pence)],
                             [e.within_months, e.reference.lower(), e.name.lower(), e.cohort,
                              e.category_label.lower(), e.ends_on, e.units, e.occupied, e.block_weekly_pence,
                              e.spot_median_pence, e.replace_weekly_pence, e.replace_year_pence],
                             f"{e.name} {e.category_label}"))
    return rows
