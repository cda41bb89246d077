"""The directory's table of services: one keyset page at a time, a row per service.

Column widths follow the table's width: the figures keep fixed widths and the text columns share the
rest, cropping with an ellipsis (the detail view shows everything in full).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from broker_tui.domain.money import format_pence
from broker_tui.services.market import DirectoryRow
from broker_tui.ui.widgets.sized_table import SizedTable, cell

# key, heading, fixed width (None: shares the rest by weight), weight, minimum
COLUMNS = (("name", "Name", None, 4, 16), ("owner", "Owner", None, 3, 12), ("type", "Type", None, 3, 12),
           ("judgement", "Judgement", None, 3, 12), ("area", "Area", 11, 0, 0), ("miles", "Miles", 5, 0, 0),
           ("places", "Places", 6, 0, 0), ("free", "Free", 4, 0, 0), ("price", "£/week from", 11, 0, 0))


class ServiceTable(SizedTable[DirectoryRow]):
    """Services of the current page; Enter opens the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open service"),
        # Page keys read the next or previous page from the database rather than scroll this one.
        Binding("pagedown", "screen.next_page", "Next page"),
        Binding("pageup", "screen.previous_page", "Previous page"),
    ]

    COLUMNS = COLUMNS

    def cells(self, r: DirectoryRow) -> tuple[object, ...]:
        name = cell(r.name)
        if r.on_stop:
            name = Text.assemble(("STOP ", "bold red"), name, overflow="ellipsis", no_wrap=True)
        if not r.in_register:
            name.append(" (left register)", style="dim")
        elif r.registration_note:
            name.append(f" ({r.registration_note})", style="red")
        return (name, cell(r.provider_name), cell(r.type_label), cell(r.judgement), cell(r.area_label),
                cell(r.distance_label, right=True), cell(r.places, right=True), cell(r.vacancies, right=True),
                cell(format_pence(r.price_from_pence, whole=True), right=True))
