"""./run and ./test (scripts/venv.sh, ensure_venv) do no work when nothing changed (issue 14): no hashing
of pyproject.toml and no pip once pyproject.toml and the venv's python are as last seen; a touched
pyproject.toml is hashed again but installs nothing; a changed one installs; the test tools' install
serves the app. Run on a copy of the script in a temp folder, with a stand-in python that only logs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "venv.sh"


INSTALLED = ["hash", "pip", "compileall"]  # hashed, installed, and our modules compiled to bytecode


@pytest.fixture
def project(tmp_path: Path):
    if shutil.which("bash") is None or shutil.which("sha256sum") is None:
        pytest.skip("needs bash and sha256sum")
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "venv.sh")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    log = tmp_path / "log"
    log.write_text("")
    python = venv_bin / "python"  # stands in for the venv's python: logs what pip was asked
    python.write_text(f'#!/bin/sh\necho "$2 $*" >> "{log}"\n')  # $2: the module run with -m (pip, compileall)
    python.chmod(0o755)
    fake = tmp_path / "fakebin"  # sha256sum that logs each use, then hashes
    fake.mkdir()
    real = shutil.which("sha256sum")
    (fake / "sha256sum").write_text(f'#!/bin/sh\necho hash >> "{log}"\nexec "{real}" "$@"\n')
    (fake / "sha256sum").chmod(0o755)

    def ensure(extras: str = "") -> list[str]:
        """Run ensure_venv; what it did (hash, pip, compileall ...), in order."""
        before = log.read_text().splitlines()
        env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "BROKER_TUI_VENV": str(tmp_path / ".venv")}
        subprocess.run(["bash", "-c", f'set -euo pipefail; source "{tmp_path}/scripts/venv.sh"; ensure_venv "{extras}"'],
                       env=env, check=True, capture_output=True)
        return [line.split(" ")[0] for line in log.read_text().splitlines()[len(before):]]

    return tmp_path, ensure


def test_nothing_is_hashed_or_installed_when_nothing_changed(project) -> None:
    root, ensure = project
    assert ensure() == INSTALLED  # first start: hashed and installed
    assert ensure() == []  # nothing changed: neither
    assert ensure() == []
    pyproject = root / "pyproject.toml"
    os.utime(pyproject, (1_000_000_000, 1_000_000_000))  # touched (an older time even): hashed, not installed
    assert ensure() == ["hash"]
    assert ensure() == []
    pyproject.write_text('[project]\nname = "y"\n')  # changed (same size; written now): installed again
    assert ensure() == INSTALLED
    assert ensure() == []


def test_the_test_install_serves_the_app_and_a_new_python_is_checked(project) -> None:
    root, ensure = project
    assert ensure("test") == INSTALLED
    assert ensure("") == []  # the test tools' install has everything the app needs
    assert ensure("test") == []
    python = root / ".venv" / "bin" / "python"
    python.write_text(python.read_text() + "# another python\n")  # the venv's python replaced
    assert ensure("") == ["hash"]  # checked again; pyproject.toml as installed: nothing to install
    assert ensure("test") == []
    (root / ".venv" / ".broker-tui-seen").unlink()  # no record of what was seen: the hash decides
    assert ensure("") == ["hash"] and ensure("") == []


def test_the_app_install_does_not_serve_the_tests(project) -> None:
    _root, ensure = project
    assert ensure("") == INSTALLED
    assert ensure("test") == INSTALLED
    assert ensure("test") == [] and ensure("") == []
