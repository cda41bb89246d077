"""The directory's table of services: one keyset page at a time, a row per service.

Column widths follow the table's width: the figures keep fixed widths and the text columns share the
rest, cropping with an ellipsis (the detail view shows everything in full).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import DataTable

from broker_tui.domain.money import format_pence
from broker_tui.services.directory import DirectoryRow

# key, heading, fixed width (None: shares the rest by weight), weight, minimum
COLUMNS = (("name", "Name", None, 4, 16), ("owner", "Owner", None, 3, 12), ("type", "Type", None, 3, 12),
           ("judgement", "Judgement", None, 3, 12), ("area", "Area", 11, 0, 0), ("miles", "Miles", 5, 0, 0),
           ("places", "Places", 6, 0, 0), ("free", "Free", 4, 0, 0), ("price", "£/week from", 11, 0, 0))
CHROME = 3  # the vertical scrollbar and a spare column


def column_widths(total: int, padding: int) -> dict[str, int]:
    """Widths for a table ``total`` cells wide with ``padding`` cells each side of every column."""
    content = total - CHROME - 2 * padding * len(COLUMNS)
    fixed = sum(c[2] for c in COLUMNS if c[2])
    flex = [c for c in COLUMNS if c[2] is None]
    room = max(content - fixed, sum(c[4] for c in flex))
    weights = sum(c[3] for c in flex)
    widths = {c[0]: c[2] for c in COLUMNS if c[2]}
    for key, _h, _w, weight, minimum in flex:
        widths[key] = max(minimum, room * weight // weights)
    return widths


def _text(value: object, *, right: bool = False) -> Text:
    return Text("" if value is None else str(value), justify="right" if right else "left",
                overflow="ellipsis", no_wrap=True)


class ServiceTable(DataTable[object]):
    """Services of the current page; Enter opens the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open service"),
        # Page keys read the next or previous page from the database rather than scroll this one.
        Binding("pagedown", "screen.next_page", "Next page"),
        Binding("pageup", "screen.previous_page", "Previous page"),
    ]

    def __init__(self, *, id: str | None = None):  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: Sequence[DirectoryRow] = ()
        self._widths: dict[str, int] = {}

    def on_mount(self) -> None:
        self._build_columns(column_widths(max(self.size.width, 80), self.cell_padding))

    def on_resize(self, event: Resize) -> None:
        widths = column_widths(event.size.width, self.cell_padding)
        if widths != self._widths:
            row = self.cursor_row
            self.clear(columns=True)
            self._build_columns(widths)
            self._add(self._rows)
            if self._rows:
                self.move_cursor(row=min(row, len(self._rows) - 1))

    def _build_columns(self, widths: dict[str, int]) -> None:
        self._widths = widths
        for key, heading, *_ in COLUMNS:
            self.add_column(heading, key=key, width=widths[key])

    def show_rows(self, rows: Sequence[DirectoryRow]) -> None:
        self._rows = rows
        self.clear()
        self._add(rows)
        self.move_cursor(row=0)

    def _add(self, rows: Sequence[DirectoryRow]) -> None:
        for r in rows:
            name = _text(r.name)
            if r.on_stop:
                name = Text.assemble(("STOP ", "bold red"), name, overflow="ellipsis", no_wrap=True)
            if not r.in_register:
                name.append(" (left register)", style="dim")
            self.add_row(name, _text(r.provider_name), _text(r.type_label), _text(r.judgement), _text(r.area_label),
                         _text(r.distance_label, right=True), _text(r.places, right=True),
                         _text(r.vacancies, right=True), _text(format_pence(r.price_from_pence, whole=True), right=True),
                         key=str(r.id))
