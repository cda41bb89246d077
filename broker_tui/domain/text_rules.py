"""What text the app takes and how it is let out again: one rule for every field, file and export.

Input: a NUL, a lone surrogate (half of a character, not text), a terminal control character (escape
codes that recolour or rewrite a screen) or a right-to-left override (which makes a name read backwards)
is refused, naming what was found; tabs and line breaks are fine. Output: ``printable`` shows any such
character already stored as a visible escape, and ``spreadsheet_safe`` keeps a text cell from being run
as a formula when a commissioner opens an export.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the bidirectional
# embeddings, overrides and isolates; lone surrogates
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_BAD_OUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_DEPTH = 20  # no input of ours nests deeper; JSON 100,000 deep is refused before it is walked


def _name(ch: str) -> str:
    code = ord(ch)
    if code == 0:
        return "a NUL character"
    if 0xD800 <= code <= 0xDFFF:
        return f"half a character (a lone surrogate, U+{code:04X})"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return f"a right-to-left control (U+{code:04X}, {unicodedata.name(ch, 'bidirectional control').lower()})"
    if code == 0x1B:
        return "a terminal escape code (U+001B)"
    return f"a control character (U+{code:04X})"


def text_problem(value: str) -> str | None:
    """Why this text is refused (None: it is fine)."""
    found = _BAD.search(value)
    if found is None:
        return None
    return f"contains {_name(found.group())}: retype it without it"


def text_problems(value: object, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(field path, problem) for every text inside a JSON-like value, keys included: 'risks[0].tag'."""
    if depth > MAX_DEPTH:
        yield path or "(top)", f"is nested more than {MAX_DEPTH} levels deep"
        return
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield path or "(top)", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (problem := text_problem(key)):
                yield printable(where), f"the field name {problem}"
                continue
            yield from text_problems(item, where, depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from text_problems(item, f"{path}[{i}]", depth + 1)


def printable(value: str) -> str:
    """The text with every control, override or broken character shown as an escape (\\x1b, \\u202e), so that
    nothing stored can drive a terminal; line breaks and tabs stay."""
    return _BAD_OUT.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), value) \
        if _BAD_OUT.search(value) else value


def spreadsheet_safe(value: object) -> object:
    """A cell for a CSV or workbook: text starting = + - @, a tab or a carriage return gets a leading ' so
    no spreadsheet runs it as a formula; numbers (negative money included) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
