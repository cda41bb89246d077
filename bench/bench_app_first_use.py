"""What a broker waits for in a freshly started app, and what the app holds in memory (issue 14).

For each market (the demo database, and generated SQLite markets of --sizes services from
bench_search_screen.synthetic_database), each run is a new process running the whole app headless
(App.run_test), no market file in the cache folder: "as the app runs": home painted, the app reads the
market (and the search screen's code) ahead a second after its first frame, the broker opens a referral
and presses f, timed from the key to the ranked table rendered (the screen's results_painted). Then the
worst cases, "nothing ahead": Find placements at once after the first frame, with no market file in the
cache folder ("no cache") or the file an earlier process kept ("cached"). Each run then goes to the
directory (F3), timed to its first page rendered, and reports its peak resident memory (ru_maxrss).
Medians printed with the targets.

    .venv/bin/python bench/bench_app_first_use.py [--runs 5] [--sizes 10000 100000] [--no-demo]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {  # market -> (first Find placements ms, peak memory MB)
    "demo": (400, 150), 10_000: (500, 160), 100_000: (2000, 400)}


async def _screen(app: Any, name: str) -> Any:
    while type(app.screen).__name__ != name:
        await asyncio.sleep(0.001)
    return app.screen


async def _child(db: str, referral_id: str, ahead: bool) -> dict[str, float]:
    import resource

    from bench_search_screen import TODAY, idle

    from broker_tui.services.context import AppContext
    from broker_tui.services.referrals import get_referral
    from broker_tui.ui.app import WARM_AFTER, BrokerApp

    ctx = AppContext.for_target(db, today=TODAY)
    # ahead: as the app runs (the market and the search screen's code read a second after the first frame);
    # else nothing read ahead, the worst case
    app = BrokerApp(ctx, exit_after_home=False, warm_after=WARM_AFTER if ahead else None)
    out: dict[str, float] = {}
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.2)
        if ahead:  # the broker opens the referral once the app has read ahead, and presses f
            await pilot.pause(WARM_AFTER)
            await idle(app)
            app.open_referral(referral_id)
            await _screen(app, "ReferralDetailScreen")
            await pilot.pause(0.3)
            await idle(app)
            start = time.perf_counter()
            app.simulate_key("f")
            screen = await _screen(app, "MatchSearchScreen")
        else:
            view = await asyncio.to_thread(get_referral, ctx, referral_id)
            start = time.perf_counter()
            app.open_match_search(view)
            screen = await _screen(app, "MatchSearchScreen")
        await asyncio.wait_for(screen.results_painted.wait(), 120)
        out["first_find_ms"] = (time.perf_counter() - start) * 1000
        await idle(app)
        app.simulate_key("escape")
        await pilot.pause(0.2)
        start = time.perf_counter()
        app.simulate_key("f3")
        screen = await _screen(app, "DirectoryScreen")
        await asyncio.wait_for(screen.page_painted.wait(), 60)
        out["directory_ms"] = (time.perf_counter() - start) * 1000
        await idle(app)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ctx.close()
    return out


def _run_child(db: Path, referral_id: str, cache: Path, ahead: bool = False) -> dict[str, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "BROKER_TUI_CONFIG": str(db.parent / "settings.toml")}
    done = subprocess.run([sys.executable, __file__, "--child", str(db), referral_id, "ahead" if ahead else "cold"], env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _market(tmp: Path, size: int | None) -> tuple[Path, str]:
    from bench_search_screen import TODAY, make_referral, synthetic_database

    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database

    if size is None:
        path = tmp / "demo.sqlite3"
        ctx = AppContext.for_target(str(path), today=TODAY)
        prepare_database(ctx, seed_demo_if_new=True)
    else:
        path = tmp / f"market-{size}.sqlite3"
        ctx = synthetic_database(path, size)
    rid = make_referral(ctx)
    ctx.close()
    return path, rid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("DB", "REFERRAL", "MODE"))
    args = parser.parse_args()
    if args.child:
        db, referral, mode = args.child
        print(json.dumps(asyncio.run(_child(db, referral, mode == "ahead"))))
        return
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work inflates the medians)")
    markets: list[int | None] = ([] if args.no_demo else [None]) + list(args.sizes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for size in markets:
            db, rid = _market(tmp, size)
            kept = tmp / f"cache-{size}"
            _run_child(db, rid, kept)  # leaves the market file for the "cached" runs (and warms the OS cache)
            runs: dict[str, list[dict[str, float]]] = {"as the app runs": [], "nothing ahead, no cache": [],
                                                       "nothing ahead, cached": []}
            for _ in range(args.runs):
                empty = tmp / "cache-empty"
                shutil.rmtree(empty, ignore_errors=True)
                runs["as the app runs"].append(_run_child(db, rid, empty, ahead=True))
                shutil.rmtree(empty, ignore_errors=True)
                runs["nothing ahead, no cache"].append(_run_child(db, rid, empty))
                runs["nothing ahead, cached"].append(_run_child(db, rid, kept))
            name = "demo" if size is None else f"{size:,}"
            find_target, memory_target = TARGETS["demo" if size is None else size] if (
                size is None or size in TARGETS) else (None, None)
            for label, got in runs.items():
                med: dict[str, Any] = {k: statistics.median(r[k] for r in got) for k in got[0]}
                print(f"{name:>8} {label:23}: first Find placements {med['first_find_ms']:7.0f} ms"
                      + (f" (target {find_target}, ratio {med['first_find_ms'] / find_target:.2f})" if find_target else "")
                      + f"; directory first page {med['directory_ms']:5.0f} ms; peak memory {med['peak_mb']:5.0f} MB"
                      + (f" (target {memory_target}, ratio {med['peak_mb'] / memory_target:.2f})" if memory_target else "")
                      + "  [runs: " + ", ".join(f"{r['first_find_ms']:.0f}" for r in got) + "]")


if __name__ == "__main__":
    main()
