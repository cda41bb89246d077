"""Cold start: process start to the first frame of the home screen showing the database's counts, against a
minimal Textual app (Header, Input, DataTable, Footer and a Static with a marker) to its first frame, both in
the same run, alternating.

Each app runs in a pseudo-terminal (120x40, TERM=xterm-256color) and its output is read as it comes (a
select loop on the pty), with escape sequences stripped: the time is from spawn to the moment the frame is
on the terminal — the home screen's "Open referrals" title together with that database's counts (read from
the database first: services listed and open referrals, as home formats them), or the minimal app's marker
— and to the end of that frame's synchronized update when the app wraps its frames in one. The process is
then killed (SIGTERM, SIGKILL if it lingers); its shutdown is not timed. A run that does not reach its
frame is reported as a failure (the bench exits 1), never dropped.

Databases: the demo market, and generated markets (tests/generated_market.py: providers, services of every
kind, price lists, block contracts) built once per size into a temp folder.

    .venv/bin/python bench/bench_cold_start.py [--runs 11] [--sizes 10000 100000] [--no-demo] [--also ROOT...]

--also times the same command on other source trees in the same alternation (before/after in one run),
e.g. a worktree of an earlier commit: git worktree add /tmp/before <commit>; --also /tmp/before.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
TARGET = 1.3
TIMEOUT = 60.0
MARKER = "cold-start-marker"
MINIMAL = f'''
from textual.app import App
from textual.widgets import DataTable, Footer, Header, Input, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("{MARKER}")
        yield Input()
        yield DataTable()
        yield Footer()

Minimal().run()
'''
# CSI (including private modes), OSC (ended by BEL or ST), DCS/APC/PM strings, two-byte escapes
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[P_^][^\x1b]*\x1b\\|\x1b[@-Z\\-_]"
                     rb"|\x1b[()][0-9A-Za-z]")
SYNC_BEGIN, SYNC_END = b"\x1b[?2026h", b"\x1b[?2026l"


class NoFrame(Exception):
    pass


def _frame_done(raw: bytes) -> bool:
    """True unless the stream is inside a synchronized update (begun, not yet ended)."""
    return raw.rfind(SYNC_BEGIN) <= raw.rfind(SYNC_END)


def time_first_frame(argv: list[str], env: dict[str, str], needles: tuple[str, ...]) -> float:
    """Seconds from spawn until every needle (a regular expression) has matched the pty's text (escapes
    stripped) and the frame that brought the last of them is complete; the process is killed after."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    wanted = [re.compile(n.encode()) for n in needles]
    raw = b""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    found_at: float | None = None
    try:
        while True:
            left = TIMEOUT - (time.perf_counter() - start)
            if left <= 0:
                raise NoFrame(f"no frame within {TIMEOUT:.0f} s")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                chunk = b""
            now = time.perf_counter()
            if not chunk:
                raise NoFrame(f"exited ({proc.poll()}) before the frame; last output: "
                              f"{ESCAPES.sub(b'', raw)[-300:].decode(errors='replace')!r}")
            raw += chunk
            if found_at is None:
                text = ESCAPES.sub(b"", raw)
                if all(w.search(text) for w in wanted):
                    found_at = now
            if found_at is not None and _frame_done(raw):
                return now - start
    finally:
        _kill(proc)
        os.close(master)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def home_needles(path: Path) -> tuple[str, ...]:
    """What the home frame shows for this database, as regular expressions over the terminal's text: the
    figures' titles in their borders and two counts in their boxes, formatted as the home screen formats
    them (open referrals, services listed)."""
    from broker_tui.domain.vocabulary import OPEN_REFERRAL_STATUSES

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        (services,) = con.execute("SELECT count(*) FROM service WHERE in_register = 1 AND archived_on IS NULL"
                                  ).fetchone()
        marks = ",".join("?" * len(OPEN_REFERRAL_STATUSES))
        (referrals,) = con.execute(f"SELECT count(*) FROM referral WHERE status IN ({marks})",
                                   OPEN_REFERRAL_STATUSES).fetchone()
    return ("─ Open referrals ─", "─ Services listed ─", f"│ +{referrals:,} +│", f"│ +{services:,} +│")


