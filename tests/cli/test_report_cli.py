"""`report contracts-16plus` through the command line, on SQLite and PostgreSQL: JSON to standard output with
every figure the review has, a workbook and a CSV zip written owner-only with progress on standard error,
bad dates by field with exit 1, and nothing written when the review or the file cannot be made."""

from __future__ import annotations

import json
import os
import stat
import zipfile

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.services.review import review_16_plus
from tests.conftest import TODAY
from tests.services.test_review_export import INITIALS, make_review


@pytest.fixture
def cli(ctx):
    make_review(ctx)
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str):
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), "report", "contracts-16plus", *args],
                             catch_exceptions=False)

    return run, ctx


def test_json_to_standard_output_is_the_whole_review(cli) -> None:
    run, ctx = cli
    result = run("--from", "01/01/2026", "--to", "2026-03-31", "--format", "json", "--out", "-")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(review_16_plus(ctx, "01/01/2026", "31/03/2026").to_json()))
    assert data["period"] == {"first_day": "2026-01-01", "last_day": "2026-03-31", "nights": 90}
    assert "2 block contract(s), 3 spot agreement(s)" in result.stderr
    assert INITIALS not in result.output


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_file_is_written_owner_only_with_progress_on_standard_error(cli, tmp_path, fmt) -> None:
    run, _ = cli
    out = tmp_path / "exports" / f"review.{fmt}"
    out.parent.mkdir()
    result = run("--from", "01/01/2026", "--to", "31/03/2026", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and zipfile.is_zipfile(out)
    assert f"16+ review 01/01/2026 to 31/03/2026 written to {out} ({fmt})" in result.stdout
    steps = {"xlsx": 14, "csv": 13}[fmt]  # a sheet each (the Summary, the tables, utilisation by month); a CSV each
    assert [line.split()[0] for line in result.stderr.splitlines()] == [f"{i}/{steps}" for i in range(1, steps + 1)]
    assert os.listdir(out.parent) == [out.name]


def test_the_default_period_is_the_twelve_months_to_yesterday(cli) -> None:
    run, _ = cli
    result = run("--format", "json", "--out", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"] == {"first_day": "2025-12-01", "last_day": "2026-11-30", "nights": 365}


def test_bad_dates_are_their_field_s_message_and_exit_1(cli, tmp_path) -> None:
    run, _ = cli
    out = tmp_path / "review.json"
    result = run("--from", "31/02/2026", "--format", "json", "--out", str(out))
    assert result.exit_code == 1
    assert "--from: " in result.stderr and "nothing was written" in result.stderr and not out.exists()
    result = run("--from", "01/03/2026", "--to", "01/01/2026", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 1 and "--to: is before the start of the period" in result.stderr
    assert result.stdout == "" and not out.exists()


def test_standard_output_is_for_json_only_and_a_missing_folder_is_refused(cli, tmp_path) -> None:
    run, _ = cli
    result = run("--format", "xlsx", "--out", "-")
    assert result.exit_code == 2 and "--format json" in result.stderr
    result = run("--format", "csv", "--out", str(tmp_path / "missing" / "review.zip"))
    assert result.exit_code == 1 and "--out: there is no folder" in result.stderr
    result = run("--format", "pdf", "--out", str(tmp_path / "review.pdf"))
    assert result.exit_code == 2
    result = run("--format", "json")
    assert result.exit_code == 2 and "--out" in result.stderr
