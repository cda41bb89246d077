"""The provider directory: search and filter the market, a keyset page of services at a time.

The search box goes through the typo-tolerant index (services.directory.text_matches): "leicster" finds
Leicester's services, best match first unless another sort is chosen. The index is built in a worker
when the screen opens, so the first keystroke does not wait for it."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Select, Static

from broker_tui.domain.vocabulary import SERVICE_TYPES
from broker_tui.services.market import (
    JUDGEMENT_CHOICES,
    PAGE_SIZE,
    SORTS,
    Cursor,
    DirectoryPage,
    DirectoryQuery,
    directory_count,
    directory_page,
    directory_regions,
)
from broker_tui.ui.base import BrokerScreen, background
from broker_tui.ui.collector import TypingScreen
from broker_tui.ui.widgets.service_table import ServiceTable

AREA_CHOICES = (("Local", "local"), ("Out of area", "out"))
LOADING_DELAY = 0.25  # seconds before a slow read shows the loading indicator


class DirectoryScreen(TypingScreen, BrokerScreen[None]):
    """Every service in the market, filtered, sorted and paged from the database."""

    TITLE = "Provider directory"
    AUTO_FOCUS = "#search"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "next_page", "Next page"),
        Binding("pageup", "previous_page", "Previous page"),
        Binding("slash", "focus_search", "Search"),
        Binding("ctrl+t", "focus_table", "Table"),
        Binding("ctrl+r", "clear_filters", "Clear filters"),
    ]
    # Actions the command palette offers on this screen besides its bindings: (title, action, help).
    PALETTE_ACTIONS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        *((f"Sort by {label.lower()}", f"sort_by('{key}')", f"Order the directory by {label.lower()}")
          for key, label in SORTS.items()),
        ("Show local services only", "set_area('local')", "Only services inside the home area"),
        ("Show out-of-area services only", "set_area('out')", "Only services outside the home area"),
        ("Show services in and out of area", "set_area('any')", "Drop the area filter"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.query_value = DirectoryQuery()
        self._starts: list[Cursor | None] = [None]  # the cursor each visited page was read after
        self._next: Cursor | None = None
        self._generation = 0
        self._rows_shown = 0
        self._total: int | None = None
        self._loading_timer: Timer | None = None
        self.page_painted = asyncio.Event()  # set once a page is on screen (tests and bench/ wait on it)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters"):
            yield Input(placeholder="Search name, owner, town, authority, specialism…", id="search")
            yield Select([(f"Sort: {label}", key) for key, label in SORTS.items()], allow_blank=False,
                         value="relevance", id="sort")
        with Horizontal(classes="filters"):
            yield Select([(t.short, t.code) for t in SERVICE_TYPES], prompt="Any type", id="type")
            yield Select(list(JUDGEMENT_CHOICES), prompt="Any judgement", id="judgement")
            yield Select([], prompt="Any region", id="region")
            yield Select(list(AREA_CHOICES), prompt="In or out of area", id="area")
        yield Static("Loading…", id="status")
        yield ServiceTable(id="services")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ServiceTable).loading = True
        self.load_regions()
        self.reload()
        self.warm_text_index()

    @background("directory-index", "build the search index", exclusive=False)
    def warm_text_index(self) -> None:
        from broker_tui.services.market import warm_up_search as warm_up

        try:
            warm_up(self.ctx)
        except Exception:  # noqa: BLE001  (a search reports the problem when it needs the index)
            return

    # -- reading -------------------------------------------------------------------------------
    def reload(self, *, keep_page: bool = False) -> None:
        """Read the page for the current query (from the first page unless ``keep_page``)."""
        if not keep_page:
            self._starts = [None]
            self._total = None
        self._generation += 1
        self.page_painted.clear()
        self._set_status()
        if self._loading_timer is None:
            self._loading_timer = self.set_timer(LOADING_DELAY, self._show_loading)
        self.fetch_page(self._generation, self.query_value, self._starts[-1])

    def _show_loading(self) -> None:
        self.query_one(ServiceTable).loading = True

    @background("directory-page", "read the directory")
    def fetch_page(self, generation: int, query: DirectoryQuery, after: Cursor | None) -> None:
        try:
            result = directory_page(self.ctx, query, after, PAGE_SIZE)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.show_error, generation, exc)
            return
        self.app.call_from_thread(self.show_page, generation, result)

    @background("directory-count", "count the directory's services")
    def fetch_count(self, generation: int, query: DirectoryQuery) -> None:
        try:
            total = directory_count(self.ctx, query)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.show_error, generation, exc)
            return
        self.app.call_from_thread(self.show_count, generation, total)

    @background("directory-regions", "read the regions", exclusive=False)
    def load_regions(self) -> None:
        try:
            names = directory_regions(self.ctx)
        except Exception:  # noqa: BLE001  (the page read reports the problem)
            return
        self.app.call_from_thread(self.query_one("#region", Select).set_options, [(n, n) for n in names])

    def show_page(self, generation: int, result: DirectoryPage) -> None:
        if generation != self._generation:
            return  # a newer query has been asked for
        self._stop_loading()
        self._next = result.next
        self._rows_shown = len(result.rows)
        self.query_one(ServiceTable).show(result.rows)
        self._set_status()
        if self._total is None:
            self.fetch_count(generation, self.query_value)
        self.call_after_refresh(self.page_painted.set)


    def show_count(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self._total = total
            self._set_status()

    def show_error(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self._stop_loading()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self.query_one("#status", Static).update(f"[b red]Could not read the directory:[/] {first}")

    def _stop_loading(self) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        self.query_one(ServiceTable).loading = False

    def _set_status(self) -> None:
        first = (len(self._starts) - 1) * PAGE_SIZE
        total = "…" if self._total is None else f"{self._total:,}"
        if self._total == 0:
            text = "No services match"
        elif self._rows_shown:
            text = f"Rows {first + 1:,}–{first + self._rows_shown:,} of {total}"
        else:
            text = "Loading…"
        more = "  ·  PgDn next page" if self._next else ""
        back = "  ·  PgUp previous page" if len(self._starts) > 1 else ""
        query = self.query_value
        order = "name" if query.sort == "relevance" and not query.text.strip() else query.sort
        self.query_one("#status", Static).update(f"{text}  ·  sorted by {SORTS[order].lower()}{more}{back}")

    # -- filters -------------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.typing_seen()
        self._apply(text=event.value)

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.action_focus_table()

    @on(Select.Changed)
    def select_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else event.value
        match event.select.id:
            case "type":
                self._apply(service_type=value)
            case "judgement":
                self._apply(judgement=value)
            case "region":
                self._apply(region=value)
            case "area":
                self._apply(in_area=None if value is None else value == "local")
            case "sort":
                self._apply(sort=value or "relevance")

    def _apply(self, **changes: object) -> None:
        query = DirectoryQuery(**{**self.query_value.__dict__, **changes})
        if query != self.query_value:
            self.query_value = query
            self.reload()

    # -- actions -------------------------------------------------------------------------------
    def action_next_page(self) -> None:
        if self._next is not None:
            self._starts.append(self._next)
            self.reload(keep_page=True)

    def action_previous_page(self) -> None:
        if len(self._starts) > 1:
            self._starts.pop()
            self.reload(keep_page=True)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(ServiceTable).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#search", Input).value = ""
            for select_id in ("type", "judgement", "region", "area"):
                self.query_one(f"#{select_id}", Select).clear()
        self._apply(text="", service_type=None, judgement=None, region=None, in_area=None)

    def action_sort_by(self, key: str) -> None:
        self.query_one("#sort", Select).value = key

    def action_set_area(self, value: str) -> None:
        select = self.query_one("#area", Select)
        if value == "any":
            select.clear()
        else:
            select.value = value

    @on(ServiceTable.RowSelected)
    def open_service(self, event: ServiceTable.RowSelected) -> None:
        row = event.data_table.get_row(event.row_key)
        self.broker_app.open_service(str(event.row_key.value), str(row[0]))
