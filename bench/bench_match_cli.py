"""`broker-tui match REF --json`, the whole process (issue 14): from spawn to exit, the JSON read back, on
the demo database and generated SQLite markets of --sizes services (bench_search_screen.synthetic_database),
with no market file in the cache folder ("no cache": the market read from the tables, and the file written
for the next process) and with the file an earlier process kept ("cached"), alternating. Prints medians,
the output's size and the targets, and, timed the same way in the same run, the floor any such command
stands on: a process that only imports the libraries it needs (SQLAlchemy, SQLModel, numpy, rapidfuzz,
click) and exits.

    .venv/bin/python bench/bench_match_cli.py [--runs 7] [--sizes 10000 100000] [--no-demo]
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


def one(db: Path, referral_id: str, cache: Path) -> tuple[float, int, int]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "BROKER_TUI_CONFIG": str(db.parent / "settings.toml")}
    start = time.perf_counter()
    done = subprocess.run([CLI, "--db", str(db), "match", referral_id, "--json"], env=env, capture_output=True,
                          timeout=600)
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
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work inflates the medians)")
    markets: list[int | None] = ([] if args.no_demo else [None]) + list(args.sizes)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for size in markets:
            db, rid = _market(tmp, size)
            kept = tmp / f"cache-{size}"
            one(db, rid, kept)  # leaves the market file for the "cached" runs (and warms the OS cache)
            runs: dict[str, list[float]] = {"no cache": [], "cached": [], "floor": []}
            out_bytes = results = 0
            for _ in range(args.runs):
                runs["floor"].append(floor())
                empty = tmp / "cache-empty"
                shutil.rmtree(empty, ignore_errors=True)
                runs["no cache"].append(one(db, rid, empty)[0])
                took, out_bytes, results = one(db, rid, kept)
                runs["cached"].append(took)
            name = "demo" if size is None else f"{size:,}"
            target = TARGETS.get("demo" if size is None else size)
            print(f"{'':>8} floor   : {FLOOR}: {statistics.median(runs.pop('floor')):.2f} s")
            for label, got in runs.items():
                med = statistics.median(got)
                print(f"{name:>8} {label:8}: match --json {med:6.2f} s"
                      + (f" (target {target} s, ratio {med / target:.2f})" if target else "")
                      + f"; {results} results, {out_bytes / 1024:.0f} KB of JSON  [runs: "
                      + ", ".join(f"{t:.2f}" for t in got) + "]")


if __name__ == "__main__":
    main()
