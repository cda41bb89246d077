"""A dialog of a few fields, each with its problem beside it (the block contract's dialogs, ending a
placement): what was typed is passed to a service, which reads it and refuses by field with nothing written;
a problem about no one field shows in the banner; the dialog stays open, as typed, until the act is done,
then dismisses with a one-line message (None when cancelled). The look is fields_dialog.tcss (bc- classes).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from broker_tui.services.placements import PurchaseRefused
from broker_tui.services.quality import StaleEdit  # (the store's, as every service raises it)
from broker_tui.ui.base import BrokerModal, background


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def refusal_text(exc: BaseException) -> str:
    """One line for the person at the keyboard, whatever went wrong."""
    if isinstance(exc, StaleEdit):
        changed = ", ".join(k.replace("_", " ") for k in sorted(exc.changed)) or "it"
        return (f"Not saved: someone else changed this {exc.entity.replace('_', ' ')} since it was opened "
                f"({changed}). It has been reloaded: check it and try again.")
    if isinstance(exc, PurchaseRefused):
        return cap("; ".join(exc.problems.values()))
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Something went wrong: {text}"


class FieldsDialog(BrokerModal[str | None]):
    """A dialog of fields, each with its problem beside it; ctrl+s (or Enter in the last field) saves."""

    CSS_PATH = str(Path(__file__).with_name("fields_dialog.tcss"))  # the same file for subclasses anywhere
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    SLOTS: tuple[str, ...] = ()  # the service's field names shown beside a field; the rest go to the banner
    ALIASES: ClassVar[dict[str, str]] = {}  # a service field shown in another's slot
    HINT = "Tab next field · Enter opens a choice · ctrl+s save · Esc cancel"

    def __init__(self) -> None:
        super().__init__(classes="bc-dialog-screen")
        self.saving = False

    @abstractmethod
    def question(self) -> str:
        """The dialog's title: what is being done, to whom."""

    @abstractmethod
    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        """(key, label, widget) for each field, in order; a widget's id is ``bc-f-<key>``."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="bc-dialog"):
            yield Label(self.question(), classes="bc-question")
            yield from self.lead()
            yield Static("", classes="bc-banner", id="bc-dialog-banner")
            for key, label, widget in self.fields():
                yield Horizontal(Label(label, classes="bc-label"), widget, classes="bc-row", id=f"bc-row-{key}")
                yield Static("", classes="bc-error", id=f"bc-err-{key}")
            yield Label(self.HINT, classes="bc-hint")

    def lead(self) -> ComposeResult:
        yield from ()

    def value(self, key: str) -> str:
        widget = self.query_one(f"#bc-f-{key}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        assert isinstance(widget, Input)
        return widget.value

    def show_problems(self, problems: dict[str, str]) -> None:
        shown: dict[str, list[str]] = {}
        rest: list[str] = []
        for key, message in problems.items():
            slot = self.ALIASES.get(key, key)
            if slot in self.SLOTS:
                shown.setdefault(slot, []).append(cap(message))
            else:
                rest.append(cap(message))
        for slot in self.SLOTS:
            err = self.query_one(f"#bc-err-{slot}", Static)
            text = "; ".join(shown.get(slot, []))
            err.update(f"⚠ {text}" if text else "")
            err.set_class(bool(text), "has-error")
        self.banner("; ".join(rest), error=True)
        first = next((s for s in self.SLOTS if s in shown), None)
        if first:
            self.query_one(f"#bc-f-{first}").focus()

    def banner(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#bc-dialog-banner", Static)
        banner.update(f"⚠ {message}" if message and error else message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message) and error, "has-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        inputs = [w for w in self.query(Input) if w.display]
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self.saving:
            return
        problems = self.check()
        if problems:
            self.show_problems(problems)
            return
        self.saving = True
        self._save(self.values())

    def check(self) -> dict[str, str]:
        """Problems found before asking the service (none by default: the service reads what was typed)."""
        return {}

    @abstractmethod
    def act(self, v: dict[str, str]) -> str:
        """Do the act through the service with what was typed (``v``, by field); the message for the
        screen below. Runs in a thread worker: it reads no widget."""

    def values(self) -> dict[str, str]:
        """What was typed, by field (read on the event loop, before the worker runs)."""
        return {w.id.removeprefix("bc-f-"): self.value(w.id.removeprefix("bc-f-"))
                for w in self.query(".bc-field") if w.id}

    @background("fields-act", "save the change")
    def _save(self, v: dict[str, str]) -> None:
        try:
            message = self.act(v)
        except PurchaseRefused as exc:
            self.app.call_from_thread(self._refused, exc.problems)
            return
        except Exception as exc:  # noqa: BLE001  (a failure: one line, the dialog stays as typed)
            self.app.call_from_thread(self._refused, {"": refusal_text(exc)})
            return
        self.app.call_from_thread(self.dismiss, message)

    def _refused(self, problems: dict[str, str]) -> None:
        self.saving = False
        self.show_problems(problems)

    def action_cancel(self) -> None:
        self.dismiss(None)


