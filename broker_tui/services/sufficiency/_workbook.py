"""The commissioning plan's workbook (`broker-tui forecast run --format xlsx`): a sheet per table, native Excel
charts, counts only (no child identifier, no case reference). openpyxl is imported inside ``write_workbook``:
nothing the app loads at start pulls it in.

Sheets: Summary (what was run, on what, the rates and the notes); Forecast (each month's actual stock, then the
forecast's mean and 80% interval, by category and in total, with a line chart of the total and its band);
Age bands (the mean at each year's end by category and age band); Care leavers (children turning 18 in care
each year, and the latest OC3 accommodation); Gap (the forecast beside the council's own
places and the register within reach, by category and year, with a bar chart of the gap); Diversity; and from
the brokers' search logs, Declines (by coded reason, with a bar chart), Declines by (need, risk, age band,
service type, area, local authority) and Longest searches (by rank: days, services approached, answers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from broker_tui.domain.sufficiency.categories import BAND_NAMES, CATEGORIES, CATEGORY_LABELS
from broker_tui.domain.sufficiency.declines import DIMENSION_LABELS, DIMENSIONS
from broker_tui.domain.sufficiency.market import SUPPLIED
from broker_tui.domain.sufficiency.panel import month_end, month_of_label, month_words
from broker_tui.domain.text_rules import spreadsheet_safe
from broker_tui.domain.vocabulary import DECLINE_REASONS
from broker_tui.services.private_files import write_atomically
from broker_tui.services.sufficiency._declines import DeclineEvidence
from broker_tui.services.sufficiency._market_gap import MarketGap

DATE_FORMAT, MONTH_FORMAT, ONE_PLACE, PERCENT = "dd/mm/yyyy", "mmm yyyy", "0.0", "0.0%"


def _month(label: str) -> dt.date:
    return month_end(month_of_label(label))


def write_workbook(gap: MarketGap, path: str | Path, declines: DeclineEvidence | None = None) -> Path:
    """Write the plan to an owner-only .xlsx written whole (FileRefused says why not); with ``declines``, the
    decline evidence's sheets too (the longest searches by rank, never by case reference)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.chart import BarChart, LineChart, Reference  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    run = gap.forecast
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], widths: dict[int, int] | None = None) -> Any:
        ws = wb.create_sheet(title)
        ws.append([spreadsheet_safe(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for col in range(1, len(header) + 1):
            ws.column_dimensions[ws.cell(1, col).column_letter].width = (widths or {}).get(col, 14)
        return ws

    def fmt(ws: Any, row: int, cols: range, number_format: str) -> None:
        for c in cols:
            ws.cell(row, c).number_format = number_format

    summary = wb.active
    summary.title = "Summary"
    summary.column_dimensions["A"].width, summary.column_dimensions["B"].width = 44, 60
    for key, value in [
        ("Children in care: demand forecast", ""),
        ("Made", run.made_at.strftime("%d/%m/%Y %H:%M")),
        ("Last month of actual stock", _month(run.cutoff).strftime("%B %Y")),
        ("Scenario", run.scenario),
        ("Entrants, against the history", f"{run.entrants_percent:+.0f}%"
         + (f" from {month_words(run.scenario_from)}" if run.scenario_from else "")),
        ("Placed elsewhere by the scenario", run.shift_words() or "none"),
        ("Councils' returns read", ", ".join(c or "(no LA column)" for c in run.councils)),
        ("Simulations", run.simulations),
        ("Entries a month (the last year, recent months weighted)", round(run.entries_per_month, 1)),
        ("Entries, a year against the year before", round(run.entry_growth, 3)),
        ("Children in care leaving in a month", f"{run.leaving_per_month:.1%}"),
        ("80% interval", "the 10th to the 90th percentile of the simulations"),
        ("Within reach", f"the local area, or within {gap.miles:g} miles of the home area's centre"),
        ("Episodes left open in a return no later return carries", run.unreturned),
        ("Children", "counts only: no child identifier is in this workbook"),
    ]:
        summary.append([key, value])
    summary["A1"].font = bold

    header = ["Month", "Kind", *(CATEGORY_LABELS[c] for c in CATEGORIES), "Total", "Total low (80%)",
              "Total high (80%)"]
    ws = sheet("Forecast", header, {2: 10})
    for label, row in zip(run.history_months, run.history, strict=True):
        ws.append([_month(label), "actual", *row, sum(row), None, None])
        ws.cell(ws.max_row, 1).number_format = MONTH_FORMAT
    for i, label in enumerate(run.months):
        ws.append([_month(label), "forecast", *(round(v, 1) for v in run.mean[i]), round(run.total_mean[i], 1),
                   round(run.total_low[i], 1), round(run.total_high[i], 1)])
        ws.cell(ws.max_row, 1).number_format = MONTH_FORMAT
        fmt(ws, ws.max_row, range(3, len(header) + 1), ONE_PLACE)
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.height, chart.width = "Children in care: actual and forecast", \
        "Children", 9, 22
    total_col = 3 + len(CATEGORIES)
    chart.add_data(Reference(ws, min_col=total_col, max_col=total_col + 2, min_row=1, max_row=ws.max_row),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=ws.max_row))
    chart.x_axis.number_format = MONTH_FORMAT
    ws.add_chart(chart, f"{ws.cell(1, total_col + 4).column_letter}2")

    ws = sheet("Age bands", ["Year end", "Category", *BAND_NAMES, "All ages"], {2: 26})
    for i, label in enumerate(run.months):
        if (i + 1) % 12 and i != len(run.months) - 1:
            continue
        for k, c in enumerate(CATEGORIES):
            bands = [round(v, 1) for v in run.by_band[i][k]]
            ws.append([_month(label), CATEGORY_LABELS[c], *bands, round(sum(run.by_band[i][k]), 1)])
            ws.cell(ws.max_row, 1).number_format = DATE_FORMAT
            fmt(ws, ws.max_row, range(3, len(BAND_NAMES) + 4), ONE_PLACE)

    ws = sheet("Care leavers", ["Year to", "Turning 18 in care (mean)", "Low (80%)", "High (80%)"], {2: 26})
    for label, mean, low, high in run.turning_18:
        ws.append([_month(label), round(mean, 1), round(low, 1), round(high, 1)])
        ws.cell(ws.max_row, 1).number_format = MONTH_FORMAT
        fmt(ws, ws.max_row, range(2, 5), ONE_PLACE)
    if run.oc3_year:
        ws.append([])
        ws.append([f"Care leavers' accommodation in the {run.oc3_year} return (OC3)", "Care leavers", "Code"])
        for code, words, n in run.oc3_accommodation:
            ws.append([spreadsheet_safe(words), n, spreadsheet_safe(code)])

    ws = sheet("Gap", ["Category", "Year end", "Forecast (mean)", "Forecast (80% high)", "In-house places",
                       "Block units", "Scenario places", "Own places", "Gap (forecast less own)",
                       "Register places in the area", "Register places within reach", "Register services within reach",
                       "Services without places"], {1: 26})
    for r in gap.rows:
        ws.append([CATEGORY_LABELS[r.category], r.day, round(r.demand, 1), round(r.demand_high, 1),
                   r.own.in_house_places, r.own.block_units, r.own.scenario_places, r.own.total, round(r.gap, 1),
                   r.reach.places_in_area, r.reach.places_within, r.reach.services_within, r.reach.unstated])
        ws.cell(ws.max_row, 2).number_format = DATE_FORMAT
        fmt(ws, ws.max_row, range(3, 5), ONE_PLACE)
        ws.cell(ws.max_row, 9).number_format = ONE_PLACE
    _gap_chart(wb, gap, BarChart, Reference)

    ws = sheet("Diversity", ["Category", "Reach", "Providers", "Services", "Share of", "Total", "Largest provider",
                             "Largest share", "HHI", "Places if it failed", "Our children there",
                             "Vacancies known elsewhere", "Services with vacancies known", "Others would take them"],
               {1: 26, 2: 18, 7: 36})
    for d in gap.diversity:
        absorbs = "not known" if d.absorbs is None else ("yes" if d.absorbs else "no")
        ws.append([CATEGORY_LABELS[d.category], d.reach, d.providers, d.services, d.basis, d.total,
                   spreadsheet_safe(d.largest), d.largest_share, round(d.hhi), d.displaced_places,
                   d.displaced_children, d.vacancies_elsewhere, d.vacancies_known_at, absorbs])
        ws.cell(ws.max_row, 8).number_format = PERCENT

    if declines is not None:
        _declines(wb, declines, sheet, BarChart, Reference)

    def save(fh: BinaryIO) -> None:
        wb.save(fh)

    return write_atomically(path, save)


def _gap_chart(wb: Any, gap: MarketGap, bar_chart: Any, reference: Any) -> None:
    """A small table of the gap by year (rows) and category (columns), and a clustered bar chart of it."""
    ws = wb.create_sheet("Gap chart")
    days = sorted({r.day for r in gap.rows})
    cats = list(SUPPLIED)
    ws.append(["Year end", *(CATEGORY_LABELS[c] for c in cats)])
    by = {(r.category, r.day): r.gap for r in gap.rows}
    for day in days:
        ws.append([day.strftime("%b %Y"), *(round(by.get((c, day), 0.0), 1) for c in cats)])
    chart = bar_chart()
    chart.type, chart.title, chart.y_axis.title = "col", "Gap: forecast less the council's own places", "Children"
    chart.height, chart.width = 9, 22
    chart.add_data(reference(ws, min_col=2, max_col=1 + len(cats), min_row=1, max_row=1 + len(days)),
                   titles_from_data=True)
    chart.set_categories(reference(ws, min_col=1, min_row=2, max_row=1 + len(days)))
    ws.add_chart(chart, "H2")


def _declines(wb: Any, ev: DeclineEvidence, sheet: Any, bar_chart: Any, reference: Any) -> None:
    d = ev.declines
    period = "every referral" if ev.since is None and ev.until is None else (
        f"referrals received {ev.since:%d/%m/%Y} to " if ev.since else "referrals received up to ") + (
        f"{ev.until:%d/%m/%Y}" if ev.until else "today")
    ws = sheet("Declines", ["Reason", "Declines", "Share of answers", "Share of declines"], {1: 36})
    for r in d.reasons:
        ws.append([r.label, r.declines, r.share_of_answers, r.share_of_declines])
        ws.cell(ws.max_row, 3).number_format = ws.cell(ws.max_row, 4).number_format = PERCENT
    rows = ws.max_row
    ws.append([])
    ws.append([f"From the search logs: {period}; {d.referrals} referrals sent to {d.approaches} services"])
    if d.reasons:
        chart = bar_chart()
        chart.type, chart.title, chart.y_axis.title = "bar", "Declines by reason", "Declines"
        chart.height, chart.width = 8, 18
        chart.add_data(reference(ws, min_col=2, max_col=2, min_row=1, max_row=rows), titles_from_data=True)
        chart.set_categories(reference(ws, min_col=1, min_row=2, max_row=rows))
        ws.add_chart(chart, "F2")
    reasons = list(DECLINE_REASONS)
    ws = sheet("Declines by", ["Looked at by", "Group", "Approaches", "Offered", "Declined", "Decline rate",
                               *(DECLINE_REASONS[r] for r in reasons)], {1: 28, 2: 36})
    for dim in DIMENSIONS:
        for row in d.crosstabs[dim]:
            ws.append([DIMENSION_LABELS[dim], spreadsheet_safe(row.label), row.approaches, row.offered, row.declined,
                       row.decline_rate, *(row.by_reason.get(r, 0) for r in reasons)])
            ws.cell(ws.max_row, 6).number_format = PERCENT
    ws = sheet("Longest searches", ["Rank", "Placed", "Days", "Services approached", "Offers", "Declines"])
    for rank, s in enumerate(d.longest, 1):  # by rank: a case reference identifies a child
        ws.append([rank, "yes" if s.placed else "still searching", s.days, s.services_approached, s.offers,
                   s.declines])
