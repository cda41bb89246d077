"""Start a placement stop after a red QA note: why, and from when (today unless told). The stop covers the
note's service (a provider's note: each of its open services); matching then leaves those services out.
Problems show beside their fields; nothing is written until the service accepts the whole stop."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.services.quality import NoteView, QARefused, stop_placements_after_note
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.quality.words import refusal_text
from broker_tui.ui.widgets.in_order_input import InOrderInput

SLOTS = ("reason", "from_date")


class StopDialog(BrokerModal[str | None]):
    """The stop's reason and first day. Dismisses with a one-line message once started, None when not."""

    CSS_PATH = "quality.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Start the stop", priority=True),
        Binding("escape", "cancel", "Not now"),
    ]

    def __init__(self, note: NoteView, *, offered: bool = False) -> None:
        super().__init__(classes="qa-dialog-screen")
        self.note, self.offered = note, offered

    def compose(self) -> ComposeResult:
        n = self.note
        lead = "This note is red: start a placement stop?" if self.offered else "Start a placement stop"
        with Vertical(classes="qa-dialog"):
            yield Label(f"{lead} ({n.kind_label} of {format_date(n.held_on)} about {n.subject_label})",
                        classes="qa-question")
            yield Static("No new placements are made there from the date (matching leaves the service out). "
                         "A note about a provider stops each of its open services.", classes="qa-hint")
            with Horizontal(classes="qa-row"):
                yield Label("Why", classes="qa-label")
                yield InOrderInput(id="qa-stop-reason", compact=True, placeholder="e.g. safeguarding concern under review")
            yield Static("", classes="qa-error", id="qa-err-reason")
            with Horizontal(classes="qa-row"):
                yield Label("From", classes="qa-label")
                yield InOrderInput(format_date(self.ctx.today()), id="qa-stop-from_date", compact=True,
                            placeholder="dd/mm/yyyy")
            yield Static("", classes="qa-error", id="qa-err-from_date")
            yield Static("", classes="qa-banner", id="qa-stop-banner")
            yield Label("Enter or ctrl+s start the stop · Esc " + ("not now" if self.offered else "cancel"),
                        classes="qa-hint")

    def on_mount(self) -> None:
        self.query_one("#qa-stop-reason", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def _show(self, problems: dict[str, str]) -> None:
        rest = {k: v for k, v in problems.items() if k not in SLOTS}
        for key in SLOTS:
            err = self.query_one(f"#qa-err-{key}", Static)
            message = problems.get(key, "")
            err.update(f"⚠ {message}" if message else "")
            err.set_class(bool(message), "has-error")
        banner = self.query_one("#qa-stop-banner", Static)
        text = "; ".join(rest.values())
        banner.update(f"Not started: {text}" if text else "")
        banner.set_class(bool(text), "-shown")
        banner.set_class(bool(text), "has-error")

    def action_save(self) -> None:
        reason = self.query_one("#qa-stop-reason", Input).value
        typed = self.query_one("#qa-stop-from_date", Input).value.strip()
        problems: dict[str, str] = {}
        if not reason.strip():
            problems["reason"] = "Say why placements stop"
        start: dt.date | None = None
        if typed:
            try:
                start = parse_date(typed)
            except DateError as exc:
                problems["from_date"] = str(exc)
        if problems:
            self._show(problems)
            return
        self._save(reason, start)

    @background("qa-stop", "start the placement stop")
    def _save(self, reason: str, start: dt.date | None) -> None:
        try:
            started = stop_placements_after_note(self.ctx, self.note, reason, start)
        except QARefused as exc:
            self.app.call_from_thread(self._show, exc.problems)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._show, {"": refusal_text(exc)})
            return
        names = ", ".join(s.service_name for s in started)
        first = started[0].starts_on if started else start
        self.app.call_from_thread(self.dismiss, f"Placement stop started at {names} from {format_date(first)}")

    def action_cancel(self) -> None:
        self.dismiss(None)
