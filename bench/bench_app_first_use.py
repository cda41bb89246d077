"""What a broker waits for in a freshly started app, and what the app holds in memory (issue 14).

For each market (the demo database, and generated SQLite markets of --sizes services from
bench_search_screen.synthetic_database), each run is a new process running the whole app headless
(App.run_test), no market file in the cache folder: "as the app runs": home painted, the app reads the
market (and the search screen's code) ahead a second after its first frame, the broker opens a referral
and presses f, timed from the key to the ranked table rendered (the screen's results_painted). Then the
worst cases, "nothing ahead": Find placements at once after the first frame, with no market file in the
cache folder ("no cache") or the file an earlier process kept ("cached"); and "f as the referral shows":
nothing ahead, no market file, the referral opened and f pressed as soon as it is on screen (its ranking
ahead, and before issue 14's last change the free-text index with it, under way beside the search screen's). Each run then goes to the
directory (F3), timed to its first page rendered, and reports its peak resident memory (ru_maxrss).
Medians printed with the targets.

    .venv/bin/python bench/bench_app_first_use.py [--runs 5] [--sizes 10000 100000] [--no-demo] [--also ROOT...]

--also runs the same children from other source trees (each tree's own bench/bench_app_first_use.py, with
PYTHONPATH set to it) in the same alternation: before and after in one run (git worktree add /tmp/before
<commit>; --also /tmp/before).
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


async def _child(db: str, referral_id: str, mode: str) -> dict[str, float]:
    import resource

    from bench_search_screen import TODAY, idle

    from broker_tui.services.context import AppContext
    from broker_tui.services.referrals import get_referral
    from broker_tui.ui.app import WARM_AFTER, BrokerApp

    ctx = AppContext.for_target(db, today=TODAY)
    # ahead: as the app runs (the market and the search screen's code read a second after the first frame);
    # else nothing read ahead, the worst case; "referral": nothing read ahead, the referral opened and f pressed
    # as soon as it shows (its own ranking ahead has just begun)
    ahead = mode == "ahead"
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
        elif mode == "referral":
            app.open_referral(referral_id)
            shown = await _screen(app, "ReferralDetailScreen")
            while shown.view is None:
                await asyncio.sleep(0.001)
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


def _run_child(db: Path, referral_id: str, cache: Path, mode: str = "cold", root: Path = ROOT) -> dict[str, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "BROKER_TUI_CONFIG": str(db.parent / "settings.toml"),
           "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(root / "bench" / Path(__file__).name), "--child", str(db), referral_id,
                           mode], env=env, capture_output=True, text=True, timeout=600, cwd=root)
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
    parser.add_argument("--also", type=Path, nargs="*", default=[], metavar="ROOT",
                        help="also run the children from these source trees, in the same runs")
    args = parser.parse_args()
    if args.child:
        db, referral, mode = args.child
        print(json.dumps(asyncio.run(_child(db, referral, mode))))
        return
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work inflates the medians)")
    markets: list[int | None] = ([] if args.no_demo else [None]) + list(args.sizes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for size in markets:
            db, rid = _market(tmp, size)
            trees = {"": ROOT, **{f"@{root.name}": root.resolve() for root in args.also}}
            for tree, root in trees.items():  # each tree's market file for its "cached" runs (and the OS cache warmed)
                _run_child(db, rid, tmp / f"cache-{size}{tree}", root=root)
            cases = ("as the app runs", "nothing ahead, no cache", "nothing ahead, cached", "f as the referral shows")
            runs: dict[str, list[dict[str, float]]] = {case + tree: [] for tree in trees for case in cases}
            for _ in range(args.runs):
                for tree, root in trees.items():
                    empty = tmp / "cache-empty"
                    shutil.rmtree(empty, ignore_errors=True)
                    runs["as the app runs" + tree].append(_run_child(db, rid, empty, "ahead", root=root))
                    shutil.rmtree(empty, ignore_errors=True)
                    runs["nothing ahead, no cache" + tree].append(_run_child(db, rid, empty, root=root))
                    runs["nothing ahead, cached" + tree].append(_run_child(db, rid, tmp / f"cache-{size}{tree}",
                                                                           root=root))
                    shutil.rmtree(empty, ignore_errors=True)
                    runs["f as the referral shows" + tree].append(_run_child(db, rid, empty, "referral", root=root))
            name = "demo" if size is None else f"{size:,}"
            find_target, memory_target = TARGETS["demo" if size is None else size] if (
                size is None or size in TARGETS) else (None, None)
            med: dict[str, dict[str, Any]] = {}
            for label, got in runs.items():
                m = med[label] = {k: statistics.median(r[k] for r in got) for k in got[0]}
                print(f"{name:>8} {label:24}: first Find placements {m['first_find_ms']:7.0f} ms"
                      + (f" (target {find_target}, ratio {m['first_find_ms'] / find_target:.2f})" if find_target else "")
                      + f"; directory first page {m['directory_ms']:5.0f} ms; peak memory {m['peak_mb']:5.0f} MB"
                      + (f" (target {memory_target}, ratio {m['peak_mb'] / memory_target:.2f})" if memory_target else "")
                      + "  [runs: " + ", ".join(f"{r['first_find_ms']:.0f}" for r in got) + "]")
            for tree in list(trees)[1:]:  # this tree against each other one, from the same alternation
                for case in cases:
                    print(f"{name:>8} {case}, this tree / {tree[1:]}: " + ", ".join(
                        f"{what} {med[case][key] / med[case + tree][key]:.2f}"
                        for what, key in (("first Find placements", "first_find_ms"), ("directory", "directory_ms"),
                                          ("peak memory", "peak_mb"))))

if __name__ == "__main__":
    main()
