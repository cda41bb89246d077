"""The referral list: from a filter change to its first page rendered, at 10,000 referrals.

Generates the referrals with bulk Core inserts into a temp SQLite file migrated by prepare_database
(fixed seed, clock fixed at 2026-12-01: statuses spread as a real team's would be, needed-by dates from
two months back to four months ahead, 8 brokers, case refs LCC-xxxxxx, initials), then inside the
running app (App.run_test with a Pilot, referrals mode) changes the status Select, the broker Select or
the search Input, and waits for the screen's page_painted event (set from call_after_refresh once the
page is in the table). Prints the median and the worst over the changes.

    .venv/bin/python bench/bench_referrals.py [--changes 30] [--size 10000] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 1)
BROKERS = ("Amira Patel", "Ben Okafor", "Chloe Hughes", "Dev Sharma", "Ella Grant", "Farah Khan", "Gus Reid",
           "Hana Nowak")
# Most referrals over time are closed or withdrawn; a working list of a few hundred is open.
STATUS_WEIGHTS = {"new": 4, "searching": 6, "sent_to_providers": 5, "offers_received": 3, "placement_agreed": 2,
                  "placed": 10, "withdrawn": 15, "closed": 55}
TYPES = ("fostering_in_house", "fostering_ifa", "childrens_home_external", "childrens_home_in_house",
         "supported_accommodation", "parent_and_child")
NEEDS = ("autism and anxiety", "ADHD, needs routine", "asthma", "type 1 diabetes", "hearing impaired",
         "self-harm history", "epilepsy", "", "", "", "")
LETTERS = "ABCDEFGHJKLMNPRSTW"


def make_database(path: Path, n: int, seed: int = 11):
    from sqlalchemy import insert

    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database
    from broker_tui.store.tables import Referral

    rnd = random.Random(seed)
    ctx = AppContext.for_target(str(path), today=TODAY)
    prepare_database(ctx, seed_demo_if_new=False)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    numbers = rnd.sample(range(100000, 1000000), n)  # one referral per case
    rows = []
    for i in range(n):
        status = rnd.choices(statuses, weights)[0]
        is_open = status in ("new", "searching", "sent_to_providers", "offers_received", "placement_agreed")
        needed_by = TODAY + dt.timedelta(days=rnd.randint(-10, 120) if is_open else rnd.randint(-700, -1))
        received = needed_by - dt.timedelta(days=rnd.randint(0, 60))
        rows.append({
            "id": uuid.UUID(int=rnd.getrandbits(128)), "version": 1, "created_at": now, "updated_at": now,
            "case_ref": f"LCC-{numbers[i]}", "initials": rnd.choice(LETTERS) + rnd.choice(LETTERS),
            "status": status, "date_received": min(received, TODAY), "assigned_broker": rnd.choice(BROKERS),
            "age_years": rnd.randint(0, 17), "types_sought": rnd.sample(TYPES, rnd.randint(1, 2)),
            "emergency": needed_by <= TODAY and rnd.random() < 0.5, "needed_by": needed_by,
            "disability_health": rnd.choice(NEEDS), "avoid_areas": [], "risks": [], "specialist_needs": [],
            "free_text_needs": [], "dol_order": None, "section25_order": None, "withdrawn_reason": "placed by family" if status == "withdrawn" else None,
            "closed_on": needed_by if status in ("withdrawn", "closed") else None,
        })
    with ctx.engine.begin() as con:
        for start in range(0, n, 2000):
            con.execute(insert(Referral.__table__), rows[start:start + 2000])
        con.exec_driver_sql("ANALYZE")
    return ctx


# (widget id, value); None clears a Select back to its prompt; the status Select has no blank.
CHANGES = [("ref-status", "all"), ("ref-broker", BROKERS[0]), ("ref-search", "lcc-5"), ("ref-status", "closed"),
           ("ref-broker", BROKERS[3]), ("ref-search", "autism"), ("ref-status", "searching"),
           ("ref-broker", None), ("ref-search", "ab"), ("ref-status", "open"), ("ref-broker", BROKERS[5]),
           ("ref-search", ""), ("ref-status", "withdrawn"), ("ref-search", "lcc-12"), ("ref-broker", None),
           ("ref-status", "open")]


async def idle(app) -> None:
    from textual.worker import WorkerCancelled

    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def measure(ctx, changes: int) -> list[tuple[str, float]]:
    from textual.widgets import Input, Select

    from broker_tui.ui.app import BrokerApp

    app = BrokerApp(ctx, exit_after_home=False, warm_after=None)
    times: list[tuple[str, float]] = []
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.3)
        app.switch_mode("referrals")
        await pilot.pause()
        screen = app.screen
        await asyncio.wait_for(screen.page_painted.wait(), 30)
        await idle(app)
        await pilot.pause(0.2)
        for i in range(changes):
            wid, value = CHANGES[i % len(CHANGES)]
            widget = screen.query_one(f"#{wid}")
            screen.page_painted.clear()  # the Changed message arrives later; wait for this change's page
            start = time.perf_counter()
            if isinstance(widget, Input):
                widget.value = value
            elif value is None:
                widget.clear()
            else:
                assert isinstance(widget, Select)
                widget.value = value
            await asyncio.wait_for(screen.page_painted.wait(), 30)
            times.append((f"{wid}={value}", time.perf_counter() - start))
            await idle(app)
            await pilot.pause()
    return times


def explain(ctx) -> None:
    """The plan of the list query for each kind of filter (first page and a later page)."""
    from sqlalchemy.dialects import sqlite

    from broker_tui.services.referrals import _records as svc

    queries = [svc.ReferralQuery(status="open"), svc.ReferralQuery(status=None),
               svc.ReferralQuery(status="closed"), svc.ReferralQuery(status="open", broker=BROKERS[0]),
               svc.ReferralQuery(status=None, broker=BROKERS[0]), svc.ReferralQuery(status="open", text="lcc-5")]
    for q in queries:
        for after in (None, (TODAY, "LCC-500000", uuid.UUID(int=0))):
            t0 = time.perf_counter()
            svc.list_referrals(ctx, q, after=after, size=50)
            took = (time.perf_counter() - t0) * 1000
            sql = str(_statement(q, after).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
            with ctx.engine.connect() as con:
                plan = con.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
            print(f"{q} after={'yes' if after else 'no'}: {took:.1f} ms")
            for row in plan:
                print("    ", row[-1])


def _statement(q, after):
    """The statement list_referrals runs for ``q`` (rebuilt the same way, for EXPLAIN)."""
    from sqlalchemy import and_, func, or_, select

    from broker_tui.domain.vocabulary import OPEN_REFERRAL_STATUSES
    from broker_tui.store.tables import Referral

    stmt = select(Referral)
    if q.status == "open":
        stmt = stmt.where(Referral.status.in_(OPEN_REFERRAL_STATUSES))
    elif q.status:
        stmt = stmt.where(Referral.status == q.status)
    if q.broker:
        stmt = stmt.where(Referral.assigned_broker == q.broker)
    if q.text:
        like = f"%{q.text.lower()}%"
        stmt = stmt.where(or_(func.lower(Referral.case_ref).like(like), func.lower(Referral.initials).like(like),
                              func.lower(Referral.disability_health).like(like)))
    if after is not None:
        d, ref, rid = after
        stmt = stmt.where(or_(Referral.needed_by > d, and_(Referral.needed_by == d, Referral.case_ref > ref),
                              and_(Referral.needed_by == d, Referral.case_ref == ref, Referral.id > rid)))
    return stmt.order_by(Referral.needed_by, Referral.case_ref, Referral.id).limit(51)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=32)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--explain", action="store_true", help="print the list query's plans and times too")
    parser.add_argument("--verbose", action="store_true", help="print each change's time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ctx = make_database(Path(tmp) / "referrals.sqlite3", args.size)
        made = time.perf_counter() - t0
        if args.explain:
            explain(ctx)
        times = asyncio.run(measure(ctx, args.changes))
        if args.verbose:
            for what, t in times:
                print(f"  {t * 1000:7.1f} ms  {what}")
        values = [t for _w, t in times]
        worst = max(times, key=lambda x: x[1])
        print(f"{args.size:>7,} referrals (generated in {made:.1f} s): filter change -> first page rendered "
              f"median {statistics.median(values) * 1000:.1f} ms, worst {worst[1] * 1000:.1f} ms ({worst[0]}) "
              f"over {len(values)} changes  (target <= 150 ms)")
        ctx.close()


if __name__ == "__main__":
    main()
