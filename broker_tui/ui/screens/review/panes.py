"""The review's words as Rich renderables: the summary (each cohort in its own column, never summed as one,
and the assumptions the figures rest on), the line under the contracts table about the highlighted contract
(its terms in the period, voids by why, endings, QA) and its QA notes."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.quality import NoteView
from broker_tui.services.review import CohortTotals, ContractReview, Review, percent
from broker_tui.ui.screens.review.rows import RAG_STYLES, money, qa_cell

MOST_NOTES = 5


def period_words(review: Review) -> str:
    p = review.period
    return (f"{format_date(p.first_day)} to {format_date(p.last_day)} ({p.nights:,} nights), "
            f"worked out on {format_date(review.made_on)}")


def _measures(t: CohortTotals, review: Review) -> list[str]:
    ending = sum(1 for e in review.endings if e.cohort == t.cohort)
    return [
        f"{t.contracts}", f"{t.units_now}", f"{t.available_unit_days:,}", f"{t.occupied_unit_days:,}",
        f"{t.available_unit_days - t.occupied_unit_days:,}", percent(t.utilisation), money(t.void_cost_pence),
        money(t.block_paid_pence), f"{t.spot_agreements}", money(t.spot_paid_pence),
        money(t.block_paid_pence + t.spot_paid_pence), f"{ending}",
    ]


MEASURES = (
    "Block contracts", "Units paid for today", "Unit-nights paid for", "occupied", "void",
    "Utilisation", "What the voids cost", "Paid to block contracts", "Spot agreements", "Paid for spot",
    "This cohort's spend (block + spot)", "Blocks ending within 12 months",
)


def summary(review: Review, cohort: str | None) -> RenderableType:
    """Each cohort's totals side by side (the cohort filter keeps one), then the assumptions."""
    totals = [t for t in review.totals if cohort is None or t.cohort == cohort]
    grid = Table(title=f"16+ review · {period_words(review)}", title_justify="left", title_style="bold",
                 box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, header_style="bold")
    grid.add_column("", style="dim", no_wrap=True, min_width=34)
    for t in totals:
        grid.add_column(t.label.replace(" (", "\n("), justify="right", no_wrap=True, min_width=26)
    columns = [_measures(t, review) for t in totals]
    for i, name in enumerate(MEASURES):
        grid.add_row(name, *(c[i] for c in columns))
    note = Text("The two cohorts are paid from different budgets: they are shown apart and never added "
                "together.", style="italic")
    assumptions = Text("Assumptions\n", style="bold")
    for line in review.assumptions:
        assumptions.append("• ", style="dim")
        assumptions.append(line + "\n")
    return Group(grid, Text(""), note, Text(""), assumptions)


def contract_line(c: ContractReview) -> Text:
    """What the table leaves out of the highlighted contract: its name, terms, voids by why, endings, QA."""
    text = Text.assemble((f"{c.reference} ", "bold"), f"{c.name} · {c.service_name} · ",
                         f"{format_date(c.starts_on)} to {format_date(c.ends_on)} (first day not covered)")
    for span in c.prices:
        text.append(f"\nFrom {format_date(span.effective_from)}: {span.units} units at "
                    f"{format_pence(span.unit_weekly_pence)} a week ({span.change})", style="dim")
    voids = " · ".join(f"{v.label} {v.unit_days:,} ({money(v.cost_pence)})" for v in c.voids if v.unit_days)
    text.append(f"\nVoid unit-nights: {voids or 'none'}")
    if c.endings:
        text.append("\nStays ended: " + ", ".join(f"{code} {n}" for code, n in sorted(c.endings.items())))
    text.append("\nQA: ")
    text.append_text(qa_cell(c))
    if c.qa_held_on is not None:
        text.append(f" (latest rating {format_date(c.qa_held_on)})")
    text.append(" · q shows its QA notes · Enter opens the contract", style="dim")
    return text


def notes_text(reference: str, notes: Sequence[NoteView]) -> Text:
    """The contract's current QA notes, newest first, with their open actions."""
    if not notes:
        return Text(f"No QA notes about {reference} or its service.", style="dim")
    text = Text(f"QA notes about {reference} and its service, newest first", style="bold")
    for n in notes[:MOST_NOTES]:
        text.append(f"\n{format_date(n.held_on)} {n.subject_label}: ")
        text.append(n.rag_label, style=RAG_STYLES.get(n.rag, ""))
        text.append(f" {n.kind_label} by {n.author}: ")
        text.append(n.findings.splitlines()[0] if n.findings else "", style="italic")
        for a in n.actions:
            if a.status == "open":
                text.append(f"\n    action: {a.description} ({a.owner}, due {format_date(a.due_on)})",
                            style="bold red" if a.overdue else "")
    if len(notes) > MOST_NOTES:
        text.append(f"\n… and {len(notes) - MOST_NOTES} older: the Quality screen (F7) has them all", style="dim")
    return text
