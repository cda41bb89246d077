"""The app paints up to 120 frames a second unless the user says otherwise (issue 14: at Textual's 60, a
keystroke's narrowed table waited 17 to 33 ms for the frame after the one that echoed the key)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import broker_tui.ui.app, textual.constants as c, textual.screen as s; print(c.MAX_FPS, round(1 / s.UPDATE_PERIOD))"


def fps(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_app_paints_at_120_frames_a_second() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert fps(env) == "120 120"


def test_a_frame_rate_the_user_sets_is_kept() -> None:
    assert fps({**os.environ, "TEXTUAL_FPS": "30"}) == "30 30"
