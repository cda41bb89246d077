"""Sufficiency evidence: the council's SSDA903 return read, checked and reduced to what forecasting needs.

- codes: the DfE code lists as data with the years (or the day) each code is valid from and to;
- ssda903: the Header, Episodes, UASC and OC3 tables parsed and checked by line, with the DfE rule codes;
- checks, keep: the rules across rows and years; what forecasting keeps of a checked return;
- categories, forecast_settings: placement categories (the PLACE/PLACE_PROVIDER map is a setting), age bands,
  scenarios;
- panel: children in care at each month's end; rates: leaving, moves and entries counted from it;
- simulate: the forecast by simulation (numpy), with 80% intervals; backtest: refit at past cut-offs.

Pure: nothing here reads a file or the database; services.sufficiency does.
"""
