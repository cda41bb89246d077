"""Small dialogs of the offers screen: record a decline with its coded reason; export the search log.

Each does its own saving in a thread worker and stays open on a problem, showing it beside the field (or
in its banner); it dismisses with a one-line message for the offers screen when done, None when cancelled.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.domain.vocabulary import DECLINE_REASONS
from broker_tui.services.outreach import LogEntry, OutreachRefused, export_csv, record_decline
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.outreach.tables import uk_dates
from broker_tui.ui.screens.outreach.words import refusal_text
from broker_tui.ui.widgets.in_order_input import InOrderInput

REASON_CODES = tuple(DECLINE_REASONS)


def show_error(screen: DOMNode, slot: str, message: str) -> None:
    err = screen.query_one(f"#err-{slot}", Static)
    err.update(f"⚠ {message}" if message else "")
    err.set_class(bool(message), "has-error")


class DeclineDialog(BrokerModal[str | None]):
    """A service declined: its coded reason ('Other' needs words), when the answer came."""

    CSS_PATH = "offers.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Record decline", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, view: ReferralView, entry: LogEntry) -> None:
        super().__init__(classes="offers-dialog-screen")
        self.view, self.entry = view, entry

    def compose(self) -> ComposeResult:
        today = self.ctx.today()
        with Vertical(classes="offers-dialog"):
            yield Label(f"{self.entry.service_name} declined {self.view.case_ref}: why?", classes="offers-question")
            yield RadioSet(*[RadioButton(label, id=f"reason-{code}") for code, label in DECLINE_REASONS.items()],
                           id="decline-reason")
            yield Static("", classes="offer-error", id="err-reason")
            with Horizontal(classes="offer-row"):
                yield Label("In words", classes="offer-label")
                yield InOrderInput(id="decline-text", classes="offer-input", compact=True,
                            placeholder="needed when the reason is Other")
            yield Static("", classes="offer-error", id="err-text")
            with Horizontal(classes="offer-row"):
                yield Label("Answer received on", classes="offer-label")
                yield InOrderInput(format_date(today), id="decline-received_on", classes="offer-input", compact=True,
                            placeholder="dd/mm/yyyy")
            yield Static("", classes="offer-error", id="err-received_on")
            yield Static("", classes="offers-banner", id="dialog-banner")
            yield Label("↑↓ and Enter choose the reason · Tab next field · ctrl+s record · Esc cancel",
                        classes="offers-hint")

    def on_mount(self) -> None:
        self.query_one("#decline-reason", RadioSet).focus()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        for slot in ("reason", "text", "received_on"):
            show_error(self, slot, "")
        chosen = self.query_one("#decline-reason", RadioSet).pressed_index
        code = REASON_CODES[chosen] if chosen >= 0 else None
        text = self.query_one("#decline-text", Input).value.strip()
        problems: dict[str, str] = {}
        if code is None:
            problems["reason"] = "Choose a reason (↑↓ then Enter)"
        elif code == "other" and not text:
            problems["text"] = "Say why the service declined: the reason is Other"
        received: dt.date | None = None
        raw = self.query_one("#decline-received_on", Input).value
        if raw.strip():
            try:
                received = parse_date(raw)
            except DateError as exc:
                problems["received_on"] = str(exc)
        if problems or code is None:
            self._problems(problems)
            return
        self._save(code, text, received)

    @background("decline", "record the decline")
    def _save(self, code: str, text: str, received: dt.date | None) -> None:
        try:
            record_decline(self.ctx, self.view, self.entry.service_id, code, text,
                           received_on=received)
        except OutreachRefused as exc:
            self.app.call_from_thread(self._problems, exc.problems)
            return
        except Exception as exc:  # noqa: BLE001  (a refusal or a failure: one line, the dialog stays)
            self.app.call_from_thread(self._banner, refusal_text(exc))
            return
        self.app.call_from_thread(
            self.dismiss, f"Recorded: {self.entry.service_name} declined ({DECLINE_REASONS[code]})")

    def _problems(self, problems: dict[str, str]) -> None:
        other = []
        for key, message in problems.items():
            if key in ("reason", "text", "received_on"):
                show_error(self, key, uk_dates(message))
            else:
                other.append(uk_dates(message))
        self._banner("; ".join(other) if other else "Not recorded: put right what is marked ⚠")
        first = next((k for k in ("reason", "text", "received_on") if k in problems), None)
        if first:
            self.query_one("#decline-reason" if first == "reason" else f"#decline-{first}").focus()

    def _banner(self, message: str) -> None:
        banner = self.query_one("#dialog-banner", Static)
        banner.update(message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message), "has-error")

    def action_cancel(self) -> None:
        self.dismiss(None)


def default_export_path(case_ref: str, today: dt.date) -> Path:
    """search-log-<case ref>-<date>.csv in the current folder, or in the home folder when that is not writable."""
    name = f"search-log-{case_ref}-{today.isoformat()}.csv"
    here = Path.cwd()
    return (here if os.access(here, os.W_OK) else Path.home()) / name


class ExportDialog(BrokerModal[str | None]):
    """Export the search log as CSV (case reference only, readable by its owner only) to a typed path."""

    CSS_PATH = "offers.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, view: ReferralView) -> None:
        super().__init__(classes="offers-dialog-screen")
        self.view = view
        self.replace: Path | None = None  # the existing file the broker agreed to replace (Enter twice)

    def compose(self) -> ComposeResult:
        path = default_export_path(self.view.case_ref, self.ctx.today())
        with Vertical(classes="offers-dialog"):
            yield Label(f"Export the search log of {self.view.case_ref} as CSV (case reference only, "
                        "readable by you only) to:", classes="offers-question")
            yield InOrderInput(str(path), id="export-path", compact=True, classes="offer-input")
            yield Static("", classes="offer-error", id="err-path")
            yield Label("Enter exports · Esc cancels", classes="offers-hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            show_error(self, "path", "Type where to write the file")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        if path.is_dir():
            show_error(self, "path", f"{path} is a folder: add a file name, e.g. {path / 'search-log.csv'}")
            return
        if not path.parent.is_dir():
            show_error(self, "path", f"The folder {path.parent} does not exist")
            return
        if path.exists() and self.replace != path:
            self.replace = path
            show_error(self, "path", f"{path.name} already exists: press Enter again to replace it")
            return
        show_error(self, "path", "")
        self._export(path)

    @background("export", "export the search log")
    def _export(self, path: Path) -> None:
        try:
            rows = export_csv(self.ctx, self.view, path)
        except OSError as exc:
            self.app.call_from_thread(show_error, self, "path", f"Could not write {path}: {exc.strerror or exc}")
            return
        except Exception as exc:  # noqa: BLE001  (one line for the person; the app stays up)
            self.app.call_from_thread(show_error, self, "path", refusal_text(exc))
            return
        self.app.call_from_thread(
            self.dismiss, f"Search log of {self.view.case_ref} exported: {rows} row{'s' if rows != 1 else ''} "
                          f"to {path} (readable by you only)")

    def action_cancel(self) -> None:
        self.dismiss(None)
