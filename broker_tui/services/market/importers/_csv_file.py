"""Reading an import's CSV file, for both importers: one refusal (ImportFileError) for every problem.

``csv_file(path, empty)`` opens the file as UTF-8 (a byte-order mark allowed, as Excel writes it), gives
its header and its non-blank rows with their line numbers (line 1 is the header; a quoted cell may span
lines, so a row's number is the line it starts on), and turns what can go wrong while reading (not
UTF-8, not CSV, unreadable) into an ImportFileError naming the file. The importers add their own checks
and raise the same error, so the command line and the screens report every import the same way.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from broker_tui.domain.text_rules import printable, text_problem


class ImportFileError(Exception):
    """The file cannot be imported. ``problems`` are (line number, message); line 1 is the header."""

    def __init__(self, path: Path | str, problems: list[tuple[int, str]]):
        self.path = Path(path)
        self.problems = sorted(problems)
        super().__init__(f"{self.path.name}: {len(self.problems)} problem(s), nothing was imported")

    def lines(self, limit: int = 50) -> list[str]:
        out = [f"{self.path.name} line {n}: {msg}" if n else f"{self.path.name}: {msg}"
               for n, msg in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(f"... and {len(self.problems) - limit} more problem(s)")
        return out


def _rows(reader: Any, header: list[str], bad: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    line = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            _check_text(line, cells, header, bad)
            yield line, cells
        line = reader.line_num + 1


def _check_text(line: int, cells: list[str], header: list[str], bad: list[tuple[int, str]]) -> None:
    """Every cell is text as people type it (text_rules): no NUL, escape code or right-to-left override."""
    for i, cell in enumerate(cells):
        problem = text_problem(cell)
        if problem:
            name = printable(header[i].strip()) if i < len(header) and header[i].strip() else f"column {i + 1}"
            bad.append((line, f"{name}: {problem}"))


@contextmanager
def csv_file(path: Path | str, empty: str) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
    """The header and the (line, cells) of each non-blank row; ``empty`` is the refusal when there is no
    header. Read the rows inside the ``with``: a reading problem met there is refused the same way, and so
    is a cell holding what no person types (text_rules), together with the importer's own problems."""
    bad: list[tuple[int, str]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                raise ImportFileError(path, [(1, empty)])
            _check_text(1, header, [""] * len(header), bad)
            try:
                yield header, _rows(reader, header, bad)
            except ImportFileError as exc:
                raise ImportFileError(path, exc.problems + bad) from None
            if bad:
                raise ImportFileError(path, bad)
    except UnicodeDecodeError:
        raise ImportFileError(path, [(0, "the file is not UTF-8 text (save it as CSV UTF-8)")]) from None
    except csv.Error as exc:
        raise ImportFileError(path, [(0, f"not a readable CSV file: {exc}")]) from None
    except OSError as exc:
        raise ImportFileError(path, [(0, f"cannot read the file: {exc.strerror or exc}")]) from None
