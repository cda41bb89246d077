"""`broker-tui match`: the worked cases' market through the command line, JSON and table, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from tests.conftest import TODAY
from tests.domain import matching_cases as mc

DOB = "2012-05-17"


@pytest.fixture
def cli(tmp_path: Path):
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database

    db = tmp_path / "match.sqlite3"
    ctx = AppContext.for_target(str(db), today=TODAY)
    prepare_database(ctx, seed_demo_if_new=False)
    mc.load_into_store(ctx)
    ctx.close()
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--db", str(db), "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    return run


def test_json_ranks_explains_and_excludes(cli) -> None:
    result = cli("match", "MC-R1", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [r["service"] for r in out["results"]] == ["Oakfield House", "Harbour View"]
    first = out["results"][0]
    assert set(first["parts"]) == {"need_fit", "specialist", "cost", "place", "quality", "strategy"}
    assert first["estimate"]["weekly_pence"] == 560_000 and first["estimate"]["over_budget_pence"] == -90_000
    assert first["estimate"]["end_date"] is None and first["estimate"]["to_end_basis"] == "18th birthday"
    assert "£900 under budget" in first["explanation"]
    assert any("Director of Children's Services" in a for a in first["approvals"])
    assert "excluded" not in out  # by default only the counts: every excluded service with --excluded all
    summary = out["exclusions"]
    assert summary["total"] == 10
    by_rule = {c["rule"]: c for c in summary["by_reason"]}
    assert by_rule["avoid_area"]["count"] >= 1 and by_rule["avoid_area"]["reason"] == "inside an area to keep away from"
    counts = [c["count"] for c in summary["by_reason"]]
    assert counts == sorted(counts, reverse=True) and all(counts)


def test_json_lists_every_excluded_service_with_excluded_all(cli) -> None:
    out = json.loads(cli("match", "MC-R1", "--json", "--excluded", "all").output)
    excluded = {e["service"]: e for e in out["excluded"]}
    assert len(excluded) == 10 == out["exclusions"]["total"]
    assert "needs a section 25 order" in " ".join(excluded["Hawthorn Secure"]["reasons"])
    assert "avoid_area" in excluded["Beaumont Lodge"]["rules"]
    # a service excluded for several reasons counts under each
    by_rule = {c["rule"]: c["count"] for c in out["exclusions"]["by_reason"]}
    for rule, n in by_rule.items():
        assert n == sum(rule in e["rules"] for e in out["excluded"]), rule
    assert sum(by_rule.values()) == sum(len(e["rules"]) for e in out["excluded"]) > 10
    first3 = json.loads(cli("match", "MC-R1", "--json", "--excluded", "3").output)["excluded"]
    assert first3 == out["excluded"][:3]
    wrong = cli("match", "MC-R1", "--json", "--excluded", "some")
    assert wrong.exit_code != 0 and "neither 'all' nor a number" in wrong.output


def test_top_and_table(cli) -> None:
    result = cli("match", "MC-R6", "--top", "2")
    assert result.exit_code == 0, result.output
    assert "Leicester Fostering" in result.output and "Brightstart Fostering" in result.output
    assert "Kinfield Family Placements" not in result.output.split("Excluded")[0]
    assert "need 1.00" in result.output and "Excluded:" in result.output and "By rule: " in result.output
    one = cli("match", "MC-R1", "--excluded", "1").output
    listed = one.split("of a type sought:")[1].split("By rule")[0].strip().splitlines()
    assert len(listed) == 2 and "more (--excluded all lists every one)" in listed[1]
    empty = cli("match", "MC-R2")
    assert "No results" in empty.output and "under 16" in empty.output


def test_a_referral_file_is_matched_without_initials_or_date_of_birth(cli, tmp_path: Path) -> None:
    raw = {"case_ref": "LCC-777001", "initials": "QZ", "date_of_birth": DOB, "needed_by": "2026-12-08",
           "types_sought": ["fostering_in_house", "fostering_ifa"], "school_district": "LE2",
           "needs": {"behaviour": 2, "emotional": 2}, "budget_weekly_pence": 100_000, "gender": "F"}
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(raw))
    for args in (("--json",), ()):
        result = cli("match", "--referral", str(path), *args)
        assert result.exit_code == 0, result.output
        assert "QZ" not in result.output and DOB not in result.output and "17/05/2012" not in result.output
        assert "2030-05-17" not in result.output  # nor the 18th birthday, which would give the date of birth away
    out = json.loads(cli("match", "--referral", str(path), "--json").output)
    assert out["case_ref"] == "LCC-777001" and out["results"][0]["service"] == "Leicester Fostering"
    stdin = cli("match", "--referral", "-", "--json", input=json.dumps(raw))
    assert stdin.exit_code == 0 and json.loads(stdin.output)["total_candidates"] == 3


def test_clear_errors(cli, tmp_path: Path) -> None:
    missing = cli("match", "NO-SUCH-REF")
    assert missing.exit_code == 1 and "no referral 'NO-SUCH-REF'" in missing.output
    neither = cli("match")
    assert neither.exit_code == 2 and "one of them" in neither.output
    both = cli("match", "MC-R1", "--referral", str(tmp_path / "x.json"))
    assert both.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    broken = cli("match", "--referral", str(bad))
    assert broken.exit_code == 2 and "is not valid JSON" in broken.output
    bad.write_text(json.dumps({"case_ref": "LCC-1", "types_sought": ["nonsense"]}))
    invalid = cli("match", "--referral", str(bad))
    assert invalid.exit_code == 1 and "types_sought" in invalid.output and "nothing was matched" in invalid.output
    unreadable = cli("match", "--referral", str(tmp_path / "absent.json"))
    assert unreadable.exit_code == 2 and "cannot read" in unreadable.output
