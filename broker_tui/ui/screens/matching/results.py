"""The matching search's tables (ranked results, and what was excluded and why) and its detail pane.

Widgets only lay out what the engine worked out (domain.matching.RankedService and Exclusion): no
business rules here. Column widths follow the table's width: figures keep fixed widths, text columns
share the rest and crop with an ellipsis (the detail pane shows everything in full).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.matching import Exclusion, RankedService
from broker_tui.domain.money import format_pence
from broker_tui.services.matching import ExcludedView
from broker_tui.ui.widgets.sized_table import SizedTable, cell

# key, heading, fixed width (None: shares the rest by weight), weight, minimum
RESULT_COLUMNS = (("mark", "", 1, 0, 0), ("rank", "#", 3, 0, 0), ("service", "Service", None, 4, 14), ("provider", "Provider", None, 3, 10),
                  ("type", "Type", None, 4, 10), ("miles", "Miles", 5, 0, 0), ("area", "Area", 4, 0, 0),
                  ("judgement", "Judgement", None, 2, 11), ("weekly", "£/week (vs budget)", 18, 0, 0),
                  ("free", "Free", 5, 0, 0), ("score", "Match", 5, 0, 0))
EXCLUDED_COLUMNS = (("service", "Service", None, 3, 14), ("type", "Type", None, 2, 10),
                    ("provider", "Provider", None, 2, 10), ("why", "Why excluded (every reason)", None, 6, 20))
MINUS = "\N{MINUS SIGN}"


def miles_label(r: RankedService) -> str:
    if r.miles is None:
        return "?"
    return f"{'~' if r.approximate else ''}{round(r.miles)}"


def weekly_label(r: RankedService) -> Text:
    """'£4,350 (−£150)': the weekly estimate and how far it is over (+) or under (−) the budget."""
    est = r.estimate
    if est is None:
        return cell("no price", right=True, style="dim")
    text = format_pence(est.weekly_pence, whole=True)
    over = est.over_budget_pence
    style = ""
    if over is not None:
        sign = "+" if over > 0 else MINUS if over < 0 else "±"
        text += f" ({sign}{format_pence(abs(over), whole=True)})"
        style = "red" if over > 0 else ""
    return cell(text, right=True, style=style)


def free_label(r: RankedService) -> str:
    s = r.service
    free = s.free_places if not s.household_free_places else sum(s.household_free_places)
    text = "?" if free is None else str(free)
    if s.free_block_units:
        text += f"+{s.free_block_units}b"
    return text


class ExplainedOnce:
    """What the Why pane shows, so that the same row of the same results (highlighted again after the table
    was filled) is not explained twice."""

    def __init__(self) -> None:
        self._shown: tuple[object, ...] = ()

    def again(self, *what: object) -> bool:
        """True when ``what`` (identities) is what the pane shows already; else remember it."""
        if self._shown and all(a is b for a, b in zip(what, self._shown, strict=False)):
            return True
        self._shown = what
        return False


class MatchTable(SizedTable[RankedService]):
    """The ranked services; highlighting a row shows its explanation below."""

    COLUMNS = RESULT_COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Show why", show=False)]

    def __init__(self, *, id: str | None = None):  # noqa: A002
        super().__init__(id=id)
        self.marks: dict[str, str] = {}  # service id -> ★ (shortlisted) or ✓ (sent)

    def show(self, items: Sequence[Any], marks: dict[str, str] | None = None) -> None:
        """Show the ranked services, each marked as the shortlist says (★ picked, ✓ sent)."""
        self.marks = dict(marks or {})
        super().show(items)

    def set_marks(self, marks: dict[str, str]) -> None:
        """Change the marks beside the rows on show."""
        old, self.marks = self.marks, dict(marks)
        for key in set(old) | set(marks):
            if old.get(key) != marks.get(key) and key in self.rows:
                self.update_cell(key, "mark", cell(marks.get(key, ""), style="bold"))

    def row_key(self, r: RankedService) -> str:
        return str(r.service.id)

    def cells(self, r: RankedService) -> tuple[Any, ...]:
        name = cell(r.service.name)
        if r.full:
            name = Text.assemble(("FULL ", "bold yellow"), name, overflow="ellipsis", no_wrap=True)
        return (cell(self.marks.get(str(r.service.id), ""), style="bold"), cell(r.rank, right=True), name, cell(r.service.provider), cell(r.service.type_label),
                cell(miles_label(r), right=True), cell("In" if r.in_area else "Out"), cell(r.judgement),
                weekly_label(r), cell(free_label(r), right=True), cell(round(r.score * 100), right=True))


class ExcludedTable(SizedTable[Exclusion]):
    """The excluded services of the types sought, with every reason, a page at a time: page down (or down)
    at the end of the rows on show describes the next page (``ExcludedView.page``)."""

    COLUMNS = EXCLUDED_COLUMNS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Show why", show=False)]

    class Paged(Message):
        """More rows were added (the status line says how many are listed)."""

    def __init__(self, *, id: str | None = None):  # noqa: A002
        super().__init__(id=id)
        self.source: ExcludedView | None = None

    def show_view(self, view: ExcludedView | None) -> None:
        """The first page of the view (nothing: no rows)."""
        self.source = view
        self.show(list(view.first) if view is not None else [])

    @property
    def more(self) -> int:
        """How many excluded services are not listed yet."""
        return 0 if self.source is None else self.source.count - self.row_count

    def _more_if_near_end(self, rows_ahead: int) -> None:
        if self.source is not None and self.more > 0 and self.cursor_row + rows_ahead >= self.row_count - 1:
            self.append(self.source.page(self.row_count))
            self.post_message(self.Paged())

    def action_page_down(self) -> None:
        self._more_if_near_end(max(1, self.scrollable_content_region.height))
        super().action_page_down()

    def action_cursor_down(self) -> None:
        self._more_if_near_end(0)
        super().action_cursor_down()

    def row_key(self, e: Exclusion) -> str:
        return str(e.service.id)

    def cells(self, e: Exclusion) -> tuple[Any, ...]:
        return (cell(e.service.name), cell(e.service.type_label), cell(e.service.provider),
                cell("; ".join(e.reasons)))


class ExcludedPane(Vertical):
    """The excluded view: how many for each reason above the table of excluded services (a page at a time)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="excluded-reasons")
        yield ExcludedTable(id="excluded-table")

    def show_view(self, view: ExcludedView | None) -> None:
        table = self.query_one(ExcludedTable)
        table.loading = False
        table.show_view(view)
        if self.display and self.screen.focused is None:
            table.focus()  # focus was lost while the table was loading
        self._reasons()

    def on_excluded_table_paged(self) -> None:
        self._reasons()

    def _reasons(self) -> None:
        table = self.query_one(ExcludedTable)
        self.query_one("#excluded-reasons", Static).update(reasons_text(table.source, table.row_count))


