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
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

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
from broker_tui.services.placements import OVERLAP_KINDS, PurchaseRefused, end_placement
from broker_tui.services.reference import CodeChoice, code_choices
from broker_tui.ui.base import BrokerModal, background
from broker_tui.ui.screens.contracts.words import cap, refusal_text

CODE_WIDTH = 70
END_WHY = [("Moves on to another placement (reason for the change)", "moves_on"),
           ("Leaves care (reason the episode ceased)", "leaves_care")]
END_FIELDS = {"moves_on": "REASON_PLACE_CHANGE", "leaves_care": "REC"}


class ContractDialog(BrokerModal[str | None]):
    """A dialog of fields, each with its problem beside it; ctrl+s (or Enter in the last field) saves."""

    CSS_PATH = "contracts.tcss"
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

    def question(self) -> str:
        raise NotImplementedError

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        raise NotImplementedError

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

    def act(self, v: dict[str, str]) -> str:
        """Do the act through the service with what was typed (``v``, by field); the message for the
        contract screen. Runs in a thread worker: it reads no widget."""
        raise NotImplementedError

    def values(self) -> dict[str, str]:
        """What was typed, by field (read on the event loop, before the worker runs)."""
        return {w.id.removeprefix("bc-f-"): self.value(w.id.removeprefix("bc-f-"))
                for w in self.query(".bc-field") if w.id}

    @background("bc-act", "save the block contract change")
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


def _input(key: str, value: str = "", placeholder: str = "") -> Input:
    return Input(value, id=f"bc-f-{key}", classes="bc-field", compact=True, placeholder=placeholder)


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

class EndDialog(ContractDialog):
    """End the placement in a unit: the first night the child is not there, and one SSDA903 reason: the
    placement change reason when the child moves on, or the episode-ceased reason when they leave care."""

    SLOTS = ("end_date", "why", "code", "note")
    ALIASES: ClassVar[dict[str, str]] = {"reason": "why", "reason_place_change": "code",
                                         "reason_episode_ceased": "code"}

    def __init__(self, unit: UnitView) -> None:
        super().__init__()
        self.unit = unit
        self.codes: dict[str, list[CodeChoice]] = {}

    def question(self) -> str:
        since = f" (there since {format_date(self.unit.since)})" if self.unit.since else ""
        return f"End {self.unit.case_ref}'s placement in {self.unit.label}{since}"

    def lead(self) -> ComposeResult:
        yield Static("The end date is the first night the child is not there: the unit is free that night.",
                     classes="bc-hint")

    def fields(self) -> Iterator[tuple[str, str, Widget]]:
        yield "end_date", "End date", _input("end_date", format_date(self.ctx.today()), "dd/mm/yyyy")
        yield "why", "Why it ends", _select("why", END_WHY, prompt="Moves on, or leaves care?")
        yield "code", "SSDA903 reason", _select("code", [], prompt="Choose why it ends first")
        yield "note", "Note", _input("note", placeholder="optional")

    def on_mount(self) -> None:
        self.query_one("#bc-f-end_date").focus()
        self._load_codes()

    @background("bc-codes", "read the SSDA903 reasons")
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
        assert self.unit.placement_id is not None
        ended = end_placement(self.ctx, self.unit.placement_id, end_date=v["end_date"] or None,
                              reason_place_change=code if v["why"] == "moves_on" else None,
                              reason_episode_ceased=code if v["why"] == "leaves_care" else None, note=v["note"])
        assert ended.end_date is not None
        return (f"Ended {ended.case_ref}'s placement: {self.unit.label} is free from "
                f"{format_date(ended.end_date)} ({ended.reason_place_change or ended.reason_episode_ceased})")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


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
