"""The long profile of two checks ./test runs briefly: hostile input at every entry point, and races.

./test runs the hostile-input harness with 25 examples a property and 50 race rounds a scenario; this runs
them with many more (fixed seeds, so a failure found here can be run again), on SQLite and on PostgreSQL
when BROKER_TUI_TEST_PG_URL names a server (./test's scripts/pg-cluster start gives one). Prints, for
each, the examples or rounds run, the outcome and the time taken.

    .venv/bin/python bench/long_hostile_and_races.py [--examples 1000] [--rounds 300]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(label: str, target: str, env: dict[str, str]) -> bool:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", target],
                          cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    last = [line for line in done.stdout.splitlines() if line.strip()][-1:] or ["(no output)"]
    print(f"{label:<40} {seconds:8.1f} s  {last[0]}")
    if done.returncode != 0:
        print(done.stdout[-4000:])
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="hypothesis examples per property")
    parser.add_argument("--rounds", type=int, default=300, help="race rounds per scenario")
    args = parser.parse_args()
    if not os.environ.get("BROKER_TUI_TEST_PG_URL"):
        print("BROKER_TUI_TEST_PG_URL is not set: PostgreSQL is skipped")
    ok = run(f"hostile input, {args.examples} examples", "tests/cli/test_hostile_input.py",
             {"BROKER_TUI_HOSTILE_EXAMPLES": str(args.examples)})
    ok &= run("referral parser fuzz", "tests/domain/test_parse_never_raises.py", {})
    ok &= run(f"races, {args.rounds} rounds", "tests/services/test_races.py",
              {"BROKER_TUI_RACE_ROUNDS": str(args.rounds)})
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
