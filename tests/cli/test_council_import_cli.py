"""`broker-tui providers import FILE.csv [--skip-bad]` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from broker_tui.cli import main
from tests.services.test_council_import import LODGE, MAPLE, OAK, council_csv


def run(*args: str):
    return CliRunner().invoke(main, ["--today", "01/12/2026", *args])


def listed(db: str) -> list[dict]:
    result = run("--db", db, "providers", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_good_file_prints_the_summary(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    result = run("--db", db, "providers", "import", str(council_csv(tmp_path / "list.csv", [MAPLE, OAK, LODGE])))
    assert result.exit_code == 0, result.output
    assert "Imported list.csv: 3 of 3 rows" in result.stdout and "3 new, 0 updated" in result.stdout
    assert "price lists: 3 new" in result.stdout and "households: 3 new" in result.stdout
    assert len(listed(db)) == 3
    again = run("--db", db, "providers", "import", str(tmp_path / "list.csv"))
    assert again.exit_code == 0 and "0 new, 0 updated, 3 unchanged" in again.stdout


def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    rows = [MAPLE, {**OAK, "Core weekly fee": "-£5"}, {**LODGE, "Age from": "17", "Age to": "16"}]
    result = run("--db", db, "providers", "import", str(council_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 1
    assert "line 3: core_weekly_fee:" in result.stderr and "negative" in result.stderr
    assert "line 4: ages are out of order: from 17 to 16" in result.stderr
    assert "nothing was written" in result.stderr and "--skip-bad" in result.stderr
    assert listed(db) == []


def test_skip_bad_imports_the_good_rows(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    rows = [MAPLE, {**OAK, "Service type": "castle"}, LODGE]
    result = run("--db", db, "providers", "import", "--skip-bad", str(council_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 0, result.output
    assert "line 3: service_type 'castle' is not a known service type" in result.stderr
    assert "skipped 1 bad row(s): lines 3" in result.stdout
    assert sorted(s["name"] for s in listed(db)) == ["Hope Lodge", "Maple House"]


def test_only_bad_rows_with_skip_bad_still_fails(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    path = council_csv(tmp_path / "bad.csv", [{**LODGE, "Places": "-1"}])
    result = run("--db", db, "providers", "import", "--skip-bad", str(path))
    assert result.exit_code == 1 and "line 2: places -1 is negative" in result.stderr


def test_unknown_column_refuses_the_file(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    path = council_csv(tmp_path / "h.csv", [{"Provider": "X", "Service": "Y", "Service type": "other", "Plaices": "2"}],
                       header=["Provider", "Service", "Service type", "Plaices"])
    result = run("--db", db, "providers", "import", str(path))
    assert result.exit_code == 1 and "h.csv line 1: unknown column 'Plaices'" in result.stderr


def test_a_home_imported_without_a_urn_is_marked_and_never_matched(tmp_path: Path) -> None:
    """Issue 13: imported without an Ofsted URN, a children's home is not on the register: the list says so
    and matching excludes it with that reason, for a 14-year-old who would otherwise be offered it."""
    db = str(tmp_path / "cli.sqlite3")
    assert run("--db", db, "providers", "import", str(council_csv(tmp_path / "list.csv", [MAPLE]))).exit_code == 0
    (maple,) = listed(db)
    assert (maple["registration_status"], maple["registration_note"]) == ("not_registered", "not on Ofsted's register")
    assert "NOT ON OFSTED'S REGISTER" in run("--db", db, "providers", "list").stdout
    referral = {"case_ref": "LCC-913002", "initials": "CD", "age_years": 14, "needed_by": "2026-12-20", "gender": "F",
                "types_sought": ["childrens_home_external", "childrens_home_in_house"], "home_district": "LE2"}
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral))
    result = run("--db", db, "match", "--referral", str(path), "--json", "--excluded", "all")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["results"] == []
    (excluded,) = out["excluded"]
    assert excluded["service"] == "Maple House" and excluded["rules"] == ["registration"]
    assert excluded["reasons"] == ["not on Ofsted's register: a children's home must be registered with Ofsted"]
