"""Registering a block contract: its first term and its units as rows, each available from the start
(``ContractInput``, ``add_contract``), and the pieces its amendments share (the contract's lock, adding
units, the words for a unique rule broken).

Nothing here is edited in place: a contract's price, units and end move by a new term row
(block_contract_term, insert-only: _amend), a unit's state by a new status row (block_unit_status,
insert-only: _units); units are never deleted (one taken out of the contract is out of use through the
council from the date).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from broker_tui.domain.dates import format_date
from broker_tui.domain.vocabulary import PURCHASING_ROUTES
from broker_tui.services.context import AppContext
from broker_tui.services.contracts._common import ContractRefused, as_units, is_bool, log
from broker_tui.services.placements import as_date, as_pence, as_text, as_uuid, unknown_keys
from broker_tui.store.errors import RuleBroken
from broker_tui.store.locks import lock_for_write
from broker_tui.store.tables import (
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    BlockUnitStatus,
    Provider,
    Service,
)

CONTRACT_FIELDS = ("provider", "service", "reference", "name", "for_16_plus", "starts_on", "ends_on",
                   "extension_option", "purchasing_route", "units", "unit_weekly_pence", "notes")


def _contract_lock(session: Session, contract_id: uuid.UUID) -> None:
    """Acts on one contract's units queue behind this lock (then the unit's and child's: claim_nights)."""
    lock_for_write(session, f"block_contract:{contract_id}")


# --------------------------------------------------------------------------------------------------- register

@dataclass(frozen=True)
class ContractInput:
    """A block contract as registered. ``units`` is a count (labelled 'Unit 1'...) or the labels;
    ``ends_on`` is the first day not covered."""

    provider: str | uuid.UUID | None = None  # id or exact name (optional when the service names it)
    service: str | uuid.UUID | None = None  # id or Ofsted URN
    reference: str = ""
    name: str = ""
    for_16_plus: bool = False
    starts_on: dt.date | str | None = None
    ends_on: dt.date | str | None = None
    extension_option: str = ""
    purchasing_route: str = "block"
    units: int | str | tuple[str, ...] | list[str] | None = None
    unit_weekly_pence: int | str | None = None
    notes: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractInput:
        """From a JSON object; an unknown field is refused by name."""
        if problems := unknown_keys(data, CONTRACT_FIELDS):
            raise ContractRefused(problems)
        values = dict(data)
        if isinstance(values.get("units"), list):
            values["units"] = tuple(values["units"])
        return cls(**values)


@dataclass(frozen=True)
class ContractAdded:
    id: uuid.UUID
    reference: str
    units: tuple[str, ...]


def _resolve_service(session: Session, ref: Any) -> Service | None:
    key = as_uuid(ref)
    if key is not None:
        return session.get(Service, key)
    return session.scalars(select(Service).where(col(Service.ofsted_urn) == str(ref).strip())).first()


def _resolve_provider(session: Session, ref: Any) -> Provider | None:
    key = as_uuid(ref)
    if key is not None:
        return session.get(Provider, key)
    found = session.scalars(select(Provider).where(col(Provider.name) == str(ref).strip())).all()
    return found[0] if len(found) == 1 else None


