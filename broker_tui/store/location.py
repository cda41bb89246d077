"""Database URLs and files: resolve a path or URL, check it can be used, keep the files private, copy
them aside (SQLite's online backup API) and check them for damage (``integrity_check``).

Light on purpose (stdlib only): the app's start-up reads through here before SQLAlchemy is imported.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from broker_tui.store.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE = 0o600
DAMAGE_CODES = (11, 26)  # SQLITE_CORRUPT ("disk image is malformed"), SQLITE_NOTADB ("file is not a database")


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
        con = sqlite3.connect(_uri(path, "ro"), uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}") from None
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        if is_damage(exc):
            raise DatabaseError(damaged_line(path, exc)) from None
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
    con = sqlite3.connect(_uri(path, "ro"), uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def sqlite_start_state(path: Path, markers: tuple[str, ...]) -> tuple[str | None, bool]:
    """The start-up's one light look at a SQLite file, on one read-only stdlib connection: its Alembic
    revision (None if none) and whether app_meta holds any of ``markers`` (its first start finished)."""
    if not path.exists() or path.stat().st_size == 0:
        return None, False
    con = sqlite3.connect(_uri(path, "ro"), uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        marks = ", ".join("?" * len(markers))
        found = con.execute(f"SELECT 1 FROM app_meta WHERE key IN ({marks})", markers).fetchone()
        return (row[0] if row else None), found is not None
    except sqlite3.DatabaseError:
        return None, False
    finally:
        con.close()


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy a live SQLite database aside, beside it, as ``<file>.<label>.bak`` (``-2``, ``-3`` ... when taken)."""
    target = path.with_name(f"{path.name}.{label}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{n}.bak")
    return copy_sqlite(path, target)


def copy_sqlite(path: Path, target: Path) -> Path:
    """Copy a live SQLite database to the new file ``target`` with SQLite's online backup API (safe while the
    app reads and writes it: the copy is one consistent moment). The copy is one private file (0600, not in
    WAL mode, so reading it leaves no -wal or -shm beside it); an existing file is refused, never
    overwritten. Raises DatabaseError with one line."""
    try:
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, PRIVATE)
    except FileExistsError:
        raise DatabaseError(f"{target} already exists: nothing was written; choose another name") from None
    except OSError as exc:
        raise DatabaseError(f"Cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        src = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=5)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file: no -wal, no -shm
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        for p in (target, Path(f"{target}-journal"), Path(f"{target}-wal"), Path(f"{target}-shm")):
            p.unlink(missing_ok=True)
        if is_damage(exc):
            raise DatabaseError(damaged_line(path, exc)) from None
        raise DatabaseError(f"Cannot copy {path} to {target}: {exc}") from None
    os.chmod(target, PRIVATE)
    return target


def _uri(path: Path, mode: str) -> str:
    """A file: URI for sqlite3 (``mode=ro`` reads only; ``mode=rw`` never creates a missing file)."""
    return f"file:{quote(str(path))}?mode={mode}"


def is_sqlite_file(path: Path) -> bool:
    """True when ``path`` is a readable file that starts with SQLite's header."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "database disk image is malformed" and "file is not a database"."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in DAMAGE_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def integrity_problems(path: Path, *, quick: bool = False, limit: int = 100) -> list[str]:
    """SQLite's own check of a file, read-only: [] when sound, else its problems (at most ``limit``).
    ``quick`` runs ``quick_check`` (pages and records, no index cross-check: faster on a big file).
    Raises DatabaseError when the file cannot be checked at all (locked, unreadable)."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        con = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open {path} to check it: {exc}") from None
    try:
        con.execute("PRAGMA busy_timeout=5000")
        rows = [line for r in con.execute(f"PRAGMA {pragma}({int(limit)})")  # one row may hold many lines
                for line in str(r[0]).splitlines() if line.strip() and not line.startswith("*** in database")]
    except sqlite3.Error as exc:
        if is_damage(exc):
            return [str(exc)]
        raise DatabaseError(f"Cannot check {path}: {exc}") from None
    finally:
        con.close()
    return [] if rows == ["ok"] else rows


def backups_of(path: Path) -> list[Path]:
    """The copies of a database kept beside it (``<file>.*.bak``), newest first."""
    found = [p for p in path.parent.glob(f"{glob.escape(path.name)}.*.bak") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def newest_sound_backup(path: Path) -> Path | None:
    """The newest copy beside the database that passes SQLite's quick check, or None."""
    for backup in backups_of(path):
        try:
            if is_sqlite_file(backup) and not integrity_problems(backup, quick=True, limit=1):
                return backup
        except DatabaseError:
            continue
    return None


def restore_advice(path: Path) -> str:
    """What to do about a damaged database: the exact command restoring its newest sound backup."""
    backup = newest_sound_backup(path)
    if backup is None:
        return f"no sound backup of it was found in {path.parent}"
    return (f"restore the newest sound backup with: "
            f"broker-tui --db {shlex.quote(str(path))} restore {shlex.quote(str(backup))}")


def damaged_line(path: Path, reason: object) -> str:
    """The one line for a damaged SQLite file: what SQLite said and the backup to restore."""
    first = str(reason).strip().splitlines()[0] if str(reason).strip() else "damaged"
    return f"The database {path} is damaged ({first}): {restore_advice(path)}"


def sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file (SQLite's own ``sqlite_*`` left out), read-only."""
    con = sqlite3.connect(_uri(path, "ro"), uri=True, timeout=5)
    try:
        rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path} cannot be read as a SQLite database ({exc})") from None
    finally:
        con.close()
    return {str(r[0]) for r in rows if not str(r[0]).startswith("sqlite_")}


def keep_copy(path: Path, label: str) -> Path:
    """Copy a database aside before it is replaced: the online backup API, or, for a file too damaged for
    it, byte for byte with its -wal (so the copy holds everything the file held)."""
    try:
        return backup_sqlite(path, label)
    except DatabaseError:
        pass
    kept = path.with_name(f"{path.name}.{label}.bak")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.{label}-{n}.bak")
    try:
        _raw_copy(path, kept)
        if Path(f"{path}-wal").exists():
            _raw_copy(Path(f"{path}-wal"), Path(f"{kept}-wal"))
    except OSError as exc:
        raise DatabaseError(f"Cannot keep a copy of {path} ({exc.strerror or exc}): nothing was changed") from None
    return kept


def _raw_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, PRIVATE)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out)


def restore_sqlite(source: Path, target: Path) -> None:
    """Write the SQLite database ``source`` over ``target``: with the online backup API into the live file
    (one transaction, so an app that has it open sees the restored data, never half of it); a target too
    damaged for that is replaced whole, its stale -wal and -shm removed so they are not replayed onto it."""
    create_private_file(target)
    try:
        src = sqlite3.connect(_uri(source, "ro"), uri=True, timeout=5)
        try:
            dst = sqlite3.connect(_uri(target, "rw"), uri=True, timeout=5)
            try:
                dst.execute("PRAGMA busy_timeout=5000")
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        if not is_damage(exc):
            raise DatabaseError(f"Cannot restore {source} over {target} ({exc}): the database was not "
                                "changed") from None
        fresh = target.with_name(f"{target.name}.restoring")
        fresh.unlink(missing_ok=True)
        copy_sqlite(source, fresh)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
            stale.unlink(missing_ok=True)
        os.replace(fresh, target)
    secure(target)
