"""`outreach send|overdue`, `offers add|compare|accept` and `searchlog` through the command line."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from broker_tui.cli import main
from broker_tui.domain.provider_text import date_forms
from broker_tui.services.referrals import get_referral
from broker_tui.store.tables import Offer
from tests.conftest import TODAY
from tests.services.test_outreach import DOB, world  # noqa: F401 (the fixture)

D = dt.timedelta


@pytest.fixture
def cli(world):  # noqa: F811
    ctx, view, ids = world
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    return run, ctx, view, ids


def write(tmp_path: Path, data, name: str = "reply.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def offer_json(service, **over) -> dict:
    data = {"service": str(service), "outcome": "offered", "weekly_price_pence": 560_000,
            "parts": {"core": 480_000, "staffing": 80_000}, "start_date": (TODAY + D(7)).isoformat(),
            "valid_until": (TODAY + D(14)).strftime("%d/%m/%Y"), "conditions": "Impact assessment first"}
    data.update(over)
    return data


def offers_count(ctx) -> int:
    with ctx.session() as s:
        return s.scalar(select(func.count()).select_from(Offer))


def test_send_prints_or_saves_the_anonymised_text(cli, tmp_path) -> None:
    run, ctx, view, ids = cli
    result = run("outreach", "send", "LCC-300001", "--service", str(ids["Ashfield House"]), "--service", "SC100001",
                 "--reply-by", (TODAY + D(3)).strftime("%d/%m/%Y"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Placement referral LCC-300001\n")
    assert "Sent LCC-300001 to Ashfield House (Brightway Care Ltd): Pat Referrals" in result.stderr
    assert "Sent LCC-300001 to Beacon Lodge" in result.stderr
    for form in date_forms(DOB):
        assert form not in result.output
    assert "QZ" not in result.output
    assert get_referral(ctx, view.id).status == "sent_to_providers"
    out = tmp_path / "text.txt"
    result = run("outreach", "send", "LCC-300001", "--service", str(ids["Cedar View"]), "--reply-by",
                 (TODAY + D(3)).isoformat(), "--text-out", str(out))
    assert result.exit_code == 0, result.output
    assert "Referral text saved to" in result.stdout and "Placement referral" not in result.stdout
    assert out.read_text().startswith("Placement referral LCC-300001")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_send_refusals(cli) -> None:
    run, ctx, view, ids = cli
    result = run("outreach", "send", "LCC-300001", "--service", str(ids["Ashfield House"]), "--reply-by", "1/1/2020")
    assert result.exit_code == 1 and "reply_due_on: 2020-01-01 is in the past" in result.stderr
    result = run("outreach", "send", "LCC-300001", "--service", "nope", "--reply-by", "31/12/2026")
    assert result.exit_code == 1 and "nope: no such service" in result.stderr and "nothing was written" in result.stderr
    result = run("outreach", "send", "LCC-300001", "--service", "nope", "--reply-by", "someday")
    assert result.exit_code == 2 and "--reply-by" in result.stderr
    result = run("outreach", "send", "LCC-999", "--service", "nope", "--reply-by", "31/12/2026")
    assert result.exit_code == 1 and "no referral LCC-999" in result.stderr
    assert get_referral(ctx, view.id).status == "new"


def test_add_decline_and_offer_compare_accept_and_search_log(cli, tmp_path) -> None:
    run, ctx, view, ids = cli
    ashfield, cedar, beacon = (ids[n] for n in ("Ashfield House", "Cedar View", "Beacon Lodge"))
    args = ["outreach", "send", "LCC-300001", "--reply-by", TODAY.isoformat()]
    for sid in (ashfield, cedar, beacon):
        args += ["--service", str(sid)]
    assert run(*args).exit_code == 0
    decline = write(tmp_path, {"service": str(beacon), "outcome": "declined", "reason": "other",
                               "text": "Group is all younger children"}, "decline.json")
    result = run("offers", "add", "LCC-300001", str(decline))
    assert result.exit_code == 0, result.output
    assert "Decline recorded" in result.stdout and "referral sent to providers" in result.stdout
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, offer_json(ashfield))))
    assert result.exit_code == 0, result.output
    assert "referral offers received" in result.stdout
    result = run("offers", "add", "LCC-300001", "-", input=json.dumps(offer_json(
        cedar, weekly_price_pence=420_000, parts={"core": 400_000}, parts_note="plus a settling-in fee")))
    assert result.exit_code == 0, result.output

    result = run("offers", "compare", "LCC-300001", "--json")
    rows = json.loads(result.stdout)
    assert [r["service_name"] for r in rows] == ["Cedar View", "Ashfield House"]
    assert rows[1]["weekly_price_pence"] == 560_000 and rows[1]["valid_until"] == (TODAY + D(14)).isoformat()
    assert rows[1]["fit_score"] is not None and rows[1]["approvals"]
    table = run("offers", "compare", "LCC-300001").stdout
    assert "£5,600.00 a week (£900.00 under budget)" in table and "approval:" in table

    result = run("offers", "accept", rows[1]["offer_id"])
    assert result.exit_code == 0, result.output
    assert "referral LCC-300001 placement agreed" in result.stdout
    again = run("offers", "accept", rows[0]["offer_id"])
    assert again.exit_code == 1 and "not_taken" in again.stderr
    assert run("offers", "accept", "not-an-id").exit_code == 1

    log = run("searchlog", "LCC-300001").stdout
    assert "placement agreed 01/12/2026, 10 day(s) after it was received" in log
    assert "decline: Other: Group is all younger children" in log and "offer: £5,600.00 a week" in log
    out = tmp_path / "log.csv"
    result = run("searchlog", "LCC-300001", "--csv", str(out))
    assert result.exit_code == 0 and "Wrote 3 row(s)" in result.stdout
    text = out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "LCC-300001" in text and "QZ" not in text
    for form in date_forms(DOB):
        assert form not in text


def test_add_reports_every_problem_and_writes_nothing(cli, tmp_path) -> None:
    run, ctx, view, ids = cli
    run("outreach", "send", "LCC-300001", "--service", str(ids["Ashfield House"]), "--reply-by", TODAY.isoformat())
    bad = offer_json(ids["Ashfield House"], weekly_price_pence="lots", parts={"core": -1, "tips": 5},
                     start_date="soon", valid_until=None, colour="blue")
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, bad)))
    assert result.exit_code == 1
    for key in ("weekly_price_pence:", "parts.core:", "parts.tips:", "start_date:", "valid_until: is required",
                "colour: is not a field of an offer"):
        assert key in result.stderr, key
    assert "6 problem(s); nothing was written" in result.stderr
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, offer_json(
        ids["Ashfield House"], parts={"core": 100}))))
    assert result.exit_code == 1 and "parts: the parts add up to 100 pence" in result.stderr
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, {"service": "x", "outcome": "declined",
                                                                      "reason": "other"})))
    assert result.exit_code == 1 and 'text: is required when the reason is "other"' in result.stderr
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, "{not json")))
    assert result.exit_code == 2 and "is not valid JSON" in result.stderr
    result = run("offers", "add", "LCC-300001", str(write(tmp_path, offer_json(ids["Beacon Lodge"]))))
    assert result.exit_code == 1 and "the referral was not sent to Beacon Lodge" in result.stderr
    assert offers_count(ctx) == 1  # only the market's own offer (CR2406)
    assert get_referral(ctx, view.id).status == "sent_to_providers"


def test_overdue(cli) -> None:
    run, ctx, view, ids = cli
    result = run("outreach", "overdue", "--json")
    rows = json.loads(result.stdout)
    assert [(r["case_ref"], r["service"], r["days_overdue"]) for r in rows] == [
        ("CR2405", "Ashfield House", 2), ("CR2405", "Beacon Lodge", 1)]
    assert "CR2405         Ashfield House" in run("outreach", "overdue").stdout
