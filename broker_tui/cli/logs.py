"""Logging: to stderr for headless commands, to a private file for the app. Case references only.

The services log what happened to which case reference, never initials or dates of birth. SQLAlchemy's
and Alembic's loggers stay at WARNING whatever the level: at DEBUG they would print the statements'
parameters, which hold a child's details.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

LEVELS = ("debug", "info", "warning", "error")
QUIET_LIBRARIES = ("sqlalchemy", "alembic", "asyncio", "markdown_it")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str, *, log_file: Path | None = None) -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        os.close(fd)
        handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def app_log_file() -> Path:
    from platformdirs import user_log_path

    return user_log_path("broker-tui", appauthor=False) / "broker-tui.log"
