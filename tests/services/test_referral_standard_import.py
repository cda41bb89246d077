"""`referrals import --standard placements-v2`: an export read back (JSON and CSV) gives the same field values,
kept as sufficiency records with their source; a file with any problem is refused whole with every problem
and nothing written; the same file twice is refused; the records never appear as referrals (list, home
counts) and hold no identifier of a child. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker_tui.services.home import todays_work
from broker_tui.services.referrals import (
    AlreadyImported,
    ReferralQuery,
    StandardFileInvalid,
    export_standard,
    import_standard,
    list_referrals,
    sufficiency_summary,
)
from broker_tui.store.tables import AuditEvent, SufficiencyImport, SufficiencyRecord
from tests.services.test_referral_standard_export import STANDARD, _seed, _valid


def _counts(ctx) -> tuple[int, int, int]:
    with ctx.session() as s:
        return (s.scalar(select(func.count()).select_from(SufficiencyImport)) or 0,
                s.scalar(select(func.count()).select_from(SufficiencyRecord)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _records(ctx) -> list[SufficiencyRecord]:
    with ctx.session() as s:
        return list(s.scalars(select(SufficiencyRecord).order_by(SufficiencyRecord.row_number)))


def test_an_export_read_back_gives_the_same_fields_json_and_csv(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    export_standard(ctx, tmp_path / "out.json")
    export_standard(ctx, tmp_path / "out.csv")
    exported = json.loads((tmp_path / "out.json").read_text())

    done = import_standard(ctx, tmp_path / "out.json")
    assert (done.source, done.records) == ("out.json", 2)
    rows = _records(ctx)
    assert [r.fields for r in rows] == exported and [r.row_number for r in rows] == [1, 2]
    for r in rows:
        _valid(r.fields)
    placed, first = rows
    assert (placed.placement_type, placed.total_weekly_cost_pence, placed.placement_location) == (
        "residential", 612_300, {"kind": "district", "code": "LE3"})
    assert placed.suitability_residential == "preferred" and placed.child_id == exported[0]["childId"]
    assert first.preferred_location == {"kind": "la", "code": "E06000016"} and first.needed_by == "in less than 5 days"
    assert first.referral_date is not None and first.referral_date.isoformat() == "2026-11-30"

    import_standard(ctx, tmp_path / "out.csv")
    with ctx.session() as s:
        from_csv = [r.fields for r in s.scalars(select(SufficiencyRecord).join(SufficiencyImport).where(
            SufficiencyImport.source_name == "out.csv").order_by(SufficiencyRecord.row_number))]
        assert [r.row_number for r in s.scalars(select(SufficiencyRecord).join(SufficiencyImport).where(
            SufficiencyImport.source_name == "out.csv"))] == [2, 3]  # the CSV's own lines
    assert from_csv == exported

    summary = sufficiency_summary(ctx)
    assert [(name, n) for name, _at, _by, n in summary.imports] == [("out.json", 2), ("out.csv", 2)]
    assert summary.records == 4 and summary.by_placement_type == {"": 2, "residential": 2}


def test_the_records_are_never_referrals_and_hold_no_identifier(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    export_standard(ctx, tmp_path / "out.json")
    before = ([r.case_ref for r in list_referrals(ctx, ReferralQuery()).rows], todays_work(ctx, light=False))
    import_standard(ctx, tmp_path / "out.json")
    after = ([r.case_ref for r in list_referrals(ctx, ReferralQuery()).rows], todays_work(ctx, light=False))
    assert after[0] == before[0] and len(after[0]) == 2
    assert after[1].referrals_by_status == before[1].referrals_by_status
    assert after[1].needed_soonest == before[1].needed_soonest
    if ctx.location.path is not None:  # the light path the app takes on a SQLite file
        assert todays_work(ctx, light=True).referrals_by_status == before[1].referrals_by_status
    with ctx.session() as s:
        kept = json.dumps([[r.fields, r.preferred_location, r.placement_location] for r in s.scalars(
            select(SufficiencyRecord))])
        trail = json.dumps([[e.before, e.after] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.entity.in_(("sufficiency_import", "sufficiency_record"))))], default=str)
    for secret in ("LCC-100001", "LCC-200001", "100001", "200001", '"JS"', '"AB"', "2010-06-15", "15/06/2010"):
        assert secret not in kept and secret not in trail, secret
    with ctx.session() as s:
        actions = {(e.entity, e.action) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.entity.in_(("sufficiency_import", "sufficiency_record"))))}
    assert actions == {("sufficiency_import", "create"), ("sufficiency_record", "create")}


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_bad_file_is_refused_with_every_problem_and_nothing_written(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    export_standard(ctx, tmp_path / "good.csv")
    with (tmp_path / "good.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    rows[1]["fosterCareSuitability"] = "preferred"  # the label is "Preferred": line 3 of the file
    rows[0]["placementLocation"] = "LE2 1AB"  # a full postcode
    rows[0]["totalWeeklyCost"] = "612.30"
    bad = _csv(tmp_path / "bad.csv", rows)
    counted = _counts(ctx)
    with pytest.raises(StandardFileInvalid) as refused:
        import_standard(ctx, bad)
    found = {(p.line, p.field) for p in refused.value.problems}
    assert found == {(3, "fosterCareSuitability"), (2, "placementLocation"), (2, "totalWeeklyCost")}
    postcode = next(p.message for p in refused.value.problems if p.field == "placementLocation")
    assert "full postcode" in postcode
    assert _counts(ctx) == counted

    unknown = _csv(tmp_path / "unknown.csv", [{**rows[1], "fosterCareSuitability": "Preferred", "caseRef": "X"}])
    with pytest.raises(StandardFileInvalid) as refused:
        import_standard(ctx, unknown)
    assert [(p.line, p.field) for p in refused.value.problems] == [(1, "caseRef")]
    as_json = tmp_path / "bad.json"
    as_json.write_text(json.dumps([{"childId": 1}, {"childId": -1, "pets": "Yes - must", "nickname": "JS"},
                                   {"preferredLocation": "le2 1ab"}, "not an object"]))
    with pytest.raises(StandardFileInvalid) as refused:
        import_standard(ctx, as_json)
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (2, "childId"), (2, "nickname"), (3, "preferredLocation"), (3, "childId"), (4, "(record)")]
    for name, text in (("empty.json", "[]"), ("broken.json", "[{"), ("object.json", "{}"), ("empty.csv", "")):
        (tmp_path / name).write_text(text)
        with pytest.raises(StandardFileInvalid):
            import_standard(ctx, tmp_path / name)
    with pytest.raises(StandardFileInvalid):
        import_standard(ctx, tmp_path / "out.txt")
    assert _counts(ctx) == counted


def test_the_same_file_twice_is_refused(ctx, tmp_path: Path) -> None:
    _seed(ctx)
    export_standard(ctx, tmp_path / "out.json")
    import_standard(ctx, tmp_path / "out.json")
    counted = _counts(ctx)
    (tmp_path / "renamed.json").write_bytes((tmp_path / "out.json").read_bytes())
    with pytest.raises(AlreadyImported) as refused:
        import_standard(ctx, tmp_path / "renamed.json")
    assert "imported already, on 01/12/2026" in str(refused.value) and "out.json" in str(refused.value)
    assert _counts(ctx) == counted


def test_the_standard_fields_are_the_exports() -> None:
    from broker_tui.domain.referrals.standard_records import CHOICES, FIELDS, LISTS

    assert list(FIELDS) == list(STANDARD)
    for name, options in STANDARD.items():
        if name in CHOICES:
            assert list(CHOICES[name]) == options, name
        elif name in LISTS:
            assert list(LISTS[name][0]) == options, name
        else:
            assert options is None, name
