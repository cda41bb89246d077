"""`purchases list|show|add|submit|amend|approve|reject|cancel|end` through the command line: JSON in and out,
every problem by field on its own line, exit 1 and nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.store.tables import Offer
from tests.conftest import TODAY
from tests.services.test_purchases import counts, make_referral, make_service

D = dt.timedelta


@pytest.fixture
def cli(ctx, monkeypatch):
    """Run a command as a person (identity is the login or database role: here whoever the test says), with
    the settings file holding ``approvers`` when given."""
    service = make_service(ctx)
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str, who: str = "test.broker", approvers: str = "", input: str | None = None):
        monkeypatch.setattr("broker_tui.services.context.AppContext.identity", property(lambda self: who))
        if approvers:
            config = Path(os.environ["BROKER_TUI_CONFIG"])
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(approvers)
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    return run, ctx, service


APPROVERS = '[approvals]\nhigh_cost_weekly_pounds = 7500\n[approvals.approvers]\n"m.manager" = 15000\n'


def write(tmp_path: Path, data, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def agreement_json(service, **over) -> dict:
    data = {"case_ref": "LCC-600001", "service": str(service.id), "start_date": (TODAY + D(7)).strftime("%d/%m/%Y"),
            "planned_end": (TODAY + D(372)).isoformat(), "weekly_price_pence": 826_250,
            "core_weekly_pence": 800_000, "one_to_one_hours": 10.5, "one_to_one_hourly_pence": 2_500,
            "cost_centre": "CC-4410", "route_reason": "Solo placement, no framework home could take her"}
    data.update(over)
    return data


def _id(output: str) -> str:
    return output.split("spot agreement ", 1)[1].split(" ", 1)[0]


def test_add_submit_approve_amend_show_list_and_end(cli, tmp_path) -> None:
    run, ctx, service = cli
    result = run("purchases", "add", str(write(tmp_path, agreement_json(service))), "--submit")
    assert result.exit_code == 0, result.output
    assert "awaiting approval" in result.output and "£8,262.50 a week" in result.output
    agreement = _id(result.output)
    result = run("purchases", "approve", agreement, approvers=APPROVERS)
    assert result.exit_code == 1 and "cannot approve their own" in result.output
    result = run("purchases", "approve", "LCC-600001", who="m.manager", approvers=APPROVERS)
    assert result.exit_code == 0, result.output
    assert "approved by m.manager" in result.output
    result = run("purchases", "amend", agreement, "--kind", "uplift", "--from", "01/04/2027", "--uplift-bp", "300",
                 approvers=APPROVERS)
    assert result.exit_code == 0, result.output
    assert "£8,262.50 -> £8,510.38" in result.output and "awaiting approval" in result.output
    listed = json.loads(run("purchases", "list", "--awaiting", "--json", approvers=APPROVERS).output)
    assert [r["case_ref"] for r in listed["rows"]] == ["LCC-600001"]
    result = run("purchases", "approve", agreement, who="m.manager", approvers=APPROVERS)
    assert result.exit_code == 0, result.output
    assert "amendment approved" in result.output
    shown = json.loads(run("purchases", "show", agreement, "--json", approvers=APPROVERS).output)
    assert [(v["kind"], v["state"], v["weekly_price_pence"]) for v in shown["versions"]] == [
        ("as_made", "approved", 826_250), ("uplift", "approved", 851_038)]
    assert shown["versions"][0]["one_to_one_minutes"] == 630
    assert shown["projections"]["to_end"]["until"] == "planned end"
    assert shown["required_approvals"]["items"][0]["kind"] == "cost"
    text = run("purchases", "show", agreement, approvers=APPROVERS).output
    assert "1:1 10.5 h x £25.00 = £262.50" in text and "Annual uplift 3%" in text and "this financial year" in text
    listed = json.loads(run("purchases", "list", "--json").output)
    assert listed["total"] == 1 and listed["rows"][0]["weekly_now_pence"] == 0  # it starts next week
    result = run("purchases", "end", agreement, "--on", (TODAY + D(100)).isoformat(), "--reason-place-change",
                 "CARPL")
    assert result.exit_code == 0, result.output
    shown = json.loads(run("purchases", "show", agreement, "--json").output)
    assert shown["status"] == "ended" and shown["ended_on"] == (TODAY + D(100)).isoformat()
    assert shown["placement"]["reason_place_change"] == "CARPL"


def test_a_bad_agreement_file_reports_every_problem_by_field_and_writes_nothing(cli, tmp_path) -> None:
    run, ctx, service = cli
    before = counts(ctx)
    bad = agreement_json(service, weekly_price_pence=-5, planned_end="2020-01-01", social_care_pct=60,
                         cost_centre="", route_reason="")
    result = run("purchases", "add", str(write(tmp_path, bad)))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for field in ("weekly_price_pence", "planned_end", "funding", "cost_centre", "route_reason"):
        assert any(line.strip().startswith(f"{field}:") for line in lines), result.output
    assert "nothing was written" in result.output
    result = run("purchases", "add", str(write(tmp_path, {**agreement_json(service), "colour": "red"})))
    assert result.exit_code == 1 and "colour: is not a field here" in result.output
    assert counts(ctx) == before


def test_add_from_an_accepted_offer_takes_its_service_price_and_start(cli, tmp_path) -> None:
    run, ctx, service = cli
    referral = make_referral(ctx, "LCC-600009")
    with ctx.session() as s:
        offer = Offer(referral_id=referral.id, service_id=service.id, received_on=TODAY - D(2), outcome="offered",
                      weekly_price_pence=650_000, core_weekly_pence=600_000, staffing_weekly_pence=50_000,
                      start_date=TODAY + D(3), status="accepted", conditions="Weekly reports")
        s.add(offer)
    result = run("purchases", "add", "--from-offer", str(offer.id), str(write(tmp_path, {
        "cost_centre": "CC-1", "route_reason": "Best fit of the offers"})), "--submit")
    assert result.exit_code == 0, result.output
    shown = json.loads(run("purchases", "show", "LCC-600009", "--json").output)
    assert (shown["offer_id"], shown["referral_id"], shown["start_date"]) == (
        str(offer.id), str(referral.id), (TODAY + D(3)).isoformat())
    first = shown["versions"][0]
    assert (first["weekly_price_pence"], first["core_weekly_pence"], first["other_weekly_pence"]) == (
        650_000, 600_000, 50_000)
    assert "Staffing as offered" in first["other_text"] and shown["conditions"] == "Weekly reports"
    again = run("purchases", "add", "--from-offer", str(offer.id), str(write(tmp_path, {
        "cost_centre": "CC-1", "route_reason": "x"})))
    assert again.exit_code == 1 and "offer: this offer is already bought" in again.output


def test_reject_and_cancel_need_reasons_and_say_what_happened(cli, tmp_path) -> None:
    run, ctx, service = cli
    added = run("purchases", "add", str(write(tmp_path, agreement_json(service))), "--submit")
    agreement = _id(added.output)
    result = run("purchases", "reject", agreement, "--reason", " ", who="m.manager", approvers=APPROVERS)
    assert result.exit_code == 1 and "reason: say why" in result.output
    result = run("purchases", "reject", agreement, "--reason", "Too dear", who="m.manager", approvers=APPROVERS)
    assert result.exit_code == 0 and "nights are free" in result.output
    cheap = run("purchases", "add", str(write(tmp_path, agreement_json(service, weekly_price_pence=626_250,
                                                                      core_weekly_pence=600_000))))
    assert cheap.exit_code == 0, cheap.output
    result = run("purchases", "cancel", "LCC-600001", "--reason", "Plan changed")
    assert result.exit_code == 0, result.output
    listed = json.loads(run("purchases", "list", "--status", "cancelled", "--status", "rejected", "--json").output)
    assert sorted(r["status"] for r in listed["rows"]) == ["cancelled", "rejected"]
    result = run("purchases", "end", "LCC-600001", "--on", "01/01/2027", "--reason-place-change", "CARPL")
    assert result.exit_code == 1 and "no spot agreement LCC-600001" in result.output


def test_a_flagged_approval_is_recorded_with_who_and_when(cli, tmp_path) -> None:
    run, ctx, service = cli
    added = run("purchases", "add", str(write(tmp_path, agreement_json(service, weekly_price_pence=626_250,
                                                                       core_weekly_pence=600_000))))
    agreement = _id(added.output)
    result = run("purchases", "approve", agreement, "--kind", "out_of_area", "--by", "Nominated officer (J. Reid)",
                 "--on", (TODAY - D(1)).isoformat())
    assert result.exit_code == 0, result.output
    assert f"out of area approved by Nominated officer (J. Reid) on {(TODAY - D(1)).strftime('%d/%m/%Y')}" in \
        result.output and "matching did not flag it" in result.output
    shown = json.loads(run("purchases", "show", agreement, "--json").output)
    assert [(a["kind"], a["decided_by"]) for a in shown["approvals"]] == [("out_of_area", "Nominated officer (J. Reid)")]
    result = run("purchases", "approve", agreement, "--kind", "distant", "--refused")
    assert result.exit_code == 1 and "reason: say why it was refused" in result.output
