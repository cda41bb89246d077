"""Read the council's SSDA903 return from the sufficiency screen (i): a folder of its CSV files, or files
separated by commas. The whole return is checked first: any error and nothing is written, each listed here by
file and line with its DfE rule; a file read before is refused, saying when and by whom."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.widgets.in_order_input import InOrderInput

MOST_LINES = 40


class ImportReturnDialog(BrokerModal[str | None]):
    """The path; Enter reads the return in a worker; Esc cancels."""

    CSS_PATH = "sufficiency.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel"),
                                             Binding("ctrl+s", "read", "Read")]

    def __init__(self) -> None:
        super().__init__(classes="sf-dialog-screen")
        self.reading = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="sf-dialog"):
            yield Static("Read the SSDA903 return (Header, Episodes, UASC, OC3 CSV files of one or several years). "
                         "A folder of its .csv files, or files separated by commas:")
            yield InOrderInput("", placeholder="/path/to/return", id="sf-import-path")
            with VerticalScroll(id="sf-import-problems-box"):
                yield Static("", id="sf-import-problems")
            yield Static("Kept: a pseudonymous child id, year and month of birth, sex, episodes with postcode "
                         "districts, OC3 · Enter reads · Esc cancels", classes="sf-hint")

    def on_mount(self) -> None:
        self.query_one("#sf-import-problems-box").display = False

    def _problems(self, text: str) -> None:
        self.query_one("#sf-import-problems", Static).update(text)
        self.query_one("#sf-import-problems-box").display = bool(text)

    @on(Input.Submitted, "#sf-import-path")
    def _submitted(self) -> None:
        self.action_read()

    def action_read(self) -> None:
        if self.reading:
            return
        raw = self.query_one("#sf-import-path", Input).value
        paths = [Path(p.strip()).expanduser() for p in raw.split(",") if p.strip()]
        if not paths:
            self._problems("Type the folder of the return's CSV files")
            return
        self.reading = True
        self._problems("Reading and checking the return…")
        self._read(paths)

    @background("sf-import", "read the SSDA903 return")
    def _read(self, paths: list[Path]) -> None:
        from broker_tui.services.sufficiency import ReturnAlreadyImported, ReturnInvalid, import_ssda903

        try:
            done = import_ssda903(self.ctx, paths)
        except ReturnInvalid as exc:
            lines = [p.text() for p in exc.errors[:MOST_LINES]]
            more = len(exc.errors) - len(lines)
            text = f"The return has {len(exc.errors)} error(s); nothing was written:\n" + "\n".join(lines)
            self.app.call_from_thread(self._failed, text + (f"\nand {more} more" if more else ""))
            return
        except ReturnAlreadyImported as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, f"Read the SSDA903 return: {done.children} children, {done.episodes} "
                                                f"episodes, {done.uasc} UASC, {done.oc3} OC3 row(s)"
                                                + (f"; {len(done.queries)} DfE queries listed, not refused"
                                                   if done.queries else ""))

    def _failed(self, text: str) -> None:
        self.reading = False
        self._problems(text)

    def show_failure(self, message: str) -> None:
        self._failed(message)

    def action_cancel(self) -> None:
        if not self.reading:
            self.dismiss(None)
