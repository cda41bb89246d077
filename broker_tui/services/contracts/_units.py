"""A block unit's status from a date (``set_unit_status``: available, held for an incoming young person,
out of use through the provider or the council), written as a new block_unit_status row: none is ever
changed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from broker_tui.domain.dates import format_date
from broker_tui.services.context import AppContext
from broker_tui.services.contracts._common import (
    UNIT_STATUS_LABELS,
    ContractRefused,
    contract_or_refuse,
    find_unit,
    load_states,
    log,
    nights_text,
)
from broker_tui.services.placements import as_date, as_text, as_uuid
from broker_tui.store.locks import lock_for_write
from broker_tui.store.tables import BlockContract, BlockUnit, BlockUnitStatus
from broker_tui.store.tables.purchases import UNIT_STATUSES


@dataclass(frozen=True)
class UnitStatusSet:
    unit_id: uuid.UUID
    label: str
    status: str
    effective_from: dt.date
    reason: str = field(default="")


def set_unit_status_in(session: Session, ctx: AppContext, unit: Any, status: str, from_date: dt.date | str | None,
                       reason: str = "", *, contract: Any = None) -> UnitStatusSet:
    """Set a unit's status inside the caller's transaction (see ``set_unit_status``)."""
    problems: dict[str, str] = {}
    status = (status or "").strip()
    if status not in UNIT_STATUSES:
        problems["status"] = f"must be one of {', '.join(UNIT_STATUSES)}"
    text = as_text(reason, "reason", problems, limit=500)
    if status != "available" and not text and "reason" not in problems:
        problems["reason"] = f"say why the unit is {UNIT_STATUS_LABELS.get(status, status).lower()}"
    start = as_date(from_date, "from", problems, required=False) or ctx.today()
    unit_row = None
    key = as_uuid(getattr(unit, "id", unit))
    if key is not None:
        unit_row = session.get(BlockUnit, key)
    elif contract is not None:
        found = contract_or_refuse(session, contract)
        unit_row = find_unit(load_states(session, [found])[0], unit)
    if unit_row is None:
        raise ContractRefused({"unit": f"no unit {getattr(unit, 'label', unit)}"
                                       + ("" if contract is not None or key else " (name the contract too)")})
    lock_for_write(session, f"block_contract:{unit_row.contract_id}")
    lock_for_write(session, f"block_unit:{unit_row.id}")
    row = session.get_one(BlockContract, unit_row.contract_id)
    state = load_states(session, [row])[0]
    if not row.starts_on <= start < state.ends_on:
        problems["from"] = (f"must be inside the contract ({format_date(row.starts_on)} to "
                            f"{format_date(state.ends_on)})")
    if status and status != "available" and "from" not in problems:
        busy = [p for p in state.placements_in(unit_row) if p.end_date is None or p.end_date > start]
        if busy:
            p = busy[0]
            problems["from"] = (f"{unit_row.label} is taken by {p.case_ref} {nights_text(p.start_date, p.end_date)}: "
                                "set it from the night the unit is free")
    if problems:
        raise ContractRefused(problems)
    session.add(BlockUnitStatus(unit_id=unit_row.id, effective_from=start, status=status,
                                reason=text, created_by=ctx.actor))
    session.flush()
    log.info("block contract %s: a unit is %s from %s", row.reference, status, start.isoformat())
    return UnitStatusSet(unit_row.id, unit_row.label, status, start, text)


def set_unit_status(ctx: AppContext, unit: Any, status: str, from_date: dt.date | str | None = None,
                    reason: str = "", *, contract: Any = None) -> UnitStatusSet:
    """A unit's status from a date (a new row; none is ever changed): available, held (for an incoming
    young person), out of use through the provider or the council. ``unit`` is its id, or its label with
    ``contract`` (id or reference). Anything but available needs a reason and a unit free of children from
    the date. Raises ContractRefused by field (unit, status, from, reason)."""
    with ctx.session() as session:
        return set_unit_status_in(session, ctx, unit, status, from_date, reason, contract=contract)
