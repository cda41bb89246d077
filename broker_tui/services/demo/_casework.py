"""Demo placement requests in every status, who they went to, and the offers and declines that came back.

No real children: case references are made up ("LCC-" and six digits), a child is initials only, and
no free-text field names a person (social workers and brokers appear as teams or roles).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from broker_tui.domain.ids import new_id
from broker_tui.domain.referrals.standard import RISK_TAG_OF_FLAG
from broker_tui.domain.vocabulary import (
    DECLINE_REASONS,
    NEED_DOMAIN_CODES,
    SERVICE_TYPE_BY_CODE,
    SETTING_OF_GROUP,
    SETTINGS,
)
from broker_tui.services.demo._base import Seed
from broker_tui.store.tables import Offer, Referral, ReferralSent

STATUS_COUNTS = {"new": 5, "searching": 6, "sent_to_providers": 6, "offers_received": 5, "placement_agreed": 4,
                 "placed": 5, "withdrawn": 3, "closed": 3}
ETHNIC = ("WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "MWBA", "MOTH", "AIND", "APKN", "AOTH", "BAFR", "BCRB", "BOTH",
          "OOTH", "WROM")
RISK_TAGS = ("cse", "cce", "missing", "self_harm", "harmful_sexual_behaviour", "substance_misuse")
TEAMS = ("Children in care team 1", "Children in care team 2", "Duty and assessment team",
         "Children with disabilities team", "Leaving care team")
HEALTH = ("", "", "Asthma, managed with inhalers", "ADHD diagnosis; takes medication", "Autism assessment pending",
          "Type 1 diabetes", "Mild learning disability")
CONTACT = ("Weekly supervised contact with mother", "Fortnightly contact with siblings",
           "Monthly contact with grandparents", "No direct contact at present", "Contact with father by video call")
BUDGETS = {  # weekly budget ceiling by the first type sought, pounds
    "fostering_in_house": 700, "fostering_ifa": 1300, "childrens_home_external": 7500,
    "supported_accommodation": 1200, "parent_and_child": 5000, "residential_special_school": 6500,
}
PLACE_FOR_TYPE = {"fostering_in_house": "U6", "fostering_ifa": "U6", "fostering_kinship": "U3",
                  "childrens_home_external": "K2", "childrens_home_in_house": "K2", "secure_childrens_home": "K1",
                  "supported_accommodation": "K3", "parent_and_child": "R3", "residential_special_school": "S1"}


def _initials(rng: random.Random) -> str:
    letters = "ABCDEFGHIJKLMNOPRSTW"
    return rng.choice(letters) + rng.choice(letters)


BROKERS = ("A. Khan", "B. Osei", "C. Novak", "D. Patel")  # the brokerage team's staff (not children)


def _types_for_age(rng: random.Random, age: int) -> list[str]:
    if age >= 16:
        return ["supported_accommodation"] if rng.random() < 0.6 else ["supported_accommodation", "fostering_ifa"]
    if age <= 9:
        return ["fostering_in_house", "fostering_ifa"]
    return rng.choice([["childrens_home_external"], ["fostering_in_house", "fostering_ifa"],
                       ["fostering_ifa", "childrens_home_external"]])


def _referral(seed: Seed, n: int, status: str, case_ref: str) -> dict[str, Any]:
    rng = seed.rng("referral", n)
    age = rng.choice([16, 16, 17, 17]) if n % 4 == 0 else rng.randint(4, 17)
    types = _types_for_age(rng, age)
    emergency = rng.random() < 0.25
    age_received = {"new": (0, 2), "searching": (1, 10), "sent_to_providers": (3, 14), "offers_received": (5, 20),
                    "placement_agreed": (8, 25), "placed": (15, 60), "withdrawn": (10, 50), "closed": (30, 90)}[status]
    received = seed.days(-rng.randint(*age_received))
    needed_by = received + dt.timedelta(days=rng.randint(0, 2) if emergency else rng.randint(7, 35))
    needs = {f"need_{d}": rng.choices([0, 1, 2, 3], weights=[20, 35, 30, 15])[0] for d in NEED_DOMAIN_CODES}
    tags = rng.sample(RISK_TAGS, rng.randint(0, 2))
    levels = [rng.randint(1, 3) for _ in tags]
    risks = [{"tag": t, "present": True, "level": level} for t, level in zip(tags, levels, strict=True)]
    if levels:
        needs["need_risk"] = max(needs["need_risk"], *levels)
    specialist = ["emergency"] if emergency else []  # risks are recorded as risks, not repeated here
    siblings = rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
    if siblings > 1:
        specialist.append("sibling_group")
    return {
        "case_ref": case_ref, "initials": _initials(rng), "status": status, "date_received": received,
        "social_worker": "", "social_work_team": rng.choice(TEAMS), "assigned_broker": rng.choice(BROKERS),
        "age_years": age, "gender": rng.choice(["F", "M"]), "ethnicity": rng.choice(ETHNIC),
        "first_language": rng.choice(["English"] * 6 + ["Polish", "Gujarati", "Arabic"]),
        "legal_status": rng.choice(["C2", "C2", "C1", "V2"]), "category_of_need": rng.choice(["N1", "N1", "N4", "N5"]),
        "disability_health": rng.choice(HEALTH), "school": "" if age >= 16 else f"School in {rng.choice(['LE2', 'LE3', 'LE4', 'LE5'])}",
        "year_group": max(1, min(13, age - 4)) if age < 16 else None, "ehcp": rng.random() < 0.2,
        "current_placement": rng.choice(["At home with family", "In-house foster placement", "IFA foster placement",
                                         "External children's home", "Emergency bed"]),
        "move_reason": rng.choice(["CARPL", "CREQB", "LAREQ", ""]), "types_sought": types, "emergency": emergency,
        "needed_by": needed_by, "expected_duration_weeks": rng.choice([None, 12, 26, 52, 104]),
        "home_district": rng.choice(["LE1", "LE2", "LE3", "LE4", "LE5"]), "within_home_area": rng.random() < 0.4,
        "max_distance_miles": rng.choice([None, 20, 30, 50]), "sibling_group_size": siblings,
        "contact_arrangements": rng.choice(CONTACT), "uasc": age >= 15 and rng.random() < 0.2,
        "one_to_one_hours": rng.choice([0, 0, 0, 10, 20]), "budget_weekly_pence": BUDGETS.get(types[0], 1000) * 100,
        "risks": risks, "specialist_needs": specialist,
        "withdrawn_reason": "Child returned home under a safety plan" if status == "withdrawn" else None,
        "closed_on": seed.days(-rng.randint(1, 20)) if status in ("closed", "withdrawn") else None, **needs,
    }


def _standard(seed: Seed, n: int, r: dict[str, Any]) -> dict[str, Any]:
    """The Placements Data Standard's answers a broker records (with its own random stream, so the rest of
    the demo is as it was); about one answer in six is left not answered, as in real casework."""
    rng = seed.rng("standard", n)
    asked = rng.random() > 0.15
    age, types = r["age_years"], r["types_sought"]
    sought = {SETTING_OF_GROUP[SERVICE_TYPE_BY_CODE[t].group] for t in types}
    first = SETTING_OF_GROUP[SERVICE_TYPE_BY_CODE[types[0]].group]
    suits = {s: "preferred" if s == first else "suitable" if s in sought else
             "unsuitable" if s == "supported_accommodation" and age < 16 else rng.choice(["not_specified", "suitable"])
             for s in SETTINGS}
    language = r["first_language"] != "English"
    out: dict[str, Any] = {
        "suitability_foster": suits["foster"], "suitability_residential": suits["residential"],
        "suitability_supported": suits["supported_accommodation"],
        "living_alongside": rng.choices(["with_others", "no_preference", "younger_only", ""], [70, 15, 5, 10])[0],
        "preferred_location": {"kind": "district", "code": r["home_district"]} if rng.random() < 0.5 else
        {"kind": "la", "code": seed.home.la_code},
        "living_with_pets": rng.choices(["can", "no", "not_known", "must"], [40, 30, 25, 5])[0],
    }
    if asked:
        out.update(
            communication_needs="yes" if language else "no",
            communication_requirements=["esol"] if language else ["none"],
            cultural_needs=rng.choice(["required", "not_required", "not_required", "not_known"]),
            home_adaptation=False,
            additional_support=["taxis_to_school"] if r["school"] and not r["within_home_area"] else
            ["therapeutic_support"] if r["need_emotional"] >= 3 else ["none"],
            # every risk flag of the standard answered: the ones not present as "no known risk"
            risks=[*r["risks"], *({"tag": tag, "present": False, "level": 0} for tag in RISK_TAG_OF_FLAG.values()
                                  if tag not in {x["tag"] for x in r["risks"]})],
        )
    if r["status"] != "new":
        out.update(qa_referral_officer=rng.choice(BROKERS),
                   qa_referral_on=min(seed.today, r["date_received"] + dt.timedelta(days=1)))
    if r["status"] in ("placed", "closed"):  # closed follows placed
        checked = min(seed.today, r["needed_by"] + dt.timedelta(days=rng.randint(1, 5)))
        out.update(placed_location_preferred=rng.random() < 0.7, placed_education_continuity=rng.random() < 0.8,
                   placed_siblings_together=r["sibling_group_size"] - 1, qa_placement_officer=rng.choice(BROKERS),
                   qa_placement_on=checked, qa_cost_officer="Finance officer", qa_cost_on=checked)
    return out


def _candidates(seed: Seed, types: list[str], rng: random.Random, k: int) -> list[dict[str, Any]]:
    home_region = seed.authorities.get(seed.home.la_code, {}).get("region_name")
    pool = [s for s in seed.services if s["service_type"] in types and s["ofsted_urn"]
            and s["region"] == home_region and s["registration_status"] == "active"]
    return rng.sample(pool, min(k, len(pool)))


def add_casework(seed: Seed) -> dict[str, Any]:
    """Referrals, ReferralSent and Offer rows. Returns what the contracts part needs (agreed offers)."""
    rng = seed.rng("casework")
    refs = rng.sample(range(100000, 200000), sum(STATUS_COUNTS.values()))
    referrals, n = [], 0
    for status, count in STATUS_COUNTS.items():
        for _ in range(count):
            row = _referral(seed, n, status, f"LCC-{refs[n]}")
            referrals.append({**row, **_standard(seed, n, row)})
            n += 1
    referrals = seed.insert(Referral, referrals)
    sent_rows, offers, accepted = [], [], []
    for i, r in enumerate(referrals):
        if r["status"] not in ("sent_to_providers", "offers_received", "placement_agreed", "placed", "closed"):
            continue
        rrng = seed.rng("sent", i)
        sent_on = r["date_received"] + dt.timedelta(days=rrng.randint(0, 2))
        # Some sent referrals are past their reply deadline with no answer yet.
        overdue = r["status"] == "sent_to_providers" and i % 2 == 0
        due = seed.days(-rrng.randint(1, 3)) if overdue else sent_on + dt.timedelta(days=rrng.randint(3, 7))
        targets = _candidates(seed, r["types_sought"], rrng, rrng.randint(3, 6))
        answered = 0 if r["status"] == "sent_to_providers" else len(targets)
        for j, s in enumerate(targets):
            sent = {"id": new_id(), "referral_id": r["id"], "service_id": s["id"],
                    "sent_at": dt.datetime.combine(sent_on, dt.time(10, 30), tzinfo=dt.UTC),
                    "sent_by": "brokerage team", "contact": seed.providers[s["provider_id"]].get("referral_email") or "",
                    "reply_due_on": due, "provider_text": _provider_text(r)}
            sent_rows.append(sent)
            if j >= answered:
                continue
            offered = j % 2 == 0 or j == answered - 1
            price = seed.prices.get(s["id"], r["budget_weekly_pence"] or 100_000)
            staffing = r["one_to_one_hours"] * 2500
            offer = {"id": new_id(), "referral_id": r["id"], "service_id": s["id"], "referral_sent_id": None,
                     "received_on": min(seed.today, sent_on + dt.timedelta(days=rrng.randint(1, 4))),
                     "outcome": "offered" if offered else "declined", "_sent": sent}
            if offered:
                offer.update(weekly_price_pence=price + staffing, core_weekly_pence=price,
                             staffing_weekly_pence=staffing, start_date=r["needed_by"],
                             valid_until=seed.days(rrng.randint(-2, 10)), status="open")
            else:
                reason = rrng.choice(list(DECLINE_REASONS))
                offer.update(decline_reason=reason, decline_text="Declined by the provider", status="not_taken")
            offers.append(offer)
    seed.insert(ReferralSent, sent_rows)
    for offer in offers:
        offer["referral_sent_id"] = offer.pop("_sent")["id"]
    by_referral: dict[Any, list[dict[str, Any]]] = {}
    for offer in offers:
        by_referral.setdefault(offer["referral_id"], []).append(offer)
    for r in referrals:
        got = [o for o in by_referral.get(r["id"], []) if o["outcome"] == "offered"]
        if r["status"] in ("placement_agreed", "placed") and got:
            best = min(got, key=lambda o: (o["weekly_price_pence"], str(o["service_id"])))
            for o in got:
                o["status"] = "accepted" if o is best else "not_taken"
            accepted.append((r, best))
        elif r["status"] == "closed":
            for o in got:
                o["status"] = "not_taken"
    seed.insert(Offer, offers)
    return {"referrals": referrals, "accepted": accepted}


def _provider_text(r: dict[str, Any]) -> str:
    needs = ", ".join(f"{d} {r[f'need_{d}']}" for d in NEED_DOMAIN_CODES if r[f"need_{d}"] >= 2) or "none high"
    return (f"Referral {r['case_ref']}: {r['initials']}, aged {r['age_years']}, {r['gender']}. "
            f"Needed by {r['needed_by'].isoformat()}{' (emergency)' if r['emergency'] else ''}. "
            f"Needs at medium or high: {needs}. Legal status {r['legal_status']}.")