def add_contract_in(session: Session, ctx: AppContext, data: ContractInput | Mapping[str, Any]) -> ContractAdded:
    """Register a contract inside the caller's transaction (see ``add_contract``)."""
    given = data if isinstance(data, ContractInput) else ContractInput.from_json(data)
    problems: dict[str, str] = {}
    reference = as_text(given.reference, "reference", problems, required="give the contract's reference", limit=60)
    name = as_text(given.name, "name", problems, required="give the contract a name", limit=200)
    extension = as_text(given.extension_option, "extension_option", problems)
    notes = as_text(given.notes, "notes", problems, limit=2000)
    route = as_text(given.purchasing_route, "purchasing_route", problems) or "block"
    if "purchasing_route" not in problems and route not in PURCHASING_ROUTES:
        problems["purchasing_route"] = f"must be one of {', '.join(PURCHASING_ROUTES)}"
    if not is_bool(given.for_16_plus):
        problems["for_16_plus"] = "must be true or false"
    starts = as_date(given.starts_on, "starts_on", problems)
    ends = as_date(given.ends_on, "ends_on", problems)
    if starts and ends and ends <= starts:
        problems["ends_on"] = (f"must be after the start ({format_date(starts)}): it is the first day the "
                               "contract does not cover")
    count, labels = as_units(given.units, "units", problems)
    price = as_pence(given.unit_weekly_pence, "unit_weekly_pence", problems, required="enter the amount")
    service = provider = None
    if given.service not in (None, ""):
        service = _resolve_service(session, given.service)
        if service is None:
            problems["service"] = f"no service {given.service}"
    if given.provider not in (None, ""):
        provider = _resolve_provider(session, given.provider)
        if provider is None:
            problems["provider"] = f"no provider {given.provider} (give its id, or its exact name if only one has it)"
    elif service is not None:
        provider = session.get(Provider, service.provider_id)
    elif "service" not in problems:
        problems["provider"] = "say which provider holds the contract (or the service, which names it)"
    if service is not None and provider is not None and service.provider_id != provider.id:
        problems["service"] = "this service belongs to another provider"
    if reference and "reference" not in problems and session.scalars(
            select(col(BlockContract.id)).where(col(BlockContract.reference) == reference)).first() is not None:
        problems["reference"] = f"a block contract {reference} is already registered: give another reference"
    if problems or provider is None or starts is None or ends is None or price is None:
        raise ContractRefused(problems or {"": "the contract is incomplete"})
    labels = labels or tuple(f"Unit {n}" for n in range(1, count + 1))
    contract = BlockContract(provider_id=provider.id, service_id=service.id if service else None, reference=reference,
                             name=name, purchasing_route=route, for_16_plus=given.for_16_plus, starts_on=starts,
                             ends_on=ends, extension_option=extension, notes=notes)
    session.add(contract)
    session.flush()
    session.add(BlockContractTerm(contract_id=contract.id, effective_from=starts, units=len(labels),
                                  unit_weekly_pence=price, reason="Contract as made", created_by=ctx.actor))
    _add_units(session, ctx, contract, labels, starts, "In the contract from its start")
    log.info("block contract %s registered: %d units", reference, len(labels))
    return ContractAdded(contract.id, reference, labels)


def _add_units(session: Session, ctx: AppContext, contract: BlockContract, labels: tuple[str, ...],
               start: dt.date, reason: str) -> None:
    units = [BlockUnit(contract_id=contract.id, label=label) for label in labels]
    session.add_all(units)
    session.flush()
    session.add_all([BlockUnitStatus(unit_id=u.id, effective_from=start, status="available", reason=reason,
                                     created_by=ctx.actor) for u in units])
    session.flush()


_UNIQUE_WORDS = {"uq_block_unit_label": ("units", "two units of this contract have the same label; nothing was saved")}


def add_contract(ctx: AppContext, data: ContractInput | Mapping[str, Any]) -> ContractAdded:
    """Register a block contract: provider (and the service it buys, optional), a unique reference, name,
    16+ or not, starts_on and ends_on (the first day not covered), the extension option in words, the
    purchasing route, the units (a count or their labels) and the unit weekly price. Writes the contract,
    its first term and one unit row per unit, each available from the start. All or nothing: raises
    ContractRefused with every problem by field (the names of ContractInput)."""
    try:
        with ctx.session() as session:
            return add_contract_in(session, ctx, data)
    except RuleBroken as exc:  # someone registered the same reference at the same moment
        if "reference" in exc.rule or exc.rule.startswith("unique block_contract"):
            raise ContractRefused({"reference": "a block contract with this reference was registered at the same "
                                                "moment: give another reference"}) from None
        if exc.rule in _UNIQUE_WORDS:
            raise ContractRefused(dict([_UNIQUE_WORDS[exc.rule]])) from None
        raise
