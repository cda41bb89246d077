"""Sufficiency evidence: the council's SSDA903 return read, checked and reduced to what forecasting needs.

- codes: the DfE code lists as data with the years (or the day) each code is valid from and to;
- ssda903: the Header, Episodes, UASC and OC3 tables parsed and checked by line, with the DfE rule codes.

Pure: nothing here reads a file or the database; services.sufficiency does.
"""
