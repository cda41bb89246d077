"""Importers of the market: Ofsted's register of children's social care providers and the council's CSV.

- _ofsted_file: reading and checking Ofsted's file (ImportFileError says what is wrong, row by row);
- _ofsted: the import itself (Core executemany, one audit event per service and provider);
- _council_csv, _council_csv_rows, _council_csv_write: the council's own CSV of services (prices,
  capabilities, contacts), checked whole before one row is written.

Both report problems through the one ImportFileError (services._csv_errors); an import is all or nothing.
"""

from broker_tui.services.market.importers._council_csv import import_council_csv
from broker_tui.services.market.importers._ofsted import (
    ImportReport,
    import_ofsted,
)
from broker_tui.services.market.importers._ofsted_file import ImportFileError, parse_register

__all__ = [
    "ImportFileError",
    "ImportReport",
    "import_council_csv",
    "import_ofsted",
    "parse_register",
]
