"""Offers side by side and accepting one.

``compare_offers`` puts a referral's offers side by side with what matching says of each service for
this child at the offered price (services.matching: fit score and its parts, explanation, approvals,
distance; never the list price) and its quality judgement.
``accept_offer`` makes one offer accepted, the other open offers not taken, the referral placement agreed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from broker_tui.domain.matching import MarketArrays, MarketService, rank, request_from_referral
from broker_tui.domain.money import format_pence
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import WEEKLY_PRICE_PARTS, judgement_label
from broker_tui.services.context import AppContext
from broker_tui.services.matching import config_for, load_market
from broker_tui.services.outreach._common import OutreachRefused, _move, _referral, log, rules_refuse
from broker_tui.services.referrals import ReferralView, TransitionRefused, view_of
from broker_tui.store.audit import name_action
from broker_tui.store.tables import Offer, Provider, Referral, Service
from broker_tui.store.versioning import apply_edit


def accept_offer(ctx: AppContext, offer: str | uuid.UUID | Any) -> ReferralView:
    """Accept an open, unexpired offer: it becomes accepted (its figures kept for the purchase record),
    the referral's other open offers not taken, and the referral placement agreed. ``offer`` is an id, or
    a row as opened (ReplyRecord or compare row with ``raw_row``) so that a stale copy is refused."""
    opened = getattr(offer, "raw_row", None)
    offer_id = opened.id if opened is not None else uuid.UUID(str(offer).strip())
    today = ctx.today()
    with rules_refuse({"uq_offer_one_accepted": ("offer", "another offer for this referral was accepted "
                                                          "at the same moment; reload the offers")}), \
            ctx.session() as session:
        current = session.get(Offer, offer_id)
        if current is None:
            raise OutreachRefused({"offer": f"no offer {offer_id}"})
        # every act on a referral and its offers locks the referral first, so two acts on one child queue
        # up in one order instead of deadlocking over the offers (a no-op on SQLite: one writer at a time)
        referral = session.get_one(Referral, current.referral_id, with_for_update=True, populate_existing=True)
        current = session.get_one(Offer, offer_id, populate_existing=True)
        if current.outcome != "offered" or current.status != "open":
            raise OutreachRefused({"offer": f"the offer is {current.status}, not open"})
        if current.valid_until is not None and current.valid_until < today:
            raise OutreachRefused({"offer": f"the offer expired on {current.valid_until.isoformat()}"})
        if referral.status != "offers_received":
            raise TransitionRefused(f"a referral that is {referral.status.replace('_', ' ')} cannot accept an offer")
        for row, status in [(opened or current, "accepted")] + [
                (o, "not_taken") for o in session.scalars(select(Offer).where(
                    col(Offer.referral_id) == current.referral_id, col(Offer.id) != offer_id,
                    col(Offer.outcome) == "offered", col(Offer.status) == "open"))]:
            name_action(session, row, "status")
            apply_edit(session, row, {"status": status})
        moved = _move(ctx, session, referral, "placement_agreed", by_act=True)
        view = view_of(moved, today)
    log.info("%s: offer accepted, placement agreed", view.case_ref)
    return view


@dataclass(frozen=True)
class OfferRow:
    """One offer beside the others, with what matching says of the service for this child."""

    offer_id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    provider_name: str
    status: str  # open | accepted | not_taken | withdrawn | expired
    received_on: dt.date
    weekly_price_pence: int
    parts: dict[str, int | None]
    start_date: dt.date | None
    conditions: str
    valid_until: dt.date | None
    expired: bool
    over_budget_pence: int | None  # the offered price less the budget (negative: under)
    quality: str  # the judgement on its own scale
    fit_score: float | None  # matching's total (None: the service is excluded now, see excluded_reasons)
    score_parts: dict[str, float] = field(default_factory=dict)
    miles: float | None = None
    in_area: bool | None = None
    approvals: tuple[str, ...] = ()
    explanation: str = ""
    excluded_reasons: tuple[str, ...] = ()
    raw_row: Any = field(default=None, repr=False, compare=False)  # the offer as read, for accept_offer

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "raw_row"}
        for k, v in out.items():
            if isinstance(v, dt.date | uuid.UUID):
                out[k] = v.isoformat() if isinstance(v, dt.date) else str(v)
            elif isinstance(v, tuple):
                out[k] = list(v)
        return out


def at_offered_price(service: MarketService, key: str, weekly_pence: int, start: dt.date) -> MarketService:
    """The service as matching should judge one offer of it: known by ``key`` (the offer), its price list
    replaced by the offer (the whole weekly price as the core fee from the start date, for the whole
    group, every other part priced at nothing), so that the cost score, the cost words of the explanation
    and the approvals describe the offer, never the service's list price."""
    offered = PriceParts(valid_from=start, core_weekly_pence=weekly_pence, one_to_one_hourly_pence=0,
                         two_to_one_hourly_pence=0, education_weekly_pence=0, therapy_weekly_pence=0,
                         solo_premium_weekly_pence=0, per_child=False)
    return dataclasses.replace(service, id=key, prices=(offered,))


