"""The referral list: every referral, most urgent first, filtered by status and broker, searchable."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import REFERRAL_STATUSES, service_type_label
from broker_tui.services.referrals import ReferralQuery, ReferralView, brokers, list_referrals
from broker_tui.ui.base import BrokerScreen, background

PAGE_SIZE = 50
# Types sought is the one long cell: a fixed width (longer lists end in …) keeps the row, broker
# included, inside a 130-column terminal; the other columns fit their contents.
TYPES_WIDTH = 26
COLUMNS = ("Case ref", "Initials", "Age", "Types sought", "Urgency", "Needed by", "Status", "Days open", "Broker")
STATUS_CHOICES = [("Open referrals", "open"), ("All referrals", "all")] + [(v, k) for k, v in REFERRAL_STATUSES.items()]


def row_cells(r: ReferralView) -> tuple[str, ...]:
    age = "" if r.age_years is None else str(r.age_years)
    types = ", ".join(service_type_label(t) for t in r.values["types_sought"])
    if len(types) > TYPES_WIDTH:
        types = types[:TYPES_WIDTH - 1] + "…"
    return (r.case_ref, r.initials, age, types, r.urgency_label, format_date(r.values["needed_by"]), r.status_label,
            str(r.days_open), r.values["assigned_broker"])


class ReferralTable(DataTable[str]):
    """The list's table: page down / page up fetch the next or previous page, as the footer says, rather
    than moving the cursor within the page (DataTable's own use of those keys)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.next_page", "Next page", show=False),
        Binding("pageup", "screen.previous_page", "Previous page", show=False),
    ]


class ReferralListScreen(BrokerScreen[None]):
    TITLE = "Referrals"
    CSS_PATH = "referrals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new", "New referral", priority=True),
        Binding("slash", "focus_search", "Search"),
        Binding("down", "focus_table", show=False),  # from the search box (the table takes its own down)
        Binding("pagedown", "next_page", "Next page"),
        Binding("pageup", "previous_page", "Previous page"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ReferralView] = []
        self.cursors: list[Any] = [None]  # keyset cursor of each page shown so far
        self.next_after: Any = None
        self._generation = 0  # bumped per fetch: a page read for a replaced query is not shown
        self.page_painted = asyncio.Event()  # set once a page is on screen (tests and bench/ wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ref-filters"):
            yield Input(placeholder="Search case reference, initials or needs", id="ref-search")
            yield Select(STATUS_CHOICES, value="open", allow_blank=False, id="ref-status")
            yield Select([], prompt="Any broker", id="ref-broker")
        table = ReferralTable(id="ref-table", cursor_type="row", zebra_stripes=True)
        for label in COLUMNS:
            table.add_column(label, width=TYPES_WIDTH if label == "Types sought" else None)
        yield table
        yield Static("", id="ref-range")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ref-table", DataTable).loading = True
        self._load_brokers()
        self.reload()

    @background("brokers", "read the brokers' names", exclusive=False)
    def _load_brokers(self) -> None:
        names = brokers(self.ctx)
        self.app.call_from_thread(self.query_one("#ref-broker", Select).set_options, [(n, n) for n in names])

    def query_now(self) -> ReferralQuery:
        status = self.query_one("#ref-status", Select).value
        broker = self.query_one("#ref-broker", Select).value
        return ReferralQuery(status=None if status in ("all", Select.NULL) else str(status),
                             broker=None if broker is Select.NULL else str(broker),
                             text=self.query_one("#ref-search", Input).value)

    def reload(self) -> None:
        self.cursors = [None]
        self._fetch_page(None)

    def _fetch_page(self, after: Any) -> None:
        self._generation += 1
        self.page_painted.clear()
        self._fetch(self._generation, self.query_now(), after)

    @background("page", "read the referral list")
    def _fetch(self, generation: int, query: ReferralQuery, after: Any) -> None:
        page = list_referrals(self.ctx, query, after=after, size=PAGE_SIZE)
        self.app.call_from_thread(self._show, page.rows, page.next_after, generation)

    def _show(self, rows: list[ReferralView], next_after: Any, generation: int | None = None) -> None:
        if generation is not None and generation != self._generation:
            return  # a newer query or page has been asked for
        self.rows, self.next_after = rows, next_after
        table = self.query_one("#ref-table", DataTable)
        table.clear()
        for r in rows:
            table.add_row(*row_cells(r), key=str(r.id))
        table.loading = False
        start = (len(self.cursors) - 1) * PAGE_SIZE
        more = " (more: page down)" if next_after else ""
        self.query_one("#ref-range", Static).update(
            f"Referrals {start + 1}–{start + len(rows)}{more}" if rows else "No referrals match")
        self.call_after_refresh(self.page_painted.set)

    @on(Input.Changed, "#ref-search")
    @on(Select.Changed, "#ref-status")
    @on(Select.Changed, "#ref-broker")
    def _filters_changed(self) -> None:
        self.reload()

    @on(DataTable.RowSelected, "#ref-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen

        self.app.push_screen(ReferralDetailScreen(str(event.row_key.value)), lambda _r: self._refresh_current())

    def _refresh_current(self) -> None:
        self._fetch_page(self.cursors[-1])

    def action_focus_search(self) -> None:
        self.query_one("#ref-search", Input).focus()

    @on(Input.Submitted, "#ref-search")
    def action_focus_table(self) -> None:
        """The search box has the focus on arrival, to type straight away; Enter or down goes to the list
        (before, Enter there did nothing and a broker could not reach the referrals without the mouse or Tab)."""
        self.query_one("#ref-table", DataTable).focus()

    def action_next_page(self) -> None:
        if self.next_after is not None:
            self.cursors.append(self.next_after)
            self._fetch_page(self.next_after)

    def action_previous_page(self) -> None:
        if len(self.cursors) > 1:
            self.cursors.pop()
            self._fetch_page(self.cursors[-1])

    def action_reload(self) -> None:
        self.reload()

    def action_new(self) -> None:
        from broker_tui.ui.screens.referrals.detail import open_form

        open_form(self.app, on_closed=self._form_closed)

    def _form_closed(self, saved: ReferralView | None) -> None:
        """Back from a new referral's form: the table has the focus (not the search box, which the next key
        would be typed into), and a referral just saved is opened."""
        from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen

        self.query_one("#ref-table", DataTable).focus()
        if saved is not None:
            self.reload()
            self.app.push_screen(ReferralDetailScreen(str(saved.id)), lambda _r: self._refresh_current())
