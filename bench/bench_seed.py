"""Benchmark: the demo seed (``seed --demo``, and so the first start) into a fresh database.

(a) ``seed_demo`` alone into a migrated, empty SQLite file (what ``broker-tui seed --demo`` times);
(b) the whole first start, ``prepare_database(seed_demo_if_new=True)`` on a missing file (create, migrate,
    reference data, demo);
(c) with --pg URL (or BROKER_TUI_TEST_PG_URL): ``seed_demo`` into a fresh PostgreSQL database.

Each runs REPEATS times into its own fresh database (made outside the timed part for (a) and (c)).
Prints each median, and (b)/(a) and (c)/(a).
Run: .venv/bin/python bench/bench_seed.py [--repeats N] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_tui.services.context import AppContext  # noqa: E402
from broker_tui.services.demo import seed_demo  # noqa: E402
from broker_tui.services.startup import prepare_database  # noqa: E402


def _seed_sqlite(folder: Path, n: int) -> float:
    ctx = AppContext.for_target(str(folder / f"seed-{n}.sqlite3"))
    prepare_database(ctx, seed_demo_if_new=False)
    started = time.perf_counter()
    seed_demo(ctx)
    took = time.perf_counter() - started
    ctx.close()
    return took


def _first_start(folder: Path, n: int) -> float:
    ctx = AppContext.for_target(str(folder / f"first-{n}.sqlite3"))
    started = time.perf_counter()
    report = prepare_database(ctx, seed_demo_if_new=True)
    took = time.perf_counter() - started
    ctx.close()
    assert report.seeded
    return took


def _seed_pg(admin_url: str) -> float:
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"bt_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    url = "postgresql+psycopg://" + plain.rsplit("/", 1)[0].split("://", 1)[1] + f"/{name}"
    try:
        ctx = AppContext.for_target(url)
        prepare_database(ctx, seed_demo_if_new=False)
        started = time.perf_counter()
        seed_demo(ctx)
        took = time.perf_counter() - started
        ctx.close()
        return took
    finally:
        with psycopg.connect(plain, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get("BROKER_TUI_TEST_PG_URL"), help="a PostgreSQL admin URL")
    args = parser.parse_args()
    seeds, starts, pg = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.repeats):
            seeds.append(_seed_sqlite(Path(tmp), n))
            starts.append(_first_start(Path(tmp), n))
            if args.pg:
                pg.append(_seed_pg(args.pg))
    a, b = statistics.median(seeds), statistics.median(starts)
    print(f"(a) seed_demo, SQLite file:         median {a:.3f} s over {args.repeats}")
    print(f"(b) first start with the demo:      median {b:.3f} s  ({b / a:.2f}x (a))")
    if pg:
        c = statistics.median(pg)
        print(f"(c) seed_demo, PostgreSQL:          median {c:.3f} s  ({c / a:.2f}x (a))")


if __name__ == "__main__":
    main()
