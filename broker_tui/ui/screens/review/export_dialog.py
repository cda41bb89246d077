"""Export the 16+ review: the format (an Excel workbook, CSV tables in a zip, or JSON) and where to write it
(the documents folder, or the app's data folder when there is none), written in a worker with its progress
shown; the screen is told the path written (children appear in the file by case reference only)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, ProgressBar, RadioButton, RadioSet, Static

from broker_tui.services.locations import default_db_path
from broker_tui.services.review import Review
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.widgets.export_target import export_target
from broker_tui.ui.widgets.in_order_input import InOrderInput

FORMAT_WORDS = {"xlsx": "Excel workbook (.xlsx)", "csv": "CSV tables in a zip (.zip)", "json": "JSON (.json)"}


def export_folder() -> Path:
    """The user's documents folder when it exists and can be written, else the app's data folder."""
    from platformdirs import user_documents_path

    documents = user_documents_path()
    if documents.is_dir() and os.access(documents, os.W_OK):
        return documents
    return default_db_path().parent


class ExportReviewDialog(BrokerModal[str | None]):
    """Choose the format and the path; Enter writes (a second Enter replaces a file already there)."""

    CSS_PATH = "review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "export", "Export"),
    ]

    def __init__(self, review: Review) -> None:
        super().__init__(classes="rv-dialog-screen")
        self.review = review
        self.fmt = "xlsx"
        self.replace: Path | None = None  # the existing file the person agreed to replace
        self.writing = False

    def compose(self) -> ComposeResult:
        from broker_tui.services.review.export import default_file_name

        with Vertical(classes="rv-dialog"):
            yield Label("Export the 16+ review (children by case reference only, readable by you only)",
                        classes="rv-question")
            with RadioSet(id="rv-export-format"):
                for fmt, words in FORMAT_WORDS.items():
                    yield RadioButton(words, value=fmt == self.fmt, name=fmt)
            yield Label("Write it to:")
            yield InOrderInput(str(export_folder() / default_file_name(self.review, self.fmt)), id="rv-export-path")
            yield Static("", id="rv-export-error")
            yield ProgressBar(id="rv-export-progress", show_eta=False)
            yield Static("", id="rv-export-step")
            yield Label("Enter or ctrl+s exports · Esc cancels", classes="rv-hint")

    def on_mount(self) -> None:
        self.query_one("#rv-export-progress", ProgressBar).display = False
        self.query_one("#rv-export-format", RadioSet).focus()

    @on(RadioSet.Changed, "#rv-export-format")
    def _format(self, event: RadioSet.Changed) -> None:
        from broker_tui.services.review.export import SUFFIXES

        fmt = event.pressed.name or "xlsx"
        if fmt == self.fmt:
            return
        path_input = self.query_one("#rv-export-path", Input)
        old = Path(path_input.value)
        if old.suffix == SUFFIXES[self.fmt]:
            path_input.value = str(old.with_suffix(SUFFIXES[fmt]))
        self.fmt = fmt
        self.replace = None

    def _error(self, message: str) -> None:
        error = self.query_one("#rv-export-error", Static)
        error.update(message)
        error.set_class(bool(message), "has-error")

    @on(Input.Submitted, "#rv-export-path")
    def _submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        if self.writing:
            return
        target = export_target(self.query_one("#rv-export-path", Input).value, self.replace)
        if target.exists:
            self.replace = target.path
        if target.problem or target.path is None:
            self._error(target.problem)
            return
        path = target.path
        self._error("")
        self.writing = True
        bar = self.query_one("#rv-export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._write(path, self.fmt)

    def _progress(self, done: int, total: int, what: str) -> None:
        self.query_one("#rv-export-progress", ProgressBar).update(total=total, progress=done)
        self.query_one("#rv-export-step", Static).update(f"Written {what} ({done} of {total})")

    def _failed(self, message: str) -> None:
        self.writing = False
        self.query_one("#rv-export-progress", ProgressBar).display = False
        self._error(message)

    @background("rv-export", "export the 16+ review")
    def _write(self, path: Path, fmt: str) -> None:
        from broker_tui.services.review.export import FileRefused, write_review

        def progress(done: int, total: int, what: str) -> None:
            self.app.call_from_thread(self._progress, done, total, what)

        try:
            written = write_review(self.review, path, fmt, progress)
        except FileRefused as exc:
            self.app.call_from_thread(self._failed, f"Not written: {exc}")
            return
        self.app.call_from_thread(self.dismiss, f"16+ review written to {written} ({FORMAT_WORDS[fmt]}, "
                                                f"readable by you only)")

    def action_cancel(self) -> None:
        if not self.writing:
            self.dismiss(None)

    def show_failure(self, message: str) -> None:
        """A failure of the writing worker (not a refusal by the file): said in the dialog, which stays open."""
        self._failed(message)
