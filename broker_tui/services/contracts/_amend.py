"""Amending a block contract by a dated term (``TermInput``, ``amend_contract``: a unit price change, an
annual uplift in basis points, an extension, units added or taken out) and a term's change in words
(``describe_term``).

Nothing is edited in place: the change is a new term row (block_contract_term, insert-only); units taken
out are never deleted (out of use through the council from the date); only the contract's own end follows
its extensions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import apply_uplift, format_pence
from broker_tui.domain.purchases import format_basis_points
from broker_tui.services.context import AppContext
from broker_tui.services.contracts._common import (
    ContractRefused,
    ContractState,
    as_int,
    as_units,
    contract_or_refuse,
    find_unit,
    load_states,
    log,
    nights_text,
)
from broker_tui.services.contracts._register import _UNIQUE_WORDS, _add_units, _contract_lock
from broker_tui.services.placements import as_date, as_pence, as_text, unknown_keys
from broker_tui.store.audit import name_action
from broker_tui.store.errors import RuleBroken, StaleEdit
from broker_tui.store.tables import BlockContract, BlockContractTerm, BlockUnitStatus
from broker_tui.store.versioning import apply_edit, changed_fields

TERM_KINDS = {
    "price_change": "Unit price change",
    "uplift": "Annual uplift",
    "extension": "Extension",
    "units_added": "Units added",
    "units_removed": "Units taken out",
}
TERM_FIELDS = ("kind", "effective_from", "unit_weekly_pence", "uplift_bp", "ends_on", "units", "reason")
MAX_UPLIFT_BP = 5_000  # 50%: an uplift above it is a typing slip (basis points: 350 = 3.5%)


@dataclass(frozen=True)
class TermInput:
    """A dated change to a contract, written as a new term from ``effective_from``:
    - price_change: the new ``unit_weekly_pence``;
    - uplift: ``uplift_bp`` basis points (350 = 3.5%) on the unit price in force, rounded half up;
    - extension: the new ``ends_on`` (the first day not covered), after the current end;
    - units_added: ``units``, a count or the new labels;
    - units_removed: ``units``, the labels of units free from the date (they go out of use through the
      council; never deleted)."""

    kind: str = ""
    effective_from: dt.date | str | None = None
    unit_weekly_pence: int | str | None = None
    uplift_bp: int | str | None = None
    ends_on: dt.date | str | None = None
    units: int | str | tuple[str, ...] | list[str] | None = None
    reason: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TermInput:
        if problems := unknown_keys(data, TERM_FIELDS):
            raise ContractRefused(problems)
        values = dict(data)
        if isinstance(values.get("units"), list):
            values["units"] = tuple(values["units"])
        return cls(**values)


@dataclass(frozen=True)
class TermAdded:
    id: uuid.UUID
    contract_id: uuid.UUID
    kind: str
    effective_from: dt.date
    units: int
    unit_weekly_pence: int
    ends_on: dt.date


def _opened_contract(contract: Any) -> BlockContract | None:
    """The contract as the person opened it (a view's raw row, or a row), to refuse a stale amendment."""
    raw = getattr(contract, "raw_row", None)
    if isinstance(raw, BlockContract):
        return raw
    return contract if isinstance(contract, BlockContract) else None


def _next_labels(state: ContractState, count: int) -> tuple[str, ...]:
    taken = {u.label.casefold() for u in state.units}
    labels: list[str] = []
    n = 1
    while len(labels) < count:
        if f"unit {n}" not in taken:
            labels.append(f"Unit {n}")
        n += 1
    return tuple(labels)


def amend_contract_in(session: Session, ctx: AppContext, contract: Any,
                      data: TermInput | Mapping[str, Any]) -> TermAdded:
    """Amend a contract inside the caller's transaction (see ``amend_contract``)."""
    given = data if isinstance(data, TermInput) else TermInput.from_json(data)
    problems: dict[str, str] = {}
    kind = as_text(given.kind, "kind", problems, required=f"say what changes: one of {', '.join(TERM_KINDS)}")
    if kind and kind not in TERM_KINDS:
        problems["kind"] = f"must be one of {', '.join(TERM_KINDS)}"
    reason = as_text(given.reason, "reason", problems, limit=500)
    effective = as_date(given.effective_from, "effective_from", problems, required=False) or ctx.today()
    row = contract_or_refuse(session, contract)
    _contract_lock(session, row.id)
    session.refresh(row)
    opened = _opened_contract(contract)
    if opened is not None and opened.version != row.version:
        raise StaleEdit("block contract", changed_fields(opened, row))
    state = load_states(session, [row])[0]
    current = state.term_on(effective)
    latest = state.latest_term()
    if row.status == "ended":
        raise ContractRefused({"contract": f"{row.reference} has ended: it cannot be amended"})
    if effective < row.starts_on:
        problems["effective_from"] = f"is before the contract starts ({format_date(row.starts_on)})"
    elif latest is not None and effective < latest.effective_from:
        problems["effective_from"] = (f"is before the latest term ({format_date(latest.effective_from)}): a term "
                                      "takes effect on or after the last one")
    elif kind != "extension" and effective >= state.ends_on:
        problems["effective_from"] = (f"is on or after the contract's end ({format_date(state.ends_on)}): extend "
                                      "it first")
    if current is None and "effective_from" not in problems:
        problems["effective_from"] = "the contract has no term in force then"
    if problems or current is None:
        raise ContractRefused(problems)
    units, price, uplift, ends_on = current.units, current.unit_weekly_pence, 0, None
    new_labels: tuple[str, ...] = ()
    removed = []
    if kind == "price_change":
        new_price = as_pence(given.unit_weekly_pence, "unit_weekly_pence", problems, required="enter the amount")
        if new_price is not None and new_price == price:
            problems["unit_weekly_pence"] = f"is the unit price already in force ({format_pence(price)})"
        price = new_price if new_price is not None else price
    elif kind == "uplift":
        bp = as_int(given.uplift_bp, "uplift_bp", problems) if given.uplift_bp is not None else None
        if given.uplift_bp is None:
            problems["uplift_bp"] = "give the uplift in basis points (350 = 3.5%)"
        elif bp is not None and not 0 < bp <= MAX_UPLIFT_BP:
            problems["uplift_bp"] = f"must be more than 0 and at most {MAX_UPLIFT_BP} (50%): 350 is 3.5%"
        elif bp is not None:
            uplift, price = bp, apply_uplift(price, bp)
    elif kind == "extension":
        new_end = as_date(given.ends_on, "ends_on", problems)
        if new_end is not None and new_end <= state.ends_on:
            problems["ends_on"] = (f"must be after the current end ({format_date(state.ends_on)}): an extension "
                                   "lengthens the contract")
        elif new_end is not None and effective >= new_end:
            problems["effective_from"] = "must be before the new end"
        elif new_end is not None and effective > state.ends_on:
            problems["effective_from"] = (f"is after the contract ended ({format_date(state.ends_on)}): an extension "
                                          "takes effect by then")
        ends_on = new_end
    elif kind == "units_added":
        count, labels = as_units(given.units, "units", problems)
        taken = {u.label.casefold() for u in state.units}
        if clash := [lb for lb in labels if lb.casefold() in taken]:
            problems["units"] = f"the contract already has {', '.join(clash)}"
        new_labels = labels or _next_labels(state, count)
        units += len(new_labels)
    elif kind == "units_removed":
        wanted = given.units if isinstance(given.units, list | tuple) else ((given.units,) if given.units else ())
        if not wanted:
            problems["units"] = "name the units taken out of the contract"
        held = {u.id for u in state.units_on(effective)}
        for ref in wanted:
            unit = find_unit(state, ref)
            if unit is None or unit.id not in held:
                problems["units"] = f"{ref} is not a unit of the contract on {format_date(effective)}"
                break
            busy = [p for p in state.placements_in(unit) if p.end_date is None or p.end_date > effective]
            if busy:
                p = busy[0]
                problems["units"] = (f"{unit.label} is taken by {p.case_ref} {nights_text(p.start_date, p.end_date)}: "
                                     "a unit leaves the contract only when it is free from the date")
                break
            removed.append(unit)
        units -= len(removed)
    if problems:
        raise ContractRefused(problems)
    term = BlockContractTerm(contract_id=row.id, effective_from=effective, units=units, unit_weekly_pence=price,
                             uplift_bp=uplift, ends_on=ends_on, reason=reason or TERM_KINDS[kind],
                             created_by=ctx.actor)
    session.add(term)
    session.flush()
    if new_labels:
        _add_units(session, ctx, row, new_labels, effective, reason or "Added to the contract")
    for unit in removed:
        session.add(BlockUnitStatus(unit_id=unit.id, effective_from=effective, status="out_of_use_council",
                                    reason=reason or "Taken out of the contract", created_by=ctx.actor))
    if ends_on is not None:  # the contract's own end follows its extensions, for the lists that sort by it
        name_action(session, opened or row, "extend", reason)
        apply_edit(session, opened or row, {"ends_on": ends_on})
    session.flush()
    log.info("block contract %s amended: %s from %s", row.reference, kind, effective.isoformat())
    return TermAdded(term.id, row.id, kind, effective, units, price, ends_on or state.ends_on)


def amend_contract(ctx: AppContext, contract: Any, data: TermInput | Mapping[str, Any]) -> TermAdded:
    """Amend a contract by a dated term (a unit price change, an annual uplift in basis points, an extension
    to a new end, units added or units taken out when free from the date). ``contract`` is an id, a
    reference, or a view as opened (a stale one is refused: StaleEdit). The term copies the units and
    price in force on its date and changes what it names; it takes effect on or after the latest term.
    All or nothing: raises ContractRefused by field (kind, effective_from, unit_weekly_pence, uplift_bp,
    ends_on, units, reason, contract)."""
    try:
        with ctx.session() as session:
            return amend_contract_in(session, ctx, contract, data)
    except RuleBroken as exc:
        if exc.rule in _UNIQUE_WORDS:
            raise ContractRefused(dict([_UNIQUE_WORDS[exc.rule]])) from None
        raise



def describe_term(previous: BlockContractTerm | None, term: BlockContractTerm) -> str:
    """What a term changed, in words: 'Units 4 -> 5', 'Uplift 3.5%: £700.00 -> £724.50'..."""
    if previous is None:
        return f"As made: {term.units} units at {format_pence(term.unit_weekly_pence)} a week"
    parts = []
    if term.uplift_bp:
        parts.append(f"Uplift {format_basis_points(term.uplift_bp)}")
    if term.unit_weekly_pence != previous.unit_weekly_pence:
        parts.append(f"unit price {format_pence(previous.unit_weekly_pence)} -> {format_pence(term.unit_weekly_pence)}")
    if term.units != previous.units:
        parts.append(f"units {previous.units} -> {term.units}")
    if term.ends_on is not None:
        parts.append(f"extended to {format_date(term.ends_on)} (first day not covered)")
    text = ", ".join(parts) or "No change"
    return text[0].upper() + text[1:]
