"""SSDA903 code lists as data with the days they are valid: seed/ssda903_code_lists.csv read through
domain.sufficiency.codes (the rule: a year bound runs 1 April to 31 March, a day bound is that day)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from broker_tui.domain.sufficiency.codes import (
    CodeListError,
    CodeLists,
    collection_year,
    year_end,
    year_start,
)
from broker_tui.resources import SEED_DIR


@pytest.fixture(scope="module")
def codes() -> CodeLists:
    with open(SEED_DIR / "ssda903_code_lists.csv", newline="", encoding="utf-8") as fh:
        return CodeLists.from_rows(csv.DictReader(fh))


def test_h5_and_p2_only_on_episodes_started_by_28_october_2023(codes: CodeLists) -> None:
    for code in ("H5", "P2"):
        assert codes.is_valid("PLACE", code, dt.date(2023, 10, 1))
        assert codes.is_valid("PLACE", code, dt.date(2023, 10, 28))
        assert not codes.is_valid("PLACE", code, dt.date(2023, 10, 29))
        assert not codes.is_valid("PLACE", code, dt.date(2023, 11, 1))
    message = codes.check("PLACE", "H5", dt.date(2023, 11, 1))
    assert message == "'H5' is not a valid PLACE code on 01/11/2023 (valid to 2023-10-28)"


def test_k3_from_2024_25_and_z11_to_z14_only_from_2025_26(codes: CodeLists) -> None:
    # domain.md: K3 registered supported accommodation from the 2024-25 return; Z11-Z14 new in 2025-26
    assert not codes.is_valid("PLACE", "K3", dt.date(2024, 3, 31))
    assert codes.is_valid("PLACE", "K3", dt.date(2024, 4, 1))
    for code in ("Z11", "Z12", "Z13", "Z14"):
        assert not codes.is_valid("PLACE", code, dt.date(2025, 3, 31))
        assert codes.is_valid("PLACE", code, dt.date(2025, 4, 1))
    assert codes.check("PLACE", "K3", dt.date(2024, 3, 1)) == (
        "'K3' is not a valid PLACE code on 01/03/2024 (valid from 2024-25)")


def test_z1_to_2024_25_and_sex_letters_from_2024_25(codes: CodeLists) -> None:
    assert codes.is_valid("PLACE", "Z1", dt.date(2025, 3, 31)) and not codes.is_valid("PLACE", "Z1", dt.date(2025, 4, 1))
    assert codes.is_valid("SEX", "1", dt.date(2023, 4, 1)) and not codes.is_valid("SEX", "1", dt.date(2024, 4, 1))
    assert codes.is_valid("SEX", "F", dt.date(2024, 4, 1)) and not codes.is_valid("SEX", "F", dt.date(2024, 3, 31))


def test_open_codes_and_unknown_codes(codes: CodeLists) -> None:
    assert codes.is_valid("PLACE", "U4", dt.date(1995, 1, 1)) and codes.is_valid("PLACE", "U4", dt.date(2040, 1, 1))
    assert codes.check("PLACE", "U9", dt.date(2020, 1, 1)) == "'U9' is not one of the PLACE codes"
    assert codes.check("LS", "U4", dt.date(2020, 1, 1)) == "'U4' is not one of the LS codes"
    assert set(codes.fields()) == {"RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE",
                                   "ETHNIC", "SEX", "IN_TOUCH", "ACTIV", "ACCOM"}


def test_every_row_of_the_list_has_readable_bounds_and_matches_the_2025_26_flag() -> None:
    with open(SEED_DIR / "ssda903_code_lists.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lists = CodeLists.from_rows(rows)
    in_year = dt.date(2025, 10, 1)
    for r in rows:  # the file's own 2025-26 flag agrees with the bounds, except H5/P2 on older episodes
        assert lists.is_valid(r["field"], r["code"], in_year) == (r["in_2025_26_code_set"] == "yes"), r


def test_years_and_bad_bounds() -> None:
    assert collection_year(dt.date(2023, 10, 28)) == "2023-24"
    assert collection_year(dt.date(2024, 3, 31)) == "2023-24"
    assert year_start("2025-26") == dt.date(2025, 4, 1) and year_end("2023-24") == dt.date(2024, 3, 31)
    with pytest.raises(CodeListError, match="PLACE X1: '2025-27' is not a collection year"):
        CodeLists.from_rows([{"field": "PLACE", "code": "X1", "valid_from": "2025-27", "valid_to": ""}])
    with pytest.raises(CodeListError, match="is not a real date"):
        CodeLists.from_rows([{"field": "PLACE", "code": "X1", "valid_from": "", "valid_to": "2023-02-30"}])
