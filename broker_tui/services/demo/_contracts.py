"""Demo purchases: block contracts (mostly 16+ supported accommodation) with dated terms, spot agreements
(individual placement agreements) with amendments, and the placements in both.

Blocks start one to three years ago; two end within six months of today. Each has its first term and an
annual uplift amendment. Block units are about 80% occupied (some voids), so utilisation is realistic.
Spot agreements cover the placed and agreed referrals plus children placed before the demo's referrals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from broker_tui.domain.dates import add_months
from broker_tui.domain.ids import new_id
from broker_tui.domain.money import apply_uplift
from broker_tui.services.demo._base import Seed, pounds
from broker_tui.services.demo._casework import PLACE_FOR_TYPE
from broker_tui.store.tables import (
    Approval,
    Placement,
    SpotAgreement,
    SpotAmendment,
)

# (reference, name, service type, units, unit price range in pounds, months since start, months left)
BLOCKS = (
    ("BC-SA-01", "16+ supported accommodation block: shared houses (Lot A)", "supported_accommodation", 10, (550, 700), 30, 4),
    ("BC-SA-02", "16+ supported accommodation block: single occupancy flats", "supported_accommodation", 6, (750, 950), 20, 16),
    ("BC-SA-03", "16+ supported accommodation block: UASC shared houses", "supported_accommodation", 8, (500, 650), 26, 5),
    ("BC-SA-04", "16+ supported accommodation block: training flats", "supported_accommodation", 4, (600, 800), 14, 22),
    ("BC-SA-05", "16+ supported accommodation block: emergency beds", "supported_accommodation", 3, (900, 1200), 9, 27),
    ("BC-CH-01", "Children's home block: two beds near the city", "childrens_home_external", 2, (4500, 5500), 18, 18),
    ("BC-FO-01", "IFA block: five carers for teenagers", "fostering_ifa", 5, (900, 1050), 12, 24),
)
END_REASONS = ("CARPL", "CHILD", "LAREQ", "STAND")


def _block_service(seed: Seed, stype: str, used: set[Any], k: int) -> dict[str, Any]:
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    near = [s for s in seed.of_type(stype) if s["ofsted_urn"] and s["id"] not in used and s["region"] == home_region
            and (s["places"] is None or s["places"] >= 2)]
    near.sort(key=lambda s: (0 if s["local_authority_code"] == seed.home.la_code else 1, s["ofsted_urn"]))
    return near[k % max(1, min(6, len(near)))]


def _case_ref(seed: Seed, n: int) -> str:
    """A case reference for the n-th child placed before the demo's referrals: distinct for every n (7,919 is
    prime to 100,000), so no child is ever in two placements on one night by chance."""
    return f"LCC-{200000 + (n * 7919) % 100000}"


def add_blocks(seed: Seed) -> None:
    """Contracts with their terms (annual uplifts), their units as rows and the children in them: an earlier
    child who moved on (ending before the next child starts: the end night is free) and, in most units, a
    child there today; a few voids are held for an incoming young person. Written through the contract and
    placement services (services.contracts, services.placements), each act audited as a broker's is."""
    from broker_tui.services.contracts import (
        ContractInput,
        PlaceInput,
        TermInput,
        add_contract_in,
        amend_contract_in,
        place_in_block_in,
        set_unit_status_in,
    )
    from broker_tui.services.placements import end_placement_in

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    used: set[Any] = set()
    for k, (ref, name, stype, size, price_range, months_in, months_left) in enumerate(BLOCKS):
        rng = seed.rng("block", ref)
        service = _block_service(seed, stype, used, k)
        used.add(service["id"])
        starts, ends = add_months(seed.today, -months_in), add_months(seed.today, months_left)
        price = pounds(rng, *price_range)
        uplift_bp = rng.choice([250, 300, 350, 400])
        label = "Bed" if stype == "childrens_home_external" else "Carer" if stype == "fostering_ifa" else "Unit"
        labels = [f"{label} {n}" for n in range(1, size + 1)]
        add_contract_in(session, ctx, ContractInput(
            service=str(service["id"]), reference=ref, name=name, for_16_plus=stype == "supported_accommodation",
            starts_on=starts, ends_on=ends, extension_option="Option to extend by 12 months", units=labels,
            unit_weekly_pence=price, notes="Demo contract"))
        anniversary = add_months(starts, 12)
        while anniversary <= seed.today:
            amend_contract_in(session, ctx, ref, TermInput(kind="uplift", effective_from=anniversary,
                                                           uplift_bp=uplift_bp,
                                                           reason=f"Annual uplift {uplift_bp / 100:.1f}%"))
            anniversary = add_months(anniversary, 12)
        place = PLACE_FOR_TYPE.get(service["service_type"], "")
        for unit in labels:
            current = max(starts, seed.days(-rng.randint(5, 200))) if rng.random() < 0.8 else None
            if rng.random() < 0.3:  # an earlier child who has moved on
                start = starts + dt.timedelta(days=rng.randint(0, 60))
                end = min(current or seed.days(-5), seed.days(-5), start + dt.timedelta(days=rng.randint(60, 300)))
                if end > start:
                    earlier = place_in_block_in(session, ctx, PlaceInput(
                        contract=ref, unit=unit, case_ref=_next_case_ref(seed), start_date=start, placement_type=place))
                    end_placement_in(session, ctx, earlier.id, end_date=end,
                                     reason_place_change=rng.choice(END_REASONS))
                    seed.counts["placement"] += 1
            if current is not None:  # most units are filled today; the rest are voids
                place_in_block_in(session, ctx, PlaceInput(contract=ref, unit=unit, case_ref=_next_case_ref(seed),
                                                           start_date=current, placement_type=place))
                seed.counts["placement"] += 1
            elif rng.random() < 0.3:
                set_unit_status_in(session, ctx, unit, "held", seed.days(-rng.randint(1, 10)),
                                   "Held for a young person moving in next week", contract=ref)
        seed.counts["block_contract"] += 1
        seed.counts["block_unit"] += size
    session.flush()  # the rest of the seed reads these rows through the connection


