"""ReviewTable: one of the review's tables, holding every row it was given and showing those that pass the
cohort and word filters, sorted by any column (a click on its header, or the screen's sort keys); the header
of the sorted column carries ▲ or ▼. None sorts last whichever way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from broker_tui.ui.screens.review.rows import Column, Row


def sorted_rows(rows: Sequence[Row], column: int | None, descending: bool) -> list[Row]:
    if column is None:
        return list(rows)
    known = [r for r in rows if r.order[column] is not None]
    unknown = [r for r in rows if r.order[column] is None]
    known.sort(key=lambda r: r.order[column], reverse=descending)
    return known + unknown


def matches(row: Row, cohort: str | None, words: Sequence[str]) -> bool:
    return (cohort is None or row.cohort == cohort) and all(w in row.words for w in words)


class ReviewTable(DataTable[Any]):
    """A review table: ``set_rows`` gives it its rows, ``show`` filters, ``sort_by`` and ``cycle_sort`` sort."""

    def __init__(self, columns: Sequence[Column], *, what: str, id: str) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.review_columns = tuple(columns)
        self.what = what  # 'contracts', 'spot agreements': for the count line
        self.all_rows: list[Row] = []
        self.shown: list[Row] = []
        self.sort_column: int | None = None
        self.descending = False
        self.cohort: str | None = None
        self.words: tuple[str, ...] = ()

    def on_mount(self) -> None:
        self._columns_again()

    def _columns_again(self) -> None:
        self.clear(columns=True)
        for i, column in enumerate(self.review_columns):
            label = Text(column.label, justify="right" if column.numeric else "left")
            if i == self.sort_column:
                label.append(" ▼" if self.descending else " ▲", style="bold")
            self.add_column(label, key=str(i))

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.all_rows = list(rows)
        self.refill()

    def show(self, cohort: str | None, words: Sequence[str]) -> None:
        self.cohort, self.words = cohort, tuple(words)
        self.refill()

    def sort_by(self, column: int, descending: bool | None = None) -> None:
        """Sort by ``column``; the same column again turns the order round (unless ``descending`` is given)."""
        if descending is None:
            descending = not self.descending if column == self.sort_column else False
        self.sort_column, self.descending = column, descending
        self.refill()

    def cycle_sort(self) -> None:
        """Sort by the next column (after the last, back to the order the review gave)."""
        nxt = 0 if self.sort_column is None else self.sort_column + 1
        self.sort_column = nxt if nxt < len(self.review_columns) and self.review_columns[nxt].label else None
        self.descending = False
        self.refill()

    def reverse(self) -> None:
        if self.sort_column is None:
            self.sort_column = 0
        self.descending = not self.descending
        self.refill()

    @property
    def sort_words(self) -> str:
        if self.sort_column is None:
            return "as worked out"
        label = self.review_columns[self.sort_column].label
        return f"by {label.lower()}, {'highest' if self.descending else 'lowest'} first"

    def refill(self) -> None:
        keep = self.shown[self.cursor_row].key if 0 <= self.cursor_row < len(self.shown) else None
        self.shown = sorted_rows([r for r in self.all_rows if matches(r, self.cohort, self.words)],
                                 self.sort_column, self.descending)
        self._columns_again()
        for row in self.shown:
            self.add_row(*row.cells, key=row.key)
        if self.shown:
            keys = [r.key for r in self.shown]
            self.move_cursor(row=keys.index(keep) if keep in keys else 0)

    @property
    def current(self) -> Row | None:
        return self.shown[self.cursor_row] if 0 <= self.cursor_row < len(self.shown) else None

    def count_words(self) -> str:
        total, shown = len(self.all_rows), len(self.shown)
        if shown == total:
            return f"{total} {self.what}"
        return f"{shown} of {total} {self.what}"

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_index)
