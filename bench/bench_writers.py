"""Concurrent writers: 8 processes each recording N referrals and offers, on SQLite (file) and PostgreSQL.

Each writer (a spawned process with its own engine, as a broker's app is) does, N times, what a broker does
for one child: add the referral, send it to one service, record that service's offer: three writes, each
one use case (services.referrals.create_referral, services.outreach.send_referral, record_offer) in its
own transaction with its audit events. The market is Ofsted's register (seed/), imported first.

Afterwards the database is read back: every write a writer was told succeeded must be there once (lost:
a success not stored; duplicated: a case or an offer stored twice), with its audit event. Every error a
writer met is counted by its first line: "database is locked" or anything else (there must be none: a
writer that has to wait waits). Prints one row per backend: writes, lost, duplicated, errors, writes/s
and the p50/p95/max latency of one write (one use case call, as the broker waits for it).

    .venv/bin/python bench/bench_writers.py [--writers 8] [-n 1000] [--pg URL] [--sqlite-only]

--pg defaults to BROKER_TUI_TEST_PG_URL (an admin URL: a fresh database is made and dropped).
Fixed seed: writer w's i-th child is case BW-w-i, sent to service (w * N + i) of the register in URN order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 12, 1)
D = dt.timedelta
REGISTER = ROOT / "seed" / "ofsted_childrens_social_care_providers_2025.csv"


def _request(case_ref: str) -> dict[str, Any]:
    return {"case_ref": case_ref, "initials": "QZ", "date_received": (TODAY - D(3)).isoformat(),
            "needed_by": (TODAY + D(7)).isoformat(), "age_years": 14,
            "types_sought": ["childrens_home_external", "childrens_home_in_house"], "home_district": "LE2"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def writer(url: str, w: int, n: int, service_ids: list[str], barrier: Any, out: Any) -> None:
    """N children: add, send, offer. Puts (latencies by kind, successes, errors) on ``out``."""
    from broker_tui.services.context import AppContext
    from broker_tui.services.outreach import OfferInput, record_offer, send_referral
    from broker_tui.services.referrals import create_referral

    ctx = AppContext.for_target(url, today=TODAY)
    ctx.settings = ctx.settings.__class__(user_name=f"writer-{w}")
    latencies: dict[str, list[float]] = {"add": [], "send": [], "offer": []}
    done: dict[str, list[str]] = {"add": [], "send": [], "offer": []}
    errors: Counter[str] = Counter()
    offer = OfferInput(weekly_price_pence=560_000, core_weekly_pence=560_000, start_date=TODAY + D(7),
                       valid_until=TODAY + D(14))
    ctx.engine  # noqa: B018 (connect before the start line, as an app open for the day has)
    barrier.wait()
    for i in range(n):
        case_ref = f"BW-{w}-{i:05d}"
        service = service_ids[(w * n + i) % len(service_ids)]
        referral_id: Any = None
        for kind in ("add", "send", "offer"):
            started = time.perf_counter()
            try:
                if kind == "add":
                    referral_id = create_referral(ctx, _request(case_ref)).id
                elif kind == "send":
                    send_referral(ctx, referral_id, [service], TODAY + D(3))
                else:
                    record_offer(ctx, referral_id, service, offer)
            except Exception as exc:  # every error is what this benchmark counts
                errors[_first_line(exc)] += 1
                break
            latencies[kind].append(time.perf_counter() - started)
            done[kind].append(case_ref)
    ctx.close()
    out.put((latencies, done, dict(errors)))


def market(url: str) -> list[str]:
    """Import the register; the ids of its services in URN order."""
    from sqlalchemy import select

    from broker_tui.services.context import AppContext
    from broker_tui.services.market.importers import import_ofsted
    from broker_tui.services.startup import prepare_database
    from broker_tui.store.tables import Service

    ctx = AppContext.for_target(url, today=TODAY)
    prepare_database(ctx, seed_demo_if_new=False)
    import_ofsted(ctx, REGISTER)
    with ctx.engine.connect() as con:
        ids = [str(i) for i in con.execute(select(Service.id).where(Service.archived_on.is_(None))
                                           .order_by(Service.ofsted_urn)).scalars()]
    ctx.close()
    return ids


def check(url: str, done: dict[str, list[str]]) -> tuple[int, int, int]:
    """(lost, duplicated, audit mismatches) between what writers were told and what the database holds."""
    from sqlalchemy import func, select

    from broker_tui.services.context import AppContext
    from broker_tui.store.tables import AuditEvent, Offer, Referral, ReferralSent

    ctx = AppContext.for_target(url, today=TODAY)
    with ctx.engine.connect() as con:
        refs = Counter(con.execute(select(Referral.case_ref).where(Referral.case_ref.like("BW-%"))).scalars())
        sent = Counter(con.execute(select(Referral.case_ref).join(ReferralSent, ReferralSent.referral_id == Referral.id)
                                   .where(Referral.case_ref.like("BW-%"))).scalars())
        offers = Counter(con.execute(select(Referral.case_ref).join(Offer, Offer.referral_id == Referral.id)
                                     .where(Referral.case_ref.like("BW-%"))).scalars())
        audits = dict(con.execute(select(AuditEvent.entity, func.count()).where(AuditEvent.action == "create")
                                  .where(AuditEvent.entity.in_(("referral", "referral_sent", "offer")))
                                  .group_by(AuditEvent.entity)).all())
    ctx.close()
    lost = duplicated = 0
    for kind, stored in (("add", refs), ("send", sent), ("offer", offers)):
        told = Counter(done[kind])
        lost += sum(1 for case in told if stored[case] == 0)
        duplicated += sum(n - 1 for n in stored.values() if n > 1) + sum(1 for case in stored if case not in told)
    mismatches = (abs(audits.get("referral", 0) - sum(refs.values())) + abs(audits.get("referral_sent", 0)
                  - sum(sent.values())) + abs(audits.get("offer", 0) - sum(offers.values())))
    return lost, duplicated, mismatches


def run(label: str, url: str, writers: int, n: int) -> dict[str, Any]:
    service_ids = market(url)
    spawn = mp.get_context("spawn")
    barrier, out = spawn.Barrier(writers + 1), spawn.Queue()
    procs = [spawn.Process(target=writer, args=(url, w, n, service_ids, barrier, out)) for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - started
    for p in procs:
        p.join()
    latencies = [x for lat, _, _ in results for xs in lat.values() for x in xs]
    done: dict[str, list[str]] = {"add": [], "send": [], "offer": []}
    errors: Counter[str] = Counter()
    for _, d, e in results:
        for kind, cases in d.items():
            done[kind] += cases
        errors.update(e)
    lost, duplicated, mismatches = check(url, done)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"backend": label, "writes": len(latencies), "lost": lost, "duplicated": duplicated,
            "audit": mismatches, "errors": errors, "wall": wall, "rate": len(latencies) / wall,
            "p50": statistics.median(latencies) * 1000, "p95": q[94] * 1000, "max": max(latencies) * 1000}


def pg_database(admin_url: str) -> tuple[str, str, str]:
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"bt_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return plain, name, "postgresql+psycopg://" + plain.split("://", 1)[1].rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(plain: str, name: str) -> None:
    import psycopg

    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("-n", type=int, default=1000, help="children (referral, send, offer) per writer")
    parser.add_argument("--pg", default=os.environ.get("BROKER_TUI_TEST_PG_URL"), help="a PostgreSQL admin URL")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(run("SQLite (file)", str(Path(tmp) / "writers.sqlite3"), args.writers, args.n))
    if args.pg and not args.sqlite_only:
        plain, name, url = pg_database(args.pg)
        try:
            rows.append(run("PostgreSQL", url, args.writers, args.n))
        finally:
            drop_pg_database(plain, name)
    print(f"{args.writers} writers x {args.n} children (add referral, send, record offer: 3 writes each)")
    print(f"{'backend':14} {'writes':>7} {'lost':>5} {'dup':>4} {'audit':>5} {'errors':>6} {'writes/s':>9} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'wall s':>7}")
    for r in rows:
        print(f"{r['backend']:14} {r['writes']:>7,} {r['lost']:>5} {r['duplicated']:>4} {r['audit']:>5} "
              f"{sum(r['errors'].values()):>6} {r['rate']:>9.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
              f"{r['max']:>7.1f} {r['wall']:>7.1f}")
        for line, count in r["errors"].most_common():
            print(f"    {r['backend']}: {count} x {line}")


if __name__ == "__main__":
    main()