def _next_case_ref(seed: Seed) -> str:
    seed.counts["_case"] += 1
    return _case_ref(seed, seed.counts["_case"])


def _term(seed: Seed, contract: dict[str, Any], effective: dt.date, units: int, price: int,
          reason: str, *, uplift_bp: int = 0) -> dict[str, Any]:
    return {"contract_id": contract["id"], "effective_from": effective, "units": units,
            "unit_weekly_pence": price, "uplift_bp": uplift_bp, "reason": reason, "created_by": seed.actor}


def _placement(seed: Seed, service: dict[str, Any], start: dt.date, end: dt.date | None,
               reason: str | None, **links: Any) -> dict[str, Any]:
    seed.counts["_case"] += 1
    return {"case_ref": _case_ref(seed, seed.counts["_case"]), "service_id": service["id"],
            "placement_type": PLACE_FOR_TYPE.get(service["service_type"], ""), "start_date": start,
            "end_date": end, "reason_place_change": reason, "ended_by": seed.actor if end else "", **links}


SPOT_BASIS = {"childrens_home_external": "National contract (IPA)", "fostering_ifa": "East Midlands regional framework",
              "supported_accommodation": "16+ open framework call-off", "parent_and_child": "National contract (IPA)",
              "residential_special_school": "National contract (IPA)"}
EARLIER_SPOTS = {"childrens_home_external": 9, "fostering_ifa": 8, "supported_accommodation": 5,
                 "residential_special_school": 1, "parent_and_child": 1}


