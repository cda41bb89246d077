"""Demo purchases: the children's home and IFA block contracts with dated terms, spot agreements
(individual placement agreements) with amendments, and the placements in both. The 16+ blocks and the
16+ review's spot agreements, with a year of history, are demo.sixteen_plus's.

Each block has its first term and an annual uplift amendment; most units are filled today (some voids).
Spot agreements cover the placed and agreed referrals plus children placed before the demo's referrals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from broker_tui.domain.dates import add_months
from broker_tui.domain.purchases import staffing_pence
from broker_tui.services.demo._base import Seed, pounds
from broker_tui.services.demo._casework import PLACE_FOR_TYPE

# (reference, name, service type, units, unit price range in pounds, months since start, months left)
BLOCKS = (  # the 16+ blocks, with a year of history for the 16+ review, are demo.sixteen_plus's
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


def _planned_end(seed: Seed, start: dt.date, months: int) -> dt.date:
    """``months`` after the start, or later: a running agreement's planned end is still ahead."""
    end = add_months(start, months)
    while end <= seed.today:
        end = add_months(end, 6)
    return end


def add_spots(seed: Seed, casework: dict[str, Any]) -> None:
    """Spot agreements for agreed/placed referrals and for children placed earlier, written through
    services.purchases as brokers and an approver would (each act audited): recorded and submitted; those
    above the threshold approved by the demo's manager; three children in homes with 2:1 support, above the
    threshold: one awaiting the approver, one rejected, one approved with a raise awaiting approval; annual
    uplifts and 1:1 hours added by amendment; some ended, one cancelled before it started, one still a draft:
    the demo shows every state."""
    from broker_tui.services.placements import end_placement_in
    from broker_tui.services.purchases import (
        AmendmentInput,
        SpotInput,
        add_agreement_in,
        amend_in,
        approve_amendment_in,
        approve_in,
        cancel_in,
        reject_in,
    )

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    manager_ctx, manager = seed.as_approver()
    jobs: list[tuple[dict[str, Any] | None, dict[str, Any], int, dict[str, Any] | None]] = []
    for referral, offer in casework["accepted"]:
        service = next(s for s in seed.services if s["id"] == offer["service_id"])
        jobs.append((referral, service, offer["weekly_price_pence"], offer))
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    for stype, count in EARLIER_SPOTS.items():
        pool = [s for s in seed.of_type(stype) if s["ofsted_urn"] and s["region"] == home_region]
        for s in seed.rng("spots", stype).sample(pool, min(count, len(pool))):
            jobs.append((None, s, seed.prices.get(s["id"], 100_000), None))
    cancelled = drafted = False
    premium = 0  # children in homes with 2:1 support: above the approval threshold, so the approver's work shows
    for n, (referral, service, weekly, offer) in enumerate(jobs):
        rng = seed.rng("spot", n)
        placed = referral is None or referral["status"] == "placed"
        start = (referral["needed_by"] if referral and not placed else
                 min(seed.days(-1), referral["needed_by"]) if referral else seed.days(-rng.randint(40, 700)))
        core = weekly if offer is None else offer["core_weekly_pence"]
        staffing = 0 if offer is None else offer["staffing_weekly_pence"] or 0
        hourly = pounds(rng, 20, 35, 1)
        minutes = 0 if not staffing else max(60, round(staffing * 60 / hourly / 15) * 15)
        if minutes:  # the offer's staffing as hours a week at an hourly rate (what the provider priced)
            hourly = max(1, round(staffing * 60 / minutes))
            staffing = staffing_pence(minutes, hourly)
        two_to_one = 0
        if referral is None and service["service_type"] == "childrens_home_external" and premium < 3:
            premium += 1
            two_to_one = 2400  # 40 hours a week of 2:1 support at £56 an hour (two workers)
            start = seed.days(rng.randint(3, 20)) if premium == 1 else start  # the first is yet to start
        case_ref = referral["case_ref"] if referral else _case_ref(seed, 1000 + n)
        submit = not (referral is None and not drafted and not two_to_one and n % 5 == 4)
        drafted = drafted or not submit
        added = add_agreement_in(session, ctx, SpotInput(
            referral=referral["id"] if referral else None, case_ref=case_ref, service=str(service["id"]),
            offer=offer["id"] if offer else None, start_date=start,
            planned_end=_planned_end(seed, start, rng.choice([6, 12, 24])),
            weekly_price_pence=core + staffing + staffing_pence(two_to_one, 5600),
            core_weekly_pence=core, one_to_one_minutes=minutes, one_to_one_hourly_pence=hourly if minutes else 0,
            two_to_one_minutes=two_to_one, two_to_one_hourly_pence=5600 if two_to_one else 0,
            cost_centre="CSC-PLACEMENTS-" + ("16P" if service["service_type"] == "supported_accommodation" else "LAC"),
            purchasing_route="spot", route_reason="No framework provider could meet the child's needs",
            contract_basis=SPOT_BASIS.get(service["service_type"], "National contract (IPA)"),
            conditions="Weekly progress report to the social worker",
            placement_type=PLACE_FOR_TYPE.get(service["service_type"], "")), submit=submit)
        seed.counts["spot_agreement"] += 1
        seed.counts["placement"] += 1
        if added.status == "draft":
            continue
        if two_to_one and premium == 1:
            continue  # awaits the approver today: Home shows it
        if two_to_one and premium == 2:
            reject_in(manager, manager_ctx, added.id, "The 2:1 hours are above what the care plan needs: ask the "
                                                      "provider for a plan stepping down to 1:1")
            continue
        if added.status == "awaiting_approval":
            approve_in(manager, manager_ctx, added.id)
        if two_to_one:  # the third: approved, then a raise for waking nights waits for the approver
            amend_in(session, ctx, added.id, AmendmentInput(
                kind="price_change", effective_from=seed.days(7), weekly_price_pence=added.weekly_pence + 60_000,
                core_weekly_pence=core + 60_000, two_to_one_minutes=two_to_one, two_to_one_hourly_pence=5600,
                reason="Waking night staff added after two missing episodes"))
            continue
        if referral is not None and not placed and not cancelled and start > seed.today:
            cancelled = True
            cancel_in(session, ctx, added.id, "The child's plan changed before the move: family placement found")
            continue
        if referral is None and start <= seed.days(-365):
            amend_in(session, ctx, added.id, AmendmentInput(kind="uplift", effective_from=add_months(start, 12),
                                                            uplift_bp=300, reason="Annual uplift 3.0%"))
        elif referral is None and n % 3 == 0:
            made = amend_in(session, ctx, added.id, AmendmentInput(
                kind="price_change", effective_from=start + dt.timedelta(days=rng.randint(14, 35)),
                weekly_price_pence=core + staffing_pence(minutes + 600, hourly), core_weekly_pence=core,
                one_to_one_minutes=minutes + 600, one_to_one_hourly_pence=hourly,
                reason="10 hours a week of 1:1 support added"))
            if made.state == "awaiting_approval":
                approve_amendment_in(manager, manager_ctx, added.id)
        if referral is None and n % 7 == 3:
            end_placement_in(session, ctx, added.placement_id, end_date=seed.days(-rng.randint(3, 30)),
                             reason_place_change=rng.choice(END_REASONS))
    session.flush()
    manager.flush()
