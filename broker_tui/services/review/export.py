"""The 16+ review written to a file: ``write_review(review, path, fmt, progress)``.

- csv: a zip of one CSV per table (summary, totals, contracts, voids, contract_months, prices, spot_lines,
  spot_groups, block_vs_spot, block_size, endings, spend_by_month, assumptions): pounds to the penny (exact,
  from whole pence), percentages to 0.1, dates ISO;
- xlsx: an Excel workbook, the Summary sheet first, then a sheet per table and "Utilisation by month" with a
  chart (services.review._xlsx: openpyxl is imported only when one is written);
- json: ``Review.to_json()``, indented.

The two cohorts are kept apart in every table, never summed as one. Children appear only as case references.
The file is written whole or not at all: into a temporary file beside it (readable by its owner only),
flushed to disk, then renamed over the name asked for; any failure (the disk, a progress callback that
raises) removes the temporary file and leaves what was there before untouched. ``progress(done, total,
what)`` is called after each table or sheet."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from broker_tui.services.private_files import FileRefused, write_atomically
from broker_tui.services.review._model import Review

FORMATS = ("csv", "xlsx", "json")
SUFFIXES = {"csv": ".zip", "xlsx": ".xlsx", "json": ".json"}
Progress = Callable[[int, int, str], None]


def json_text(review: Review) -> str:
    """Every figure of the review as indented JSON (UTF-8 text, a newline at the end)."""
    return json.dumps(review.to_json(), indent=2, ensure_ascii=False) + "\n"


def default_file_name(review: Review, fmt: str) -> str:
    """'review-16plus-2026-01-01-to-2026-03-31.xlsx' (the CSV tables come as a .zip)."""
    period = review.period
    return f"review-16plus-{period.first_day.isoformat()}-to-{period.last_day.isoformat()}{SUFFIXES[fmt]}"


def write_review(review: Review, path: str | Path, fmt: str, progress: Progress | None = None) -> Path:
    """Write the review as ``fmt`` (csv | xlsx | json) to ``path``, owner-only (0600), atomically; the path
    written. Raises FileRefused (the folder, the name, the disk: one line) and ValueError for another fmt."""
    if fmt not in FORMATS:
        raise ValueError(f"the format must be one of {', '.join(FORMATS)}, not {fmt!r}")

    def write(out: BinaryIO) -> None:
        if fmt == "csv":
            from broker_tui.services.review._csv import write_csv_zip

            write_csv_zip(review, out, progress)
        elif fmt == "xlsx":
            from broker_tui.services.review._xlsx import write_xlsx

            write_xlsx(review, out, progress)
        else:
            out.write(json_text(review).encode("utf-8"))
            if progress is not None:
                progress(1, 1, "review.json")

    return write_atomically(path, write)


__all__ = ["FORMATS", "SUFFIXES", "FileRefused", "Progress", "default_file_name", "json_text", "write_atomically",
           "write_review"]
