"""One block contract: each unit today (its status, the child in it by case reference, since when, until,
and the next night it is free; a void is a unit with no child tonight), the block's usage over the last 12
months (utilisation, void unit-nights and what the voids cost), and its terms as history (what each changed,
who, when). On a unit: p places a child (into it, or the first free unit), e ends the placement in it, u sets
its status (held for an incoming young person, out of use); a amends the terms (a dated change)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from broker_tui.domain.dates import add_months, format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.contracts import ContractDetail, UnitView, show_contract
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.screens.contracts.words import STATUS_WORDS, refusal_text

UNIT_COLUMNS = ("Unit", "Status", "Status since", "In it today", "Since", "Until", "Next free night")
TERM_COLUMNS = ("From", "Units", "Unit price", "Ends", "What changed", "Why", "Who, when")
WHY_WIDTH = 20
CHANGE_WIDTH = 40


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def unit_cells(u: UnitView) -> tuple[Any, ...]:
    if not u.in_contract:
        dim = "dim"
        return (Text(u.label, style=dim), Text("Not in the contract now", style=dim), Text("", style=dim),
                "", "", "", "")
    status_style = "" if u.status == "available" else "dark_orange"
    who = Text(u.case_ref, style="bold") if u.case_ref else Text("void", style="italic dark_orange")
    free = format_date(u.next_free_night) if u.next_free_night else "contract end"
    return (u.label, Text(u.status_label, style=status_style),
            format_date(u.status_from) if u.status_from else "", who,
            format_date(u.since) if u.since else "", format_date(u.until) if u.until else "", free)


def summary(d: ContractDetail) -> Text:
    price = f"{format_pence(d.unit_weekly_pence)} a unit a week" if d.unit_weekly_pence is not None else "no term"
    held = [u for u in d.units if u.in_contract]
    parts = [f"Covers {format_date(d.starts_on)} to {format_date(d.ends_on)} (first day not covered) · "
             f"{STATUS_WORDS.get(d.status, d.status)} · {price}",
             f"{len(held)} units today: {d.occupied} occupied, {d.voids} void"
             + (f" · extension option: {d.extension_option}" if d.extension_option else "")
             + (" · for young people aged 16 and over" if d.for_16_plus else "")]
    return Text("\n".join(parts))


def usage_text(d: ContractDetail) -> Group:
    u = d.usage
    head = Text(f"Usage {format_date(u.start)} to {format_date(u.end - dt.timedelta(days=1))}", style="bold")
    if u.available_unit_days == 0:
        return Group(head, Text("No nights of the contract in this period.", style="dim"))
    grid = Table.grid(padding=(0, 3))
    for _ in range(6):
        grid.add_column()
    per_week = format_pence(u.cost_per_occupied_week_pence) if u.cost_per_occupied_week_pence is not None else "—"
    grid.add_row(Text.assemble(("Utilisation ", "dim"), (u.utilisation_percent or "—", "bold")),
                 Text.assemble(("Unit-nights ", "dim"), f"{u.available_unit_days:,}"),
                 Text.assemble(("occupied ", "dim"), f"{u.occupied_unit_days:,}"),
                 Text.assemble(("void ", "dim"), (f"{u.void_unit_days:,}", "bold dark_orange" if u.void_unit_days else "")),
                 Text.assemble(("Paid ", "dim"), format_pence(u.paid_pence)),
                 Text.assemble(("voids cost ", "dim"), (format_pence(u.void_cost_pence),
                                                         "bold dark_orange" if u.void_cost_pence else "")))
    return Group(head, grid, Text.assemble(("Cost per occupied week ", "dim"), per_week))


class UnitTable(DataTable[Any]):
    """The units, one row each."""


class ContractDetailScreen(BrokerScreen[None]):
    TITLE = "Block contract"
    AUTO_FOCUS = "#bc-units"
    CSS_PATH = ["contracts.tcss", "../referrals/referrals.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("p", "place", "Place a child"),
        Binding("e", "end", "End placement"),
        Binding("u", "unit_status", "Unit status"),
        Binding("a", "amend", "Amend terms"),
        Binding("t", "focus_terms", "Terms", show=False),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, contract_id: str) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.detail: ContractDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="bc-title")
        yield Static("", id="bc-summary")
        yield Static("", id="bc-detail-banner")
        units = UnitTable(id="bc-units", cursor_type="row", zebra_stripes=True)
        units.add_columns(*UNIT_COLUMNS)
        yield units
        yield Static("", id="bc-usage")
        yield Static("Terms, as history", id="bc-terms-title")
        terms: DataTable[Any] = DataTable(id="bc-terms", cursor_type="row", zebra_stripes=True)
        terms.add_columns(*TERM_COLUMNS)
        yield terms
        yield Footer()

    def on_mount(self) -> None:
        units = self.query_one("#bc-units", DataTable)
        units.loading = True
        units.focus()
        self.load()

    # ---- reading ----------------------------------------------------------------------------------
    @background("bc-detail", "read the block contract")
    def load(self) -> None:
        today = self.ctx.today()
        try:
            detail = show_contract(self.ctx, self.contract_id, period=(add_months(today, -12), today))
        except Exception as exc:  # noqa: BLE001  (a contract gone or a refusal: one line, the screen stays)
            self.app.call_from_thread(self._load_failed, exc)
            return
        self.app.call_from_thread(self._show, detail)

    def _load_failed(self, exc: Exception) -> None:
        self.query_one("#bc-units", DataTable).loading = False
        self.say(f"Could not read the contract: {refusal_text(exc)}", error=True)

    def _show(self, d: ContractDetail) -> None:
        self.detail = d
        self.sub_title = d.reference
        where = " · ".join(dict.fromkeys(x for x in (d.provider_name, d.service_name) if x))  # once when alike
        self.query_one("#bc-title", Static).update(Text.assemble((f"{d.reference} {d.name}", "bold"), f" · {where}"))
        self.query_one("#bc-summary", Static).update(summary(d))
        units = self.query_one("#bc-units", DataTable)
        keep = units.cursor_row
        units.clear()
        for u in d.units:
            units.add_row(*unit_cells(u), key=str(u.id))
        units.loading = False
        if d.units:
            units.move_cursor(row=min(max(keep, 0), len(d.units) - 1))
        self.query_one("#bc-usage", Static).update(usage_text(d))
        terms = self.query_one("#bc-terms", DataTable)
        terms.clear()
        for t in reversed(d.terms):  # newest first
            terms.add_row(format_date(t.effective_from), str(t.units), format_pence(t.unit_weekly_pence),
                          format_date(t.ends_on) if t.ends_on else "", _cut(t.change, CHANGE_WIDTH),
                          _cut(t.reason, WHY_WIDTH), f"{t.created_by} {format_date(t.created_at.date())}")

    def say(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#bc-detail-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(error, "has-error")

    def show_failure(self, message: str) -> None:
        self.say(message, error=True)

    def unit(self) -> UnitView | None:
        if self.detail is None:
            return None
        table = self.query_one("#bc-units", DataTable)
        units = self.detail.units
        return units[table.cursor_row] if 0 <= table.cursor_row < len(units) else None

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def action_focus_terms(self) -> None:
        self.query_one("#bc-terms", DataTable).focus()

    def _done(self, message: str | None) -> None:
        if message:
            self.say(message)
            self.load()

    # ---- acts -------------------------------------------------------------------------------------
    def _ready(self) -> ContractDetail | None:
        if self.detail is None:
            self.say("Still reading the contract", error=True)
        return self.detail

    def action_place(self) -> None:
        detail = self._ready()
        if detail is None:
            return
        from broker_tui.ui.screens.contracts.dialogs import PlaceDialog

        unit = self.unit()
        free = unit if unit and unit.in_contract and not unit.case_ref and unit.status == "available" else None
        self.app.push_screen(PlaceDialog(detail, free), self._done)

    def action_end(self) -> None:
        if self._ready() is None:
            return
        unit = self.unit()
        if unit is None or unit.placement_id is None:
            self.say("Highlight a unit with a child in it to end the placement (↑↓)", error=True)
            return
        from broker_tui.ui.screens.contracts.dialogs import EndDialog

        self.query_one("#bc-units", DataTable).focus()
        self.app.push_screen(EndDialog(unit), self._done)

    def action_unit_status(self) -> None:
        detail = self._ready()
        if detail is None:
            return
        unit = self.unit()
        if unit is None or not unit.in_contract:
            self.say("Highlight a unit of the contract to set its status (↑↓)", error=True)
            return
        from broker_tui.ui.screens.contracts.dialogs import UnitStatusDialog

        self.app.push_screen(UnitStatusDialog(detail, unit), self._done)

    def action_amend(self) -> None:
        detail = self._ready()
        if detail is None:
            return
        from broker_tui.ui.screens.contracts.dialogs import AmendDialog

        self.app.push_screen(AmendDialog(detail), self._done)