def _matching(ctx: AppContext, view: ReferralView, offers: list[Offer]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Matching's view of each offer for the referral (see at_offered_price): ranked results and
    exclusions by offer id."""
    if view.age_years is None or not offers:
        return {}, {}
    market = load_market(ctx)
    request = request_from_referral(view.values, age_years=view.age_years, eighteenth_birthday=view.eighteenth_birthday,
                                    today=ctx.today(), district=market.district)
    services = market.arrays.services
    position = market.arrays.position_of
    subset = [at_offered_price(services[position[str(o.service_id)]], str(o.id), o.weekly_price_pence or 0,
                               request.start_date) for o in offers if str(o.service_id) in position]
    if not subset:
        return {}, {}
    config = config_for(ctx, market, top_n=len(subset), show_full=True)
    result = rank(MarketArrays.build(subset), request, config)
    return {r.service.id: r for r in result.results}, {e.service.id: e for e in result.excluded}


def compare_offers(ctx: AppContext, referral: str | uuid.UUID | ReferralView) -> list[OfferRow]:
    """The referral's offers (not the declines) side by side, cheapest first: price and parts, fit score and
    approvals, distance, quality, valid until and whether the offer has expired."""
    view = _referral(ctx, referral)
    today = ctx.today()
    with ctx.session() as session:
        rows = session.execute(
            select(Offer, Service, col(Provider.name)).join(Service, col(Service.id) == Offer.service_id)
            .join(Provider, col(Provider.id) == Service.provider_id)
            .where(col(Offer.referral_id) == view.id, col(Offer.outcome) == "offered")
            .order_by(col(Offer.weekly_price_pence), col(Service.name), col(Offer.id))).all()
    ranked, excluded = _matching(ctx, view, [o for o, _svc, _p in rows])
    budget = view.values.get("budget_weekly_pence")
    out = []
    for offer, svc, provider_name in rows:
        r, e = ranked.get(str(offer.id)), excluded.get(str(offer.id))
        reasons = tuple(e.reasons) if e else (() if r else ("not in the market matching reads (archived)",))
        out.append(OfferRow(
            offer.id, svc.id, svc.name, provider_name, offer.status, offer.received_on, offer.weekly_price_pence or 0,
            {k: getattr(offer, k) for k in WEEKLY_PRICE_PARTS},
            offer.start_date, offer.conditions, offer.valid_until,
            offer.valid_until is not None and offer.valid_until < today,
            None if budget is None else (offer.weekly_price_pence or 0) - budget,
            judgement_label(svc.ofsted_grade, svc.sa_outcome, svc.service_type),
            r.score if r else None, dataclasses.asdict(r.parts) if r else {}, r.miles if r else None,
            r.in_area if r else None, offer_approvals(r.approvals if r else (), offer.weekly_price_pence or 0,
                                                      ctx.settings.high_cost_threshold_pence),
            r.explanation if r else "", reasons, offer))
    return out


def offer_approvals(flagged: tuple[str, ...] | list[str], weekly_price_pence: int, threshold_pence: int) -> tuple[str, ...]:
    """The approvals an offer needs: matching's (out of area, distant, school years 10-11, secure under
    13), with the cost approval judged on the offer's price rather than the list price matching estimated."""
    cost = f"Over {format_pence(threshold_pence, whole=True)} a week: "
    out = [a for a in flagged if not a.startswith(cost)]
    if weekly_price_pence > threshold_pence:
        out.append(f"{cost}a manager's approval (offered at {format_pence(weekly_price_pence)})")
    return tuple(out)


def approvals_for_offer(ctx: AppContext, referral: str | uuid.UUID | ReferralView, offer_id: uuid.UUID) -> tuple[str, ...]:
    """What accepting this offer will need approved, for the question asked before accepting it."""
    row = next((r for r in compare_offers(ctx, referral) if r.offer_id == offer_id), None)
    return row.approvals if row is not None else ()
