"""SSDA903 code lists as data: each code with the collection years (or the day) it is valid from and to.

A bound is either a DfE collection year, ``"2025-26"`` (1 April 2025 to 31 March 2026), or an ISO date,
``"2023-10-28"``; empty means open. The rule applied:

- ``valid_from`` a year: valid on and after 1 April of that year's start; a date: on and after that day.
- ``valid_to`` a year: valid on and before 31 March of that year's end; a date: on and before that day.

The day a code is checked on is the day it describes: for an episode's codes (PLACE, PLACE_PROVIDER, LS,
CIN, RNE, REC, REASON_PLACE_CHANGE) the day the episode started (DECOM), so H5 and P2, valid to
2023-10-28, are accepted on an episode that started on or before 28 October 2023 (whenever it ends) and
refused on one that started later; for a child's own codes (SEX, ETHNIC) the first day of the collection
year the row belongs to, so SEX 1 and 2 (to 2023-24) give way to M, F and U (from 2024-25).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CodeListError(ValueError):
    """A row of the code list cannot be read (a bound that is neither a year nor a date)."""


def collection_year(day: dt.date) -> str:
    """The DfE collection year a day falls in (April to March): 28 October 2023 -> '2023-24'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def year_start(year: str) -> dt.date:
    """1 April of a collection year ('2025-26' -> 2025-04-01)."""
    m = _YEAR.match(year.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise CodeListError(f"{year!r} is not a collection year such as 2025-26")
    return dt.date(int(m.group(1)), 4, 1)


def year_end(year: str) -> dt.date:
    """31 March at the end of a collection year ('2023-24' -> 2024-03-31)."""
    return dt.date(year_start(year).year + 1, 3, 31)


def _bound(text: str, *, start: bool) -> dt.date | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if _DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CodeListError(f"{raw!r} is not a real date") from None
    return year_start(raw) if start else year_end(raw)


@dataclass(frozen=True)
class Code:
    field: str
    code: str
    description: str
    valid_from: dt.date | None  # first day it is valid; None: always was
    valid_to: dt.date | None  # last day it is valid; None: still is
    valid_from_text: str = ""  # as the list wrote it (a year or a date)
    valid_to_text: str = ""

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def validity(self) -> str:
        """'valid from 2025-26', 'valid to 2023-10-28' or '' (always)."""
        parts = [f"from {self.valid_from_text}" if self.valid_from_text else "",
                 f"to {self.valid_to_text}" if self.valid_to_text else ""]
        words = " ".join(p for p in parts if p)
        return f"valid {words}" if words else ""


class CodeLists:
    """Every field's codes; ``check(field, code, day)`` says why a code is not valid there (or None)."""

    def __init__(self, codes: Iterable[Code]):
        self._codes: dict[str, dict[str, Code]] = {}
        for c in codes:
            self._codes.setdefault(c.field, {})[c.code] = c

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> CodeLists:
        """From the rows of seed/ssda903_code_lists.csv (field, code, description, valid_from, valid_to)."""
        codes = []
        for r in rows:
            field, code = r["field"].strip(), r["code"].strip()
            try:
                vf, vt = _bound(r.get("valid_from", ""), start=True), _bound(r.get("valid_to", ""), start=False)
            except CodeListError as exc:
                raise CodeListError(f"{field} {code}: {exc}") from None
            codes.append(Code(field, code, (r.get("description") or "").strip(), vf, vt,
                              (r.get("valid_from") or "").strip(), (r.get("valid_to") or "").strip()))
        return cls(codes)

    def fields(self) -> tuple[str, ...]:
        return tuple(self._codes)

    def get(self, field: str, code: str) -> Code | None:
        return self._codes.get(field, {}).get(code)

    def is_valid(self, field: str, code: str, day: dt.date) -> bool:
        found = self.get(field, code)
        return found is not None and found.valid_on(day)

    def check(self, field: str, code: str, day: dt.date) -> str | None:
        """None when ``code`` is a valid ``field`` code on ``day``; else why not, in words."""
        found = self.get(field, code)
        if found is None:
            return f"{code!r} is not one of the {field} codes"
        if not found.valid_on(day):
            return f"{code!r} is not a valid {field} code on {day:%d/%m/%Y} ({found.validity()})"
        return None
