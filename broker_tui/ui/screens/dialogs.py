"""Small modal questions: confirm, give a reason, pick one of a few choices."""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from broker_tui.ui.base import BrokerModal, BrokerScreen
from broker_tui.ui.widgets.in_order_input import InOrderInput

T = TypeVar("T")


def leave_form(screen: BrokerScreen[T | None], *, dirty: bool, question: str) -> None:
    """Close a form: at once when nothing was typed, else only once the broker confirms losing it."""
    if not dirty:
        screen.dismiss(None)
        return

    def answered(leave: bool | None) -> None:
        if leave:
            screen.dismiss(None)

    screen.app.push_screen(ConfirmScreen(question, yes="Leave", no="Stay"), answered)


class ConfirmScreen(BrokerModal[bool]):
    """A yes/no question. y or Enter on Yes confirms; n or Escape declines."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            yield Button(f"{self.yes} (y)", id="yes", variant="error")
            yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ReasonScreen(BrokerModal[str | None]):
    """Ask for a line of text (why a referral is withdrawn, a file name, ...). Enter with text gives it;
    Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, *, placeholder: str = "Reason", value: str = "",
                 needed: str = "A reason is needed") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.placeholder, self.value, self.needed = question, placeholder, value, needed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            yield InOrderInput(self.value, placeholder=self.placeholder, id="reason")
            yield Static("", classes="dialog-error", id="reason-error")

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            error = self.query_one("#reason-error", Static)
            error.update(f"⚠ {self.needed}")
            error.add_class("has-error")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(BrokerModal[str | None]):
    """Pick one of a few labelled choices (Enter), or Escape to cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.choices = question, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-question")
            yield OptionList(*[Option(label, id=value) for value, label in self.choices], id="choices")

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
