"""One service in full: summary, placement stop, price list, capabilities, QA notes, households."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.services.market import PriceLine, ServiceDetail, service_detail
from broker_tui.ui.base import BrokerScreen, background

RAG_STYLES = {"red": "bold red", "amber": "bold yellow", "green": "bold green"}


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _pairs(rows: list[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        if value:
            grid.add_row(label, value)
    return grid


def _table(*columns: str) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    for c in columns:
        table.add_column(c, justify="right" if c in {"Level", "Places", "Free", "Core weekly", "Uplift"} else "left")
    return table


def _price_parts(p: PriceLine) -> str:
    parts = [f"1:1 {format_pence(p.one_to_one_hourly_pence)}/h" if p.one_to_one_hourly_pence else "",
             f"2:1 {format_pence(p.two_to_one_hourly_pence)}/h" if p.two_to_one_hourly_pence else "",
             f"education {format_pence(p.education_weekly_pence)}/wk" if p.education_weekly_pence else "",
             f"therapy {format_pence(p.therapy_weekly_pence)}/wk" if p.therapy_weekly_pence else "",
             f"solo {format_pence(p.solo_premium_weekly_pence)}/wk" if p.solo_premium_weekly_pence else ""]
    return ", ".join(x for x in parts if x)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{format_date(start)} – {format_date(end) if end else 'open'}"


def render_detail(d: ServiceDetail) -> RenderableType:
    """The whole detail as Rich renderables (no business rules: the service decided what is in force)."""
    miles = "" if d.distance_miles is None else f"{d.distance_miles:.1f} miles"
    if miles and d.location_approximate:
        miles = f"about {d.distance_miles:.0f} miles (from its authority's centre)"
    where = ", ".join(x for x in (d.town, d.postcode_district, d.local_authority_name, d.region) if x)
    if d.location_approximate:
        where += " (approximate: placed at its authority's centre)"
    places = "" if d.places is None else f"{d.places} places"
    if d.vacancies is not None:
        places += f", {d.vacancies} free"
        if d.vacancies_as_of:
            places += f" (as of {format_date(d.vacancies_as_of)}{', ' + d.vacancies_source if d.vacancies_source else ''})"
    registration = d.registration_label + (f" since {format_date(d.registration_date)}" if d.registration_date else "")
    if not d.in_register:
        registration += f"; left the register {format_date(d.left_register_on)}"
    out: list[RenderableType] = [
        Text(d.name, style="bold"),
        Text(f"{d.type_label} · {d.provider_name}", style="dim"),
        _heading("Summary"),
        _pairs([("Owner", d.provider_name), ("Referrals to", d.provider_contact), ("Type", d.type_label),
                ("Sector", d.sector_label), ("Ofsted URN", d.ofsted_urn or ""), ("Registration", registration),
                ("Judgement", d.judgement + (f" ({format_date(d.inspected_on)})" if d.inspected_on else "")),
                ("Category", d.sa_category_label or ""), ("Where", where),
                ("Distance", f"{miles}{' · ' if miles else ''}{'Local' if d.in_area else 'Out of area'}"),
                ("Ages", d.ages), ("Sexes", d.sexes), ("Places", places),
                ("Purchasing", d.purchasing_label + (f" — {d.framework}" if d.framework else "")),
                ("About", d.description)]),
        _heading("Placement stop"),
    ]
    if d.stop_in_force:
        s = d.stop_in_force
        out.append(Text(f"IN FORCE since {format_date(s.starts_on)}: {s.reason} (imposed by {s.imposed_by})",
                        style="bold red"))
    else:
        out.append(Text("None in force"))
    for s in d.past_stops:
        lifted = f"lifted by {s.lifted_by}: {s.lifted_reason}" if s.lifted_on else "not yet in force"
        out.append(Text(f"{_period(s.starts_on, s.lifted_on)}  {s.reason} (imposed by {s.imposed_by}; {lifted})",
                        style="dim"))
    out.append(_heading("Price list"))
    if d.price_in_force or d.price_history:
        prices = _table("In force", "Period", "Core weekly", "Extras", "Uplift")
        for p in ((d.price_in_force,) if d.price_in_force else ()) + d.price_history:
            prices.add_row("yes" if p is d.price_in_force else "", _period(p.valid_from, p.valid_to),
                           format_pence(p.core_weekly_pence), _price_parts(p),
                           f"{p.annual_uplift_bp / 100:.2f}%" if p.annual_uplift_bp else "")
        out.append(prices)
    else:
        out.append(Text("No price list recorded"))
    out.append(_heading("Capabilities (highest need level met)"))
    caps = _table("Need domain", "Level", "")
    for c in d.capabilities:
        caps.add_row(c.label, str(c.level), c.level_label)
    out.append(caps)
    out.append(Text.assemble(("Specialisms: ", "bold"), ", ".join(d.specialisms) or "none recorded"))
    out.append(_heading("Quality assurance notes"))
    if not d.qa_notes:
        out.append(Text("No QA notes"))
    for n in d.qa_notes:
        out.append(Text.assemble((f"{format_date(n.held_on)}  {n.kind_label}  ", "bold"),
                                 (n.rag_label, RAG_STYLES.get(n.rag, "")), f"  by {n.author}" if n.author else ""))
        if n.findings:
            out.append(Text(f"  {n.findings}"))
        for a in n.actions:
            state = (f"done {format_date(a.done_on)}" if a.done_on else "cancelled" if a.status == "cancelled"
                     else "OVERDUE" if a.overdue else "open")
            out.append(Text(f"  • {a.description} — {a.owner}, due {format_date(a.due_on)}: {state}",
                            style="red" if a.overdue else ""))
    if d.is_fostering:
        out.append(_heading("Households"))
        if d.households:
            households = _table("Household", "Places", "Free")
            for h in d.households:
                households.add_row(h.reference, str(h.places), str(h.free_places))
            out.append(households)
        else:
            out.append(Text("No households recorded"))
    return Group(*out)


class ServiceDetailScreen(BrokerScreen[None]):
    """The detail of one service, over the directory. Escape goes back."""

    TITLE = "Service"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self, service_id: str, name: str = ""):
        super().__init__()
        self.service_id = service_id
        self.service_name = name
        self.detail: ServiceDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(self.service_name, id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.service_name
        self.query_one("#detail").loading = True
        self.query_one("#detail").focus()
        self.load()

    def action_back(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.load()

    @background("detail", "read the service's details")
    def load(self) -> None:
        try:
            detail = service_detail(self.ctx, self.service_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.show_error, str(exc).splitlines()[0] if str(exc) else repr(exc))
            return
        self.app.call_from_thread(self.show_detail, detail)

    def show_detail(self, detail: ServiceDetail) -> None:
        self.query_one("#detail").loading = False
        self.detail = detail
        self.sub_title = detail.name
        self.query_one("#detail-body", Static).update(render_detail(detail))

    def show_error(self, message: str) -> None:
        self.query_one("#detail").loading = False
        self.query_one("#detail-body", Static).update(Text(f"Could not read this service: {message}", style="red"))
