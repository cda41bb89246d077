"""The 16+ review as an Excel workbook (openpyxl, streamed in write-only mode): a Summary sheet first (the
period, each cohort's totals side by side and never added up, the assumptions), then a sheet per table
(services.review._tables) and "Utilisation by month" (a row per month, a column per contract) with a line
chart per cohort. Money is a number of pounds exact to the penny (a Decimal from whole pence) shown
'£#,##0.00', utilisation a fraction shown '0.0%', dates real dates shown 'dd/mm/yyyy'; every sheet has its
header row frozen and columns as wide as what they hold.

openpyxl is imported inside ``write_xlsx`` only: nothing the app loads at start pulls it in."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, BinaryIO

from broker_tui.domain.money import format_pence
from broker_tui.services.review._model import Review
from broker_tui.services.review._tables import (
    Money,
    Row,
    Table,
    Value,
    cohort_grid,
    percent_text,
    period_rows,
    safe_text,
    tables,
    utilisation_grid,
)

Progress = Callable[[int, int, str], None]
MONEY_FORMAT = "£#,##0.00"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "dd/mm/yyyy"
ONE_PLACE = "0.0"
MIN_WIDTH, MAX_WIDTH = 8, 60
UTILISATION_SHEET = "Utilisation by month"


def shown(value: Value) -> str:
    """The cell as a spreadsheet shows it (to size its column)."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return format_pence(value.pence)
    if isinstance(value, Fraction):
        return percent_text(value) + "%"
    if isinstance(value, dt.date):
        return "00/00/0000"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def widths(rows: Iterable[Sequence[Value]]) -> dict[int, int]:
    """Column (1-based) -> width in characters, between MIN_WIDTH and MAX_WIDTH."""
    out: dict[int, int] = {}
    for row in rows:
        for col, value in enumerate(row, 1):
            out[col] = max(out.get(col, MIN_WIDTH - 2), len(shown(value)))
    return {col: min(width + 2, MAX_WIDTH) for col, width in out.items()}


class _Sheets:
    """Cells with their formats for one write-only workbook."""

    def __init__(self, workbook: Any, cell_type: Any, bold: Any, letter: Callable[[int], str]):
        self.workbook = workbook
        self.cell_type = cell_type
        self.bold = bold
        self.letter = letter

    def new(self, title: str, sizes: dict[int, int]) -> Any:
        """A sheet with its columns sized and its first row frozen (both must come before any row)."""
        sheet = self.workbook.create_sheet(title=title)
        for col, width in sizes.items():
            sheet.column_dimensions[self.letter(col)].width = width
        sheet.freeze_panes = "A2"
        return sheet

    def cell(self, sheet: Any, value: Value) -> Any:
        if isinstance(value, Money):
            return self._formatted(sheet, Decimal(value.pence).scaleb(-2), MONEY_FORMAT)
        if isinstance(value, Fraction):
            return self._formatted(sheet, float(value), PERCENT_FORMAT)
        if isinstance(value, dt.date):
            return self._formatted(sheet, value, DATE_FORMAT)
        if isinstance(value, float):
            return self._formatted(sheet, value, ONE_PLACE)
        if isinstance(value, str):
            return safe_text(value)
        return value

    def _formatted(self, sheet: Any, value: object, number_format: str) -> Any:
        cell = self.cell_type(sheet, value=value)
        cell.number_format = number_format
        return cell

    def header(self, sheet: Any, values: Sequence[str]) -> list[Any]:
        cells = []
        for value in values:
            cell = self.cell_type(sheet, value=safe_text(value))
            cell.font = self.bold
            cells.append(cell)
        return cells

    def append(self, sheet: Any, row: Sequence[Value]) -> None:
        sheet.append([self.cell(sheet, value) for value in row])

    def table(self, table: Table) -> None:
        sheet = self.new(table.title, widths([table.header, *table.rows]))
        sheet.append(self.header(sheet, table.header))
        for row in table.rows:
            self.append(sheet, row)


def _summary(sheets: _Sheets, review: Review) -> None:
    periods, grid = period_rows(review), cohort_grid(review)
    sheet = sheets.new("Summary", widths([*periods, *grid]))
    sheet.append(sheets.header(sheet, ("16+ contract review",)))
    for row in periods:
        sheets.append(sheet, row)
    sheet.append([])
    sheet.append(sheets.header(sheet, [str(v) for v in grid[0]]))
    for row in grid[1:]:
        sheets.append(sheet, row)
    sheet.append([])
    sheet.append(sheets.header(sheet, ("Assumptions",)))
    for text in review.assumptions:
        sheet.append([safe_text(text)])  # overflows into the empty cells beside it


def _utilisation(sheets: _Sheets, review: Review, chart_type: Any, reference: Any) -> None:
    """A row per month, a column per contract; a line chart per cohort over its own contracts' columns."""
    months, contracts, grid = utilisation_grid(review)
    header: Row = ("Month", *(ref for _, ref in contracts))
    rows: list[Row] = [(month, *uses) for month, uses in zip(months, grid, strict=True)]
    sheet = sheets.new(UTILISATION_SHEET, widths([header, *rows]))
    sheet.append(sheets.header(sheet, [str(v) for v in header]))
    for row in rows:
        sheets.append(sheet, row)
    if not months:
        return
    anchor_col = sheets.letter(len(header) + 2)
    charted = 0
    for cohort, label in review.cohorts.items():
        columns = [i for i, (key, _) in enumerate(contracts, 2) if key == cohort]
        if not columns:
            continue
        chart = chart_type()
        chart.title = f"Utilisation by month: {label}"
        chart.y_axis.title = "Utilisation"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.number_format = "mmm yyyy"
        chart.x_axis.title = "Month"
        chart.x_axis.delete = False  # openpyxl 3.1 hides the axes unless told
        chart.y_axis.delete = False
        chart.width, chart.height = 24, 12
        chart.add_data(reference(sheet, min_col=columns[0], max_col=columns[-1], min_row=1,
                                 max_row=len(months) + 1), titles_from_data=True)
        chart.set_categories(reference(sheet, min_col=1, min_row=2, max_row=len(months) + 1))
        for series in chart.series:
            series.smooth = False  # straight lines between months: a smoothed curve overshoots 100%
        sheet.add_chart(chart, f"{anchor_col}{1 + 26 * charted}")
        charted += 1


def _discard(workbook: Any) -> None:
    """After a failure: close the streamed sheets and remove the temporary files openpyxl keeps them in."""
    for sheet in list(getattr(workbook, "_sheets", ())):
        with contextlib.suppress(Exception):
            sheet.close()
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


def write_xlsx(review: Review, out: BinaryIO, progress: Progress | None) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.chart import LineChart, Reference  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    workbook.properties.title = "16+ contract review"
    workbook.properties.creator = "broker-tui"
    sheets = _Sheets(workbook, WriteOnlyCell, Font(bold=True), get_column_letter)
    every = tables(review)
    steps: list[tuple[str, Callable[[], None]]] = [("Summary", lambda: _summary(sheets, review))]
    for table in every[1:]:  # the summary table is the Summary sheet's first part
        steps.append((table.title, functools.partial(sheets.table, table)))
        if table.name == "contracts":
            steps.append((UTILISATION_SHEET, lambda: _utilisation(sheets, review, LineChart, Reference)))
    try:
        for done, (title, make) in enumerate(steps, 1):
            make()
            if progress is not None:
                progress(done, len(steps), title)
        workbook.save(out)
    except BaseException:
        _discard(workbook)
        raise
