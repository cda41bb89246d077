"""A generated market of any size written into a database, for the market-load equivalence test and
bench/bench_market_load.py: providers, services of every kind (fostering agencies with areas covered
and households, some archived), price lists (some ended, some parts not priced), placement stops (in
force, lifted, to come), block contracts with their terms, and a few archived services.

Written as the demo seed writes (store.bulk.insert_rows in one transaction, one audit event per table),
with a fixed seed, so a size always gives the same market. Reference data (authorities, districts) is
loaded first when the database has none.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from sqlalchemy import select

from broker_tui.domain.vocabulary import (
    NEED_DOMAIN_CODES,
    OFSTED_GRADES,
    SA_CATEGORIES,
    SA_OUTCOMES,
    TAGS,
    judgement_sort_key,
)
from broker_tui.services.reference import load_reference_data
from broker_tui.store.audit import audit_row, insert_audit_rows
from broker_tui.store.bulk import insert_rows
from broker_tui.store.tables import (
    BlockContract,
    BlockContractTerm,
    FosterHousehold,
    LocalAuthority,
    PlacementStop,
    PostcodeDistrict,
    PriceList,
    Provider,
    Service,
)

TYPES = {"childrens_home_external": 40, "fostering_ifa": 15, "supported_accommodation": 20,
         "childrens_home_in_house": 3, "fostering_in_house": 2, "secure_childrens_home": 2, "parent_and_child": 5,
         "residential_special_school": 6, "leaving_care": 2}
WORDS = ("Oak", "Ash", "Birch", "Cedar", "Elm", "Hazel", "Maple", "Rowan", "Willow", "Yew", "Holly", "Alder")
TAG_CODES = tuple(t.code for t in TAGS)


def _id(rnd: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rnd.getrandbits(128), version=4)


def generate_market(ctx: Any, n: int, seed: int = 11) -> None:
    """Write ``n`` generated services (and what goes with them) into the context's database."""
    rnd = random.Random(seed)
    today, now, actor = ctx.clock.today(), ctx.clock.now(), ctx.actor
    with ctx.engine.begin() as con:
        load_reference_data(con)
        la_t, pd_t = LocalAuthority.__table__, PostcodeDistrict.__table__
        las = [tuple(r) for r in con.execute(select(la_t.c.ons_code, la_t.c.name, la_t.c.latitude, la_t.c.longitude)
                                             .order_by(la_t.c.ons_code))][:200]
        districts = [r[0] for r in con.execute(select(pd_t.c.outcode).order_by(pd_t.c.outcode))][:3000]
        providers = [{"id": _id(rnd), "name": f"{rnd.choice(WORDS)} Care {i}",
                      "sector": rnd.choice(("private", "voluntary", "in_house"))} for i in range(max(10, n // 20))]
        services, households, prices, stops, contracts, terms = [], [], [], [], [], []
        types, weights = list(TYPES), list(TYPES.values())
        specialism_sets = [sorted(rnd.sample(TAG_CODES, rnd.randint(0, 4))) for _ in range(40)]
        for i in range(n):
            sid = _id(rnd)
            stype = rnd.choices(types, weights)[0]
            fostering = stype.startswith("fostering")
            supported = stype in ("supported_accommodation", "leaving_care")
            grade = None if supported else rnd.choice([None, *OFSTED_GRADES])
            outcome = rnd.choice([None, *SA_OUTCOMES]) if supported else None
            la = rnd.choice(las)
            placed = rnd.random() > 0.03
            areas = [c for c, *_ in rnd.sample(las, rnd.randint(1, 4))] if fostering else []
            if fostering and rnd.random() < 0.1:
                areas.append("E99999999")  # a code the register does not know: an area with no centre
            name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {'Fostering' if fostering else 'House'} {i:06}"
            services.append({
                "id": sid, "provider_id": rnd.choice(providers)["id"], "name": name, "service_type": stype,
                "sector": "in_house" if stype.endswith("in_house") else rnd.choice(("private", "voluntary")),
                "ofsted_urn": None if rnd.random() < 0.05 else f"SC{i:07}",
                "registration_status": rnd.choices(("active", "suspended", "pending", "not_registered",
                                                    "not_required"), (90, 2, 2, 3, 3))[0],
                "in_register": rnd.random() > 0.02, "ofsted_grade": grade, "sa_outcome": outcome,
                "sa_category": rnd.choice(list(SA_CATEGORIES)) if supported else None,
                "latitude": la[2] + rnd.uniform(-0.2, 0.2) if placed and la[2] is not None else None,
                "longitude": la[3] + rnd.uniform(-0.2, 0.2) if placed and la[3] is not None else None,
                "location_approximate": rnd.random() < 0.05, "postcode_district": rnd.choice(districts),
                "local_authority_code": la[0], "local_authority_name": la[1], "areas_covered": areas,
                "min_age": 16 if supported else rnd.choice((0, 8, 10, 11, 12)), "max_age": rnd.choice((17, 17, 18)),
                "sexes": rnd.choices(("mixed", "female", "male"), (8, 1, 1))[0],
                "places": None if rnd.random() < 0.05 else rnd.randint(1, 12),
                "vacancies": None if rnd.random() < 0.1 else rnd.randint(0, 3),
                "specialisms": rnd.choice(specialism_sets),
                **{f"cap_{d}": rnd.randint(0, 3) for d in NEED_DOMAIN_CODES},
                "purchasing_route": rnd.choice(("spot", "spot", "framework", "block")),
                "judgement_sort": judgement_sort_key(grade, outcome), "sort_name": name.lower(),
                "search_text": name.lower(), "archived_on": today - dt.timedelta(days=30) if rnd.random() < 0.02 else None,
            })
            for h in range(rnd.randint(1, 6) if fostering else 0):
                approved = rnd.randint(1, 3)
                households.append({"id": _id(rnd), "service_id": sid, "reference": f"H{h:02}",
                                   "places": approved, "free_places": rnd.randint(0, approved),
                                   "archived_on": today if rnd.random() < 0.1 else None})
            start = today - dt.timedelta(days=rnd.randint(30, 900))
            core = rnd.randint(85_000, 130_000) if fostering else rnd.randint(40_000, 800_000)
            prices.append({"id": _id(rnd), "service_id": sid, "valid_from": start, "core_weekly_pence": core,
                           "one_to_one_hourly_pence": rnd.choice((None, rnd.randint(2_000, 3_500))),
                           "two_to_one_hourly_pence": rnd.choice((None, 6_000)),
                           "education_weekly_pence": rnd.choice((None, 95_000)),
                           "therapy_weekly_pence": rnd.choice((None, None, 40_000)),
                           "solo_premium_weekly_pence": rnd.choice((None, None, 25_000)),
                           "annual_uplift_bp": rnd.randint(0, 500), "per_child": rnd.random() < 0.8})
            if rnd.random() < 0.3:
                prices.append({"id": _id(rnd), "service_id": sid, "valid_from": start - dt.timedelta(days=365),
                               "valid_to": start - dt.timedelta(days=1), "core_weekly_pence": core - 5_000,
                               "annual_uplift_bp": 300})
            if rnd.random() < 0.03:
                lifted = rnd.choice((None, today - dt.timedelta(days=3), today + dt.timedelta(days=20)))
                stops.append({"id": _id(rnd), "service_id": sid, "imposed_by": "test", "reason": f"stop {i}",
                              "starts_on": today - dt.timedelta(days=rnd.randint(-10, 60)), "lifted_on": lifted})
            if rnd.random() < 0.02:
                cid = _id(rnd)
                contracts.append({"id": cid, "provider_id": services[-1]["provider_id"], "service_id": sid,
                                  "reference": f"BC{i:06}", "name": f"Block {i}",
                                  "starts_on": today - dt.timedelta(days=200),
                                  "ends_on": today + dt.timedelta(days=rnd.choice((-5, 100, 400))),
                                  "status": rnd.choice(("active", "active", "ended"))})
                terms.append({"id": _id(rnd), "contract_id": cid, "effective_from": today - dt.timedelta(days=200),
                              "units": rnd.randint(1, 4), "unit_weekly_pence": 400_000})
                if rnd.random() < 0.5:
                    terms.append({"id": _id(rnd), "contract_id": cid, "effective_from": today - dt.timedelta(days=20),
                                  "units": rnd.randint(0, 5), "unit_weekly_pence": 410_000})
        audits = []
        for model, rows in ((Provider, providers), (Service, services), (FosterHousehold, households),
                            (PriceList, prices), (PlacementStop, stops), (BlockContract, contracts),
                            (BlockContractTerm, terms)):
            for start_at in range(0, len(rows), 5000):
                insert_rows(con, model, rows[start_at:start_at + 5000], now)
            audits.append(audit_row(actor=actor, at=now, entity=model.__table__.name, entity_id="generated",
                                    action="create", after={"rows": len(rows), "note": "generated market"}))
        insert_audit_rows(con, audits, now)
