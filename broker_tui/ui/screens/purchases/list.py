"""The purchases list (F5): every spot agreement, newest start first, a page at a time; what awaits an
approver (the agreement, or an amendment of it) marked ⚑; the weekly price agreed for today's night (or
the nearest one, for an agreement not started or ended); filtered by what to show (awaiting approval,
active, ending within 90 days, drafts, closed) and by text (case reference, service, provider). Enter
opens an agreement; ctrl+n records one directly (not from an offer)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.purchases import AgreementPage, SpotInput, list_agreements
from broker_tui.ui.base import BrokerScreen, background

PAGE_SIZE = 50
ENDING_DAYS = 90
SHOW = [("All agreements", "all"), ("Awaiting approval", "awaiting"), ("Active", "active"),
        (f"Ending within {ENDING_DAYS} days", "ending"), ("Drafts", "draft"), ("Ended", "ended"),
        ("Rejected", "rejected"), ("Cancelled", "cancelled")]
COLUMNS = ("", "Case ref", "Service", "Provider", "Status", "Weekly", "Start", "Planned end")
NAME_WIDTH = 22


def _cut(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


class PurchasesTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.next_page", "Next page", show=False),
        Binding("pageup", "screen.previous_page", "Previous page", show=False),
    ]


class PurchasesScreen(BrokerScreen[None]):
    TITLE = "Purchases"
    CSS_PATH = "purchases.tcss"
    AUTO_FOCUS = "#pu-table"  # the keys work on the list at once; / goes to the search
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new", "New spot agreement", priority=True),
        Binding("slash", "focus_search", "Search"),
        Binding("pagedown", "next_page", "Next page"),
        Binding("pageup", "previous_page", "Previous page"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, show: str = "all") -> None:
        super().__init__()
        self.show = show
        self.page = 0
        self.result: AgreementPage | None = None
        self._generation = 0
        self.page_painted = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pu-filters"):
            yield Input(placeholder="Search case reference, service or provider", id="pu-search")
            yield Select(SHOW, value=self.show, allow_blank=False, id="pu-show")
        table = PurchasesTable(id="pu-table", cursor_type="row", zebra_stripes=True)
        for label in COLUMNS:
            table.add_column(label, width=NAME_WIDTH if label in ("Service", "Provider") else None)
        yield table
        yield Static("", id="pu-range")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#pu-table", DataTable)
        table.loading = True
        table.focus()
        self.reload()

    def reload(self) -> None:
        self.page = 0
        self._fetch_page()

    def _fetch_page(self) -> None:
        self._generation += 1
        self.page_painted.clear()
        show = self.query_one("#pu-show", Select).value
        self._fetch(self._generation, str(show), self.query_one("#pu-search", Input).value, self.page)

    @background("page", "read the purchases")
    def _fetch(self, generation: int, show: str, text: str, page: int) -> None:
        result = list_agreements(
            self.ctx, status=show if show in ("active", "draft", "ended", "rejected", "cancelled") else None,
            awaiting_approval=show == "awaiting", ending_within_days=ENDING_DAYS if show == "ending" else None,
            text=text.strip() or None, page=page, page_size=PAGE_SIZE)
        self.app.call_from_thread(self._show, result, generation)

    def _show(self, result: AgreementPage, generation: int) -> None:
        if generation != self._generation:
            return
        self.result = result
        table = self.query_one("#pu-table", DataTable)
        table.clear()
        for r in result.rows:
            table.add_row("⚑" if r.awaiting_approval else "", r.case_ref, _cut(r.service_name), _cut(r.provider_name),
                          r.status_label, format_pence(r.weekly_price_pence), format_date(r.start_date),
                          format_date(r.planned_end) if r.planned_end else "—", key=str(r.id))
        table.loading = False
        start = result.page * result.page_size
        more = " (more: page down)" if start + len(result.rows) < result.total else ""
        self.query_one("#pu-range", Static).update(
            f"Agreements {start + 1}–{start + len(result.rows)} of {result.total}{more}; ⚑ awaits an approver"
            if result.rows else "No agreements match")
        self.call_after_refresh(self.page_painted.set)

    @on(Input.Changed, "#pu-search")
    @on(Select.Changed, "#pu-show")
    def _filters_changed(self) -> None:
        self.reload()

    @on(DataTable.RowSelected, "#pu-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from broker_tui.ui.screens.purchases.detail import AgreementScreen

        self.app.push_screen(AgreementScreen(str(event.row_key.value)), lambda _r: self._fetch_page())

    def action_new(self) -> None:
        from broker_tui.ui.screens.purchases.form import AgreementFormScreen

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title="Purchases")
                self.reload()

        self.app.push_screen(AgreementFormScreen(SpotInput(), heading="New spot agreement (not from an offer)"), done)

    def action_focus_search(self) -> None:
        self.query_one("#pu-search", Input).focus()

    def action_reload(self) -> None:
        self._fetch_page()

    def action_next_page(self) -> None:
        r = self.result
        if r is not None and (r.page + 1) * r.page_size < r.total:
            self.page += 1
            self._fetch_page()

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._fetch_page()
