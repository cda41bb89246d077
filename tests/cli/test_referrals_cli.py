"""Referral intake through the command line, in the services' JSON format."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.services.referrals import INPUT_KEYS, READ_ONLY_KEYS
from tests.conftest import REPO, TODAY

SCHEMA = json.loads((REPO / "schemas" / "referral.schema.json").read_text())
DOB = "2011-03-14"


def referral(**over) -> dict:
    raw = {
        "case_ref": "LCC-555001", "initials": "TK", "date_received": TODAY.isoformat(), "needed_by": "2026-12-10",
        "date_of_birth": DOB, "gender": "F", "types_sought": ["fostering_in_house", "fostering_ifa"],
        "home_district": "LE3", "budget_weekly_pence": 95_000, "needs": {"emotional": 2, "behaviour": 1},
        "risks": [{"tag": "missing", "present": True, "level": 2}], "specialist_needs": ["autism"],
        "funding_social_care_pct": 80, "funding_education_pct": 20, "funding_health_pct": 0,
        "section25_order": None, "avoid_areas": [{"kind": "district", "code": "LE1", "radius_miles": 1}],
    }
    raw.update(over)
    return raw


@pytest.fixture
def cli(tmp_path: Path):
    db = tmp_path / "cli.sqlite3"
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--db", str(db), "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    run("db", "upgrade")
    return run


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "ref.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_schema_matches_the_services_format() -> None:
    assert set(SCHEMA["properties"]) == set(INPUT_KEYS) | set(READ_ONLY_KEYS)


def test_add_show_round_trip(cli, tmp_path: Path) -> None:
    result = cli("referrals", "add", str(write(tmp_path, referral())))
    assert result.exit_code == 0, result.output
    assert "Created referral LCC-555001" in result.output
    shown = json.loads(cli("referrals", "show", "LCC-555001", "--json").stdout)
    jsonschema.validate(shown, SCHEMA)
    assert shown["date_of_birth"] == DOB
    assert shown["derived"]["age_at_needed_by"] == 15 and not shown["derived"]["eighteenth_birthday_estimated"]
    assert shown["avoid_areas"] == [{"kind": "district", "code": "LE1", "radius_miles": 1}]
    # what show prints, add accepts: withdraw, then add the printed payload back
    assert cli("referrals", "withdraw", "LCC-555001", "--reason", "Test").exit_code == 0
    again = cli("referrals", "add", str(write(tmp_path, shown)))
    assert again.exit_code == 0, again.output
    second = json.loads(cli("referrals", "show", "LCC-555001", "--json").stdout)
    assert second["id"] != shown["id"]
    for key in INPUT_KEYS:
        assert second[key] == shown[key], key


def test_invalid_json_is_refused_writing_nothing(cli, tmp_path: Path) -> None:
    result = cli("referrals", "add", str(write(tmp_path, '{"case_ref": "LCC-1",')))
    assert result.exit_code != 0
    assert "not valid JSON" in result.stderr and "line 1" in result.stderr
    assert json.loads(cli("referrals", "list", "--json").stdout) == []


def test_bad_fields_are_named_and_nothing_written(cli, tmp_path: Path) -> None:
    bad = referral(needed_by="31/02/2026", funding_health_pct=50, home_district="XX99")
    result = cli("referrals", "add", str(write(tmp_path, bad)))
    assert result.exit_code == 1
    for field in ("needed_by", "funding_social_care_pct", "home_district"):
        assert f"{field}:" in result.stderr
    assert "nothing was written" in result.stderr
    assert json.loads(cli("referrals", "list", "--json").stdout) == []


def test_duplicate_open_case_is_refused(cli, tmp_path: Path) -> None:
    cli("referrals", "add", str(write(tmp_path, referral())))
    result = cli("referrals", "add", str(write(tmp_path, referral())))
    assert result.exit_code == 1 and "already has an open referral" in result.stderr


def test_list_and_status_filter(cli, tmp_path: Path) -> None:
    cli("referrals", "add", str(write(tmp_path, referral())))
    cli("referrals", "add", str(write(tmp_path, referral(case_ref="LCC-555002"))))
    cli("referrals", "withdraw", "LCC-555002", "--reason", "Family arrangement")
    listed = json.loads(cli("referrals", "list", "--status", "open", "--json").stdout)
    assert [r["case_ref"] for r in listed] == ["LCC-555001"]
    assert cli("referrals", "list", "--status", "lost").exit_code != 0
    assert cli("referrals", "withdraw", "LCC-404", "--reason", "x").exit_code == 1


def _dob_patterns(iso: str) -> list[str]:
    y, m, d = iso.split("-")
    return [iso, f"{d}/{m}/{y}", f"{int(d)}/{int(m)}/{y}"]


def test_no_date_of_birth_leaks_at_debug_level(cli, tmp_path: Path) -> None:
    """Every command at debug log level: output and logs carry no date of birth except `show --json`."""
    path = write(tmp_path, referral())
    runs = [
        ("--log-level", "debug", "db", "upgrade"),
        ("--log-level", "debug", "locate"),
        ("--log-level", "debug", "referrals", "add", str(path)),
        ("--log-level", "debug", "referrals", "list"),
        ("--log-level", "debug", "referrals", "list", "--json"),
        ("--log-level", "debug", "referrals", "show", "LCC-555001"),
        ("--log-level", "debug", "providers", "list", "--json"),
        ("--log-level", "debug", "referrals", "withdraw", "LCC-555001", "--reason", "Moved"),
        ("--log-level", "debug", "referrals", "list", "--status", "withdrawn"),
    ]
    leaks = []
    for args in runs:
        result = cli(*args)
        text = result.stdout + result.stderr
        for pattern in _dob_patterns(DOB):
            if pattern in text:
                leaks.append((args, pattern))
        assert "TK" not in re.sub(r"LCC-\d+", "", result.stderr), args  # initials never in logs
    assert leaks == []
    shown = cli("--log-level", "debug", "referrals", "show", "LCC-555001", "--json")
    assert DOB in shown.stdout  # the one payload that asks for it
    assert all(p not in shown.stderr for p in _dob_patterns(DOB))
