"""Sufficiency evidence from the council's own data.

- _ssda903_import: the SSDA903 return (Header, Episodes, UASC, OC3 CSV files of one or several years)
  checked whole (domain.sufficiency) and kept as forecasting needs it, under pseudonymous child ids.

Import from this package, never from its private modules.
"""

from broker_tui.services.sufficiency._ssda903_import import (
    FileRead,
    ReturnAlreadyImported,
    ReturnImport,
    ReturnInvalid,
    import_ssda903,
    return_files,
)

__all__ = ["FileRead", "ReturnAlreadyImported", "ReturnImport", "ReturnInvalid", "import_ssda903", "return_files"]
