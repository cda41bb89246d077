"""A listing piped into a reader that stops early (`| head`) ends quietly: no 'unexpected error' line."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_reader_that_goes_away_early_gets_no_error_line(tmp_path) -> None:
    env = {**os.environ, "BROKER_TUI_DB": str(tmp_path / "demo.sqlite3"), "BROKER_TUI_TODAY": "2026-12-01",
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    seeded = subprocess.run([sys.executable, "-m", "broker_tui", "seed", "--demo"], env=env, capture_output=True,
                            timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    lister = subprocess.Popen([sys.executable, "-m", "broker_tui", "providers", "list"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert lister.stdout is not None and lister.stderr is not None
    first = lister.stdout.readline()
    lister.stdout.close()  # the reader goes away after one line, as `head -1` does
    err = lister.stderr.read().decode()
    assert lister.wait(timeout=120) == 0
    assert first.strip() and "error" not in err.lower(), err
