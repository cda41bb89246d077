"""The audit trail: every change the app wrote, newest first, a page at a time; the selected event's
before and after below the table. Filters: a record (an id's last 8+ characters, or a case reference for
every record about one child), a record type, who acted, and dates (dd/mm/yyyy)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from broker_tui.services.audit import (
    AuditEntry,
    AuditQuery,
    AuditQueryError,
    audit_entities,
    audit_page,
    display_value,
    parse_query,
)
from broker_tui.ui.base import BrokerScreen, background

PAGE_SIZE = 100
COLUMNS = ("When", "Who", "Action", "Record type", "Record", "What changed")
SUMMARY_WIDTH = 70


class AuditTable(DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.next_page", "Next page", show=False),
        Binding("pageup", "screen.previous_page", "Previous page", show=False),
    ]


class AuditScreen(BrokerScreen[None]):
    TITLE = "Audit trail"
    CSS_PATH = "audit.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filters", "Filter"),
        Binding("pagedown", "next_page", "Next page"),
        Binding("pageup", "previous_page", "Previous page"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, record: str = "") -> None:
        super().__init__()
        self.record = record
        self.rows: list[AuditEntry] = []
        self.offsets: list[int] = [0]
        self.next_offset: int | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            yield Input(self.record, placeholder="Record: case ref or id", id="audit-record")
            yield Select([], prompt="Any record type", id="audit-entity")
            yield Input(placeholder="Who (login)", id="audit-user")
            yield Input(placeholder="Since dd/mm/yyyy", id="audit-since")
            yield Input(placeholder="Until dd/mm/yyyy", id="audit-until")
        yield Static("", id="audit-problem")
        table = AuditTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        for label in COLUMNS:
            table.add_column(label, width=SUMMARY_WIDTH if label == "What changed" else None)
        yield table
        yield Static("", id="audit-range")
        yield Static("", id="audit-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit-table", DataTable).loading = True
        self._load_entities()
        self.reload()

    @background("entities", "read the record types", exclusive=False)
    def _load_entities(self) -> None:
        names = audit_entities(self.ctx)
        self.app.call_from_thread(self.query_one("#audit-entity", Select).set_options,
                                  [(n.replace("_", " "), n) for n in names])

    def _query(self) -> AuditQuery | None:
        entity = self.query_one("#audit-entity", Select).value
        problem = self.query_one("#audit-problem", Static)
        try:
            query = parse_query(self.query_one("#audit-record", Input).value,
                                "" if entity is Select.NULL else str(entity),
                                self.query_one("#audit-user", Input).value,
                                self.query_one("#audit-since", Input).value,
                                self.query_one("#audit-until", Input).value)
        except AuditQueryError as exc:
            problem.update("; ".join(f"{k.capitalize()}: {v}" for k, v in exc.problems.items()))
            problem.add_class("has-error")
            return None
        problem.update("")
        problem.remove_class("has-error")
        return query

    def reload(self) -> None:
        self.offsets = [0]
        self._fetch_page(0)

    def _fetch_page(self, offset: int) -> None:
        query = self._query()
        if query is None:
            return  # the filter's problem is shown; the table keeps what it showed
        self._generation += 1
        self._fetch(self._generation, query, offset)

    @background("page", "read the audit trail")
    def _fetch(self, generation: int, query: AuditQuery, offset: int) -> None:
        page = audit_page(self.ctx, query, offset=offset, size=PAGE_SIZE)
        self.app.call_from_thread(self._show, page.rows, page.next_offset, generation)

    def _show(self, rows: list[AuditEntry], next_offset: int | None, generation: int) -> None:
        if generation != self._generation:
            return
        self.rows, self.next_offset = rows, next_offset
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for e in rows:
            summary = e.summary
            if len(summary) > SUMMARY_WIDTH:
                summary = summary[:SUMMARY_WIDTH - 1] + "…"
            table.add_row(f"{e.at:%d/%m/%Y %H:%M}", e.actor, e.action, e.entity.replace("_", " "),
                          "…" + e.entity_id[-8:], summary, key=str(e.id))
        table.loading = False
        start = self.offsets[-1]
        more = " (more: page down)" if next_offset is not None else ""
        self.query_one("#audit-range", Static).update(
            f"Events {start + 1}–{start + len(rows)}, newest first{more}" if rows else "No audit events match")
        self._describe(0)

    def _describe(self, index: int) -> None:
        detail = self.query_one("#audit-detail", Static)
        if not 0 <= index < len(self.rows):
            detail.update("")
            return
        e = self.rows[index]
        lines = [f"{e.action} of {e.entity.replace('_', ' ')} {e.entity_id} by {e.actor} at "
                 f"{e.at:%d/%m/%Y %H:%M:%S} (transaction …{e.txn_id[-8:]})"]
        for key, (old, new) in list(e.changes.items())[:12]:
            lines.append(f"  {key}: {display_value(new)}" if e.action == "create"
                         else f"  {key}: {display_value(old)} → {display_value(new)}")
        if len(e.changes) > 12:
            lines.append(f"  … and {len(e.changes) - 12} more")
        detail.update("\n".join(lines))

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.cursor_row)

    @on(Input.Submitted)
    @on(Select.Changed, "#audit-entity")
    def _filters_changed(self) -> None:
        self.reload()

    def action_focus_filters(self) -> None:
        self.query_one("#audit-record", Input).focus()

    def action_reload(self) -> None:
        self.reload()

    def action_next_page(self) -> None:
        if self.next_offset is not None:
            self.offsets.append(self.next_offset)
            self._fetch_page(self.next_offset)

    def action_previous_page(self) -> None:
        if len(self.offsets) > 1:
            self.offsets.pop()
            self._fetch_page(self.offsets[-1])
