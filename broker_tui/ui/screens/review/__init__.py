"""The commissioner's 16+ review (F9): the figures of services.review over a period, in tabs (summary by
cohort, contracts, spot, block against spot, block size, ending, charts), every table sorted and filtered,
charts drawn in the terminal (textual-plotext, imported only here and only when the screen is built), and an
export to a workbook, CSV tables or JSON.

- rows: the tables' columns and rows made from a Review (pure: no Textual);
- table: ReviewTable, a DataTable that sorts by any column and filters by cohort and words;
- panes: the summary, a contract's detail line and its QA notes as Rich text;
- charts: the Charts tab (utilisation by month, spend block against spot, cost against block size);
- export_dialog: the export's format, path and progress;
- screen: ReviewScreen, the period, the worker and the tabs.
"""
