"""The 16+ review as a zip of CSV files, one per table (services.review._tables): UTF-8 with a byte order
mark (so a spreadsheet reads £ and accents), a header row, pounds to the penny, percentages to 0.1, dates
ISO; text that a spreadsheet would run as a formula starts with '."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import BinaryIO

from broker_tui.services.review._model import Review
from broker_tui.services.review._tables import csv_text, tables

Progress = Callable[[int, int, str], None]


def write_csv_zip(review: Review, out: BinaryIO, progress: Progress | None) -> None:
    every = tables(review)
    stamp = (review.made_on.year, review.made_on.month, review.made_on.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, table in enumerate(every, 1):
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(table.header)
            writer.writerows([csv_text(value) for value in row] for row in table.rows)
            member = zipfile.ZipInfo(f"{table.name}.csv", date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16  # owner-only when unpacked where the zip's modes are kept
            archive.writestr(member, text.getvalue().encode("utf-8-sig"))
            if progress is not None:
                progress(done, len(every), f"{table.name}.csv")