def add_spots(seed: Seed, casework: dict[str, Any]) -> None:
    """Spot agreements for agreed/placed referrals and for children placed earlier; one ended agreement."""
    agreements, amendments, approvals, placements = [], [], [], []
    jobs: list[tuple[dict[str, Any] | None, dict[str, Any], int, dict[str, Any] | None]] = []
    for referral, offer in casework["accepted"]:
        service = next(s for s in seed.services if s["id"] == offer["service_id"])
        jobs.append((referral, service, offer["weekly_price_pence"], offer))
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    for stype, count in EARLIER_SPOTS.items():
        pool = [s for s in seed.of_type(stype) if s["ofsted_urn"] and s["region"] == home_region]
        for s in seed.rng("spots", stype).sample(pool, min(count, len(pool))):
            jobs.append((None, s, seed.prices.get(s["id"], 100_000), None))
    for n, (referral, service, weekly, offer) in enumerate(jobs):
        rng = seed.rng("spot", n)
        placed = referral is None or referral["status"] == "placed"
        start = (referral["needed_by"] if referral and not placed else
                 min(seed.days(-1), referral["needed_by"]) if referral else seed.days(-rng.randint(40, 700)))
        ended = referral is None and n % 7 == 3
        core = weekly if offer is None else offer["core_weekly_pence"]
        staffing = 0 if offer is None else offer["staffing_weekly_pence"] or 0
        agreement = {"id": new_id(), "referral_id": referral["id"] if referral else None, "service_id": service["id"],
                     "offer_id": offer["id"] if offer else None,
                     "case_ref": referral["case_ref"] if referral else _case_ref(seed, 1000 + n),
                     "contract_basis": SPOT_BASIS.get(service["service_type"], "National contract (IPA)"),
                     "start_date": start, "planned_end": add_months(start, rng.choice([6, 12, 24])),
                     "ended_on": seed.days(-rng.randint(3, 30)) if ended else None,
                     "status": "ended" if ended else "active",
                     "conditions": "Weekly progress report to the social worker", "recorded_by": seed.actor}
        agreements.append(agreement)
        if core + staffing > seed.settings.high_cost_threshold_pence:
            approvals.append({"agreement_id": agreement["id"], "kind": "cost", "decision": "approved",
                              "decided_by": "Head of service", "decided_on": min(start, seed.today),
                              "weekly_pence": core + staffing})
        amendments.append({"agreement_id": agreement["id"], "effective_from": start, "weekly_price_pence": core + staffing,
                           "core_weekly_pence": core, "staffing_weekly_pence": staffing,
                           "reason": "Agreement as made", "created_by": seed.actor})
        if referral is None and start <= seed.days(-365):
            uplifted = apply_uplift(core, 300)
            amendments.append({"agreement_id": agreement["id"], "effective_from": add_months(start, 12),
                               "weekly_price_pence": uplifted + staffing, "core_weekly_pence": uplifted,
                               "staffing_weekly_pence": staffing, "kind": "uplift", "reason": "Annual uplift 3.0%",
                               "created_by": seed.actor})
        elif referral is None and n % 3 == 0:
            hourly = pounds(rng, 20, 35, 1)
            amendments.append({"agreement_id": agreement["id"], "effective_from": start + dt.timedelta(days=rng.randint(14, 35)),
                               "kind": "price_change", "weekly_price_pence": core + 10 * hourly, "core_weekly_pence": core,
                               "staffing_weekly_pence": 10 * hourly, "one_to_one_minutes": 600,
                               "one_to_one_hourly_pence": hourly, "reason": "10 hours a week of 1:1 support added",
                               "created_by": seed.actor})
        if placed:
            row = _placement(seed, service, start, agreement["ended_on"],
                             rng.choice(END_REASONS) if ended else None, spot_agreement_id=agreement["id"])
            row["case_ref"] = agreement["case_ref"]
            row["referral_id"] = agreement["referral_id"]
            placements.append(row)
    seed.insert(SpotAgreement, agreements)
    seed.insert(SpotAmendment, amendments)
    seed.insert(Approval, approvals)
    seed.insert(Placement, placements)
