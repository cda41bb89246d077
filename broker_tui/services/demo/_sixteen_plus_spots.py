"""The 16+ review's spot agreements (issue 12): two years of 16+ spot purchases to compare with the blocks.

SPOT_PLAN buys 36 placements across the four supported accommodation categories (single occupancy,
ring-fenced shared, non-ring-fenced shared, private residence: supported lodgings) and care leavers' 18+
accommodation, at services in the home region (18+: the unregulated providers, never the council's own
flats). Each category has core-only agreements (the block comparison's "comparable spot price") and
agreements with 1:1 hours in every band (up to 10, 10-20, over 20 a week). Prices come from the
service's price list (shared/domain.md's ranges: supported accommodation about £300-£2,500, most near
£620; supported lodgings £250-£450; 18+ £200-£450), a year less an uplift for those begun over a year
ago. Starts spread over the last two years; 14 ended within the last year, each with its
SSDA903 reason. One package with 2:1 staffing is above the approval threshold and approved by the demo's
manager; agreements running a year have their annual uplift, and some had hours stepped down or added
(the raise approved). Written through services.purchases and services.placements (each act audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from broker_tui.domain.dates import add_months
from broker_tui.domain.purchases import staffing_pence
from broker_tui.services.demo._base import Seed, pick_weighted, pounds
from broker_tui.services.demo._contracts import _case_ref
from broker_tui.store.tables import Service

LEAVERS = "care_leavers_18_plus"
DAY = dt.timedelta(days=1)
SPOT_PLAN = {  # category: hours a week of 1:1 support in each agreement (0: the core package only)
    "single_occupancy": (0, 0, 8, 15, 0, 25, 0, 12),
    "ring_fenced_shared": (0, 0, 6, 0, 18, 0, 30, 0),
    "non_ring_fenced_shared": (0, 4, 0, 14, 0, 0, 22),
    "private_residence": (0, 0, 5, 0, 0, 10),
    LEAVERS: (0, 0, 0, 6, 0, 0, 0),
}
HIGH_COST = ("single_occupancy", 240_000, 40, 70)  # core pence, 1:1 and 2:1 hours a week: £7,800 at £30 and £60
FLOOR = {"private_residence": 25_000, LEAVERS: 20_000}  # the lowest core fee (pence) in the ranges
K3_FROM = dt.date(2024, 4, 1)  # SSDA903 K3 (registered supported accommodation) from the 2024-25 return; H5 before
CASE_BASE = 3000  # the n-th 16+ spot's child is _case_ref(seed, CASE_BASE + n): no other child's
END_WEIGHTS = {"CARPL": 34, "CHILD": 14, "LAREQ": 10, "CREQB": 10, "PLACE": 5, "STAND": 5, "CREQO": 5, "OTHER": 6,
               "CUSTOD": 4, "ALLEG": 3}


def place_type(category: str, start: dt.date) -> str:
    """The SSDA903 placement type of a 16+ placement starting then ('' for 18+: no longer looked after)."""
    return "" if category == LEAVERS else "K3" if start >= K3_FROM else "H5"


def home_region(seed: Seed) -> str | None:
    region: str | None = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    return region


def _pools(seed: Seed) -> dict[str, list[dict[str, Any]]]:
    """The services each category buys from: registered supported accommodation in the home region by
    its category; 18+ accommodation from providers other than the council."""
    s_t = Service.__table__
    category = {r.id: r.sa_category for r in seed.con.execute(
        select(s_t.c.id, s_t.c.sa_category).where(s_t.c.service_type == "supported_accommodation"))}
    region = home_region(seed)
    pools: dict[str, list[dict[str, Any]]] = {c: [] for c in SPOT_PLAN}
    for s in seed.of_type("supported_accommodation"):
        if s["ofsted_urn"] and s["region"] == region and s["registration_status"] == "active":
            pools.setdefault(category.get(s["id"]) or "", []).append(s)
    pools[LEAVERS] = [s for s in seed.of_type(LEAVERS) if s["sector"] != "in_house"]
    return pools


def add_sixteen_plus_spots(seed: Seed) -> None:
    pools = _pools(seed)
    n = 0
    for category, hours in SPOT_PLAN.items():
        pool = pools[category]
        chosen = seed.rng("16+ spots", category).sample(pool, min(len(pool), len(hours)))
        for i, one_to_one in enumerate(hours):
            _spot(seed, n, chosen[i % len(chosen)], category, one_to_one * 60, ended=n % 5 in (1, 3))
            n += 1
    category, core, one_to_one, two_to_one = HIGH_COST
    service = seed.rng("16+ spots", "high cost").choice(pools[category])
    _spot(seed, n, service, category, one_to_one * 60, ended=False, core=core, two_to_one=two_to_one * 60)


def _spot(seed: Seed, n: int, service: dict[str, Any], category: str, minutes: int, *, ended: bool,
          core: int | None = None, two_to_one: int = 0) -> None:
    from broker_tui.services.placements import end_placement_in
    from broker_tui.services.purchases import (
        AmendmentInput,
        SpotInput,
        add_agreement_in,
        amend_in,
        approve_amendment_in,
        approve_in,
    )

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    manager_ctx, manager = seed.as_approver()
    rng = seed.rng("16+ spot", n)
    end: dt.date | None = None
    if ended:  # ended within the last year, after a stay of 5 weeks to 10 months
        end = seed.days(-rng.randint(5, 330))
        start = end - rng.randint(35, 300) * DAY
    else:
        start = seed.days(-rng.randint(10, 700))
    if core is None:
        core = seed.prices.get(service["id"], 62_000)
        if start <= add_months(seed.today, -12):  # last year's price (the uplift came on the anniversary)
            core = max(FLOOR.get(category, 30_000), core * 10_000 // 10_300)
    hourly = 3000 if two_to_one else pounds(rng, 22, 32, 1) if minutes else 0
    two_hourly = 6000 if two_to_one else 0
    staffing = staffing_pence(minutes, hourly) + staffing_pence(two_to_one, two_hourly)
    planned_end = add_months(start, rng.choice([6, 12, 18]))
    while planned_end <= (end or seed.today):
        planned_end = add_months(planned_end, 6)
    leavers = category == LEAVERS
    added = add_agreement_in(session, ctx, SpotInput(
        case_ref=_case_ref(seed, CASE_BASE + n), service=str(service["id"]), start_date=start,
        planned_end=planned_end, weekly_price_pence=core + staffing, core_weekly_pence=core,
        one_to_one_minutes=minutes, one_to_one_hourly_pence=hourly, two_to_one_minutes=two_to_one,
        two_to_one_hourly_pence=two_hourly,
        cost_centre="CSC-LEAVING-CARE-18P" if leavers else "CSC-PLACEMENTS-16P", purchasing_route="spot",
        route_reason=("No room free in the council's 18+ block or flats" if leavers else
                      "No block unit free and no open framework provider could meet the young person's needs"),
        contract_basis="Leaving care accommodation agreement" if leavers else "16+ open framework call-off",
        conditions="Weekly key-work sessions; the pathway plan reviewed every three months",
        placement_type=place_type(category, start)), submit=True)
    seed.counts["spot_agreement"] += 1
    seed.counts["placement"] += 1
    if added.status == "awaiting_approval":  # above the approval threshold: the demo's manager approves it
        approve_in(manager, manager_ctx, added.id, note="24-hour staffing agreed at the high-cost panel")
    last = end or seed.today
    change: AmendmentInput | None = None
    if add_months(start, 12) < last:
        change = AmendmentInput(kind="uplift", effective_from=add_months(start, 12), uplift_bp=300,
                                reason="Annual uplift 3.0%")
    elif minutes > 20 * 60 and not two_to_one and start + 75 * DAY < last:
        change = AmendmentInput(kind="price_change", effective_from=start + rng.randint(42, 70) * DAY,
                                weekly_price_pence=core + staffing_pence(12 * 60, hourly), core_weekly_pence=core,
                                one_to_one_minutes=12 * 60, one_to_one_hourly_pence=hourly,
                                reason="1:1 hours stepped down to 12 a week as the young person settled")
    elif minutes == 0 and n % 4 == 2 and start + 45 * DAY < last:
        rate = pounds(rng, 22, 30, 1)
        change = AmendmentInput(kind="price_change", effective_from=start + rng.randint(21, 42) * DAY,
                                weekly_price_pence=core + staffing_pence(8 * 60, rate), core_weekly_pence=core,
                                one_to_one_minutes=8 * 60, one_to_one_hourly_pence=rate,
                                reason="8 hours a week of 1:1 support added after missing episodes")
    if change is not None:
        made = amend_in(session, ctx, added.id, change)
        if made.state == "awaiting_approval":
            approve_amendment_in(manager, manager_ctx, added.id)
    if end is not None:
        end_placement_in(session, ctx, added.placement_id, end_date=end,
                         reason_place_change=pick_weighted(rng, END_WEIGHTS))
