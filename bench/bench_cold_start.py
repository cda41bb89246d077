"""Cold start: process start to the first frame of the home screen showing the database's counts,
against a minimal Textual app (Header, Input, DataTable, Footer) to its first frame, in the same run.

Both run in a pseudo-terminal (120x40) and exit right after that frame: the minimal app from a
call_after_refresh in on_mount, broker-tui through its documented hook BROKER_TUI_EXIT_AFTER_HOME=1
(the home screen calls exit after the refresh that paints the counts). Runs alternate; medians printed.

    .venv/bin/python bench/bench_cold_start.py [--runs 9]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MINIMAL = '''
from textual.app import App
from textual.widgets import DataTable, Footer, Header, Input

class Minimal(App):
    def compose(self):
        yield Header()
        yield Input()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.exit)

Minimal().run()
'''


def run_in_pty(argv: list[str], env: dict[str, str]) -> float:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)

    def drain() -> None:
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    code = proc.wait(timeout=60)
    elapsed = time.perf_counter() - start
    os.close(master)
    if code != 0:
        raise SystemExit(f"{argv[0]} exited with {code}")
    return elapsed


def prepare_database(folder: Path) -> Path:
    """A migrated database with the demo market (or an empty one if the demo is not available)."""
    sys.path.insert(0, str(ROOT))
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database as prepare

    path = folder / "bench.sqlite3"
    ctx = AppContext.for_target(str(path))
    prepare(ctx, seed_demo_if_new=False)
    try:
        from broker_tui.services.demo import seed_demo

        seed_demo(ctx)
    except ImportError:
        pass
    ctx.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = prepare_database(folder)
        minimal = folder / "minimal.py"
        minimal.write_text(MINIMAL)
        env = {**os.environ, "TERM": "xterm-256color", "BROKER_TUI_EXIT_AFTER_HOME": "1",
               "BROKER_TUI_CONFIG": str(folder / "settings.toml"), "BROKER_TUI_TODAY": "2026-12-01"}
        env.pop("TEXTUAL", None)
        broker = [str(VENV_BIN / "broker-tui"), "--db", str(db)]
        plain = [sys.executable, str(minimal)]
        run_in_pty(plain, env), run_in_pty(broker, env)  # warm the file cache
        times: dict[str, list[float]] = {"minimal": [], "broker-tui": []}
        for _ in range(args.runs):
            times["minimal"].append(run_in_pty(plain, env))
            times["broker-tui"].append(run_in_pty(broker, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:11} median {med[name] * 1000:7.1f} ms  (runs: {', '.join(f'{v * 1000:.0f}' for v in values)})")
    print(f"ratio broker-tui / minimal: {med['broker-tui'] / med['minimal']:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
