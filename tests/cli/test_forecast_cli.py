"""`broker-tui forecast run|backtest` (issue 15): a table by category and year with 80% intervals, JSON to
an owner-only file, clear messages for no return, an unknown scenario and --out without --format json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.test_referrals_cli import cli  # noqa: F401 (a fixture)

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")


def test_no_return_yet(cli) -> None:  # noqa: F811
    done = cli("forecast", "run", "--years", "1", "--sims", "100")
    assert done.exit_code == 1
    assert "no SSDA903 return has been imported: read one first with broker-tui ssda903 import DIR" in done.stderr


def test_run_and_backtest(cli, shared_data: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "return"
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    assert cli("ssda903", "import", str(folder)).exit_code == 0
    done = cli("forecast", "run", "--years", "2", "--sims", "200")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == ("Children in care: forecast from the end of Mar 2022 (baseline, 200 simulations; mean and "
                        "80% interval)")
    assert lines[1].split() == ["now", "Mar", "2023", "Mar", "2024"]
    assert lines[2].startswith("In-house fostering") and lines[2].split()[2] == "23"
    assert lines[8].startswith("Total") and lines[8].split()[1] == "86"
    assert "24 episode(s) were left open in a return that no later return carries" in done.stdout
    assert "Note: the forecast pools 3 councils' returns: Bromley, Hillingdon, Southwark" in done.stdout
    assert "Turning 18 in care (care leavers who will need 18+ accommodation): year to Mar 2023 " in done.stdout
    out = tmp_path / "f.json"
    done = cli("forecast", "run", "--years", "1", "--sims", "100", "--format", "json", "--out", str(out))
    assert done.exit_code == 0 and f"to {out}" in done.stdout
    assert json.loads(out.read_text())["last_actual_month"] == "2022-03" and out.stat().st_mode & 0o777 == 0o600
    refused = cli("forecast", "run", "--out", str(tmp_path / "g.json"))
    assert refused.exit_code == 2 and "--out writes a file: add --format json or --format xlsx" in refused.stderr
    no_file = cli("forecast", "run", "--format", "xlsx", "--out", str(tmp_path / "plan.json"))
    assert no_file.exit_code == 2 and "--format xlsx writes a workbook: add --out FILE.xlsx" in no_file.stderr
    book = cli("forecast", "run", "--years", "1", "--sims", "100", "--format", "xlsx", "--out", str(tmp_path / "p.xlsx"))
    assert book.exit_code == 0, book.output
    assert book.stdout.startswith("Wrote the commissioning plan's workbook (12 months, 100 simulations; the gap and "
                                  "diversity within 20 miles) to ")
    gap = cli("forecast", "gap", "--years", "1", "--sims", "100", "--within", "15")
    assert gap.exit_code == 0, gap.output
    lines = gap.stdout.splitlines()
    assert lines[0].endswith("register: in the area / within 15 miles")
    assert [line.split()[0] for line in lines[2:6]] == ["In-house", "External", "Residential", "Supported"]
    assert lines[-1].startswith("In-house foster households: 0 with 0 places")
    assert json.loads(cli("forecast", "gap", "--years", "1", "--sims", "100", "--json").stdout)["within_miles"] == 20
    unknown = cli("forecast", "run", "--scenario", "growth", "--sims", "100")
    assert unknown.exit_code == 2
    assert "--scenario: no scenario named 'growth' (known: none: add [forecast.scenarios.NAME]" in unknown.stderr
    folder_out = cli("forecast", "run", "--sims", "100", "--format", "json", "--out", str(tmp_path))
    assert folder_out.exit_code == 2 and "is a directory" in folder_out.stderr
    bt = cli("forecast", "backtest", "--cutoffs", "2", "--sims", "100")
    assert bt.exit_code == 0, bt.output
    assert bt.stdout.splitlines()[0] == "Backtest at 2 cut-offs: Sep 2020, Mar 2021 (100 simulations)"
    assert "  category WAPE " in bt.stdout and "80% intervals held" in bt.stdout
    nan = cli("forecast", "gap", "--within", "nan")
    assert nan.exit_code == 2 and "must be a number of miles from 0 to 500" in nan.stderr
    diversity = cli("sufficiency", "diversity", "--within", "12")
    assert diversity.exit_code == 0, diversity.output
    assert [line.split()[0] for line in diversity.stdout.splitlines()[1:7]] == [
        "External", "External", "Residential", "Residential", "Supported", "Supported"]
    assert "within 12 miles" in diversity.stdout
    assert len(json.loads(cli("sufficiency", "diversity", "--json").stdout)) == 6
    data = json.loads(cli("forecast", "backtest", "--cutoffs", "2", "--sims", "100", "--json").stdout)
    assert [h["months"] for h in data["horizons"]] == [6, 12]
