"""The offers screens' tables: the search log (one row per service approached) and the offers side by
side. Both size their columns to the width (SizedTable): long names end in …, figures keep their width."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.outreach import LogEntry, OfferRow
from broker_tui.ui.widgets.sized_table import SizedTable, cell

OFFER_STATUSES = {"open": "open", "accepted": "accepted", "not_taken": "not taken", "withdrawn": "withdrawn",
                  "expired": "expired"}
OVERDUE_STYLE = "bold red"  # a Rich style: DataTable cells are Rich text
ACCEPTED_STYLE = "bold green"
MINUS = "\N{MINUS SIGN}"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# key, heading, fixed width (None: shares the rest by weight), weight, minimum
LOG_COLUMNS = (("service", "Service", None, 4, 14), ("provider", "Provider", None, 3, 10), ("sent", "Sent", 10, 0, 0),
               ("by", "By", None, 2, 8), ("due", "Reply due", 10, 0, 0), ("answer", "Answer", 17, 0, 0),
               ("reason", "Reason or offer", None, 4, 16))
COMPARE_COLUMNS = (("service", "Service", None, 3, 12), ("provider", "Provider", None, 2, 10),
                   ("price", "£ a week", 11, 0, 0), ("budget", "vs budget", 11, 0, 0), ("fit", "Fit", 8, 0, 0),
                   ("miles", "Miles", 5, 0, 0), ("quality", "Quality", None, 2, 10), ("approvals", "Approvals", 10, 0, 0),
                   ("valid", "Valid until", 11, 0, 0), ("status", "Status", 10, 0, 0))


def uk_dates(text: str) -> str:
    """'2026-11-30 has passed' -> '30/11/2026 has passed' (the services' messages name ISO dates)."""
    return _ISO_DATE.sub(lambda m: f"{m.group(3)}/{m.group(2)}/{m.group(1)}", text)


def answer_text(entry: Any) -> Text:
    """A search log entry's answer: offer (and its status), declined, no reply yet, overdue."""
    if entry.answer == "offer":
        status = OFFER_STATUSES.get(entry.offer_status or "", entry.offer_status or "")
        return cell(f"Offer ({status})", style=ACCEPTED_STYLE if entry.offer_status == "accepted" else "")
    if entry.answer == "decline":
        return cell("Declined")
    if entry.answer == "overdue":
        return cell("Overdue", style=OVERDUE_STYLE)
    return cell("No reply yet")


class SearchLogTable(SizedTable[LogEntry]):
    """Every service the referral was sent to, in the order approached; overdue rows stand out."""

    COLUMNS = LOG_COLUMNS

    def row_key(self, entry: LogEntry) -> str:
        return str(entry.service_id)

    def cells(self, e: LogEntry) -> tuple[Any, ...]:
        late = OVERDUE_STYLE if e.answer == "overdue" else ""
        reason = e.reason
        if e.answer == "offer" and e.weekly_price_pence is not None:
            reason = f"{format_pence(e.weekly_price_pence)} a week"  # the dates are in the detail below
        return (cell(e.service_name, style=late), cell(e.provider_name), cell(format_date(e.sent_at.date())),
                cell(e.sent_by), cell(format_date(e.reply_due_on), style=late), answer_text(e), cell(uk_dates(reason)))


def budget_text(over: int | None) -> Text:
    if over is None:
        return cell("no budget", style="dim")
    if over == 0:
        return cell("on budget")
    sign = "+" if over > 0 else MINUS
    return cell(f"{sign}{format_pence(abs(over), whole=True)}", right=True, style=OVERDUE_STYLE if over > 0 else "")


def offer_status_text(r: Any) -> Text:
    if r.status == "open" and r.expired:
        return cell("expired", style=OVERDUE_STYLE)
    return cell(OFFER_STATUSES.get(r.status, r.status), style=ACCEPTED_STYLE if r.status == "accepted" else "")


class OfferCompareTable(SizedTable[OfferRow]):
    """A referral's offers side by side, cheapest first (services.search_log.OfferRow)."""

    COLUMNS = COMPARE_COLUMNS

    def row_key(self, r: OfferRow) -> str:
        return str(r.offer_id)

    def cells(self, r: OfferRow) -> tuple[Any, ...]:
        fit = cell("excluded", style=OVERDUE_STYLE) if r.fit_score is None else cell(round(r.fit_score * 100),
                                                                                   right=True)
        return (cell(r.service_name), cell(r.provider_name), cell(format_pence(r.weekly_price_pence, whole=True),
                                                                  right=True),
                budget_text(r.over_budget_pence), fit, cell("" if r.miles is None else round(r.miles), right=True),
                cell(r.quality), cell(f"{len(r.approvals)} needed" if r.approvals else "none"),
                cell(format_date(r.valid_until), style=OVERDUE_STYLE if r.expired else ""), offer_status_text(r))
