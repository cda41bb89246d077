"""Where an export dialog is asked to write: the path typed, made absolute, and what stops writing it there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExportTarget:
    path: Path | None  # None: nothing was typed
    problem: str  # "" when the file can be written
    exists: bool = False  # a file is there already: the caller asks once, then agrees to replace it


def export_target(raw: str, agreed: Path | None, suffix: str | None = None) -> ExportTarget:
    """The absolute path typed and what stops writing it. A file already there stops it until ``agreed``
    is that very path (the person has been told and pressed Enter again)."""
    raw = raw.strip()
    if not raw:
        return ExportTarget(None, "Type where to write the file")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    if suffix is not None and path.suffix.lower() != suffix:
        return ExportTarget(path, f"The file's name ends {suffix}")
    if path.is_dir():
        return ExportTarget(path, f"{path} is a folder: add a file name")
    if not path.parent.is_dir():
        return ExportTarget(path, f"The folder {path.parent} does not exist")
    if path.exists() and agreed != path:
        return ExportTarget(path, f"{path.name} already exists: press Enter again to replace it", exists=True)
    return ExportTarget(path, "")
