"""The commissioner's 16+ review over five years of a large council's data (targets: computed in 500 ms or
less; the workbook of it written in 3 s or less).

Builds a temp SQLite file migrated by prepare_database and fills it with bulk Core inserts (store.bulk;
fixed seed, clock fixed at 2026-12-01): 200 16+ block contracts (supported accommodation in Ofsted's four
categories and care leavers' 18+ accommodation) of 2 to 14 units each with annual uplifts as dated terms,
extensions on some, unit statuses (held, out of use), and 10,000 placements over five years: about 4,000
stays in block units (one after another in each unit, with voids between) and 6,000 spot agreements with an
uplift each. Then times services.review.review_16_plus over the five years (fresh each run: read and
worked), and services.review.export.write_review of it to .xlsx (and .csv). Prints medians, worst and the
ratio to each target.

    .venv/bin/python bench/bench_review.py [--runs 7] [--contracts 200] [--placements 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 1)
START = dt.date(2021, 12, 1)  # five years back
REVIEW_MS, WORKBOOK_MS = 500.0, 3000.0
CATEGORIES = ("single_occupancy", "ring_fenced_shared", "non_ring_fenced_shared", "private_residence", None)


def make_database(path: Path, n_contracts: int, n_placements: int, seed: int = 12) -> Any:
    from broker_tui.domain.ids import new_id
    from broker_tui.domain.money import apply_uplift
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database
    from broker_tui.store.bulk import insert_rows
    from broker_tui.store.tables import (
        BlockContract,
        BlockContractTerm,
        BlockUnit,
        BlockUnitStatus,
        Placement,
        Provider,
        Service,
        SpotAgreement,
        SpotAmendment,
    )

    rnd = random.Random(seed)
    ctx = AppContext.for_target(str(path), today=TODAY)
    ctx.acting_as = "bench"
    prepare_database(ctx, seed_demo_if_new=False)
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    providers = [{"id": new_id(), "name": f"Provider {i:03d} Ltd", "sector": "private"} for i in range(80)]
    services = []
    for i in range(400):
        category = rnd.choice(CATEGORIES)
        services.append({"id": new_id(), "provider_id": rnd.choice(providers)["id"], "name": f"Service {i:03d}",
                         "service_type": "care_leavers_18_plus" if category is None else "supported_accommodation",
                         "sa_category": category, "sector": "private", "sort_name": f"service {i:03d}",
                         "search_text": f"service {i:03d}"})
    contracts, terms, units, statuses, placements, agreements, amendments = [], [], [], [], [], [], []
    case = 0
    block_stays = n_placements * 2 // 5
    for c in range(n_contracts):
        service = rnd.choice(services)
        starts = START + dt.timedelta(days=rnd.randint(-400, 1200))
        ends = starts + dt.timedelta(days=rnd.choice((730, 1095, 1460)))
        contract_id = new_id()
        contracts.append({"id": contract_id, "provider_id": service["provider_id"], "service_id": service["id"],
                          "reference": f"BC-{c:04d}", "name": f"16+ block {c}", "for_16_plus": True,
                          "starts_on": starts, "ends_on": ends, "extension_option": "12 months",
                          "status": "active" if ends > TODAY else "ended"})
        size = rnd.randint(2, 14)
        price = rnd.randrange(40_000, 150_000)
        day, k = starts, 0
        while day < ends:
            terms.append({"contract_id": contract_id, "effective_from": day, "units": size,
                          "unit_weekly_pence": price, "uplift_bp": 300 if k else 0,
                          "ends_on": ends + dt.timedelta(days=365) if k == 2 and c % 5 == 0 else None,
                          "reason": "uplift" if k else "as made", "created_by": "bench",
                          "created_at": now + dt.timedelta(seconds=k)})
            price, day, k = apply_uplift(price, 300), day + dt.timedelta(days=365), k + 1
        for u in range(size):
            unit_id = new_id()
            units.append({"id": unit_id, "contract_id": contract_id, "label": f"Unit {u + 1}"})
            if rnd.random() < 0.2:
                held_from = starts + dt.timedelta(days=rnd.randint(30, 600))
                statuses.append({"unit_id": unit_id, "effective_from": held_from,
                                 "status": rnd.choice(("held", "out_of_use_provider", "out_of_use_council")),
                                 "reason": "bench", "created_by": "bench"})
                statuses.append({"unit_id": unit_id, "effective_from": held_from + dt.timedelta(days=30),
                                 "status": "available", "reason": "bench", "created_by": "bench"})
            night = starts + dt.timedelta(days=rnd.randint(0, 40))
            while night < ends and len(placements) < block_stays:
                stay = rnd.randint(60, 500)
                end = night + dt.timedelta(days=stay)
                case += 1
                placements.append({"case_ref": f"LCC-{100000 + case}", "service_id": service["id"],
                                   "block_contract_id": contract_id, "block_unit_id": unit_id, "start_date": night,
                                   "end_date": end if end < min(ends, TODAY) else None,
                                   "reason_place_change": rnd.choice(("CARPL", "CHILD", "LAREQ", "STAND")),
                                   "ended_by": "bench"})
                if end >= min(ends, TODAY):
                    break
                night = end + dt.timedelta(days=rnd.randint(0, 45))
    while len(placements) < n_placements:
        service = rnd.choice(services)
        start = START + dt.timedelta(days=rnd.randint(-200, 1800))
        ended_on = start + dt.timedelta(days=rnd.randint(30, 700))
        if ended_on >= TODAY:
            ended_on = None
        case += 1
        agreement_id = new_id()
        agreements.append({"id": agreement_id, "service_id": service["id"], "case_ref": f"LCC-{100000 + case}",
                           "cost_centre": "CC-16P", "route_reason": "bench", "start_date": start,
                           "planned_end": None if ended_on else TODAY + dt.timedelta(days=200), "ended_on": ended_on,
                           "status": "ended" if ended_on else "active", "recorded_by": "bench"})
        weekly = rnd.randrange(25_000, 250_000)
        minutes = rnd.choice((0, 0, 0, 300, 600, 900, 1500))
        for k in range(2):
            amendments.append({"id": new_id(), "agreement_id": agreement_id, "kind": "uplift" if k else "as_made",
                               "effective_from": start + dt.timedelta(days=365 * k),
                               "weekly_price_pence": weekly + 3_000 * k, "core_weekly_pence": weekly + 3_000 * k,
                               "one_to_one_minutes": minutes, "reason": "bench", "created_by": "bench",
                               "created_at": now + dt.timedelta(seconds=k), "approval_reasons": []})
        placements.append({"case_ref": f"LCC-{100000 + case}", "service_id": service["id"],
                           "spot_agreement_id": agreement_id, "start_date": start, "end_date": ended_on,
                           "ended_by": "bench" if ended_on else ""})
    with ctx.engine.begin() as con:
        for model, rows in ((Provider, providers), (Service, services), (BlockContract, contracts),
                            (BlockContractTerm, terms), (BlockUnit, units), (BlockUnitStatus, statuses),
                            (SpotAgreement, agreements), (SpotAmendment, amendments), (Placement, placements)):
            for at in range(0, len(rows), 5_000):
                insert_rows(con, model, rows[at:at + 5_000], now)
        con.exec_driver_sql("ANALYZE")
    return ctx, len(placements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--placements", type=int, default=10_000)
    args = parser.parse_args()
    from bench_purchases_list import timed  # the same timing loop as the purchases list's bench

    from broker_tui.services.review import review_16_plus
    from broker_tui.services.review.export import write_review

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ctx, made = make_database(Path(tmp) / "bench.sqlite3", args.contracts, args.placements)
        print(f"built {args.contracts} contracts and {made:,} placements in {time.perf_counter() - t0:.1f} s")
        first, last = START, TODAY - dt.timedelta(days=1)
        review = review_16_plus(ctx, first, last)  # the first connection and the imports: not what is measured
        print(f"{len(review.contracts)} contracts, {len(review.spot_lines):,} spot lines, "
              f"{sum(c.placements for c in review.contracts):,} block stays in the period")
        times = timed(args.runs, lambda: review_16_plus(ctx, first, last))
        median = statistics.median(times)
        print(f"review over 5 years: median {median:.0f} ms, worst {max(times):.0f} ms; target {REVIEW_MS:.0f} ms; "
              f"ratio {median / REVIEW_MS:.2f}")
        for fmt, target in (("xlsx", WORKBOOK_MS), ("csv", None)):
            out = Path(tmp) / f"review.{fmt}"
            times = timed(max(3, args.runs // 2), lambda fmt=fmt, out=out: write_review(review, out, fmt))
            median = statistics.median(times)
            print(f"{fmt} written ({out.stat().st_size / 1024:,.0f} KiB): median {median:.0f} ms, worst "
                  f"{max(times):.0f} ms" + (f"; target {target:.0f} ms; ratio {median / target:.2f}" if target else ""))
        ctx.close()


if __name__ == "__main__":
    main()
