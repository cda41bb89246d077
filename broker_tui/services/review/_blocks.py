"""Each 16+ block contract over the review period: its terms as spans of nights (units paid, units listed,
unit price), its nights as arrays (domain.review.contract_days), and the figures the review shows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from broker_tui.domain.money import round_half_up
from broker_tui.domain.purchases import Period
from broker_tui.domain.review import (
    CATEGORY_LABELS,
    VOID_KINDS,
    VOID_LABELS,
    ContractDays,
    HeldSpan,
    Ints,
    StatusFrom,
    Stay,
    by_month,
    category_of,
    cohort_of,
    contract_days,
    month_starts,
)
from broker_tui.services.contracts import ContractState, contract_status, describe_term
from broker_tui.services.review._load import BlockStay, QAFacts, ServiceFacts
from broker_tui.services.review._model import ContractReview, MonthUse, PriceSpan, VoidSplit

ONE_DAY = dt.timedelta(days=1)


def held_spans(state: ContractState) -> list[HeldSpan]:
    """The contract's nights cut wherever what it pays for or holds can change (a term, a unit's status or a
    unit added), each span with the units paid, the listed units held and the unit price."""
    c = state.contract
    cuts = {c.starts_on, state.ends_on}
    cuts |= {t.effective_from for t in state.terms if c.starts_on < t.effective_from < state.ends_on}
    cuts |= {row.effective_from for rows in state.statuses.values() for row in rows
             if c.starts_on < row.effective_from < state.ends_on}
    days = sorted(cuts)
    spans = []
    for start, end in zip(days, days[1:], strict=False):
        term = state.term_on(start)
        if term is None:
            continue
        held = tuple(u.label for u in state.units_on(start))
        spans.append(HeldSpan(start, end, max(term.units, 0), term.unit_weekly_pence, held[:max(term.units, 0)]))
    return spans


def nights_of(state: ContractState, stays: list[BlockStay], period: Period) -> ContractDays:
    labels = {u.id: u.label for u in state.units}
    statuses = [StatusFrom(labels[unit_id], row.effective_from, row.status)
                for unit_id, rows in state.statuses.items() for row in rows]
    return contract_days(period, held_spans(state), [Stay(s.unit, s.start, s.end) for s in stays], statuses)


def _prices(state: ContractState, period: Period) -> tuple[PriceSpan, ...]:
    out = []
    previous = None
    for i, term in enumerate(state.terms):
        following = state.terms[i + 1].effective_from if i + 1 < len(state.terms) else state.ends_on
        if term.effective_from < period.end and following > period.start and following > term.effective_from:
            out.append(PriceSpan(term.effective_from, term.units, term.unit_weekly_pence,
                                 describe_term(previous, term)))
        previous = term
    return tuple(out)


def _stays(stays: list[BlockStay], period: Period) -> tuple[int, int, float | None, dict[str, int]]:
    """(young people, placements with a night in the period, average nights of the stays that ended in it,
    endings by reason)."""
    inside = [s for s in stays if s.start < period.end and (s.end is None or s.end > period.start)]
    ended = [s for s in inside if s.end is not None and period.start < s.end <= period.end]
    average = round(sum((s.end - s.start).days for s in ended if s.end) / len(ended), 1) if ended else None
    reasons = Counter(s.reason or "not recorded" for s in ended)
    return len({s.case_ref for s in inside}), len(inside), average, dict(sorted(reasons.items()))


def occupied_on(state: ContractState, stays: list[BlockStay], day: dt.date) -> int:
    """Young people in the units the contract holds on ``day``."""
    held = {u.label for u in state.units_on(day)}
    return sum(1 for s in stays if s.unit in held and s.start <= day and (s.end is None or day < s.end))


def review_contract(state: ContractState, stays: list[BlockStay], days: ContractDays, period: Period, today: dt.date,
                    service: ServiceFacts | None, provider_name: str, qa: QAFacts | None,
                    comparable: tuple[int | None, int], cuts: Ints) -> ContractReview:
    c = state.contract
    cohort = cohort_of(service.service_type if service else None) or "supported_16_17"
    category = category_of(cohort, service.sa_category if service else None)
    status = contract_status(state, today)
    term = state.term_on(min(today, state.ends_on - ONE_DAY))
    paid = days.paid()
    voids = tuple(VoidSplit(kind, VOID_LABELS[kind], days.void_days(kind), days.void_cost(kind).pence)
                  for kind in VOID_KINDS)
    occupied = days.occupied_unit_days
    months = month_starts(period)
    monthly = tuple(MonthUse(m, a, o, round_half_up(s, 7)) for m, a, o, s in zip(
        months, by_month(period, days.available, cuts), by_month(period, days.occupied, cuts),
        by_month(period, days.available * days.price, cuts), strict=True))
    young, placements, average, endings = _stays(stays, period)
    median, count = comparable
    saving = (round_half_up(median * occupied - paid.sevenths, 7) if median is not None and occupied else None)
    return ContractReview(
        id=c.id, reference=c.reference, name=c.name, provider_name=provider_name,
        service_name=service.name if service else "", cohort=cohort, category=category,
        category_label=CATEGORY_LABELS[category], starts_on=c.starts_on, ends_on=state.ends_on, status=status,
        units_now=term.units if term and status == "active" else 0,
        unit_weekly_pence_now=term.unit_weekly_pence if term else None, prices=_prices(state, period),
        available_unit_days=days.available_unit_days, occupied_unit_days=occupied, voids=voids,
        paid_pence=paid.pence, void_cost_pence=days.void_cost_total().pence,
        cost_per_occupied_week_pence=round_half_up(paid.sevenths, occupied) if occupied else None,
        young_people=young, placements=placements, average_stay_days=average, endings=endings,
        qa_rag=qa.rag if qa else None, qa_held_on=qa.held_on if qa else None,
        open_actions=qa.open_actions if qa else 0, overdue_actions=qa.overdue_actions if qa else 0,
        extension_option=c.extension_option, extensions=tuple(t.effective_from for t in state.terms if t.ends_on),
        comparable_spot_median_pence=median, comparable_spot_count=count, block_saving_pence=saving,
        monthly=monthly)
