"""A row table whose columns follow its width: figures keep fixed widths, text columns share the rest
and crop with an ellipsis. The directory's services and the match results both use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.events import Resize
from textual.widgets import DataTable

CHROME = 3  # the vertical scrollbar and a spare column
Column = tuple[str, str, int | None, int, int]  # key, heading, fixed width (None: shares the rest by weight),
# weight, minimum


def column_widths(columns: Sequence[Column], total: int, padding: int) -> dict[str, int]:
    """Widths for a table ``total`` cells wide with ``padding`` cells each side of every column."""
    content = total - CHROME - 2 * padding * len(columns)
    widths = {c[0]: c[2] for c in columns if c[2]}
    fixed = sum(widths.values())
    flex = [c for c in columns if c[2] is None]
    room = max(content - fixed, sum(c[4] for c in flex))
    weights = sum(c[3] for c in flex)
    for key, _h, _w, weight, minimum in flex:
        widths[key] = max(minimum, room * weight // weights)
    return widths


def cell(value: object, *, right: bool = False, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style, justify="right" if right else "left",
                overflow="ellipsis", no_wrap=True)


ItemT = TypeVar("ItemT")


class SizedTable(DataTable[object], Generic[ItemT]):
    """Subclasses give COLUMNS, ``cells(item)`` (one row in COLUMNS order) and ``row_key(item)``."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, *, id: str | None = None):  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._items: Sequence[ItemT] = ()
        self._widths: dict[str, int] = {}

    def on_mount(self) -> None:
        self._build_columns(column_widths(self.COLUMNS, max(self.size.width, 80), self.cell_padding))

    def on_resize(self, event: Resize) -> None:
        widths = column_widths(self.COLUMNS, event.size.width, self.cell_padding)
        if widths != self._widths:
            row = self.cursor_row
            self.clear(columns=True)
            self._build_columns(widths)
            self._add(self._items)
            if self._items:
                self.move_cursor(row=min(row, len(self._items) - 1))

    def _build_columns(self, widths: dict[str, int]) -> None:
        self._widths = widths
        for key, heading, *_ in self.COLUMNS:
            self.add_column(heading, key=key, width=widths[key])

    def show(self, items: Sequence[ItemT]) -> None:
        self._items = items
        self.clear()
        self._add(items)
        if items:
            self.move_cursor(row=0)

    def append(self, items: Sequence[ItemT]) -> None:
        """Add rows after those on show (the cursor stays where it is)."""
        self._items = [*self._items, *items]
        self._add(items)

    def item(self, row: int) -> ItemT | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def highlighted(self) -> ItemT | None:
        """The item of the row under the cursor (None: no rows)."""
        return self.item(self.cursor_row)

    def _add(self, items: Sequence[ItemT]) -> None:
        for item in items:
            self.add_row(*self.cells(item), key=self.row_key(item))

    def cells(self, item: ItemT) -> tuple[Any, ...]:
        return tuple(cell(getattr(item, key, None)) for key, *_ in self.COLUMNS)

    def row_key(self, item: ItemT) -> str:
        return str(getattr(item, "id"))  # noqa: B009  (every item shown so far has an id; a subclass may say otherwise)
