"""`broker-tui match REF --json`, the whole process (issue 14): from spawn to exit, the JSON read back, on
the demo database and generated SQLite markets of --sizes services (bench_search_screen.synthetic_database),
with no market file in the cache folder ("no cache": the market read from the tables, and the file written
for the next process) and with the file an earlier process kept ("cached"), alternating. Prints medians,
the output's size and the targets, and, timed the same way in the same run, the floor any such command
stands on: a process that only imports the libraries it needs (SQLAlchemy, SQLModel, numpy, rapidfuzz,
click) and exits.

    .venv/bin/python bench/bench_match_cli.py [--runs 7] [--sizes 10000 100000] [--no-demo] [--also ROOT...]

--also times the same command from other source trees (``python -m broker_tui`` with PYTHONPATH set to each,
and then this tree too, the same way) in the same alternation: before and after in one run, on a machine
whose speed drifts between runs (git worktree add /tmp/before <commit>; --also /tmp/before).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {"demo": 0.6, 10_000: 0.8, 100_000: 3.0}  # seconds, the whole process
CLI = str(Path(sys.executable).parent / "broker-tui")


def one(db: Path, referral_id: str, cache: Path, root: Path | None = None) -> tuple[float, int, int]:
    """One whole process; ``root``: run from that source tree (python -m, PYTHONPATH) instead of the console
    script."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "BROKER_TUI_CONFIG": str(db.parent / "settings.toml")}
    command = [CLI]
    if root is not None:
        env["PYTHONPATH"] = str(root)
        command = [sys.executable, "-m", "broker_tui"]
    start = time.perf_counter()
    done = subprocess.run([*command, "--db", str(db), "match", referral_id, "--json"], env=env,
                          capture_output=True, timeout=600, cwd=root or ROOT)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"match failed:\n{done.stderr.decode()[-2000:]}")
    data = json.loads(done.stdout)
    return took, len(done.stdout), len(data["results"])


FLOOR = "import sqlalchemy, sqlmodel, numpy, rapidfuzz, click"


def floor() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR], check=True, timeout=120)
    return time.perf_counter() - start


def main() -> None:
    from bench_app_first_use import _market

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--also", type=Path, nargs="*", default=[], metavar="ROOT",
                        help="also time the command from these source trees, in the same runs")
    args = parser.parse_args()
    trees: dict[str, Path | None] = {"": None} if not args.also else {
        "": ROOT, **{f"@{root.name}": root.resolve() for root in args.also}}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work inflates the medians)")
    markets: list[int | None] = ([] if args.no_demo else [None]) + list(args.sizes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for size in markets:
            db, rid = _market(tmp, size)
            for tree, root in trees.items():  # the market file of each tree for its "cached" runs
                one(db, rid, tmp / f"cache-{size}{tree}", root)  # (and the OS cache warmed)
            runs: dict[str, list[float]] = {"floor": []}
            out_bytes = results = 0
            for _ in range(args.runs):
                runs["floor"].append(floor())
                for tree, root in trees.items():
                    empty = tmp / "cache-empty"
                    shutil.rmtree(empty, ignore_errors=True)
                    runs.setdefault(f"no cache{tree}", []).append(one(db, rid, empty, root)[0])
                    took, out_bytes, results = one(db, rid, tmp / f"cache-{size}{tree}", root)
                    runs.setdefault(f"cached{tree}", []).append(took)
            name = "demo" if size is None else f"{size:,}"
            target = TARGETS.get("demo" if size is None else size)
            print(f"{'':>8} floor   : {FLOOR}: {statistics.median(runs.pop('floor')):.2f} s")
            for label, got in runs.items():
                med = statistics.median(got)
                print(f"{name:>8} {label:8}: match --json {med:6.2f} s"
                      + (f" (target {target} s, ratio {med / target:.2f})" if target else "")
                      + f"; {results} results, {out_bytes / 1024:.0f} KB of JSON  [runs: "
                      + ", ".join(f"{t:.2f}" for t in got) + "]")
            for tree in list(trees)[1:]:  # this tree against each other one, from the same alternation
                print(f"{name:>8} this tree / {tree[1:]}: " + ", ".join(
                    f"{case} {statistics.median(runs[case]) / statistics.median(runs[case + tree]):.2f}"
                    for case in ("no cache", "cached")))


if __name__ == "__main__":
    main()
