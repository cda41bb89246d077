"""The 16+ review written as a zip of CSVs, an Excel workbook and JSON, from a small review made through the
services on SQLite and PostgreSQL, and from Review values made by hand: every table and sheet, their headers
and typed values (money exact to the penny, percentages, dates), the workbook's formats, frozen header rows,
widths and charts; owner-only files written whole or not at all; and no child's initials or date of birth
in any of them (case references only).

The period is 1 January to 31 March 2026 (90 nights). BC-X-01 (ring-fenced shared, 16-17) holds 2 units at
£700.00 a week all period with one young person in: 180 unit-days, 90 occupied (50.0%), paid 180 x 70,000 /
7 = £18,000.00. BC-X-02 (care leavers) holds one empty unit at £350.00: 90 unit-days, paid £4,500.00. The
child with initials QXZ (born 15/06/2009) has a spot agreement from 1 February at £500.00 a week: 59 nights,
59 x 50,000 / 7 = 421,428.57 -> £4,214.29."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from broker_tui.services.contracts import PlaceInput, add_contract, place_in_block
from broker_tui.services.purchases import add_agreement
from broker_tui.services.reference import ensure_reference_data
from broker_tui.services.review import Review, review_16_plus
from broker_tui.services.review.export import FileRefused, default_file_name, write_review
from broker_tui.store.tables import Referral
from tests.conftest import TODAY
from tests.services.test_contracts import contract_input
from tests.services.test_purchases import spot
from tests.services.test_review import sixteen_plus_service as service

D = dt.date
CSV_TABLES = {"summary", "totals", "contracts", "voids", "contract_months", "prices", "spot_lines", "spot_groups",
              "block_vs_spot", "block_size", "endings", "spend_by_month", "assumptions"}
SHEETS = ["Summary", "Totals", "Contracts", "Utilisation by month", "Voids", "Contract months", "Prices",
          "Spot lines", "Spot groups", "Block vs spot", "Block size", "Endings", "Spend by month", "Assumptions"]
INITIALS, BORN = "QXZ", D(2009, 6, 15)
CHILD_DETAILS = (INITIALS.encode(), BORN.isoformat().encode(), b"15/06/2009", b"15-06-2009",
                 str((BORN - D(1899, 12, 30)).days).encode())  # the last: the date as a spreadsheet number


def make_review(ctx) -> Review:
    ensure_reference_data(ctx)
    shared = service(ctx, "Northgate Shared Houses", category="ring_fenced_shared")
    flats = service(ctx, "Riverside Flats", category="single_occupancy")
    adults = service(ctx, "Care Leavers Lodgings", stype="care_leavers_18_plus")
    add_contract(ctx, contract_input(shared, reference="BC-X-01", starts_on=D(2026, 1, 1), ends_on=D(2027, 1, 1),
                                     units=["Unit 1", "Unit 2"], unit_weekly_pence=70_000))
    add_contract(ctx, contract_input(adults, reference="BC-X-02", name="Care leavers' flat", starts_on=D(2026, 1, 1),
                                     ends_on=D(2027, 1, 1), units=["Flat A"], unit_weekly_pence=35_000))
    place_in_block(ctx, PlaceInput(contract="BC-X-01", unit="Unit 1", case_ref="LCC-500001", start_date=D(2026, 1, 1)))
    with ctx.session() as s:
        child = Referral(case_ref="LCC-500002", initials=INITIALS, date_received=D(2026, 1, 10),
                         needed_by=D(2026, 2, 1), date_of_birth=BORN, status="placement_agreed")
        s.add(child)
    for data in (spot(flats, case_ref="LCC-500002", referral=str(child.id), start_date=D(2026, 2, 1),
                      planned_end=D(2027, 1, 1), weekly_price_pence=50_000, core_weekly_pence=50_000),
                 spot(shared, case_ref="LCC-500003", start_date=D(2026, 1, 1), planned_end=D(2027, 1, 1),
                      weekly_price_pence=60_000, core_weekly_pence=60_000),
                 spot(adults, case_ref="LCC-500004", start_date=D(2026, 3, 1), planned_end=D(2026, 6, 1),
                      weekly_price_pence=30_000, core_weekly_pence=30_000)):
        assert add_agreement(ctx, data, submit=True).status == "active"
    return review_16_plus(ctx, "01/01/2026", "31/03/2026")


@pytest.fixture
def review(ctx) -> Review:
    return make_review(ctx)


@pytest.fixture
def folder(tmp_path) -> Path:
    """An empty folder of its own (the SQLite database lives in tmp_path)."""
    made = tmp_path / "exports"
    made.mkdir()
    return made


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def records(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------------------------------------- the figures

def test_the_review_behind_the_exports(review) -> None:
    """The hand-worked figures the exports are checked against."""
    first, second = review.contracts  # 16-17s first, as COHORTS orders them
    assert (first.reference, first.available_unit_days, first.occupied_unit_days, first.paid_pence) == (
        "BC-X-01", 180, 90, 1_800_000)
    assert (second.reference, second.cohort, second.paid_pence) == ("BC-X-02", "care_leavers_18_plus", 450_000)
    assert {line.case_ref: line.paid_pence for line in review.spot_lines}["LCC-500002"] == 421_429


def test_the_csv_zip_holds_every_table_with_exact_money(review, tmp_path) -> None:
    path = write_review(review, tmp_path / "review.zip", "csv")
    files = members(path)
    assert set(files) == {f"{name}.csv" for name in CSV_TABLES}
    for name, data in files.items():
        assert data.startswith(b"\xef\xbb\xbf") and rows_of(data)[0][0], name  # a header row, UTF-8 for Excel
    contracts = {r["Reference"]: r for r in records(files["contracts.csv"])}
    assert contracts["BC-X-01"]["Paid"] == "18000.00" and contracts["BC-X-01"]["Utilisation"] == "50.0"
    assert contracts["BC-X-01"]["Starts on"] == "2026-01-01" and contracts["BC-X-02"]["Paid"] == "4500.00"
    assert contracts["BC-X-01"]["Unit weekly price now"] == "700.00"
    lines = {r["Case reference"]: r for r in records(files["spot_lines.csv"])}
    assert lines["LCC-500002"]["Paid"] == "4214.29" and lines["LCC-500002"]["Start"] == "2026-02-01"
    totals = records(files["totals.csv"])  # a row per cohort, nothing adding them up
    assert [t["Cohort"] for t in totals] == list(review.cohorts.values())
    assert [t["Block paid"] for t in totals] == ["18000.00", "4500.00"]
    summary = rows_of(files["summary.csv"])
    assert summary[0] == ["Item", "Value"] and ["First night", "2026-01-01"] in summary and ["Nights", "90"] in summary
    months = [r for r in records(files["contract_months.csv"]) if r["Reference"] == "BC-X-01"]
    assert [(m["Month"], m["Utilisation"]) for m in months] == [
        ("2026-01-01", "50.0"), ("2026-02-01", "50.0"), ("2026-03-01", "50.0")]
    sizes = [r for r in records(files["block_size.csv"]) if r["Category"] == "Ring-fenced shared"]
    assert [r["Units (k)"] for r in sizes] == [str(k) for k in range(len(sizes))]
    assert sum(r["Best"] == "best" for r in sizes) == 1
    spend = records(files["spend_by_month.csv"])
    assert {r["Cohort"] for r in spend} == set(review.cohorts.values()) and len(spend) == 6
    assumptions = records(files["assumptions.csv"])
    assert [a["Assumption"] for a in assumptions] == list(review.assumptions)


def test_the_workbook_has_its_sheets_formats_frozen_headers_and_charts(review, tmp_path) -> None:
    from openpyxl import load_workbook

    steps: list[tuple[int, int, str]] = []
    path = write_review(review, tmp_path / "review.xlsx", "xlsx", lambda *step: steps.append(step))
    assert [what for _, _, what in steps] == SHEETS and steps[-1][:2] == (len(SHEETS), len(SHEETS))
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
    summary = book["Summary"]
    cells = {row[0]: row[1:] for row in summary.iter_rows(values_only=True) if row[0]}
    assert cells["First night"][0] == dt.datetime(2026, 1, 1) and cells["Nights"][0] == 90
    assert cells["Figure"][:2] == tuple(review.cohorts.values())  # the cohorts side by side: no third column
    assert cells["Block paid"][:2] == (18_000, 4_500) and cells["Figure"][2:] == (None,) * len(cells["Figure"][2:])
    assert review.assumptions[0] in cells
    contracts = book["Contracts"]
    header = [c.value for c in contracts[1]]
    assert header[:3] == ["Cohort", "Reference", "Name"] and all(c.font.b for c in contracts[1])
    row = {h: c for h, c in zip(header, contracts[2], strict=True)}
    assert row["Reference"].value == "BC-X-01"
    assert row["Paid"].value == 18_000 and row["Paid"].number_format == "£#,##0.00"
    assert row["Utilisation"].value == 0.5 and row["Utilisation"].number_format == "0.0%"
    assert row["Starts on"].value == dt.datetime(2026, 1, 1) and row["Starts on"].number_format == "dd/mm/yyyy"
    assert contracts.column_dimensions["C"].width >= len("Care leavers' flat")
    lines = book["Spot lines"]
    header = [c.value for c in lines[1]]
    paid = {r[header.index("Case reference")].value: r[header.index("Paid")] for r in lines.iter_rows(min_row=2)}
    assert paid["LCC-500002"].value == pytest.approx(4214.29) and paid["LCC-500002"].number_format == "£#,##0.00"
    sheet_xml = members(path)["xl/worksheets/sheet8.xml"].decode()  # "Spot lines": the pence written exactly
    assert "<v>4214.29</v>" in sheet_xml
    use = book["Utilisation by month"]
    assert [c.value for c in use[1]][:3] == ["Month", "BC-X-01", "BC-X-02"]
    assert [r[0].value for r in use.iter_rows(min_row=2)] == [dt.datetime(2026, m, 1) for m in (1, 2, 3)]
    assert use["B2"].value == 0.5 and use["B2"].number_format == "0.0%" and use["C2"].value == 0
    assert len(use._charts) == 2  # a line chart per cohort
    chart_xml = next(data for name, data in members(path).items() if name.startswith("xl/charts/chart"))
    assert chart_xml.count(b'<smooth val="0"/>') == chart_xml.count(b"<ser>") > 0  # straight month to month


def test_the_json_round_trips(review, tmp_path) -> None:
    path = write_review(review, tmp_path / "review.json", "json")
    assert json.loads(path.read_text("utf-8")) == json.loads(json.dumps(review.to_json()))


# -------------------------------------------------------------------------------------- the files themselves

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_no_export_holds_a_child_s_initials_or_date_of_birth(review, tmp_path, fmt) -> None:
    path = write_review(review, tmp_path / default_file_name(review, fmt), fmt)
    raw = path.read_bytes()
    texts = [raw, *members(path).values()] if zipfile.is_zipfile(path) else [raw]
    assert any(b"LCC-500002" in text for text in texts)  # the child is there, by case reference only
    for text in texts:
        for detail in CHILD_DETAILS:
            assert detail not in text, (fmt, detail)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_files_are_owner_only_even_over_a_wider_file(review, folder, fmt) -> None:
    path = folder / f"review.{fmt}"
    path.write_text("old")
    os.chmod(path, 0o644)
    assert write_review(review, path, fmt) == path
    assert mode(path) == 0o600 and path.read_bytes() != b"old"
    assert os.listdir(folder) == [path.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_failure_half_way_leaves_no_file_and_no_temporary_one(review, folder, fmt) -> None:
    from openpyxl.worksheet import _writer

    openpyxl_temporaries = list(_writer.ALL_TEMP_FILES)

    def fail_on_the_third(done: int, total: int, what: str) -> None:
        if done == min(3, total):
            raise RuntimeError("disk pulled out")

    with pytest.raises(RuntimeError, match="disk pulled out"):
        write_review(review, folder / "new", fmt, fail_on_the_third)
    assert os.listdir(folder) == []
    kept = folder / "kept"
    kept.write_bytes(b"what was there before")
    with pytest.raises(RuntimeError):
        write_review(review, kept, fmt, fail_on_the_third)
    assert kept.read_bytes() == b"what was there before" and os.listdir(folder) == ["kept"]
    assert openpyxl_temporaries == _writer.ALL_TEMP_FILES  # openpyxl's streamed sheets went too


def test_bad_targets_are_refused_in_a_line(review, folder) -> None:
    with pytest.raises(FileRefused, match="no folder"):
        write_review(review, folder / "missing" / "review.xlsx", "xlsx")
    with pytest.raises(FileRefused, match="is a folder"):
        write_review(review, folder, "json")
    with pytest.raises(FileRefused, match="give a file name"):
        write_review(review, " ", "json")
    with pytest.raises(ValueError, match="csv, xlsx, json"):
        write_review(review, folder / "review.pdf", "pdf")
    assert os.listdir(folder) == []


# ------------------------------------------------------------------------------------ reviews made by hand

def test_text_that_a_spreadsheet_would_run_is_written_as_text(sqlite_ctx, tmp_path) -> None:
    from openpyxl import load_workbook

    review = make_review(sqlite_ctx)
    line = dataclasses.replace(review.spot_lines[0], provider_name="=HYPERLINK(\"http://x\")", service_name="a\x1bb")
    hostile = dataclasses.replace(review, spot_lines=(line, *review.spot_lines[1:]))
    files = members(write_review(hostile, tmp_path / "r.zip", "csv"))
    first = records(files["spot_lines.csv"])[0]
    assert first["Provider"] == "'=HYPERLINK(\"http://x\")" and first["Service"] == "a\\x1bb"
    book = load_workbook(write_review(hostile, tmp_path / "r.xlsx", "xlsx"))
    cell = book["Spot lines"]["C2"]
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_an_empty_review_writes_headers_and_no_chart(sqlite_ctx, tmp_path) -> None:
    from openpyxl import load_workbook

    review = review_16_plus(sqlite_ctx)
    assert review.contracts == () and review.period.last_day == TODAY - dt.timedelta(days=1)
    files = members(write_review(review, tmp_path / "r.zip", "csv"))
    assert rows_of(files["contracts.csv"]) == [rows_of(files["contracts.csv"])[0]]
    book = load_workbook(write_review(review, tmp_path / "r.xlsx", "xlsx"))
    assert book.sheetnames == SHEETS and book["Utilisation by month"]._charts == []
    totals = {row[0]: row[1:] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert totals["Block paid"][:2] == (Decimal(0), Decimal(0)) and totals["Utilisation"][:2] == (None, None)


def test_openpyxl_is_loaded_only_when_a_workbook_is_written() -> None:
    code = ("import sys\n"
            "import broker_tui.services.review, broker_tui.services.review.export, broker_tui.cli.commands\n"
            "print('openpyxl' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
