"""Importers of the market: Ofsted's register of children's social care providers and the council's CSV.

- _csv_file: reading an import's CSV file, and the one refusal of both (ImportFileError: every problem
  by file and line);
- _ofsted_file: checking Ofsted's file, row by row;
- _ofsted: the import itself (Core executemany, one audit event per service and provider);
- _council_csv, _council_csv_rows, _council_csv_write: the council's own CSV of services (prices,
  capabilities, contacts), checked whole before one row is written.

Both report problems through the one ImportFileError (_csv_file); an import is all or nothing.
"""

from broker_tui.services.market.importers._council_csv import import_council_csv
from broker_tui.services.market.importers._csv_file import ImportFileError
from broker_tui.services.market.importers._ofsted import (
    ImportReport,
    import_ofsted,
)
from broker_tui.services.market.importers._ofsted_file import parse_register

__all__ = [
    "ImportFileError",
    "ImportReport",
    "import_council_csv",
    "import_ofsted",
    "parse_register",
]
