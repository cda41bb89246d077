"""Files written for the broker (referral text for providers, exports): readable by their owner only."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from broker_tui.domain.text_rules import printable, spreadsheet_safe


class FileRefused(OSError):
    """The file could not be written: the message says why, in a line."""


def write_private(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` (created or replaced) readable by its owner only (0600), also when the
    file was there before with wider permissions. Raises FileRefused with a one-line reason."""
    target = Path(os.path.expanduser(str(path).strip()))
    if not str(path).strip():
        raise FileRefused("give a file name")
    if target.is_dir():
        raise FileRefused(f"{target} is a folder: give a file name")
    if not target.parent.is_dir():
        raise FileRefused(f"there is no folder {target.parent}")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:  # the text's own line endings
            out.write(text)
    except OSError as exc:
        raise FileRefused(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def write_private_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """A CSV export, readable by its owner only: every text cell that a spreadsheet would run as a formula
    (= + - @, a tab or a carriage return first) is written with a leading ', numbers stay numbers, and
    any control character already stored is shown as an escape (text_rules)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(printable(c)) if isinstance(c, str) else c for c in row])
    return write_private(path, out.getvalue())
