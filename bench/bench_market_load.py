"""The cold market load (issue 14): services.matching.load_market on a fresh AppContext, read as columns
(new: reading the tables; reading them and writing the file for the next process, as a first start
does; reading the file an earlier process kept, services/matching/_disk.py), against the reader it replaced (row by row into MarketService objects, then MarketArrays.build;
kept in tests/services/market_reference.py), in the same run, alternating, on the demo database and on
generated SQLite markets (tests/generated_market.py: households, areas covered, price lists, stops,
block contracts). Then the first ranking on that snapshot (a referral-like request), so "load + rank" is
what a first Find placements waits for in services (the screen's rendering not included: see
bench_search_screen.py). Peak memory of each load is measured in a child process (tracemalloc's peak of
the load alone, and the process's maxrss after it).

    .venv/bin/python bench/bench_market_load.py [--sizes 10000 100000] [--runs 9] [--no-demo] [--no-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_tui.domain.matching import MarketArrays, rank  # noqa: E402
from broker_tui.services.context import AppContext  # noqa: E402
from broker_tui.services.matching import LoadedMarket, config_for, load_market  # noqa: E402
from tests.services.test_market_load import TODAY, requests  # noqa: E402

TARGET_MS = {"demo": 400.0, 10_000: 500.0, 100_000: 2000.0}  # issue 14: first Find placements after start


def old_load(ctx: AppContext) -> LoadedMarket:
    """load_market as it was before issue 14 (same version key, same centre; the old reader and build)."""
    from sqlalchemy import select

    from broker_tui.services.matching._market import market_version
    from broker_tui.store.tables import LocalAuthority
    from tests.services.market_reference import read_market_objects

    today = ctx.today()
    with ctx.engine.connect() as con:
        key = (market_version(con), today, ctx.settings.home)
        services, la_names, districts = read_market_objects(con, today)
        la = LocalAuthority.__table__
        row = con.execute(select(la.c.latitude, la.c.longitude)
                          .where(la.c.ons_code == ctx.settings.home.la_code)).first()
    centre = (row[0], row[1]) if row and row[0] is not None else districts.get(ctx.settings.home.district)
    return LoadedMarket(key, MarketArrays.build(services), la_names, districts, centre)


def cold_load(ctx: AppContext) -> LoadedMarket:
    """load_market reading the tables (no market kept on disk by an earlier process)."""
    os.environ["BROKER_TUI_NO_MARKET_CACHE"] = "1"
    try:
        return load_market(ctx)
    finally:
        os.environ.pop("BROKER_TUI_NO_MARKET_CACHE", None)


def first_load(ctx: AppContext) -> LoadedMarket:
    """load_market with nothing kept on disk: the tables read and the file written for the next process."""
    import shutil

    shutil.rmtree(Path(os.environ["XDG_CACHE_HOME"]) / "broker-tui" / "market", ignore_errors=True)
    return load_market(ctx)


LOADERS = {"old": old_load, "new": cold_load, "first": first_load, "kept": load_market}
MODES = {"old": "old (objects)", "new": "new, tables read", "first": "new, tables read, file written",
         "kept": "new, file kept by an earlier process"}


def one_cold(path: str, how: str) -> tuple[float, float, int]:
    """A fresh context: the load, then load + the first ranking (ms), and the market's size."""
    ctx = AppContext.for_target(path, today=TODAY)
    try:
        t0 = time.perf_counter()
        market = LOADERS[how](ctx)
        t1 = time.perf_counter()
        rank(market.arrays, requests()[0], config_for(ctx, market))
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t0) * 1000, market.arrays.n
    finally:
        ctx.close()


def memory_of(path: str, how: str) -> dict[str, Any]:
    """Peak memory of one cold load, in child processes (so nothing of this one is counted): one traced by
    tracemalloc (Python's and numpy's allocations), one not (the process's maxrss: tracemalloc's own
    records of millions of small objects would inflate it)."""
    result: dict[str, Any] = {}
    for mode in ("trace", "rss"):
        out = subprocess.run([sys.executable, __file__, "--child", path, how, mode], check=True,
                             capture_output=True, text=True, cwd=ROOT)
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return result


