"""Send a referral to the shortlisted services: who gets it (each provider's referral contact), the reply
deadline, and the anonymised text they get (case reference only: never a name, initials or a date of
birth), ready to copy or save to a file before or after sending.

Dismissed with the SentRecords when sent, None when cancelled. Nothing is written until ctrl+s; a
refusal (a reply date in the past, a service sent to meanwhile, a newer save of the referral) is shown
in the dialog and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static, TextArea

from broker_tui.domain.dates import DateError, format_date, parse_date
from broker_tui.domain.referrals.rules import default_reply_by
from broker_tui.services.outreach import (
    OutreachRefused,
    SendPreview,
    StaleEdit,
    TransitionRefused,
    send_preview,
    send_referral,
)
from broker_tui.services.private_files import FileRefused, write_private
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.dialogs import ReasonScreen


def recipients_table(preview: SendPreview) -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(no_wrap=True, style="bold")
    t.add_column()
    for r in preview.recipients:
        contact = Text(r.contact) if r.contact else Text("no referral contact recorded: send it by hand",
                                                         style="yellow")
        t.add_row(r.service_name, Text.assemble(f"{r.provider_name} · ", contact))
    return t


class SendReferralScreen(BrokerModal[list[Any] | None]):
    """Check who gets the referral and what they read, set the reply deadline, then send (ctrl+s)."""

    CSS_PATH = "send_referral.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("ctrl+y", "copy_text", "Copy text", priority=True),
        Binding("ctrl+e", "save_text", "Save text to a file", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, referral: ReferralView, services: dict[str, str]) -> None:
        super().__init__()
        self.referral, self.services = referral, services  # service id -> name, in the order chosen
        self.preview: SendPreview | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        n = len(self.services)
        with Vertical(id="send-dialog"):
            yield Label(f"Send {self.referral.case_ref} to {n} provider{'s' if n != 1 else ''}", id="send-title")
            yield Static("Reading the providers' referral contacts…", id="send-recipients")
            with Horizontal(id="send-due-row"):
                yield Label("Reply by", classes="send-label")
                yield Input(format_date(default_reply_by(self._today(), self.referral.values.get("needed_by"))),
                            id="send-due", placeholder="dd/mm/yyyy")
                yield Static("", id="send-due-error", classes="send-problem")
            yield Label("What the providers receive (case reference only):", classes="send-label")
            yield TextArea("", id="send-text", read_only=True, soft_wrap=True)
            yield Static("", id="send-error", classes="send-problem")
            with Horizontal(id="send-buttons"):
                yield Button("Send (ctrl+s)", id="send", variant="primary")
                yield Button("Copy text (ctrl+y)", id="copy")
                yield Button("Save text… (ctrl+e)", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def _today(self) -> dt.date:
        return self.ctx.today()

    def on_mount(self) -> None:
        self.query_one("#send-due", Input).focus()
        self._refresh_preview()

    def _due(self) -> dt.date | None:
        """The reply date typed, or None (with the reason beside the field)."""
        field = self.query_one("#send-due", Input)
        error = self.query_one("#send-due-error", Static)
        try:
            due = parse_date(field.value)
        except DateError as exc:
            error.update(str(exc))
            return None
        if due < self._today():
            error.update(f"{format_date(due)} is in the past")
            return None
        error.update("")
        return due

    @on(Input.Changed, "#send-due")
    def _due_changed(self) -> None:
        self._refresh_preview()

    def _refresh_preview(self) -> None:
        due = self._due()
        if due is not None:
            self.load_preview(due)

    @background("send-preview", "prepare what each provider receives")
    def load_preview(self, due: dt.date) -> None:
        try:
            preview = send_preview(self.ctx, self.referral, list(self.services), due)
        except Exception as exc:  # noqa: BLE001  (shown in the dialog)
            self.app.call_from_thread(self._error, f"Could not prepare the referral text: {exc}")
            return
        self.app.call_from_thread(self._show_preview, preview)

    def _show_preview(self, preview: SendPreview) -> None:
        if preview.reply_due_on != self._due():
            return  # the date changed meanwhile; a newer preview is on its way
        self.preview = preview
        self.query_one("#send-recipients", Static).update(recipients_table(preview))
        self.query_one("#send-text", TextArea).load_text(preview.text)

    def _error(self, message: str) -> None:
        self.query_one("#send-error", Static).update(message)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = {"send": self.action_send, "copy": self.action_copy_text, "save": self.action_save_text,
                  "cancel": self.action_cancel}[event.button.id or "cancel"]
        action()

    # -- actions -------------------------------------------------------------------------------
    def action_send(self) -> None:
        due = self._due()
        if due is None:
            self.query_one("#send-due", Input).focus()
            self._error("Give a reply date (dd/mm/yyyy), today or later, before sending")
            return
        if self.sending:
            return
        self.sending = True
        self._error("Sending…")
        self.send(due)

    @background("send", "send the referral")
    def send(self, due: dt.date) -> None:
        ctx = self.ctx
        try:
            records = send_referral(ctx, self.referral, list(self.services), due)
        except OutreachRefused as exc:
            names = self.services
            message = "; ".join(f"{names.get(k, k)}: {v}" if k in names else v for k, v in exc.problems.items())
            self.app.call_from_thread(self._refused, f"Nothing was sent: {message}")
            return
        except (StaleEdit, TransitionRefused) as exc:
            self.app.call_from_thread(self._refused, f"Nothing was sent: {exc}")
            return
        except Exception as exc:  # noqa: BLE001  (the database went away, ...: nothing half-written)
            self.app.call_from_thread(self._refused, f"Nothing was sent: {exc}")
            return
        self.app.call_from_thread(self.dismiss, records)

    def _refused(self, message: str) -> None:
        self.sending = False
        self._error(message)

    def action_copy_text(self) -> None:
        if self.preview is None:
            return
        self.app.copy_to_clipboard(self.preview.text)
        self.notify("Referral text copied (case reference only)")

    def action_save_text(self) -> None:
        if self.preview is None:
            return
        default = str(Path.cwd() / f"{self.referral.case_ref}-referral.txt")
        self.app.push_screen(ReasonScreen("Save the referral text (case reference only) to which file?",
                                          placeholder="a file name", value=default, needed="A file name is needed"),
                             self._save_to)

    def _save_to(self, path: str | None) -> None:
        if path and self.preview is not None:
            self.save_text(path, self.preview.text)

    @background("send-save", "save the referral text", exclusive=False)
    def save_text(self, path: str, text: str) -> None:
        try:
            target = write_private(path, text)
        except FileRefused as exc:
            self.app.call_from_thread(self._error, f"Not saved: {exc}")
            return
        self.app.call_from_thread(self.notify, f"Referral text saved to {target} (readable by you only)")

    def action_cancel(self) -> None:
        if not self.sending:
            self.dismiss(None)
