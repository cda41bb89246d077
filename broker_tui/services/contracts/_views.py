"""Block contracts as the broker reads them: the list (units, occupied and voids today, unit price now,
end) and one contract in full (its terms as history with who and when, each unit today, and the block's
usage over a period through domain.purchases.block_usage)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from broker_tui.domain.purchases import Period, block_usage, financial_year
from broker_tui.services.context import AppContext
from broker_tui.services.contracts._amend import describe_term
from broker_tui.services.contracts._common import (
    ONE_DAY,
    UNIT_STATUS_LABELS,
    ContractRefused,
    ContractState,
    contract_or_refuse,
    load_states,
)
from broker_tui.store.tables import BlockContract, Provider, Service


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "raw_row"}
    return value


class _Json:
    def to_json(self) -> dict[str, Any]:
        out = _json(self)
        assert isinstance(out, dict)
        return out


def contract_status(state: ContractState, on: dt.date) -> str:
    """not_started | active | ended on ``on`` (an extension counted; a contract marked ended is ended)."""
    if on < state.contract.starts_on:
        return "not_started"
    if on >= state.ends_on or state.contract.status == "ended":
        return "ended"
    return "active"


@dataclass(frozen=True)
class ContractRow(_Json):
    """One contract in the list, as it stands on ``on``."""

    id: uuid.UUID
    reference: str
    name: str
    provider_name: str
    service_name: str
    for_16_plus: bool
    starts_on: dt.date
    ends_on: dt.date  # the first day not covered (extensions counted)
    status: str  # not_started | active | ended
    units: int
    occupied: int
    voids: int
    unit_weekly_pence: int | None  # the unit price in force (None: no term yet)
    days_left: int


def _names(ctx: AppContext, contracts: list[BlockContract]) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    with ctx.session() as session:
        providers = {p.id: p.name for p in session.scalars(select(Provider).where(
            col(Provider.id).in_({c.provider_id for c in contracts})))}
        ids = {c.service_id for c in contracts if c.service_id}
        services = {s.id: s.name for s in session.scalars(select(Service).where(col(Service.id).in_(ids)))} if ids else {}
    return providers, services


def _row(state: ContractState, on: dt.date, providers: dict[uuid.UUID, str],
         services: dict[uuid.UUID, str]) -> ContractRow:
    c = state.contract
    status = contract_status(state, on)
    held = state.units_on(on)
    occupied = sum(1 for u in held if state.occupant_on(u, on) is not None)
    term = state.term_on(min(on, state.ends_on - ONE_DAY))
    units = term.units if term and status == "active" else 0  # what is paid for today
    return ContractRow(c.id, c.reference, c.name, providers.get(c.provider_id, ""),
                       services.get(c.service_id, "") if c.service_id else "", c.for_16_plus, c.starts_on,
                       state.ends_on, status, units, occupied, max(0, units - occupied),
                       term.unit_weekly_pence if term else None, (state.ends_on - on).days)


def list_contracts(ctx: AppContext, *, for_16_plus: bool | None = None, ending_within_days: int | None = None,
                   on: dt.date | None = None, include_ended: bool = True) -> list[ContractRow]:
    """Every block contract (16+ only, or not; ending within so many days: still running and ending by
    then), soonest end first: units held, occupied and voids on ``on`` (today), unit price now, end."""
    day = on or ctx.today()
    with ctx.session() as session:
        query = select(BlockContract)
        if for_16_plus is not None:
            query = query.where(col(BlockContract.for_16_plus) == for_16_plus)
        contracts = list(session.scalars(query))
        states = load_states(session, contracts)
    providers, services = _names(ctx, contracts)
    rows = [_row(s, day, providers, services) for s in states]
    if ending_within_days is not None:
        rows = [r for r in rows if r.status == "active" and r.days_left <= ending_within_days]
    if not include_ended:
        rows = [r for r in rows if r.status != "ended"]
    return sorted(rows, key=lambda r: (r.ends_on, r.reference))


@dataclass(frozen=True)
class TermView(_Json):
    effective_from: dt.date
    units: int
    unit_weekly_pence: int
    uplift_bp: int
    ends_on: dt.date | None
    change: str  # what it changed, in words
    reason: str
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class UnitView(_Json):
    """One unit on ``on``: its status (and since when), who is in it (case reference only) since when and
    until (a planned or notified end), and the next night it is free of children."""

    id: uuid.UUID
    label: str
    in_contract: bool
    status: str
    status_label: str
    status_from: dt.date | None
    status_reason: str
    case_ref: str  # '' when empty
    placement_id: uuid.UUID | None
    since: dt.date | None
    until: dt.date | None
    next_free_night: dt.date | None  # None: taken to the contract's end


@dataclass(frozen=True)
class UsageView(_Json):
    """The block's usage over [start, end) (clipped to the contract): unit-days, utilisation, void cost and
    the cost per occupied week, each to the penny (rounded half up once for the period)."""

    start: dt.date
    end: dt.date
    available_unit_days: int
    occupied_unit_days: int
    void_unit_days: int
    utilisation: Fraction | None
    paid_pence: int
    void_cost_pence: int
    cost_per_occupied_week_pence: int | None

    @property
    def utilisation_percent(self) -> str:
        return "" if self.utilisation is None else f"{float(self.utilisation) * 100:.1f}%"


@dataclass(frozen=True)
class ContractDetail(_Json):
    id: uuid.UUID
    reference: str
    name: str
    provider_id: uuid.UUID
    provider_name: str
    service_id: uuid.UUID | None
    service_name: str
    for_16_plus: bool
    purchasing_route: str
    starts_on: dt.date
    ends_on: dt.date
    extension_option: str
    notes: str
    status: str
    on: dt.date
    unit_weekly_pence: int | None
    terms: tuple[TermView, ...]
    units: tuple[UnitView, ...]
    usage: UsageView
    version: int
    raw_row: Any = field(default=None, repr=False, compare=False)  # the contract as read, for amend_contract

    @property
    def occupied(self) -> int:
        return sum(1 for u in self.units if u.in_contract and u.case_ref)

    @property
    def voids(self) -> int:
        return sum(1 for u in self.units if u.in_contract and not u.case_ref)


def usage_of(state: ContractState, period: Period) -> UsageView:
    usage = block_usage(state.domain(), state.domain_placements(), period)
    return UsageView(usage.period.start, usage.period.end, usage.available_unit_days, usage.occupied_unit_days,
                     usage.void_unit_days, usage.utilisation, usage.paid.pence, usage.void.pence,
                     usage.cost_per_occupied_week_pence)


def show_contract(ctx: AppContext, contract: Any, *, on: dt.date | None = None,
                  period: tuple[dt.date, dt.date] | Period | None = None) -> ContractDetail:
    """One contract on ``on`` (today): its terms as history (what each changed, who, when), each unit
    (status, the child in it by case reference, since, until, next free night) and its usage over
    ``period`` ([start, end); default: the financial year holding ``on``). ``contract``: id or reference."""
    day = on or ctx.today()
    if period is None:
        span = financial_year(day)
    elif isinstance(period, Period):
        span = period
    else:
        if period[1] < period[0]:
            raise ContractRefused({"period": "the period ends before it starts"})
        span = Period(period[0], period[1])
    with ctx.session() as session:
        row = contract_or_refuse(session, contract)
        state = load_states(session, [row])[0]
    providers, services = _names(ctx, [row])
    terms = tuple(TermView(t.effective_from, t.units, t.unit_weekly_pence, t.uplift_bp, t.ends_on,
                           describe_term(state.terms[i - 1] if i else None, t), t.reason, t.created_by, t.created_at)
                  for i, t in enumerate(state.terms))
    held = {u.id for u in state.units_on(day)}
    units = []
    for unit in state.units:
        status = state.status_on(unit, day)
        occupant = state.occupant_on(unit, day)
        in_contract = unit.id in held
        units.append(UnitView(unit.id, unit.label, in_contract, status.status,
                              UNIT_STATUS_LABELS.get(status.status, status.status), status.effective_from,
                              status.reason, occupant.case_ref if occupant else "", occupant.id if occupant else None,
                              occupant.start_date if occupant else None, occupant.end_date if occupant else None,
                              state.next_free_night(unit, day) if in_contract else None))
    term = state.term_on(min(day, state.ends_on - ONE_DAY))
    return ContractDetail(row.id, row.reference, row.name, row.provider_id, providers.get(row.provider_id, ""),
                          row.service_id, services.get(row.service_id, "") if row.service_id else "",
                          row.for_16_plus, row.purchasing_route, row.starts_on, state.ends_on, row.extension_option,
                          row.notes, contract_status(state, day), day, term.unit_weekly_pence if term else None, terms,
                          tuple(units), usage_of(state, span), row.version, row)
