"""Reading what a person typed, field by field, for the purchase acts (spot agreements and block contracts):
a date (ISO or dd/mm/yyyy), trimmed text checked by domain.text_rules, whole pence or money as typed, an id,
and the fields a JSON object may not have. Each reader puts its problem under the field's name in
``problems`` and returns None (or "") for a value it cannot read; the caller says which fields are required
and, where the words differ by act, in what words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from broker_tui.domain.dates import parse_date
from broker_tui.domain.money import MoneyError, parse_pence, pence_problem
from broker_tui.domain.text_rules import text_problem


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_date(value: Any, name: str, problems: dict[str, str], *, required: bool = True,
            missing: str = "enter a date as dd/mm/yyyy") -> dt.date | None:
    """A date given as a date or as text (ISO or dd/mm/yyyy); a problem under ``name`` otherwise."""
    if is_blank(value):
        if required:
            problems[name] = missing
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        problems[name] = "must be a date as dd/mm/yyyy"
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems[name] = str(exc)
        return None


def as_text(value: Any, name: str, problems: dict[str, str], *, required: str = "", limit: int = 500) -> str:
    """Text as typed, trimmed; ``required`` is the message when it is empty (no message: optional)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[name] = "must be text"
        return ""
    text = value.strip()
    if problem := text_problem(text):
        problems[name] = problem
    elif required and not text:
        problems[name] = required
    elif len(text) > limit:
        problems[name] = f"is longer than {limit} characters"
    return text


def as_pence(value: Any, name: str, problems: dict[str, str], *, required: str = "") -> int | None:
    """Whole pence (an int), or money as typed ('£750.00', '750'); None when blank (a problem if required:
    ``required`` is the message then, e.g. "enter the amount")."""
    if is_blank(value):
        if required:
            problems[name] = required
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems[name] = "must be a whole number of pence (or money as text, e.g. £750.00)"
        return None
    if isinstance(value, str):
        try:
            return parse_pence(value)
        except MoneyError as exc:
            problems[name] = str(exc)
            return None
    if problem := pence_problem(value):
        problems[name] = problem
        return None
    return value


def as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        return None


def unknown_keys(data: Mapping[str, Any], known: Iterable[str]) -> dict[str, str]:
    allowed = set(known)
    return {str(k): "is not a field here" for k in data if k not in allowed}
