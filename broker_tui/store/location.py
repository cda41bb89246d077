"""Database URLs and files: resolve a path or URL, check it can be used, keep the files private.

Light on purpose (stdlib only): the app's start-up reads through here before SQLAlchemy is imported.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from broker_tui.store.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE = 0o600


@dataclass(frozen=True)
class DatabaseLocation:
    url: str  # a SQLAlchemy URL
    path: Path | None  # the SQLite file, None for a server database

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None or self.url.startswith("sqlite")

    @property
    def display(self) -> str:
        """The location without any password, for messages and `locate`."""
        if self.path is not None:
            return str(self.path)
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def resolve(value: str | os.PathLike[str]) -> DatabaseLocation:
    """A filesystem path or a SQLAlchemy URL -> where the database is."""
    text = os.fspath(value).strip()
    if not text:
        raise DatabaseError("The database location is empty: give a file path or a URL")
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        return DatabaseLocation(f"sqlite:///{path}", path)
    scheme = text.split("://", 1)[0]
    if scheme.startswith("sqlite"):
        raw = text.split("://", 1)[1]
        if raw in ("", "/", "/:memory:"):
            return DatabaseLocation("sqlite://", None)
        path = Path(unquote(raw[1:] if raw.startswith("/") else raw)).expanduser().resolve()
        return DatabaseLocation(f"sqlite:///{path}", path)
    if scheme in ("postgresql", "postgres"):
        text = "postgresql+psycopg://" + text.split("://", 1)[1]
    elif not scheme.startswith("postgresql"):
        raise DatabaseError(f"Unsupported database URL scheme {scheme!r}: use a file path, sqlite:/// or postgresql://")
    return DatabaseLocation(text, None)


def check_sqlite_file(path: Path) -> bool:
    """Check a SQLite file can be used without changing it. Returns True when it exists and has data."""
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a folder, not a database file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except PermissionError:
            raise DatabaseError(f"Cannot read the database {path}: permission denied") from None
        if not head:
            return False
        if head != SQLITE_HEADER:
            raise DatabaseError(f"{path} is not a SQLite database (nothing was changed): choose another file")
        if not os.access(path, os.W_OK):
            raise DatabaseError(f"Cannot write to the database {path}: permission denied")
        _check_is_ours(path)
        return True
    parent = path.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise DatabaseError(f"Cannot create the database at {path}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DatabaseError(f"Cannot create the database at {path}: {probe} is not writable")
    return False


def _check_is_ours(path: Path) -> None:
    """A SQLite file with tables but no schema revision belongs to something else: refuse it, read-only."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}") from None
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} cannot be read as a SQLite database ({exc}): nothing was changed") from None
    finally:
        con.close()
    others = sorted(n for n in names if n != "alembic_version" and not n.startswith("sqlite_"))
    if others and "alembic_version" not in names:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise DatabaseError(f"{path} holds other tables ({shown}) and no broker-tui schema revision: "
                            "it is not a broker-tui database (nothing was changed)")


def create_private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only, before SQLite opens it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE)
            os.close(fd)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the database at {path}: {exc.strerror or exc}") from None
    secure(path)


def secure(path: Path) -> None:
    """Database, -wal, -shm: owner read/write only."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if p.exists() and stat.S_IMODE(p.stat().st_mode) != PRIVATE:
                os.chmod(p, PRIVATE)
        except OSError:
            pass


def sqlite_revision(path: Path) -> str | None:
    """The Alembic revision stamped in a SQLite file, read with the stdlib only (None if none)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy a live SQLite database aside with SQLite's online backup API; the copy is private."""
    target = path.with_name(f"{path.name}.{label}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{n}.bak")
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, PRIVATE)
    os.close(fd)
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target, PRIVATE)
    return target
