"""The purchases list: its first page at 10,000 spot agreements (target 150 ms).

Builds a temp SQLite file migrated by prepare_database and fills it with bulk Core inserts
(store.bulk.insert_rows; fixed seed, clock fixed at 2026-12-01): 300 services of 60 providers, 10,000
agreements (statuses spread as a real team's would be: most ended, over a thousand active, some drafts and
some awaiting approval) with 5 amendments each (the agreement as made, then uplifts and price changes about a
year apart; every raise that needs an approver decided, but for 3% of the latest, still waiting), their
placements and the cost approvals. Uplifts within the 5% and under the threshold need no decision, so most
agreements end with an undecided raise: the worst case for finding what awaits approval. Then times services.purchases.list_agreements, first page of 50, fresh each run (the weekly
price now worked out for the page's rows only): the default list, and with the filters a broker uses
(status active, awaiting approval, ending within 90 days, a text search). Prints each one's median over
the runs, its worst, and the default's ratio to the target.

    .venv/bin/python bench/bench_purchases_list.py [--runs 15] [--agreements 10000]
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
TARGET_MS = 150.0
STATUS_WEIGHTS = {"ended": 80, "active": 14, "awaiting_approval": 2, "draft": 1, "cancelled": 2, "rejected": 1}


def make_database(path: Path, n: int, seed: int = 23) -> Any:
    from broker_tui.domain.ids import new_id
    from broker_tui.domain.money import apply_uplift
    from broker_tui.domain.purchases import (
        ApprovalRules,
        agreement_approval_reasons,
        amendment_approval_reasons,
    )
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database
    from broker_tui.store.bulk import insert_rows
    from broker_tui.store.tables import Approval, Placement, Provider, Service, SpotAgreement, SpotAmendment

    rnd = random.Random(seed)
    rules = ApprovalRules(750_000, 500)
    ctx = AppContext.for_target(str(path), today=TODAY)
    ctx.acting_as = "bench"
    prepare_database(ctx, seed_demo_if_new=False)
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    providers = [{"id": new_id(), "name": f"Provider {i:03d} Ltd", "sector": "private"} for i in range(60)]
    services = [{"id": new_id(), "provider_id": rnd.choice(providers)["id"], "name": f"Service {i:03d} House",
                 "service_type": "childrens_home_external", "sector": "private", "sort_name": f"service {i:03d} house",
                 "search_text": f"service {i:03d} house"} for i in range(300)]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    agreements, amendments, placements, approvals = [], [], [], []
    for i in range(n):
        status = rnd.choices(statuses, weights)[0]
        if status in ("ended", "cancelled", "rejected"):
            start = TODAY - dt.timedelta(days=rnd.randint(200, 5 * 365))
        elif status == "active":
            start = TODAY - dt.timedelta(days=rnd.randint(1, 4 * 365))
        else:
            start = TODAY + dt.timedelta(days=rnd.randint(-5, 40))
        planned_end = start + dt.timedelta(days=rnd.choice((180, 365, 730, 1095))) if rnd.random() < 0.8 else None
        if status == "active" and planned_end is not None and planned_end <= TODAY:
            planned_end = TODAY + dt.timedelta(days=rnd.randint(1, 400))
        ended_on = None
        if status == "ended":
            ended_on = start + dt.timedelta(days=rnd.randint(30, 190))
        case_ref = f"LCC-{100000 + i}"
        agreement_id = new_id()
        agreements.append({"id": agreement_id, "service_id": rnd.choice(services)["id"], "case_ref": case_ref,
                           "cost_centre": "CC-4410", "route_reason": "bench", "start_date": start,
                           "planned_end": planned_end, "ended_on": ended_on, "status": status,
                           "recorded_by": "bench", "status_reason": "bench" if status in ("cancelled", "rejected")
                           else ""})
        weekly = rnd.randrange(60_000, 1_200_000)
        effective = start
        for k in range(5):
            kind = "as_made" if k == 0 else rnd.choice(("uplift", "price_change"))
            previous = weekly
            if k:
                weekly = apply_uplift(weekly, 300) if kind == "uplift" else weekly + rnd.choice((-5_000, 60_000))
                effective += dt.timedelta(days=rnd.randint(330, 400))
            amendment_id = new_id()
            reasons = (amendment_approval_reasons(previous, weekly, rules) if k
                       else agreement_approval_reasons(weekly, rules))  # kept in the row, as the services do
            amendments.append({"id": amendment_id, "agreement_id": agreement_id, "kind": kind,
                               "effective_from": effective, "weekly_price_pence": weekly, "core_weekly_pence": weekly,
                               "reason": kind, "created_by": "bench", "created_at": now + dt.timedelta(seconds=k),
                               "approval_reasons": reasons})
            # a raise that needs an approver was decided, but for a few of the latest, still waiting
            if k and reasons and not (k == 4 and rnd.random() < 0.03):
                approvals.append({"agreement_id": agreement_id, "amendment_id": amendment_id, "kind": "cost",
                                  "decision": "approved", "decided_by": "manager", "decided_on": effective,
                                  "weekly_pence": weekly})
        if status in ("active", "ended") and amendments[-5]["weekly_price_pence"] > 750_000:
            approvals.append({"agreement_id": agreement_id, "kind": "cost", "decision": "approved",
                              "decided_by": "manager", "decided_on": start,
                              "weekly_pence": amendments[-5]["weekly_price_pence"]})
        if status not in ("cancelled", "rejected"):
            placements.append({"case_ref": case_ref, "service_id": agreements[-1]["service_id"],
                               "spot_agreement_id": agreement_id, "start_date": start,
                               "end_date": ended_on or planned_end, "ended_by": "bench" if ended_on else ""})
    with ctx.engine.begin() as con:
        insert_rows(con, Provider, providers, now)
        insert_rows(con, Service, services, now)
        for model, rows in ((SpotAgreement, agreements), (SpotAmendment, amendments), (Approval, approvals),
                            (Placement, placements)):
            for at in range(0, len(rows), 5_000):
                insert_rows(con, model, rows[at:at + 5_000], now)
        con.exec_driver_sql("ANALYZE")
    return ctx


def timed(runs: int, act: Any) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        act()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--agreements", type=int, default=10_000)
    args = parser.parse_args()
    from broker_tui.services.purchases import list_agreements

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ctx = make_database(Path(tmp) / "bench.sqlite3", args.agreements)
        print(f"built {args.agreements:,} agreements (5 amendments each) in {time.perf_counter() - t0:.1f} s")
        cases = [("first page (default)", {}), ("status active", {"status": "active"}),
                 ("awaiting approval", {"awaiting_approval": True}), ("ending within 90 days",
                                                                      {"ending_within_days": 90}),
                 ("text 'service 01'", {"text": "service 01"}), ("page 100", {"page": 100})]
        list_agreements(ctx)  # the first connection, the engine and the imports: not what is measured
        medians = {}
        for label, kwargs in cases:
            page = list_agreements(ctx, **kwargs)
            times = timed(args.runs, lambda kwargs=kwargs: list_agreements(ctx, **kwargs))
            medians[label] = statistics.median(times)
            print(f"{label:24} {len(page.rows):3} rows of {page.total:6,}: median {medians[label]:7.1f} ms, "
                  f"worst {max(times):7.1f} ms")
        first = medians["first page (default)"]
        print(f"first page median {first:.1f} ms; target {TARGET_MS:.0f} ms; ratio {first / TARGET_MS:.2f}")
        ctx.close()


if __name__ == "__main__":
    main()
