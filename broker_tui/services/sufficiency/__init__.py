"""Sufficiency evidence from the council's own data.

- _ssda903_import: the SSDA903 return (Header, Episodes, UASC, OC3 CSV files of one or several years)
  checked whole (domain.sufficiency) and kept as forecasting needs it, under pseudonymous child ids;
- _forecast: the demand forecast over every imported return, its scenarios and its rolling backtest;
- _market_gap: the forecast beside the market's supply (own places, the register within reach), diversity;
- _workbook: the commissioning plan's Excel workbook (openpyxl, imported when written);
- _declines: decline evidence from the brokers' search logs (declines by reason, need, risk, age band, service
  type and area; the referrals that took longest to place).

Import from this package, never from its private modules.
"""

from broker_tui.services.sufficiency._declines import DeclineEvidence, decline_evidence
from broker_tui.services.sufficiency._forecast import (
    BacktestReport,
    ForecastRun,
    NoReturn,
    backtest,
    forecast_panel,
    run_forecast,
    write_forecast_json,
)
from broker_tui.services.sufficiency._market_gap import (
    MarketGap,
    diversity_json,
    market_diversity,
    market_gap,
    market_supply,
)
from broker_tui.services.sufficiency._ssda903_import import (
    FileRead,
    ReturnAlreadyImported,
    ReturnImport,
    ReturnInvalid,
    import_ssda903,
    return_files,
)
from broker_tui.services.sufficiency._workbook import write_workbook

__all__ = ["BacktestReport", "FileRead", "ForecastRun", "NoReturn", "backtest", "forecast_panel", "run_forecast",
           "ReturnAlreadyImported", "ReturnImport", "ReturnInvalid", "import_ssda903", "return_files", "write_forecast_json",
           "MarketGap", "diversity_json", "market_diversity", "market_gap", "market_supply", "write_workbook",
           "DeclineEvidence", "decline_evidence"]
