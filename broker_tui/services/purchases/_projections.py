"""An agreement's cost projections, in integer pence: the weekly price in force split by funder, this
financial year, a full year, and the cost to the end (planned end or the 18th birthday), with notes on what
the figures could not know (``CostView``, ``ProjectionsView``, ``agreement_projections``).

Costs follow domain.purchases' rule: a night costs the weekly price in force that night (only versions that
count: see _common) divided by 7, held exactly, and a reported period is rounded half up once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from broker_tui.domain.purchases import FUNDERS, AgreementCost, FundedPence, projections
from broker_tui.services.context import AppContext
from broker_tui.services.purchases._common import AgreementState
from broker_tui.services.referrals import view_of
from broker_tui.store.tables import Referral


@dataclass(frozen=True)
class CostView:
    """A period's cost [start, end) in pence, rounded once, with who pays it (the parts add to pence)."""

    start: dt.date
    end: dt.date
    nights: int
    pence: int
    social_care: int
    education: int
    health: int
    until: str = ""  # for the cost to the end: 'planned end', 'ended' or '18th birthday'


@dataclass(frozen=True)
class ProjectionsView:
    """The figures on ``on``: the weekly price in force (split by funder), this financial year (1 April to
    31 March), a full year from ``on`` (365 or 366 nights), and to the end (planned end, or the 18th birthday
    if sooner; None when neither is known). ``notes`` say what the figures could not know."""

    on: dt.date
    weekly: dict[str, int]
    financial_year: CostView
    full_year: CostView
    to_end: CostView | None
    notes: tuple[str, ...] = ()


def _cost(cost: AgreementCost, until: str = "") -> CostView:
    f = cost.funders
    return CostView(cost.period.start, cost.period.end, cost.nights, cost.pence, f.social_care, f.education, f.health,
                    until)


def _funded(f: FundedPence) -> dict[str, int]:
    return {"total": f.total, **{name: getattr(f, name) for name in FUNDERS}}


def agreement_projections(session: Session, ctx: AppContext, state: AgreementState,
                          on: dt.date | None = None) -> ProjectionsView | None:
    """The agreement's figures on ``on`` (today by default); None for a cancelled or rejected agreement (it
    buys nothing) or one with no price."""
    a = state.agreement
    if a.status in ("cancelled", "rejected") or not state.amendments:
        return None
    day = on or ctx.today()
    notes: list[str] = []
    birthday = None
    if a.referral_id is None:
        notes.append("no referral: the child's 18th birthday is not known, so the cost to the end runs to the "
                     "planned end only")
    else:
        referral = session.get(Referral, a.referral_id)
        if referral is not None:
            view = view_of(referral, day)
            birthday = view.eighteenth_birthday
            if birthday is None:
                notes.append("the referral gives no date of birth or age: the 18th birthday is not known")
            elif view.eighteenth_estimated:
                notes.append("the 18th birthday is estimated from the child's age (no date of birth)")
    if a.status == "draft":
        notes.append("a draft: these are the figures once it is submitted (and approved)")
    elif a.status == "awaiting_approval":
        notes.append("awaiting approval: these are the figures once it is approved")
    if state.pending() is not None:
        notes.append("an amendment awaits approval: its price is not counted until it is approved")
    figures = projections(state.timeline(), day, birthday)
    to_end = _cost(figures.to_end, figures.to_end.until) if figures.to_end is not None else None
    if to_end is None:
        notes.append("no planned end and no 18th birthday: there is no cost to the end")
    return ProjectionsView(day, _funded(figures.weekly), _cost(figures.financial_year), _cost(figures.full_year),
                           to_end, tuple(notes))
