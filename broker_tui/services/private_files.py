"""Files written for the broker (referral text for providers, exports): readable by their owner only."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from broker_tui.domain.text_rules import printable, spreadsheet_safe


class FileRefused(OSError):
    """The file could not be written: the message says why, in a line."""


def _target(path: str | Path) -> Path:
    if not str(path).strip():
        raise FileRefused("give a file name")
    target = Path(os.path.expanduser(str(path).strip()))
    if target.is_dir():
        raise FileRefused(f"{target} is a folder: give a file name")
    if not target.parent.is_dir():
        raise FileRefused(f"there is no folder {target.parent}")
    return target


def write_atomically(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """``write`` into a new owner-only (0600) temporary file beside ``path``, fsync it, rename it to ``path``
    and fsync the folder: the file is there whole or not at all. On any failure (the disk, or ``write``
    raising) the temporary file is removed and ``path`` is as it was. Raises FileRefused with a one-line
    reason for what the file system refused."""
    target = _target(path)
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise FileRefused(f"cannot write in {target.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            os.chmod(temporary, 0o600)  # mkstemp's own mode; said again where a umask or platform differs
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and not isinstance(exc, FileRefused):
            raise FileRefused(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    _sync_folder(target.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; elsewhere a folder cannot be opened and this does nothing)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_private(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, its own line endings) to ``path``, created or replaced, readable by its owner
    only (0600) also when the file was there before with wider permissions, atomically (write_atomically).
    Raises FileRefused with a one-line reason."""
    def write(out: BinaryIO) -> None:
        out.write(text.encode("utf-8"))

    return write_atomically(path, write)


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