def child(path: str, how: str, mode: str) -> None:
    import tracemalloc

    ctx = AppContext.for_target(path, today=TODAY)
    with ctx.engine.connect() as con:  # the engine and the dialect warmed, outside the measure
        con.exec_driver_sql("SELECT 1")
    if mode == "trace":
        tracemalloc.start()
        market = LOADERS[how](ctx)
        kept, peak = tracemalloc.get_traced_memory()
        print(json.dumps({"peak_mb": peak / 2**20, "kept_mb": kept / 2**20, "n": market.arrays.n}))
        return
    before = peak_rss_kb()
    LOADERS[how](ctx)
    after = peak_rss_kb()
    print(json.dumps({"rss_before_mb": before / 1024, "rss_after_mb": after / 1024}))


def peak_rss_kb() -> int:
    """This process's peak resident set (Linux: VmHWM, which starts afresh at exec; ru_maxrss elsewhere,
    which Linux would carry over from the parent that forked us)."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench(label: str, key: Any, path: str, runs: int, memory: bool) -> None:
    times: dict[str, list[tuple[float, float]]] = {how: [] for how in LOADERS}
    n = 0
    one_cold(path, "kept")  # the file in the page cache, the modules imported, the market kept on disk
    for _ in range(runs):
        for how in ("old", "new", "first", "kept"):  # "kept" after "first": its file is there
            load_ms, ranked_ms, n = one_cold(path, how)
            times[how].append((load_ms, ranked_ms))
    med = {how: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v)) for how, v in times.items()}
    target = TARGET_MS.get(key)
    print(f"{label} ({n:,} services in the market), cold load_market on a fresh context, medians of {runs}:")
    for how in LOADERS:
        line = f"  {MODES[how]:<38} load {med[how][0]:8.1f} ms; load + first ranking {med[how][1]:8.1f} ms"
        if memory:
            m = memory_of(path, how)
            line += (f"; load's peak (tracemalloc) {m['peak_mb']:6.1f} MB, kept {m['kept_mb']:6.1f} MB, "
                     f"process maxrss {m['rss_after_mb']:6.1f} MB ({m['rss_before_mb']:.1f} MB before the load)")
        print(line)
    print(f"  new load {med['old'][0] / med['new'][0]:.1f}x faster reading the tables, "
          f"{med['old'][0] / med['kept'][0]:.1f}x with the kept file" +
          (f"; load + rank {med['new'][1]:.0f} / {med['kept'][1]:.0f} ms against the {target:.0f} ms target of a "
           "first Find placements" if target else ""))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work on the machine inflates "
          "medians; read the old/new ratio)")
    from broker_tui.services.startup import prepare_database
    from tests.generated_market import generate_market

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # never the user's own (children inherit it)
        if not args.no_demo:
            path = str(Path(tmp) / "demo.sqlite3")
            ctx = AppContext.for_target(path, today=TODAY)
            prepare_database(ctx, seed_demo_if_new=True)
            ctx.close()
            bench("demo (SQLite)", "demo", path, args.runs, not args.no_memory)
        for size in args.sizes:
            path = str(Path(tmp) / f"market{size}.sqlite3")
            t0 = time.perf_counter()
            ctx = AppContext.for_target(path, today=TODAY)
            prepare_database(ctx, seed_demo_if_new=False)
            generate_market(ctx, size)
            ctx.close()
            print(f"(generated {size:,} services in {time.perf_counter() - t0:.1f} s)")
            bench(f"generated {size:,} (SQLite)", size, path, max(3, args.runs if size < 100_000 else args.runs // 2),
                  not args.no_memory)


if __name__ == "__main__":
    main()
