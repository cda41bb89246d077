"""The start path, as a broker starts the app (``broker-tui --db FILE`` in a terminal): the first frame of
the home screen reaches the terminal with the database's counts, and nothing heavy is imported before it.

The app runs in a subprocess on a pseudo-terminal (120x40) with BROKER_TUI_EXIT_AFTER_HOME=1, so it exits
right after the first frame that shows the figures; its output is read as it comes. The script it runs
writes which heavy modules were imported by then to a file (the terminal holds the app's frames)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from broker_tui.services.home import todays_work
from tests.conftest import TODAY
from tests.market_data import build_market

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "click", "psycopg", "numpy", "rapidfuzz", "openpyxl", "plotext",
         "textual_plotext", "pandas", "lxml", "broker_tui.store.tables", "broker_tui.store.migrate",
         "broker_tui.services.matching", "broker_tui.domain.matching", "broker_tui.services.purchases",
         "broker_tui.services.market")
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
SCRIPT = """
import sys
from broker_tui.cli import entry
entry(["--db", sys.argv[1]])
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
open(sys.argv[2], "w").write(" ".join(heavy) or "none")
"""


def start_in_terminal(db: Path, out: Path) -> str:
    """Start the app on a pty until it exits after its first home frame; the terminal's text, escapes removed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "BROKER_TUI_EXIT_AFTER_HOME": "1",
           "BROKER_TUI_CONFIG": str(out.parent / "settings.toml"), "BROKER_TUI_TODAY": TODAY.isoformat()}
    env.pop("BROKER_TUI_DB", None)
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(heavy=HEAVY), str(db), str(out)],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    raw = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the app has exited and closed the terminal
                break
            if not chunk:
                break
            raw += chunk
        assert proc.wait(timeout=10) == 0, ESCAPES.sub(b"", raw)[-2000:].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return ESCAPES.sub(b"", raw).decode(errors="replace")


def test_the_first_home_frame_reaches_the_terminal_with_the_counts(sqlite_ctx, tmp_path) -> None:
    build_market(sqlite_ctx, TODAY)
    work = todays_work(sqlite_ctx)
    assert sqlite_ctx.location.path is not None and work.open_referrals and work.services_listed
    for run in range(3):  # the first frame was lost in most starts: every start must show the counts
        text = start_in_terminal(sqlite_ctx.location.path, tmp_path / f"heavy{run}.txt")
        # the box titles are cut short when the first frame is drawn before the terminal's width is read
        assert "─ Open re" in text and "─ Services" in text, text[-2000:]
        assert re.search(rf"│ +{work.open_referrals:,} +│", text), text[-2000:]
        assert re.search(rf"│ +{work.services_listed:,} +│", text), text[-2000:]


def test_nothing_heavy_is_imported_before_the_first_home_frame(sqlite_ctx, tmp_path) -> None:
    build_market(sqlite_ctx, TODAY)
    assert sqlite_ctx.location.path is not None
    out = tmp_path / "heavy.txt"
    start_in_terminal(sqlite_ctx.location.path, out)
    assert out.read_text() == "none"
