"""`broker-tui sufficiency declines` (issue 15): the tables of declines by reason and by group, the longest
searches, --since/--until, --json with case references only, and one clear line for a bad date."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from tests.conftest import TODAY
from tests.services.test_decline_evidence import _searches
from tests.services.test_outreach import DOB, world  # noqa: F401 (the fixture)

D = dt.timedelta


@pytest.fixture
def cli(world):  # noqa: F811
    ctx, _view, ids = world
    _searches(ctx, ids)
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str):
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), "sufficiency", "declines", *args],
                             catch_exceptions=False)

    return run


def _line(out: str, start: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith(start))
    return line[len(start):].split()


def test_tables(cli) -> None:
    done = cli("--since", (TODAY - D(50)).strftime("%d/%m/%Y"), "--longest", "3")
    assert done.exit_code == 0, done.output
    out = done.stdout
    lines = out.splitlines()
    assert lines[0] == "Decline evidence from the search logs: received on or after 12/10/2026"
    assert lines[1] == "13 referral(s); 4 sent to services, 10 approach(es) in all"
    assert lines[2] == "Answers: 2 offered (20%), 4 declined (40%), 4 no reply (40%)"
    assert _line(out, "Cannot meet needs") == ["1", "17%", "25%"]  # of 6 answers, of 4 declines
    assert _line(out, "Location") == ["1", "17%", "25%"] and _line(out, "Impact on the children") == [
        "already", "there", "0", "0%", "0%"]
    assert "High need (level 3 or more)" in out and "Age band when received" in out
    # sent, offered, declined, rate, then no place, needs, where, price, impact, other
    assert _line(out, "Behaviour") == ["3", "0", "2", "100%", "0", "0", "1", "1", "0", "0"]
    assert _line(out, "Supported accommodation") == ["3", "0", "2", "100%", "0", "0", "1", "1", "0", "0"]
    assert _line(out, "Outside the area") == ["6", "0", "3", "100%", "1", "1", "1", "0", "0", "0"]
    assert _line(out, "In the council's area") == ["4", "2", "1", "33%", "0", "0", "0", "1", "0", "0"]
    assert _line(out, "Coventry") == ["1", "0", "1", "100%", "0", "0", "1", "0", "0", "0"]
    assert _line(out, "LCC-300002") == ["40", "open", "3", "0", "2"]
    longest = out.split("Longest to place")[1].splitlines()[2:5]
    assert [x.split()[0] for x in longest] == ["LCC-300002", "CR2400", "CR2401"]
    assert "LCC-300003" not in out  # received before --since
    assert out.rstrip().endswith("Placements Data Standard records imported: none (broker-tui referrals import "
                                 "--standard placements-v2)")
    for secret in ("QZ", "XY", "WV", DOB.strftime("%d/%m/%Y"), "01/06/2017"):
        assert secret not in out

    window = cli("--since", "2026-08-01", "--until", (TODAY - D(90)).strftime("%d/%m/%Y")).stdout
    assert window.splitlines()[0] == "Decline evidence from the search logs: received 01/08/2026 to 02/09/2026"
    assert _line(window, "LCC-300003") == ["100", "open", "1", "0", "1"]
    nothing = cli("--until", "01/01/2026").stdout
    assert "No referral in the period has been sent to a service: no answers to count." in nothing
    assert "Declines by reason" not in nothing and "Longest to place" not in nothing


def test_json(cli) -> None:
    done = cli("--json", "--since", (TODAY - D(15)).isoformat())
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["approaches"] == 3 and data["answers"]["declined"]["count"] == 2
    assert [r["declines"] for r in data["declines_by_reason"]] == [1, 1, 0, 0, 0, 0]
    assert data["longest_to_place"] == [{"case_ref": "LCC-300001", "placed": True, "days": 10,
                                         "services_approached": 3, "offers": 1, "declines": 2}]
    assert data["standard_records"] == {"files": 0, "total": 0, "by_placement_type": {}}
    every = cli("--json").stdout
    assert "LCC-300003" in every
    for secret in ("QZ", "XY", "WV", DOB.isoformat(), "2017-06-01", "initials", "date_of_birth"):
        assert secret not in every


def test_bad_dates(cli) -> None:
    bad = cli("--since", "31/02/2026")
    assert bad.exit_code == 2 and bad.stderr == "broker-tui: --since: '31/02/2026' is not a real date\n"
    assert bad.stdout == ""
    bad = cli("--until", "next week")
    assert bad.exit_code == 2 and "--until: 'next week' is not a date: use dd/mm/yyyy" in bad.stderr
    backwards = cli("--since", "01/12/2026", "--until", "01/11/2026")
    assert backwards.exit_code == 2
    assert "--until: the period ends before it starts (--since)" in backwards.stderr
    assert cli("--longest", "-1").exit_code == 2
