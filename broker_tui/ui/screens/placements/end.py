"""End a placement, spot or block: the first night the child is not there, and one SSDA903 reason (the
placement change reason when the child moves on, or the episode-ceased reason when they leave care), chosen
from the code lists in use on the end date. A spot placement's agreement ends with it; a block unit is free
that night. Every problem beside its field; the dialog stays as typed until the end is recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Select, Static

from broker_tui.domain.dates import format_date
from broker_tui.services.placements import end_placement
from broker_tui.services.reference import CodeChoice, code_choices
from broker_tui.ui.base import background
from broker_tui.ui.screens.fields_dialog import FieldsDialog
from broker_tui.ui.widgets.in_order_input import InOrderInput

CODE_WIDTH = 70
END_WHY = [("Moves on to another placement (reason for the change)", "moves_on"),
           ("Leaves care (reason the episode ceased)", "leaves_care")]
END_FIELDS = {"moves_on": "REASON_PLACE_CHANGE", "leaves_care": "REC"}


class EndPlacementDialog(FieldsDialog):
    """End ``case_ref``'s placement at ``where`` (started ``since``; ``unit``: ``where`` is a block unit, free
    from the end date); dismisses with a one-line message."""

    SLOTS = ("end_date", "why", "code", "note")
    ALIASES = {"reason": "why", "reason_place_change": "code", "reason_episode_ceased": "code"}  # noqa: RUF012

    def __init__(self, placement_id: uuid.UUID, case_ref: str, where: str, since: dt.date | None, *,
                 unit: bool = False) -> None:
        super().__init__()
        self.placement_id, self.case_ref_, self.where, self.since, self.unit = placement_id, case_ref, where, since, unit
        self.codes: dict[str, list[CodeChoice]] = {}

    def question(self) -> str:
        since = f" (there since {format_date(self.since)})" if self.since else ""
        return f"End {self.case_ref_}'s placement {'in' if self.unit else 'at'} {self.where}{since}"

    def lead(self) -> ComposeResult:
        yield Static("The end date is the first night the child is not there" + (
            ": the unit is free that night." if self.unit else "."), classes="bc-hint")

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        yield "end_date", "End date", InOrderInput(format_date(self.ctx.today()), id="bc-f-end_date", classes="bc-field",
                                            compact=True, placeholder="dd/mm/yyyy")
        yield "why", "Why it ends", Select(END_WHY, prompt="Moves on, or leaves care?", id="bc-f-why",
                                           classes="bc-field", compact=True)
        yield "code", "SSDA903 reason", Select([], prompt="Choose why it ends first", id="bc-f-code",
                                                classes="bc-field", compact=True)
        yield "note", "Note", InOrderInput(id="bc-f-note", classes="bc-field", compact=True, placeholder="optional")

    def on_mount(self) -> None:
        self.query_one("#bc-f-end_date").focus()
        self._load_codes()

    @background("end-codes", "read the SSDA903 reasons")
    def _load_codes(self) -> None:
        codes = {why: code_choices(self.ctx, field) for why, field in END_FIELDS.items()}
        self.app.call_from_thread(self._codes_read, codes)

    def _codes_read(self, codes: dict[str, list[CodeChoice]]) -> None:
        self.codes = codes
        self._offer_codes()

    @on(Select.Changed, "#bc-f-why")
    def _why_changed(self) -> None:
        self._offer_codes()

    def _offer_codes(self) -> None:
        why = self.value("why")
        select = self.query_one("#bc-f-code", Select)
        chosen = select.value
        options = [(_cut(f"{c.code} — {c.description}", CODE_WIDTH), c.code) for c in self.codes.get(why, [])]
        select.set_options(options)
        select.prompt = "Choose the reason" if why else "Choose why it ends first"
        if chosen is not Select.NULL and any(code == chosen for _label, code in options):
            select.value = chosen

    def act(self, v: dict[str, str]) -> str:
        code = v["code"] or None
        ended = end_placement(self.ctx, self.placement_id, end_date=v["end_date"] or None,
                              reason_place_change=code if v["why"] == "moves_on" else None,
                              reason_episode_ceased=code if v["why"] == "leaves_care" else None, note=v["note"])
        assert ended.end_date is not None
        code = ended.reason_place_change or ended.reason_episode_ceased
        if self.unit:
            return f"Ended {ended.case_ref}'s placement: {self.where} is free from {format_date(ended.end_date)} ({code})"
        return (f"Ended {ended.case_ref}'s placement at {self.where}: the first night not there is "
                f"{format_date(ended.end_date)} ({code})")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
