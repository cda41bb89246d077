"""`broker-tui providers import-ofsted FILE` and `broker-tui seed --demo` through the command line."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.resources import SEED_DIR

REGISTER = SEED_DIR / "ofsted_childrens_social_care_providers_2025.csv"


def small_register(path: Path, rows: int = 30, *, break_line: int | None = None) -> Path:
    with open(REGISTER, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, picked = list(reader.fieldnames or []), [r for _, r in zip(range(rows), reader, strict=False)]
    if break_line is not None:
        picked[break_line - 2]["Latest full inspection date"] = "2024-13-45"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(picked)
    return path


def run(*args: str):
    return CliRunner().invoke(main, ["--today", "01/12/2026", *args])


def test_import_ofsted_reports_what_it_did(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    result = run("--db", db, "providers", "import-ofsted", str(small_register(tmp_path / "reg.csv")))
    assert result.exit_code == 0, result.output
    assert "Imported reg.csv" in result.stdout and "new" in result.stdout
    again = run("--db", db, "providers", "import-ofsted", str(tmp_path / "reg.csv"))
    assert again.exit_code == 0 and "0 new, 0 updated" in again.stdout


def test_malformed_file_exits_non_zero_with_line_numbers(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    bad = small_register(tmp_path / "bad.csv", break_line=7)
    result = run("--db", str(db), "providers", "import-ofsted", str(bad))
    assert result.exit_code != 0
    assert "bad.csv line 7:" in result.stderr and "2024-13-45" in result.stderr
    assert "nothing was written" in result.stderr
    listed = run("--db", str(db), "providers", "list", "--json")
    assert listed.exit_code == 0 and listed.stdout.strip() == "[]"


def test_seed_demo_then_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite3")
    result = run("--db", db, "seed", "--demo")
    assert result.exit_code == 0, result.output
    assert "Demo market loaded" in result.stdout and "referrals:" in result.stdout
    again = run("--db", db, "seed", "--demo")
    assert again.exit_code != 0
    lines = [line for line in again.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "already holds" in lines[0] and "nothing was changed" in lines[0]


def list_names(url: str, *args: str) -> list[str]:
    import json

    result = run("--db", url, "providers", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return [r["name"] for r in json.loads(result.stdout)]


def test_providers_list_search_tolerates_typos_on_both_backends(ctx) -> None:
    from tests.conftest import TODAY
    from tests.market_data import build_market

    build_market(ctx, TODAY)
    url = ctx.location.url
    ctx.close()
    assert list_names(url, "--search", "nottingam") == ["Beacon Lodge"]
    assert list_names(url, "--search", "northgte", "--sort", "name") == [
        "Elm Court Supported Living", "Foxglove Flats", "Kestrel Lodgings"]
    leicester = list_names(url, "--search", "leicster")
    assert {"Cedar View", "Hillview", "Elm Court Supported Living", "Kestrel Lodgings",
            "Leicester In-house Fostering"} <= set(leicester)
    assert list_names(url, "--search", "leicster", "--type", "supported_accommodation", "--sort", "name") == [
        "Elm Court Supported Living", "Kestrel Lodgings"]
    assert list_names(url, "--search", "leicster", "--limit", "2") == leicester[:2]
    assert list_names(url, "--search", "zzzzqx") == []
    lines = run("--db", url, "providers", "list", "--search", "brightwya care").stdout.splitlines()
    assert lines and ("Ashfield House" in lines[0] or "Beacon Lodge" in lines[0])  # Brightway Care's
