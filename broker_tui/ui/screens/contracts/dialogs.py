"""The block contract's dialogs: place a child into a free unit, end a placement (the first night not there
and one SSDA903 reason), set a unit's status from a date, amend the terms (a dated change).

Each passes what was typed to its service, which reads dates (dd/mm/yyyy) and money (£750.00) and refuses by
field with nothing written: every problem shows beside its field (one about the whole contract, such as a
full or expired one, in the dialog's banner), what was typed stays, and the dialog stays open until the act
is done. Each dismisses with a one-line message for the contract screen, None when cancelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.contracts import (
    TERM_KINDS,
    UNIT_STATUS_LABELS,
    ContractDetail,
    PlaceInput,
    TermInput,
    UnitView,
    amend_contract,
    place_in_block,
    set_unit_status,
)
from broker_tui.services.placements import OVERLAP_KINDS
from broker_tui.ui.screens.fields_dialog import FieldsDialog
from broker_tui.ui.screens.placements.end import EndPlacementDialog
from broker_tui.ui.widgets.in_order_input import InOrderInput


class ContractDialog(FieldsDialog):
    """The block contract's dialogs (see ui.screens.fields_dialog)."""


def _input(key: str, value: str = "", placeholder: str = "") -> Input:
    return InOrderInput(value, id=f"bc-f-{key}", classes="bc-field", compact=True, placeholder=placeholder)


def _select(key: str, options: list[tuple[str, str]], *, prompt: str = "Choose", value: Any = Select.NULL) -> Select[str]:
    return Select(options, prompt=prompt, value=value, id=f"bc-f-{key}", classes="bc-field", compact=True)


# ------------------------------------------------------------------------------------------------------ place

class PlaceDialog(ContractDialog):
    """A child into a free unit of the contract: their case reference, the first night, the unit (or the
    first free one), an optional planned end. A full or expired contract is refused in the banner."""

    SLOTS = ("case_ref", "start_date", "unit", "planned_end", "overlap_kind", "overlap_reason")

    def __init__(self, detail: ContractDetail, unit: UnitView | None = None) -> None:
        super().__init__()
        self.detail, self.unit = detail, unit

    def question(self) -> str:
        return f"Place a child in {self.detail.reference} {self.detail.name}"

    def lead(self) -> ComposeResult:
        free = [u.label for u in self.detail.units if u.in_contract and not u.case_ref and u.status == "available"]
        yield Static(f"Free today: {', '.join(free)}" if free else "No unit is free today", classes="bc-hint")

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        units = [(f"{u.label} ({u.case_ref})" if u.case_ref else u.label, str(u.id))
                 for u in self.detail.units if u.in_contract]
        yield "case_ref", "Case reference", _input("case_ref", placeholder="the child's case reference, e.g. LCC-123456")
        yield "start_date", "First night", _input("start_date", format_date(self.ctx.today()), "dd/mm/yyyy")
        yield "unit", "Unit", _select("unit", units, prompt="The first free unit",
                                      value=str(self.unit.id) if self.unit else Select.NULL)
        yield "planned_end", "Planned end", _input("planned_end", placeholder="optional: the first night not there, dd/mm/yyyy")
        yield "overlap_kind", "Keeps another", _select("overlap_kind", [(label, code) for code, label in OVERLAP_KINDS.items()],
                                                       prompt="No other placement on these nights (the usual)")
        yield "overlap_reason", "Why two at once", _input("overlap_reason", placeholder="only with a retainer or a transition")

    def on_mount(self) -> None:
        self.query_one("#bc-f-case_ref").focus()

    def act(self, v: dict[str, str]) -> str:
        placed = place_in_block(self.ctx, PlaceInput(contract=str(self.detail.id), case_ref=v["case_ref"].strip(),
                                                     start_date=v["start_date"], unit=v["unit"] or None,
                                                     planned_end=v["planned_end"] or None,
                                                     overlap_kind=v["overlap_kind"], overlap_reason=v["overlap_reason"]))
        label = next((u.label for u in self.detail.units if u.id == placed.block_unit_id), "a unit")
        return f"Placed {placed.case_ref} in {label} from {format_date(placed.start_date)}"


# ------------------------------------------------------------------------------------------------------- end

class EndDialog(EndPlacementDialog):
    """End the placement in a unit (ui.screens.placements.end): the unit is free from the end date."""

    def __init__(self, unit: UnitView) -> None:
        assert unit.placement_id is not None
        super().__init__(unit.placement_id, unit.case_ref, unit.label, unit.since, unit=True)


# ------------------------------------------------------------------------------------------------ unit status

