"""`referrals import --standard placements-v2 FILE`: an export read back as sufficiency records (not referrals
to work), the same file refused twice, and a bad file refused with every problem one a line (at most 50,
then how many more), a full postcode in a location among them, nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.test_referrals_cli import cli, referral, write  # noqa: F401 (cli is a fixture)
from tests.services.test_referral_standard_fields import ANSWERS


def test_import_an_export_and_refuse_it_twice(cli, tmp_path: Path) -> None:  # noqa: F811
    assert cli("referrals", "add", str(write(tmp_path, referral(**ANSWERS)))).exit_code == 0
    out = tmp_path / "standard.csv"
    assert cli("referrals", "export", "--standard", "placements-v2", "--out", str(out)).exit_code == 0
    done = cli("referrals", "import", "--standard", "placements-v2", str(out))
    assert done.exit_code == 0, done.output
    assert f"Read 1 record(s) from {out} as sufficiency records (not referrals to work)" in done.stdout
    again = cli("referrals", "import", "--standard", "placements-v2", str(out))
    assert again.exit_code == 1 and "imported already, on 01/12/2026" in again.stderr
    listed = json.loads(cli("referrals", "list", "--json").stdout)
    assert [r["case_ref"] for r in listed] == ["LCC-555001"]  # still the one referral
    assert cli("referrals", "import", str(out)).exit_code == 2  # --standard is required
    assert cli("referrals", "import", "--standard", "placements-v1", str(out)).exit_code == 2


def test_a_bad_file_is_refused_with_every_problem(cli, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "bad.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["childId", "placementLocation", "totalWeeklyCost", "fosterCareSuitability"])
        writer.writerow(["1", "LE3", "900", "Preferred"])
        writer.writerow(["2", "LE2 1AB", "900.50", "preferred"])
    result = cli("referrals", "import", "--standard", "placements-v2", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("line 3, placementLocation: 'LE2 1AB' is a full postcode")
    assert lines[1] == "line 3, totalWeeklyCost: must be a whole number of pounds a week, from 0 to 100,000"
    assert lines[2].startswith("line 3, fosterCareSuitability: 'preferred' is not one of the standard's options")
    assert "3 problem(s)" in lines[3] and "nothing was written" in lines[3]

    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"childId": 1, "pets": "yes"}] * 60))
    result = cli("referrals", "import", "--standard", "placements-v2", str(many))
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and len(lines) == 52 and lines[50] == "and 10 more"
    assert lines[0].startswith("record 1, pets: 'yes' is not one of")
    summary = cli("referrals", "list", "--json")
    assert json.loads(summary.stdout) == []
