"""Bad --db values: one clear line on stderr, a non-zero exit, no traceback, and the file untouched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker_tui.cli import main

GARBAGE = b"Case notes exported 01/12/2026\n" + bytes(range(256)) * 8


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    assert "Traceback" not in text
    return lines[0]


def _invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert isinstance(result.exception, SystemExit | type(None)), result.exception
    return result


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def garbage(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(GARBAGE)
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return path


def _untouched(path: Path) -> None:
    assert path.read_bytes() == GARBAGE
    assert path.stat().st_mtime_ns == 1_700_000_000_000_000_000
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists()
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("command", [["db", "upgrade"], ["providers", "list"], []], ids=["db-upgrade", "list", "app"])
def test_a_garbage_file_is_refused_and_left_untouched(garbage: Path, command: list[str]) -> None:
    result = _invoke("--db", str(garbage), *command)
    assert result.exit_code != 0
    line = _one_line(result.stderr)
    assert line == f"broker-tui: {garbage} is not a SQLite database (nothing was changed): choose another file"
    assert result.stdout == ""
    _untouched(garbage)


def test_a_damaged_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    damaged = b"SQLite format 3\x00" + b"\xff" * 200
    path.write_bytes(damaged)
    result = _invoke("--db", str(path), "db", "upgrade")
    assert result.exit_code != 0
    assert str(path) in _one_line(result.stderr)
    assert path.read_bytes() == damaged


def test_a_path_under_a_regular_file_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder\n")
    target = blocker / "db.sqlite3"
    result = _invoke("--db", str(target), "db", "upgrade")
    assert result.exit_code != 0
    assert _one_line(result.stderr) == (f"broker-tui: Cannot create the database at {target}: "
                                        f"{blocker} is a file, not a folder")
    assert blocker.read_text() == "not a folder\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0500 folder anyway: permissions do not bite")
def test_an_unwritable_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        result = _invoke("--db", str(folder / "db.sqlite3"), "db", "upgrade")
        assert result.exit_code != 0
        assert "is not writable" in _one_line(result.stderr)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_folder_is_not_a_database_file(tmp_path: Path) -> None:
    result = _invoke("--db", str(tmp_path), "db", "upgrade")
    assert result.exit_code != 0
    assert _one_line(result.stderr) == f"broker-tui: {tmp_path} is a folder, not a database file"


def test_an_unreachable_postgresql_server(tmp_path: Path) -> None:
    port = _closed_port()
    result = _invoke("--db", f"postgresql://broker:s3cret@127.0.0.1:{port}/broker", "db", "upgrade")
    assert result.exit_code != 0
    line = _one_line(result.stderr)
    assert line.startswith(f"broker-tui: Cannot reach the database at postgresql+psycopg://broker@127.0.0.1:{port}"
                           "/broker: ")
    assert "s3cret" not in result.output


def test_an_unsupported_url_scheme() -> None:
    result = _invoke("--db", "mysql://broker@127.0.0.1/broker", "db", "upgrade")
    assert result.exit_code != 0
    assert "Unsupported database URL scheme 'mysql'" in _one_line(result.stderr)


def test_bad_db_from_the_environment_is_refused_the_same_way(garbage: Path) -> None:
    result = _invoke("db", "upgrade", env={"BROKER_TUI_DB": str(garbage)})
    assert result.exit_code != 0
    assert str(garbage) in _one_line(result.stderr)
    _untouched(garbage)


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "broker-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "broker_tui"]


@pytest.mark.parametrize("command", [["db", "upgrade"], []], ids=["db-upgrade", "app"])
def test_the_installed_command_prints_one_line_for_a_garbage_file(garbage: Path, command: list[str]) -> None:
    proc = subprocess.run([*_console_script(), "--db", str(garbage), *command], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode != 0
    assert _one_line(proc.stderr) == (f"broker-tui: {garbage} is not a SQLite database (nothing was changed): "
                                      "choose another file")
    assert proc.stdout == ""
    _untouched(garbage)


def test_the_installed_command_prints_one_line_for_an_unreachable_server() -> None:
    port = _closed_port()
    proc = subprocess.run([*_console_script(), "--db", f"postgresql://broker@127.0.0.1:{port}/broker", "db",
                           "upgrade"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode != 0
    assert "Cannot reach the database" in _one_line(proc.stderr)
