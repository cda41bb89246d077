"""A row table whose columns follow its width: figures keep fixed widths, text columns share the rest
and crop with an ellipsis. The directory's services and the match results both use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.events import Resize
from textual.renderables.styled import Styled
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
RENDERED_CELLS = 4096  # cells kept rendered (a few screens of every table)


def content_key(value: object) -> object | None:
    """What a cell shows, as a key (None: not a kind of cell whose rendering can be kept)."""
    if isinstance(value, Text):
        return (value.plain, value.justify, value.overflow, value.no_wrap, str(value.style),
                tuple((span.start, span.end, str(span.style)) for span in value.spans))
    if isinstance(value, str):
        return value
    return None


class SizedTable(DataTable[object], Generic[ItemT]):
    """Subclasses give COLUMNS, ``cells(item)`` (one row in COLUMNS order) and ``row_key(item)``."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()

    def __init__(self, *, id: str | None = None):  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._items: Sequence[ItemT] = ()
        self._widths: dict[str, int] = {}
        # Cells as rendered, by what they show and how (not by row): DataTable forgets its own renders on
        # every change of rows, so without these a keystroke that narrows the results re-rendered each cell.
        self._rendered: LRUCache[tuple[object, ...], list[list[Segment]]] = LRUCache(RENDERED_CELLS)

    def notify_style_update(self) -> None:
        self._rendered.clear()  # (the theme or the CSS changed: every cell looks different)
        super().notify_style_update()

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """DataTable's cell rendering, kept by the cell's content rather than by the table's update count; the
        row and column Textual reads from a click are added to the kept segments."""
        header = row_index == -1
        if column_index < 0 or row_index < -1 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        content = self._get_row_renderables(row_index).cells[column_index]
        if header:
            height = self.header_height
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows[row_key] if row_key is not None else None
            if row is None or row.auto_height:
                return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            height = row.height
        what = content_key(content)
        if what is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (header, what, base_style, width, height, cursor, hover, self.show_cursor, self._show_hover_cursor,
               self._pseudo_class_state, self.cell_padding)
        lines = self._rendered.get(key)
        if lines is None:
            component_style, post_style = self._get_styles_to_render_cell(
                header, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
                self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
            options = self.app.console_options.update_dimensions(width, height)
            if height == 1:
                options = options.update(no_wrap=True)
            lines = self.app.console.render_lines(
                Styled(Padding(content, (0, self.cell_padding)), pre_style=base_style + component_style,
                       post_style=post_style), options)
            self._rendered[key] = lines
        meta = Style.from_meta({"row": row_index, "column": column_index})
        return [list(Segment.apply_style(line, post_style=meta)) for line in lines]

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