class UnitStatusDialog(ContractDialog):
    """A unit's status from a date: available, held for an incoming young person, out of use."""

    SLOTS = ("status", "from", "reason")

    def __init__(self, detail: ContractDetail, unit: UnitView) -> None:
        super().__init__()
        self.detail, self.unit = detail, unit

    def question(self) -> str:
        return f"{self.unit.label} of {self.detail.reference}: its status from a date"

    def lead(self) -> ComposeResult:
        yield Static(f"Now: {self.unit.status_label}" + (f" since {format_date(self.unit.status_from)}"
                                                         if self.unit.status_from else ""), classes="bc-hint")

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        options = [(label, code) for code, label in UNIT_STATUS_LABELS.items() if code != self.unit.status]
        yield "status", "Status", _select("status", options, prompt="Choose the status")
        yield "from", "From", _input("from", format_date(self.ctx.today()), "dd/mm/yyyy")
        yield "reason", "Why", _input("reason", placeholder="needed unless it is available again")

    def on_mount(self) -> None:
        self.query_one("#bc-f-status").focus()

    def check(self) -> dict[str, str]:
        return {} if self.value("status") else {"status": "Choose the status"}

    def act(self, v: dict[str, str]) -> str:
        done = set_unit_status(self.ctx, self.unit.id, v["status"], v["from"] or None, v["reason"])
        return f"{done.label} is {UNIT_STATUS_LABELS[done.status].lower()} from {format_date(done.effective_from)}"


# ------------------------------------------------------------------------------------------------------ amend

AMEND_ROWS = {"price_change": ("unit_weekly_pence",), "uplift": ("uplift",), "extension": ("ends_on",),
              "units_added": ("units",), "units_removed": ("units",)}


def percent_to_bp(text: str) -> int | None:
    """'3.5' or '3.5%' -> 350 basis points (None when not a percentage to the hundredth)."""
    try:
        value = Decimal(text.strip().removesuffix("%").strip())
    except InvalidOperation:
        return None
    bp = value * 100
    return int(bp) if bp == bp.to_integral_value() else None


class AmendDialog(ContractDialog):
    """A dated change to the contract's terms: a unit price change, an annual uplift, an extension, units
    added or taken out (free ones only). Every cost uses the terms in force on each night."""

    SLOTS = ("kind", "effective_from", "unit_weekly_pence", "uplift", "ends_on", "units", "reason")
    ALIASES: ClassVar[dict[str, str]] = {"uplift_bp": "uplift"}

    def __init__(self, detail: ContractDetail) -> None:
        super().__init__()
        self.detail = detail

    def question(self) -> str:
        price = format_pence(self.detail.unit_weekly_pence) if self.detail.unit_weekly_pence is not None else "—"
        return f"Amend {self.detail.reference}'s terms (now {price} a unit a week, to {format_date(self.detail.ends_on)})"

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        yield "kind", "What changes", _select("kind", [(label, code) for code, label in TERM_KINDS.items()],
                                              prompt="Choose what changes")
        yield "effective_from", "From", _input("effective_from", format_date(self.ctx.today()), "dd/mm/yyyy")
        yield "unit_weekly_pence", "New unit price", _input("unit_weekly_pence", placeholder="a week, e.g. £750.00")
        yield "uplift", "Uplift", _input("uplift", placeholder="a percentage, e.g. 3.5%")
        yield "ends_on", "New end", _input("ends_on", placeholder="the first day not covered, dd/mm/yyyy")
        yield "units", "Units", _input("units", placeholder="added: a count or labels; taken out: labels (comma between)")
        yield "reason", "Why", _input("reason", placeholder="optional")

    def on_mount(self) -> None:
        self._rows()
        self.query_one("#bc-f-kind").focus()

    @on(Select.Changed, "#bc-f-kind")
    def _kind_changed(self) -> None:
        self._rows()

    def _rows(self) -> None:
        shown = AMEND_ROWS.get(self.value("kind"), ())
        for key in ("unit_weekly_pence", "uplift", "ends_on", "units"):
            self.query_one(f"#bc-row-{key}").display = key in shown

    def check(self) -> dict[str, str]:
        kind = self.value("kind")
        if not kind:
            return {"kind": "Choose what changes"}
        if kind == "uplift" and percent_to_bp(self.value("uplift")) is None:
            return {"uplift": "Enter the uplift as a percentage, e.g. 3.5%"}
        return {}

    def act(self, v: dict[str, str]) -> str:
        kind = v["kind"]
        units: Any = None
        if kind in ("units_added", "units_removed"):
            text = v["units"].strip()
            labels = tuple(x.strip() for x in text.split(",") if x.strip())
            units = text if kind == "units_added" and text.isdigit() else (labels or None)
        term = TermInput(kind=kind, effective_from=v["effective_from"] or None,
                         unit_weekly_pence=v["unit_weekly_pence"] or None if kind == "price_change" else None,
                         uplift_bp=percent_to_bp(v["uplift"]) if kind == "uplift" else None,
                         ends_on=v["ends_on"] or None if kind == "extension" else None, units=units,
                         reason=v["reason"])
        added = amend_contract(self.ctx, self.detail, term)
        return (f"Amended from {format_date(added.effective_from)}: {TERM_KINDS[kind].lower()} — {added.units} units "
                f"at {format_pence(added.unit_weekly_pence)} a week, to {format_date(added.ends_on)}")
