"""`contracts list|show|add|amend|place|unit|end` through the command line: JSON in and out, every problem by
field on its own line, exit 1 and nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.services.contracts import show_contract
from tests.conftest import TODAY
from tests.services.test_contracts import counts, make_service

D = dt.timedelta


@pytest.fixture
def cli(ctx):
    service = make_service(ctx)
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    return run, ctx, service


def write(tmp_path: Path, data, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def contract_json(service, **over) -> dict:
    data = {"service": str(service.id), "reference": "BC-C-01", "name": "16+ flats", "for_16_plus": True,
            "starts_on": (TODAY - D(100)).isoformat(), "ends_on": (TODAY + D(265)).strftime("%d/%m/%Y"),
            "units": ["Flat 1", "Flat 2"], "unit_weekly_pence": 70_000, "extension_option": "12 months"}
    data.update(over)
    return data


def test_add_place_show_list_amend_and_end_a_block_placement(cli, tmp_path) -> None:
    run, ctx, service = cli
    result = run("contracts", "add", str(write(tmp_path, contract_json(service))))
    assert result.exit_code == 0, result.output
    assert "BC-C-01 registered" in result.output and "2 unit(s)" in result.output
    result = run("contracts", "place", "BC-C-01", "--case-ref", "LCC-400001", "--start", "28/11/2026")
    assert result.exit_code == 0, result.output
    placement_id = result.output.strip().rsplit("placement ", 1)[1].rstrip(")")
    placed = json.loads(run("contracts", "show", "BC-C-01", "--json").output)
    assert [(u["label"], u["case_ref"]) for u in placed["units"]] == [("Flat 1", "LCC-400001"), ("Flat 2", "")]
    assert placed["unit_weekly_pence"] == 70_000 and placed["ends_on"] == (TODAY + D(265)).isoformat()
    listed = json.loads(run("contracts", "list", "--json").output)
    assert [(r["reference"], r["units"], r["occupied"], r["voids"]) for r in listed] == [("BC-C-01", 2, 1, 1)]
    result = run("contracts", "amend", "BC-C-01", "--kind", "uplift", "--from", TODAY.isoformat(), "--uplift-bp", "350")
    assert result.exit_code == 0, result.output
    assert "£724.50" in result.output
    result = run("contracts", "end", placement_id, "--on", "10/12/2026", "--reason-place-change", "CARPL")
    assert result.exit_code == 0, result.output
    assert "ends 10/12/2026" in result.output
    text = run("contracts", "show", "BC-C-01", "--on", "10/12/2026").output
    assert "Flat 1" in text and "Uplift 3.5%" in text and "Usage" in text
    assert show_contract(ctx, "BC-C-01", on=TODAY + D(9)).units[0].case_ref == ""


def test_a_bad_contract_file_reports_every_problem_by_field_and_writes_nothing(cli, tmp_path) -> None:
    run, ctx, service = cli
    before = counts(ctx)
    bad = contract_json(service, reference="", ends_on="2020-01-01", unit_weekly_pence=-5, units=0)
    result = run("contracts", "add", str(write(tmp_path, bad)))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for field in ("reference", "ends_on", "unit_weekly_pence", "units"):
        assert any(line.strip().startswith(f"{field}:") for line in lines), result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert counts(ctx) == before


def test_an_unknown_field_in_the_file_is_named(cli, tmp_path) -> None:
    run, _ctx, service = cli
    result = run("contracts", "add", str(write(tmp_path, {**contract_json(service), "colour": "blue"})))
    assert result.exit_code == 1 and "colour: is not a field here" in result.output


def test_add_from_options_and_a_full_contract_says_buy_a_spot_agreement(cli, tmp_path) -> None:
    run, ctx, service = cli
    result = run("contracts", "add", "--service", str(service.id), "--reference", "BC-C-02", "--name", "One bed",
                 "--starts-on", (TODAY - D(10)).isoformat(), "--ends-on", (TODAY + D(100)).isoformat(),
                 "--units", "1", "--unit-price", "900.00")
    assert result.exit_code == 0, result.output
    assert run("contracts", "place", "BC-C-02", "--case-ref", "LCC-400002", "--start", TODAY.isoformat()).exit_code == 0
    before = counts(ctx)
    result = run("contracts", "place", "BC-C-02", "--case-ref", "LCC-400003", "--start", TODAY.isoformat())
    assert result.exit_code == 1
    assert "contract: BC-C-02 is full" in result.output and "spot agreement" in result.output
    assert counts(ctx) == before
    result = run("contracts", "place", "BC-C-02", "--case-ref", "LCC-400003", "--start",
                 (TODAY + D(100)).isoformat())
    assert result.exit_code == 1 and "has expired" in result.output


def test_place_from_json_on_standard_input(cli, tmp_path) -> None:
    run, _ctx, service = cli
    run("contracts", "add", str(write(tmp_path, contract_json(service))))
    data = json.dumps({"case_ref": "LCC-400004", "start_date": TODAY.isoformat(), "unit": "Flat 2"})
    result = run("contracts", "place", "BC-C-01", "-", input=data)
    assert result.exit_code == 0, result.output
    result = run("contracts", "place", "BC-C-01", "-", input=json.dumps({"case_ref": "LCC-400005",
                                                                          "start_date": TODAY.isoformat(),
                                                                          "unit": "Flat 2"}))
    assert result.exit_code == 1 and "unit: Flat 2 is taken by LCC-400004" in result.output


@pytest.mark.parametrize(("args", "words"), [
    (["--on", "01/01/2020", "--reason-place-change", "CARPL"], "end_date: must be after the start"),
    (["--on", "10/12/2026"], "reason: give one reason"),
    (["--on", "10/12/2026", "--reason-place-change", "CARPL", "--reason-episode-ceased", "E4A"], "not both"),
    (["--on", "10/12/2026", "--reason-episode-ceased", "ZZZ"], "reason_episode_ceased: 'ZZZ' is not a REC code"),
])
def test_a_bad_end_is_refused_with_nothing_written(cli, tmp_path, args, words) -> None:
    run, ctx, service = cli
    run("contracts", "add", str(write(tmp_path, contract_json(service))))
    out = run("contracts", "place", "BC-C-01", "--case-ref", "LCC-400006", "--start", TODAY.isoformat()).output
    placement_id = out.strip().rsplit("placement ", 1)[1].rstrip(")")
    before = counts(ctx)
    result = run("contracts", "end", placement_id, *args)
    assert result.exit_code == 1 and words in result.output, result.output
    assert counts(ctx) == before


def test_unit_status_and_unknown_things(cli, tmp_path) -> None:
    run, _ctx, service = cli
    run("contracts", "add", str(write(tmp_path, contract_json(service))))
    result = run("contracts", "unit", "BC-C-01", "Flat 1", "held", "--reason", "Young person arriving Monday")
    assert result.exit_code == 0 and "Flat 1 is held from 01/12/2026" in result.output
    result = run("contracts", "unit", "BC-C-01", "Flat 2", "held")
    assert result.exit_code == 1 and "reason: say why" in result.output
    result = run("contracts", "show", "BC-NOPE")
    assert result.exit_code == 1 and "contract: no block contract BC-NOPE" in result.output
    result = run("contracts", "end", "not-an-id", "--on", "10/12/2026", "--reason-place-change", "CARPL")
    assert result.exit_code == 1 and "placement: no placement" in result.output
    assert json.loads(run("contracts", "list", "--not-16-plus", "--json").output) == []
