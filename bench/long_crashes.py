"""The long profile of the crash tests: many more SIGKILLs per case than ./test's three.

Runs tests/services/test_crash_safety.py with BROKER_TUI_CRASH_KILLS kills per case (their delays spread
over each write's length, fixed seed: a failure found here can be run again with the same --seed), on
SQLite and on PostgreSQL when BROKER_TUI_TEST_PG_URL names a server. Prints the outcome, the time taken,
and per case how the kills landed: how many left nothing written and how many the whole write (every one
is checked to be one or the other, the file sound and the next start working).

    .venv/bin/python bench/long_crashes.py [--kills 20] [--seed 20261201]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="kills per case")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    if not os.environ.get("BROKER_TUI_TEST_PG_URL"):
        print("BROKER_TUI_TEST_PG_URL is not set: PostgreSQL is skipped")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "kills.tsv"
        env = {**os.environ, "BROKER_TUI_CRASH_KILLS": str(args.kills), "BROKER_TUI_CRASH_SEED": str(args.seed),
               "BROKER_TUI_CRASH_REPORT": str(report)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               "tests/services/test_crash_safety.py"], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        seconds = time.perf_counter() - started
        lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    last = [line for line in done.stdout.splitlines() if line.strip()][-1:] or ["(no output)"]
    print(f"{args.kills} kills per case, seed {args.seed}: {last[0]} ({seconds:.0f} s)")
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        case, _delay, outcome = line.split("\t")
        outcomes[case]["nothing" if outcome in ("nothing", "0 stored") else
                       "whole" if outcome == "whole" else "partway (each write whole)"] += 1
    print(f"{'case':<42} {'kills':>5}  outcomes")
    for case, tally in sorted(outcomes.items()):
        print(f"{case:<42} {sum(tally.values()):>5}  " + ", ".join(f"{n} {k}" for k, n in sorted(tally.items())))
    if done.returncode != 0:
        print(done.stdout[-6000:])
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
