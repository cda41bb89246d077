"""Settings: a bad file stops the start with one line naming the key and the file; defaults when there is
no file. `locate`: where the database and the settings are, honouring --db and BROKER_TUI_DB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.domain.settings import HomeArea, MatchingWeights, SettingsError
from broker_tui.services.settings import load_settings


@pytest.fixture
def settings_file() -> Path:
    path = Path(os.environ["BROKER_TUI_CONFIG"])  # set per test by conftest's _isolated_env
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


BAD_SETTINGS = [
    pytest.param('[home]\nlocal_radius_miles = "far"\n', "home.local_radius_miles", "must be a whole number",
                 id="wrong-type"),
    pytest.param("[home]\nlocal_radius_miles = 500\n", "home.local_radius_miles", "from 0 to 200", id="too-far"),
    pytest.param('[home]\ncolour = "red"\n', "home.colour", "unknown setting", id="unknown-key"),
    pytest.param("[matching.weights]\nneed_fit = 1.5\n", "matching.weights.need_fit", "from 0 to 1",
                 id="weight"),
    pytest.param('[home\nla_name = "Leicester"\n', "(file)", "is not valid TOML", id="broken-toml"),
]


@pytest.mark.parametrize(("content", "key", "message"), BAD_SETTINGS)
def test_a_bad_settings_file_stops_the_start_with_one_line(tmp_path: Path, settings_file: Path, content: str,
                                                           key: str, message: str) -> None:
    settings_file.write_text(content)
    db = tmp_path / "broker.sqlite3"
    result = CliRunner().invoke(main, ["--db", str(db), "db", "upgrade"])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"broker-tui: Setting {key} in {settings_file}: ")
    assert message in lines[0]
    assert not db.exists()  # stopped before the database was touched


def test_the_app_itself_refuses_a_bad_settings_file(tmp_path: Path, settings_file: Path) -> None:
    settings_file.write_text('[home]\nlocal_radius_miles = "far"\n')
    proc = subprocess.run([sys.executable, "-m", "broker_tui", "--db", str(tmp_path / "b.sqlite3")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip() == (f"broker-tui: Setting home.local_radius_miles in {settings_file}: must be a "
                                   "whole number of miles from 0 to 200, got 'far'")


def test_a_missing_settings_file_means_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "nowhere" / "settings.toml")
    assert settings.home == HomeArea()
    assert settings.weights == MatchingWeights()
    assert settings.high_cost_threshold_pence == 750_000
    assert settings.user_name  # the login name when the file names nobody


def test_a_good_settings_file_is_read(settings_file: Path) -> None:
    settings_file.write_text('[home]\nlocal_radius_miles = 20\ndistrict = "le2"\n\n[user]\nname = "A. Broker"\n'
                             "\n[matching.weights]\ncost = 0.25\n\n[approvals]\nhigh_cost_weekly_pounds = 9000\n")
    settings = load_settings()
    assert settings.home.local_radius_miles == 20 and settings.home.district == "LE2"
    assert settings.user_name == "A. Broker"
    assert settings.weights.cost == 0.25 and settings.weights.need_fit == MatchingWeights().need_fit
    assert settings.high_cost_threshold_pence == 900_000


def test_settings_error_names_key_and_file(settings_file: Path) -> None:
    settings_file.write_text("[user]\nname = 7\n")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.key == "user.name" and caught.value.source == str(settings_file)
    assert "\n" not in str(caught.value)


def _locate(*args: str, env: dict[str, str] | None = None) -> dict[str, str]:
    result = CliRunner().invoke(main, [*args, "locate"], env=env)
    assert result.exit_code == 0, result.output
    return dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)


def test_locate_shows_the_default_database_and_the_settings_file(tmp_path: Path) -> None:
    found = _locate()
    default = tmp_path / "xdg-data" / "broker-tui" / "broker-tui.sqlite3"
    assert found["database"].strip() == f"{default}  (default)"
    assert found["settings"].strip() == os.environ["BROKER_TUI_CONFIG"]
    assert not default.exists()  # locating creates nothing


def test_locate_honours_db_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "team" / "broker.sqlite3"
    assert _locate("--db", str(chosen))["database"].strip() == str(chosen)
    from_env = tmp_path / "env.sqlite3"
    assert _locate(env={"BROKER_TUI_DB": str(from_env)})["database"].strip() == str(from_env)
    # the option wins over the environment
    assert _locate("--db", str(chosen), env={"BROKER_TUI_DB": str(from_env)})["database"].strip() == str(chosen)
    monkeypatch.chdir(tmp_path)
    assert _locate("--db", "relative.sqlite3")["database"].strip() == str(tmp_path / "relative.sqlite3")


def test_locate_hides_the_password_of_a_server_url() -> None:
    result = CliRunner().invoke(main, ["--db", "postgresql://broker:s3cret@db.example:5433/brokerage", "locate"])
    assert result.exit_code == 0
    assert "database: postgresql+psycopg://broker@db.example:5433/brokerage" in result.stdout
    assert "s3cret" not in result.output
