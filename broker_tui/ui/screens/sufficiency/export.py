"""Write the commissioning plan's workbook from the sufficiency screen: where to write it (the documents
folder, or the app's data folder when there is none), written in a worker; counts only, readable by you only."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from broker_tui.services.sufficiency import DeclineEvidence, MarketGap
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.review.export_dialog import export_folder
from broker_tui.ui.widgets.export_target import export_target
from broker_tui.ui.widgets.in_order_input import InOrderInput


def default_plan_name(gap: MarketGap) -> Path:
    return Path(f"sufficiency-plan-{gap.forecast.made_at:%Y-%m-%d}.xlsx")


class ExportPlanDialog(BrokerModal[str | None]):
    """The path; Enter writes (a second Enter replaces a file already there); Esc cancels."""

    CSS_PATH = "sufficiency.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel"),
                                             Binding("ctrl+s", "export", "Write")]

    def __init__(self, gap: MarketGap, declines: DeclineEvidence | None = None) -> None:
        super().__init__(classes="sf-dialog-screen")
        self.gap = gap
        self.declines = declines
        self.replace: Path | None = None
        self.writing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="sf-dialog"):
            yield Label("Write the commissioning plan's workbook (counts only, readable by you only)")
            yield Label("Write it to:")
            yield InOrderInput(str(export_folder() / default_plan_name(self.gap)), id="sf-export-path")
            yield Static("", id="sf-export-error")
            yield Label("Enter or ctrl+s writes · Esc cancels", classes="sf-hint")

    def _error(self, message: str) -> None:
        error = self.query_one("#sf-export-error", Static)
        error.update(message)
        error.set_class(bool(message), "has-error")

    @on(Input.Submitted, "#sf-export-path")
    def _submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        if self.writing:
            return
        target = export_target(self.query_one("#sf-export-path", Input).value, self.replace, ".xlsx")
        if target.exists:
            self.replace = target.path
        if target.problem or target.path is None:
            self._error(target.problem)
            return
        path = target.path
        self._error("")
        self.writing = True
        self._write(path)

    @background("sf-export", "write the commissioning plan's workbook")
    def _write(self, path: Path) -> None:
        from broker_tui.services.private_files import FileRefused
        from broker_tui.services.sufficiency import write_workbook

        try:
            written = write_workbook(self.gap, path, self.declines)
        except FileRefused as exc:
            self.app.call_from_thread(self._failed, f"Not written: {exc}")
            return
        self.app.call_from_thread(self.dismiss, f"Commissioning plan written to {written} (readable by you only)")

    def _failed(self, message: str) -> None:
        self.writing = False
        self._error(message)

    def show_failure(self, message: str) -> None:
        self._failed(message)

    def action_cancel(self) -> None:
        if not self.writing:
            self.dismiss(None)
