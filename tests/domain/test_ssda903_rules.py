"""The SSDA903 return read and checked (domain.sufficiency.ssda903 and .checks): every rule names the file,
the line and the field, with its DfE rule code; queries are listed but do not refuse the return."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from broker_tui.domain.sufficiency.checks import ReturnRows, check_return
from broker_tui.domain.sufficiency.codes import CodeLists
from broker_tui.domain.sufficiency.keep import forecast_data
from broker_tui.domain.sufficiency.ssda903 import outward_code, read_table_file
from broker_tui.resources import SEED_DIR

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,PL_LA\n"
UASC = "CHILD,SEX,DOB,DUC\n"
OC3 = "CHILD,IN_TOUCH,ACTIV,ACCOM,SEX,DOB\n"
HEADER_ROW = "C1,1,15/03/2010,WBRI,A123456789012,,\n"
EPISODE_ROW = "C1,01/05/2023,S,C2,N1,U4,PR1,,,,LE1 5WW,LE2 7TR,,E06000016\n"


@pytest.fixture(scope="module")
def codes() -> CodeLists:
    with open(SEED_DIR / "ssda903_code_lists.csv", newline="", encoding="utf-8") as fh:
        return CodeLists.from_rows(csv.DictReader(fh))


def check(codes: CodeLists, **files: str) -> ReturnRows:
    """Files by name (header_2023-24 ...) -> the checked return."""
    return check_return([read_table_file(f"{name}.csv", text, codes) for name, text in files.items()])


def found(rows: ReturnRows) -> list[tuple[str, int, str, str, bool]]:
    return [(p.file, p.line, p.field, p.rule, p.query) for p in rows.problems]


def episodes(codes: CodeLists, *lines: str, header: str = HEADER_ROW) -> ReturnRows:
    return check(codes, **{"header_2023-24": HEADER + header, "episodes_2023-24": EPISODES + "".join(lines)})


def test_a_clean_return(codes: CodeLists) -> None:
    rows = episodes(codes, EPISODE_ROW)
    assert rows.problems == [] and len(rows.episodes) == 1 and len(rows.headers) == 1
    data = forecast_data(rows)
    assert [(c.birth_month, c.sex, c.uasc) for c in data.children] == [("2010-03", "M", False)]
    e = data.episodes[0]
    assert (e.decom, e.dec, e.place, e.pl_district, e.home_district, e.pl_la, e.year) == (
        dt.date(2023, 5, 1), None, "U4", "LE2", "LE1", "E06000016", "2023-24")


@pytest.mark.parametrize(("start", "code", "ok"), [
    ("01/10/2023", "H5", True), ("28/10/2023", "H5", True), ("2023-11-01", "H5", False), ("01/11/2023", "P2", False),
    ("01/10/2023", "P2", True), ("31/03/2024", "K3", False), ("2024-04-01", "K3", True), ("01/06/2024", "Z11", False),
    ("01/04/2025", "Z14", True)])
def test_placement_codes_by_the_day_the_episode_started(codes: CodeLists, start: str, code: str, ok: bool) -> None:
    from broker_tui.domain.dates import parse_date
    from broker_tui.domain.sufficiency.codes import collection_year

    year = collection_year(parse_date(start))
    header = HEADER_ROW if year < "2024-25" else HEADER_ROW.replace("C1,1,", "C1,M,")  # SEX M/F/U from 2024-25
    row = EPISODE_ROW.replace("01/05/2023", start).replace("U4,PR1", f"{code},PR4")
    rows = check(codes, **{f"header_{year}": HEADER + header, f"episodes_{year}": EPISODES + row})
    assert found(rows) == ([] if ok else [(f"episodes_{year}.csv", 2, "PLACE", "146", False)])


def test_sex_codes_by_the_collection_year(codes: CodeLists) -> None:
    assert found(check(codes, **{"header_2024-25": HEADER + HEADER_ROW})) == [
        ("header_2024-25.csv", 2, "SEX", "101", False)]
    assert found(check(codes, **{"header_2023-24": HEADER + HEADER_ROW.replace("C1,1,", "C1,F,")})) == [
        ("header_2023-24.csv", 2, "SEX", "101", False)]


def test_episode_field_rules_name_line_field_and_rule(codes: CodeLists) -> None:
    rows = episodes(codes,
                    EPISODE_ROW,                                                                     # line 2 fine
                    "C1,31/02/2023,S,C2,N1,U4,PR1,,,,,,,\n",                                          # 3: 141
                    "C1,01/05/2023,Q,C9,N9,U4,PR9,2023-06-01,E99,NOPE,,,,\n",                        # 4: codes
                    "C1,01/05/2023,S,,N1,U4,PR1,not a date,,,,,,\n",                                  # 5: LS, 147
                    "C1,10/06/2023,S,C2,N1,U4,PR1,01/06/2023,E11,,,,,\n",                             # 6: 356
                    "C1,01/07/2023,S,C2,N1,P1,PR2,,,,,,,\n",                                          # 7: 528
                    "C1,01/08/2023,S,C2,N1,P1,PR5,,,,,,,\n",                                          # 8: 531
                    "C1,01/09/2023,S,C2,N1,U4,PR0,,,,,,,\n",                                          # 9: 550
                    "C1,01/10/2023,S,C2,N1,U4,PR1,,,,LE1 5WW,NOT A POSTCODE,,\n")                     # 10: 392c
    assert [(line, fld, rule) for _, line, fld, rule, query in found(rows) if not query] == [
        (3, "DECOM", "141"), (4, "CIN", "145"), (4, "LS", "144"), (4, "PLACE_PROVIDER", "178"),
        (4, "REASON_PLACE_CHANGE", "1009"), (4, "REC", "149"), (4, "RNE", "143"), (5, "DEC", "147"),
        (5, "LS", "144"), (6, "DEC", "356"), (7, "PLACE_PROVIDER", "528"), (8, "PLACE_PROVIDER", "531"),
        (9, "PLACE_PROVIDER", "550"), (10, "PL_POST", "392c")]
    messages = {(p.line, p.field): p.message for p in rows.problems}
    assert messages[(3, "DECOM")].startswith("is not a valid date")
    assert messages[(5, "LS")] == "is missing (a mandatory field)"
    assert messages[(6, "DEC")] == "the episode ceased (01/06/2023) before it started (10/06/2023)"
    assert messages[(4, "PLACE_PROVIDER")] == "'PR9' is not one of the PLACE_PROVIDER codes"
    assert rows.problems[0].text().startswith("episodes_2023-24.csv:3: DECOM: is not a valid date")
    assert [r.line for r in rows.episodes] == [2]  # rows with an error are not read


def test_header_uasc_and_oc3_rules(codes: CodeLists) -> None:
    rows = check(codes, **{
        "header_2023-24": HEADER + HEADER_ROW + "C2,7,01/01/2011,XXXX,,,\n" + "C3,2,2011-13-01,WBRI,,,\n"
        + "C4,2,01/01/2030,WBRI,,,\n",
        "uasc_2023-24": UASC + "C1,1,15/03/2010,2028-04-01\n" + "C7,1,16/03/2009,2027-01-01\n"
        + "C7,1,16/03/2009,2027-01-02\n" + "C5,1,01/01/2007,x\n",
        "oc3_2023-24": OC3 + "C6,YES,,B1,,\n"})
    assert [(f, line, fld, rule) for f, line, fld, rule, _ in found(rows)] == [
        ("header_2023-24.csv", 3, "ETHNIC", "103"), ("header_2023-24.csv", 3, "SEX", "101"),
        ("header_2023-24.csv", 4, "DOB", "102"), ("header_2023-24.csv", 5, "DOB", "102"),
        ("oc3_2023-24.csv", 2, "ACTIV", "153"),
        ("uasc_2023-24.csv", 2, "DUC", "304"), ("uasc_2023-24.csv", 4, "CHILD", "INT36"),
        ("uasc_2023-24.csv", 5, "DUC", "104")]


def test_rules_across_rows_and_years(codes: CodeLists) -> None:
    rows = check(codes, **{
        "header_2022-23": HEADER + HEADER_ROW + "C2,2,01/01/2004,WBRI,,,\n",
        "header_2023-24": HEADER + HEADER_ROW + HEADER_ROW + "C1,2,16/03/2010,WBRI,A123456789012,,\n"
        + "C2,1,02/01/2004,WBRI,,,\n",
        "uasc_2023-24": UASC + "C1,2,16/03/2010,2028-01-01\n",
        "oc3_2023-24": OC3 + "C2,YES,F1,B1,2,05/05/2004\n",
        "episodes_2023-24": EPISODES + "C1,01/01/2009,S,C2,N1,U4,PR1,01/02/2009,E11,,,,,\n"
        + "C2,01/05/2023,S,C2,N1,U4,PR1,,,,,,,\n"
        + "C1,01/05/2023,S,C2,N1,U4,PR1,01/09/2023,E11,,,,,\n" + "C1,01/08/2023,P,C2,N1,U5,PR1,,,,,,,\n"
        + "C1,01/08/2023,P,C2,N1,U6,PR1,,,,,,,\n" + "C1,01/10/2023,P,C2,N1,U6,PR1,,,,,,,\n"
        + "C9,01/10/2023,S,C2,N1,U6,PR1,,,,,,,\n"})
    assert [(f.split("_")[0], line, fld, rule, q) for f, line, fld, rule, q in found(rows)] == [
        ("episodes", 2, "DECOM", "302", False), ("episodes", 3, "RNE", "352", False),
        ("episodes", 5, "DECOM", "501", True), ("episodes", 6, "DECOM", "", False),
        ("episodes", 7, "DECOM", "142", True), ("episodes", 8, "CHILD", "INT03", True),
        ("header", 4, "CHILD", "INT32", False), ("header", 5, "DOB", "203", False), ("header", 5, "SEX", "202", False),
        ("oc3", 2, "DOB", "INT15", False), ("uasc", 2, "DOB", "INT18", False), ("uasc", 2, "SEX", "INT21", False)]
    assert len(rows.headers) == 4  # the same row twice in a year is read once, a different one refused


def test_file_level_problems(codes: CodeLists) -> None:
    def problems(name: str, text: str) -> list[tuple[int, str, str]]:
        return [(p.line, p.field, p.message) for p in read_table_file(name, text, codes).problems]

    assert problems("x_2023-24.csv", HEADER.replace("MC_DOB", "MC_DOB,NAME") + HEADER_ROW) == [
        (1, "(columns)", "unknown column(s) for the Header table: NAME")]
    assert problems("x_2023-24.csv", "CHILD,DECOM\nC1,01/01/2020\n")[0][2].startswith(
        "missing column(s) of the Episodes table: RNE, LS, CIN")
    assert problems("x.csv", HEADER + HEADER_ROW) == [(1, "(file)", "cannot tell the collection year: add a YEAR "
                                                       "column or put the year in the file name (for example "
                                                       "episodes_2024-25.csv)")]
    assert problems("x.csv", "CHILD,NAME\n") == [(1, "(file)", "is not a table of the SSDA903 return (Header, "
                                                 "Episodes, UASC or OC3): no DECOM, DUC, IN_TOUCH, ETHNIC or UPN column")]
    assert problems("x.csv", "") == [(1, "(file)", "is empty: expected a header line of DfE column names")]
    assert problems("x_2023-24.csv", HEADER + "C1,1\n") == [(2, "(row)", "has 2 cells, the header 7")]
    assert problems("x.csv", HEADER.replace("\n", ",YEAR\n") + HEADER_ROW.replace("\n", ",2023-25\n")) == [
        (2, "YEAR", "'2023-25' is not a collection year such as 2024-25 or 2024")]
    assert problems("x_2023-24.csv", HEADER) == [(0, "(file)", "has no rows")]


def test_year_column_and_outward_codes(codes: CodeLists) -> None:
    f = read_table_file("h.csv", HEADER.replace("\n", ",YEAR\n") + HEADER_ROW.replace("\n", ",2017\n"), codes)
    assert f.years == {"2017-18": 1} and f.rows[0].year == "2017-18"
    assert [outward_code(p) for p in ("LE1 5WW", "le15ww", "SW1A 1AA", "B1 1AA", "B1", "")] == [
        "LE1", "LE1", "SW1A", "B1", None, None]


def test_the_shared_synthetic_set_has_no_errors(codes: CodeLists, shared_data: Path) -> None:
    files = [read_table_file(n, (shared_data / n).read_text(encoding="utf-8"), codes)
             for n in ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")]
    rows = check_return(files)
    assert rows.errors == []
    assert len(rows.episodes) == 3737 and len(rows.uasc) == 44  # 7 UASC rows are the same row again
    data = forecast_data(rows)
    with open(shared_data / "ssda903_synthetic_episodes.csv", newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    assert len(data.children) == len({(r["LA"], r["CHILD"]) for r in raw}) == 820
    assert len(data.episodes) == len({(r["LA"], r["CHILD"], r["DECOM"]) for r in raw})
    assert sum(c.uasc for c in data.children) == 23


def test_oc3_twice_in_a_year(codes: CodeLists) -> None:
    rows = check(codes, **{"oc3_2023-24": OC3 + "C6,YES,F1,B1,,\n"
                           + "C6,YES,F1,B1,,\n" + "C6,NO,F1,B1,,\n"})
    assert found(rows) == [("oc3_2023-24.csv", 4, "CHILD", "INT34", False)]
    assert [(o.line, o.in_touch) for o in rows.oc3] == [(2, "YES")]


def test_care_leavers_codes_and_their_rules(codes: CodeLists) -> None:
    rows = check(codes, **{"oc3_2023-24": OC3
                           + "L1,YES,F1,Z1,,05/05/2004\n"  # clean: in touch, at university, with former carers
                           + "L2,MAYBE,F1,B1,,\n"  # 131: not an IN_TOUCH code
                           + "L3,NO,F3,B1,,\n"  # 132
                           + "L4,NO,G5,S1,,\n"  # 133: homeless is never suitable (S2 only)
                           + "L5,DIED,G5,B1,,\n"  # 344: died, yet activity and accommodation given
                           + "L6,RHOM,0,0,,\n"  # clean: went home, nothing recorded
                           + "L7,YES,0,0,,\n"  # 345: in touch, yet nothing recorded
                           + "L8,NREQ,P5,U1,,01/01/2010\n"  # 391: 13 or 14 in 2023-24, yet answers
                           + "L9,REFU,G6,X2,,31/03/2002\n"  # 21 all of 2023-24 (22 on 31/03/2024)
                           + "L10,,,,,01/01/2010\n"  # no answers: no 391 for a child
                           + "L11,NO,G5,U2,,31/03/2007\n"})  # 17 on the year's last day: fine
    assert [(line, fld, rule) for _, line, fld, rule, _ in found(rows)] == [
        (3, "IN_TOUCH", "131"), (4, "ACTIV", "132"), (5, "ACCOM", "133"), (6, "ACTIV, ACCOM", "344"),
        (8, "ACTIV, ACCOM", "345"), (9, "DOB", "391")]
    assert [o.child for o in rows.oc3] == ["L1", "L6", "L9", "L10", "L11"]
    assert "'F3' is not one of the ACTIV codes" in rows.problems[1].message
    late = check(codes, **{"oc3_2023-24": OC3 + "L9,REFU,G6,X2,,30/03/2002\n"})  # 22 on 30/03/2024, 21 before
    assert found(late) == []
    old = check(codes, **{"oc3_2023-24": OC3 + "L9,REFU,G6,X2,,31/03/2001\n"})  # 22 before the year began
    assert [(fld, rule, q) for _, _, fld, rule, q in found(old)] == [("DOB", "391", True)]  # a query: still read
    assert [o.child for o in old.oc3] == ["L9"]
    young = check(codes, **{"oc3_2023-24": OC3 + "L8,NREQ,P5,U1,,01/04/2007\n"})  # 17 on 01/04/2024: too late
    assert [(fld, rule, q) for _, _, fld, rule, q in found(young)] == [("DOB", "391", False)]


def test_rules_that_need_last_years_return(codes: CodeLists) -> None:
    h = "C1,1,15/03/2010,WBRI,,,\nC2,1,15/03/2010,WBRI,,,\nC3,1,15/03/2010,WBRI,,,\nC4,1,15/03/2005,WBRI,,,\n" \
        "C5,1,15/03/2010,WBRI,,,\n"
    rows = check(codes, **{
        "header_2022-23": HEADER + h, "header_2023-24": HEADER + h,
        "episodes_2022-23": EPISODES
        + "C1,01/05/2022,S,C2,N1,U4,PR1,,,,,,,E06000016\n"  # open at the year's end ...
        + "C2,01/05/2022,S,C2,N1,U4,PR1,,,,,,,E06000016\n"
        + "C3,01/05/2022,S,C2,N1,U4,PR1,01/06/2022,E11,,,,,\n"  # closed: nothing to carry on
        + "C4,01/05/2022,S,C2,N1,U4,PR1,,,,,,,\n",
        "episodes_2023-24": EPISODES
        + "C1,01/05/2022,S,V2,N2,U4,PR4,,,,,,,E06000016\n"  # ... carried on: but LS, CIN, provider differ
        + "C2,01/06/2022,S,C2,N1,U4,PR1,,,,,,,\n"  # 502: starts another day
        + "C3,01/07/2023,S,C2,N1,U4,PR1,,,,,,,\n"  # a new start this year: fine
        + "C5,01/02/2023,S,C2,N1,U4,PR1,,,,,,,\n",  # NoE: began in 2022-23, which has no episode of C5
        "oc3_2023-24": OC3 + "C4,YES,F1,B1,,\n"})  # 1010: C4 open at last year's end, no episode this year
    assert [(f.split("_")[0], line, fld, rule, q) for f, line, fld, rule, q in found(rows)] == [
        ("episodes", 2, "CIN", "503C", True), ("episodes", 2, "LS", "503B", True),
        ("episodes", 2, "PLACE_PROVIDER", "503E", True), ("episodes", 3, "DECOM", "502", True),
        ("episodes", 5, "DECOM", "NoE", True), ("oc3", 2, "IN_TOUCH", "1010", True)]
    assert "open from 01/05/2022" in rows.problems[3].message
    # only last year's return of the same council counts: without 2022-23, no 502, 503 or NoE
    alone = check(codes, **{"header_2023-24": HEADER + h, "episodes_2023-24": EPISODES
                            + "C2,01/06/2022,S,C2,N1,U4,PR1,,,,,,,\n" + "C5,01/02/2023,S,C2,N1,U4,PR1,,,,,,,\n"})
    assert found(alone) == []
    # 1010 needs this year's episodes in the import: care leavers read with last year's episodes alone
    leavers = check(codes, **{"header_2022-23": HEADER + h, "episodes_2022-23": EPISODES
                              + "C4,01/05/2022,S,C2,N1,U4,PR1,,,,,,,\n", "oc3_2023-24": OC3 + "C4,YES,F1,B1,,\n"})
    assert found(leavers) == []