def demo_database(folder: Path) -> Path:
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database

    path = folder / "demo.sqlite3"
    ctx = AppContext.for_target(str(path))
    prepare_database(ctx, seed_demo_if_new=True)
    ctx.close()
    return path


def generated_database(folder: Path, size: int) -> Path:
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database
    from tests.generated_market import generate_market

    path = folder / f"market{size}.sqlite3"
    ctx = AppContext.for_target(str(path))
    prepare_database(ctx, seed_demo_if_new=False)
    generate_market(ctx, size)
    ctx.close()
    return path


def bench(label: str, db: Path, minimal: Path, env: dict[str, str], runs: int, also: list[Path]) -> bool:
    needles = home_needles(db)
    broker = [str(VENV_BIN / "broker-tui"), "--db", str(db)]
    apps = [("minimal", [sys.executable, str(minimal)], (re.escape(MARKER),), env),
            ("broker-tui", broker, needles, env)]
    for root in also:  # the same command on another copy of the source (a worktree of an earlier commit)
        path = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
        apps.append((f"broker-tui@{root.name}", broker, needles, {**env, "PYTHONPATH": path}))
    times: dict[str, list[float]] = {name: [] for name, *_ in apps}
    failures: list[str] = []
    for name, argv, wanted, app_env in apps:  # warm the file cache and write the bytecode cache
        try:
            time_first_frame(argv, app_env, wanted)
        except NoFrame as exc:
            failures.append(f"warm-up {name}: {exc}")
    for n in range(runs):
        for name, argv, wanted, app_env in apps:
            try:
                times[name].append(time_first_frame(argv, app_env, wanted))
            except NoFrame as exc:
                failures.append(f"run {n + 1} {name}: {exc}")
    print(f"{label}: home frame shows {', '.join(repr(w) for w in needles)}")
    med = {k: statistics.median(v) for k, v in times.items() if v}
    width = max(len(k) for k in times)
    for name, values in times.items():
        shown = ", ".join(f"{v * 1000:.0f}" for v in values)
        if values:
            print(f"  {name:{width}} median {med[name] * 1000:7.1f} ms  ({len(values)}/{runs} runs: {shown})")
    for name in times:
        if name != "minimal" and name in med and "minimal" in med:
            print(f"  ratio {name} / minimal: {med[name] / med['minimal']:.2f} (target <= {TARGET})")
    for failure in failures:
        print(f"  FAILED {failure}")
    return not failures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--also", type=Path, nargs="*", default=[], metavar="ROOT",
                        help="also time broker-tui run from these source trees (PYTHONPATH), in the same runs")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (read the ratios)")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        minimal = folder / "minimal.py"
        minimal.write_text(MINIMAL)
        # Bytecode is cached as on any installed copy (a cache folder of the run's own, written by the warm-up
        # runs), even where the environment says not to write it (PYTHONDONTWRITEBYTECODE): else every start of
        # broker-tui would compile its modules from source, which no broker's start does.
        env = {**os.environ, "TERM": "xterm-256color", "BROKER_TUI_CONFIG": str(folder / "settings.toml"),
               "COLUMNS": "120", "LINES": "40", "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        for name in ("TEXTUAL", "BROKER_TUI_EXIT_AFTER_HOME", "BROKER_TUI_DB", "BROKER_TUI_TODAY", "NO_COLOR",
                     "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        databases: list[tuple[str, Path]] = []
        if not args.no_demo:
            databases.append(("demo", demo_database(folder)))
        for size in args.sizes:
            t0 = time.perf_counter()
            databases.append((f"generated {size:,}", generated_database(folder, size)))
            print(f"(generated {size:,} services in {time.perf_counter() - t0:.1f} s)")
        for label, db in databases:
            ok = bench(label, db, minimal, env, args.runs, args.also) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