def _grid() -> Table:
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    return t


def price_lines(r: RankedService) -> list[tuple[str, str]]:
    est = r.estimate
    if est is None:
        return [("Price", "no price list on record for the start date")]
    parts = [("Core weekly fee", est.core_pence), ("1:1 staffing", est.one_to_one_pence),
             ("2:1 staffing", est.two_to_one_pence), ("Education", est.education_pence),
             ("Therapy", est.therapy_pence), ("Solo premium", est.solo_pence)]
    shown = [f"{label} {format_pence(p, whole=True)}" for label, p in parts if p or label == "Core weekly fee"]
    out = [("Price a week", " + ".join(shown) + f" = {format_pence(est.weekly_pence, whole=True)}")]
    if est.over_budget_pence is not None:
        over = est.over_budget_pence
        words = "on budget" if over == 0 else (f"{format_pence(abs(over), whole=True)} "
                                               f"{'over' if over > 0 else 'under'}")
        out.append(("Budget", f"{format_pence(est.budget_weekly_pence, whole=True)} a week: {words}"))
    to_end = ""
    if est.to_end_pence is not None:
        basis = "the 18th birthday" if est.end_is_18th else f"the planned end ({format_date(est.end_date)})"
        to_end = f"; {format_pence(est.to_end_pence, whole=True)} to {basis}"
    out.append(("Cost", f"{format_pence(est.annual_pence, whole=True)} a year{to_end}"))
    uplift = f", {est.uplift_years} year(s) of uplift" if est.uplift_years else ""
    note = f"; not priced: {', '.join(est.unpriced)}" if est.unpriced else ""
    out.append(("Price list", f"in force from {format_date(est.list_valid_from)}{uplift}{note}"))
    return out


def result_detail(r: RankedService, ranked_from: str) -> Group:
    s = r.service
    head = Text.assemble((f"{r.rank}. {s.name}", "bold"), f"  ·  {s.provider}  ·  {s.type_label}",
                         (" · FULL: shown because 'show full' is on" if r.full else "", "yellow"))
    t = _grid()
    t.add_row("Why", Text(r.explanation))
    place = "location not known" if r.miles is None else (f"{'about ' if r.approximate else ''}{r.miles:g} miles "
                                                           f"from {ranked_from} to {r.measured_to}")
    t.add_row("Place", Text(f"{place}; {'in area' if r.in_area else 'out of area'}"
                            + (f"; distant (host council: {r.host_council})" if r.distant else "")))
    t.add_row("Approvals", Text("\n".join(f"• {a}" for a in r.approvals) or "none needed"))
    for label, value in price_lines(r):
        t.add_row(label, Text(value))
    p = r.parts
    t.add_row("Score", Text(f"{round(r.score * 100)}: need fit {p.need_fit:.2f} · needs and risks {p.specialist:.2f}"
                            f" · cost {p.cost:.2f} · place {p.place:.2f} · quality {p.quality:.2f}"
                            f" · strategy {p.strategy:.2f}"))
    return Group(head, t)


def excluded_detail(e: Exclusion) -> Group:
    s = e.service
    head = Text.assemble((s.name, "bold"), f"  ·  {s.provider}  ·  {s.type_label}  ·  excluded")
    t = _grid()
    t.add_row("Reasons", Text("\n".join(f"• {r}" for r in e.reasons)))
    return Group(head, t)


def status_text(shown: Any, excluded: ExcludedView | None, *, excluded_view: bool) -> str:
    """The line above the table: how many could take the child, or (the excluded view) how many were left
    out. ``shown`` is a services.matching.Narrowed (the ranking and the free text narrowing it)."""
    if not excluded_view:
        return f"{shown.summary}  Measured from {shown.result.ranked_from}."
    if excluded is None:
        return "Working out what was excluded…"
    if shown.text:
        return (f"Excluded: {excluded.count:,} service(s) of the types sought matching “{shown.text}”."
                "  x: back to the results")
    return (f"Excluded: {excluded.count:,} service(s) of the types sought; {excluded.others:,} of other types "
            "(not a type sought).  x: back to the results")


def reasons_text(excluded: ExcludedView | None, listed: int) -> str:
    """How many of the excluded services below are listed so far, and how many break each rule, commonest
    first (a service excluded for several reasons counts under each)."""
    if excluded is None or not excluded.count:
        return ""
    more = f"{listed:,} of {excluded.count:,} listed: page down for more. " if listed < excluded.count else ""
    counts = " · ".join(f"{words} {n:,}" for _rule, words, n in excluded.by_reason)
    return f"{more}By reason (a service counts under each it breaks): {counts}"
