"""Block contracts (F6): every contract, soonest end first, with its units, who is in them today and the voids,
the unit price in force and the end (marked when it comes within six months); filtered by 16+ and by ending
soon. Enter opens one contract: its units one by one, its usage and its terms as history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Checkbox, DataTable, Footer, Header, Select, Static

from broker_tui.domain.dates import add_months, format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.contracts import ContractRow, list_contracts
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.contracts.words import STATUS_WORDS

COLUMNS = ("Reference", "Name", "Provider", "16+", "Units", "Occupied", "Voids", "Unit price", "Ends", "Ending soon")
NAME_WIDTH = 22
PROVIDER_WIDTH = 18
AGE_CHOICES = [("Every contract", "all"), ("16+ only", "16"), ("Not 16+", "not16")]
ENDING_MONTHS = 6


@dataclass(frozen=True)
class Filters:
    for_16_plus: bool | None
    ending_soon: bool


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def row_cells(r: ContractRow, soon_days: int, extra: int = 0) -> tuple[Any, ...]:
    """The row's cells; ``extra`` columns beyond a 130-column terminal widen the name and the provider."""
    ended = r.status != "active"
    style = "dim" if ended else ""
    if r.status == "active" and r.days_left <= soon_days:
        mark = Text(f"⚠ {r.days_left} day{'s' if r.days_left != 1 else ''} left", style="bold dark_orange")
    else:
        mark = Text(STATUS_WORDS.get(r.status, r.status) if ended else "", style="dim")
    voids = Text(str(r.voids), style="bold" if r.voids and not ended else style)
    cells = (r.reference, _cut(r.name, NAME_WIDTH + extra * 2 // 3), _cut(r.provider_name, PROVIDER_WIDTH + extra // 3),
             "16+" if r.for_16_plus else "", str(r.units), str(r.occupied))
    price = format_pence(r.unit_weekly_pence) if r.unit_weekly_pence is not None else "—"
    return (*(Text(c, style=style) for c in cells), voids, Text(price, style=style),
            Text(format_date(r.ends_on), style=style), mark)


class ContractsTable(DataTable[Any]):
    """The list's table: Enter opens the highlighted contract."""


class ContractsScreen(BrokerScreen[None]):
    TITLE = "Block contracts"
    AUTO_FOCUS = "#bc-table"
    CSS_PATH = ["contracts.tcss", "../referrals/referrals.tcss"]  # the shared dialogs' look lives with referrals
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open contract", show=False),
        Binding("slash", "focus_filters", "Filter"),
        Binding("s", "toggle_soon", "Ending soon"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ContractRow] = []
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="bc-filters"):
            yield Select(AGE_CHOICES, value="all", allow_blank=False, id="bc-age")
            yield Checkbox(f"Ending within {ENDING_MONTHS} months", id="bc-soon")
        yield Static("", id="bc-banner")
        table = ContractsTable(id="bc-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="bc-range")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bc-table", DataTable).loading = True
        self.reload()

    def soon_days(self) -> int:
        today = self.ctx.today()
        return (add_months(today, ENDING_MONTHS) - today).days

    def filters(self) -> Filters:
        age = self.query_one("#bc-age", Select).value
        return Filters(True if age == "16" else False if age == "not16" else None,
                       self.query_one("#bc-soon", Checkbox).value)

    def reload(self) -> None:
        self._generation += 1
        self._load(self._generation, self.filters())

    @background("bc-load", "read the block contracts")
    def _load(self, generation: int, f: Filters) -> None:
        rows = list_contracts(self.ctx, for_16_plus=f.for_16_plus,
                              ending_within_days=self.soon_days() if f.ending_soon else None)
        self.app.call_from_thread(self._show, generation, rows)

    def _show(self, generation: int, rows: list[ContractRow]) -> None:
        if generation != self._generation:
            return
        self.rows = rows
        table = self.query_one("#bc-table", DataTable)
        keep = table.cursor_row
        table.clear()
        soon = self.soon_days()
        extra = max(0, self.size.width - 130)
        for r in rows:
            table.add_row(*row_cells(r, soon, extra), key=str(r.id))
        table.loading = False
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        running = [r for r in rows if r.status == "active"]
        ending = sum(1 for r in running if r.days_left <= soon)
        self.query_one("#bc-range", Static).update(
            f"{len(rows)} contract{'s' if len(rows) != 1 else ''} · {sum(r.units for r in running)} units paid for "
            f"today, {sum(r.occupied for r in running)} occupied, {sum(r.voids for r in running)} void · "
            f"{ending} ending within {ENDING_MONTHS} months · Enter opens one" if rows
            else "No block contracts match")

    @on(Select.Changed, "#bc-age")
    @on(Checkbox.Changed, "#bc-soon")
    def _filters_changed(self) -> None:
        self.reload()

    def say(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#bc-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")

    def show_failure(self, message: str) -> None:
        self.say(message, error=True)

    @on(DataTable.RowSelected, "#bc-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#bc-table", DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            self._open(str(self.rows[table.cursor_row].id))

    def _open(self, contract_id: str) -> None:
        from broker_tui.ui.screens.contracts.detail import ContractDetailScreen

        self.app.push_screen(ContractDetailScreen(contract_id), lambda _r: self.reload())

    def action_focus_filters(self) -> None:
        self.query_one("#bc-age", Select).focus()

    def action_toggle_soon(self) -> None:
        box = self.query_one("#bc-soon", Checkbox)
        box.value = not box.value

    def action_reload(self) -> None:
        self.reload()
