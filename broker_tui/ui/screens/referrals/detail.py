"""One referral: what was asked for, where it stands, its history, and the workflow's next steps."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.widgets import Footer, Header, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.referrals.rules import manual_transitions
from broker_tui.domain.tags import TAG_BY_CODE
from broker_tui.domain.vocabulary import NEED_DOMAINS, NEED_LEVELS, REFERRAL_STATUSES, service_type_label
from broker_tui.services.audit import display_value
from broker_tui.services.reference import local_authority_names
from broker_tui.services.referrals import (
    HistoryEntry,
    ReferralView,
    StaleEdit,
    TransitionRefused,
    change_status,
    draft_from_previous,
    form_support,
    get_referral,
    history,
    standard_summary,
)
from broker_tui.ui.base import BrokerScreen, app_context, background, run_in_background
from broker_tui.ui.screens.dialogs import ChoiceScreen, ReasonScreen

LABEL_WIDTH = 26  # the summary and the standard line up


def open_form(node: DOMNode, *, opened: ReferralView | None = None, values: dict[str, Any] | None = None,
              previous_referral_id: Any = None, on_saved: Callable[[ReferralView], None] | None = None,
              on_closed: Callable[[ReferralView | None], None] | None = None) -> None:
    """Read what the form needs (code lists, authorities) off the event loop, then show the form.

    ``on_saved`` is told the saved referral; ``on_closed`` is told when the form closes, saved or not."""
    from broker_tui.ui.screens.referrals.form import ReferralFormScreen

    app, ctx = node.app, app_context(node)
    if opened is None and values is None:
        values = {"date_received": ctx.today(), "assigned_broker": ctx.actor}

    def load() -> None:
        support = form_support(ctx)

        def saved(view: ReferralView | None) -> None:
            if view is not None and on_saved is not None:
                on_saved(view)
            if on_closed is not None:
                on_closed(view)

        def show() -> None:
            app.push_screen(ReferralFormScreen(support, opened=opened, values=values,
                                               previous_referral_id=previous_referral_id), saved)

        app.call_from_thread(show)

    run_in_background(app, load, "open-form", "open the referral form")


class ReferralDetailScreen(BrokerScreen[None]):
    TITLE = "Referral"
    CSS_PATH = "referrals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "edit", "Edit"),
        Binding("s", "status", "Change status"),
        Binding("w", "withdraw", "Withdraw"),
        Binding("m", "moving", "New referral from this one"),
        Binding("f", "find", "Find placements"),
        Binding("o", "offers", "Offers & search log"),
        Binding("p", "purchase", "Record purchase"),
    ]

    def __init__(self, referral_id: str) -> None:
        super().__init__()
        self.referral_id = referral_id
        self.view: ReferralView | None = None
        self.prepared: Any = None  # placement_search.Prepared: the ranking for Find placements, worked out ahead
        self.outreach = ""  # the search log in one line ("sent to 4 · 1 offer · ...")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="ref-detail"):
            yield Static("", id="ref-summary")
            yield Static("", id="ref-standard")
            yield Static("", id="ref-history")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ref-detail").loading = True
        self.load()

    @background("warm-market", "rank the market ahead for this referral")
    def warm_market(self, view: ReferralView) -> None:
        """Read the market snapshot and rank it for this referral now, so Find placements (f) opens at once."""
        from broker_tui.services.matching import prepare

        with contextlib.suppress(Exception):  # the search screen reports it when opened
            prepared = prepare(self.ctx, view)
            self.app.call_from_thread(setattr, self, "prepared", prepared)

    def reload(self, _result: object = None) -> None:
        """Read the referral again (after a dialog or form over it closes)."""
        self.load()

    def action_find(self) -> None:
        if self.view is not None:
            self.broker_app.open_match_search(self.view, self.prepared)

    def action_offers(self) -> None:
        """The search log: every service the referral went to and the answers; record, compare, accept."""
        from broker_tui.ui.screens.outreach.offers import OffersScreen

        if self.view is not None:
            self.app.push_screen(OffersScreen(self.view), self.reload)

    def action_purchase(self) -> None:
        """The spot agreement for this child: from the accepted offer when there is one, else directly."""
        from broker_tui.ui.screens.purchases.record import record_purchase

        view = self.view
        if view is None:
            return
        if view.status not in ("placement_agreed", "placed"):
            self.notify(f"A referral that is {view.status_label.lower()} has no placement to buy yet: accept an "
                        "offer first (o, then a)", severity="warning", timeout=8)
            return

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title="Purchases")
                self.reload()

        record_purchase(self, view.id, view.case_ref, done)

    @background("load", "read the referral")
    def load(self) -> None:
        from broker_tui.services.outreach import search_log
        from broker_tui.ui.screens.outreach.words import outreach_line

        ctx = self.ctx
        view = get_referral(ctx, self.referral_id)
        entries = history(ctx, view.id)
        try:
            outreach = outreach_line(search_log(ctx, view)) + "  (o: offers & search log)"
        except Exception as exc:  # noqa: BLE001  (the rest of the referral still shows)
            outreach = f"could not be read: {exc}"
        places = local_authority_names(ctx) if view.values["avoid_areas"] else {}
        standard = standard_summary(ctx, view.id)
        self.app.call_from_thread(self._show, view, entries, outreach, places, standard)

    def _show(self, view: ReferralView, entries: list[HistoryEntry], outreach: str = "",
              places: dict[str, str] | None = None, standard: list[tuple[str, str]] | None = None) -> None:
        self.view = view
        self.outreach = outreach
        self.query_one("#ref-summary", Static).update(summary(view, outreach, places))
        self.query_one("#ref-standard", Static).update(standard_table(standard or []))
        self.query_one("#ref-history", Static).update(history_table(entries))
        self.query_one("#ref-detail").loading = False
        self.warm_market(view)

    def action_edit(self) -> None:
        if self.view is not None:
            open_form(self.app, opened=self.view, on_saved=self.reload)

    def action_moving(self) -> None:
        if self.view is None:
            return
        values = draft_from_previous(self.ctx, self.view)

        def show_new(view: ReferralView) -> None:
            self.app.switch_screen(ReferralDetailScreen(str(view.id)))

        open_form(self.app, values=values, previous_referral_id=self.view.id, on_saved=show_new)

    def action_status(self) -> None:
        if self.view is None:
            return
        choices = [(s, REFERRAL_STATUSES[s]) for s in manual_transitions(self.view.status) if s != "withdrawn"]
        if not choices:
            self.notify("No status change is open from here: sending, offers and placement move it on",
                        severity="warning")
            return

        def chosen(status: str | None) -> None:
            if status:
                self._change(status)

        self.app.push_screen(ChoiceScreen(f"Move {self.view.case_ref} to", choices), chosen)

    def action_withdraw(self) -> None:
        if self.view is None or "withdrawn" not in manual_transitions(self.view.status):
            self.notify("This referral cannot be withdrawn now", severity="warning")
            return

        def given(reason: str | None) -> None:
            if reason:
                self._change("withdrawn", reason)

        self.app.push_screen(ReasonScreen(f"Why is {self.view.case_ref} withdrawn?"), given)

    @background("status", "change the referral's status")
    def _change(self, status: str, reason: str = "") -> None:
        view = self.view
        if view is None:
            return
        try:
            change_status(self.ctx, view, status, reason=reason)
        except (TransitionRefused, StaleEdit) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"{view.case_ref}: {REFERRAL_STATUSES[status]}")
        self.load()


def summary(v: ReferralView, outreach: str = "", places: dict[str, str] | None = None) -> Table:
    """The referral at a glance; ``places`` names the councils to keep away from (ONS code -> name)."""
    values = v.values
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True, min_width=LABEL_WIDTH)
    t.add_column()
    est = " (estimated)" if v.eighteenth_estimated else ""
    age = "" if v.age_years is None else f"{v.age_years} at the needed-by date; 18 on {format_date(v.eighteenth_birthday)}{est}"
    rows = [
        ("Child", f"{v.case_ref}  {v.initials}"),
        ("Status", f"{v.status_label} · {v.urgency_label} · {v.days_open} days open"
                   + (f" · withdrawn: {v.withdrawn_reason}" if v.withdrawn_reason else "")),
        ("Age", age),
        ("Needed by", format_date(values["needed_by"]) + (" (emergency)" if values["emergency"] else "")),
        ("Types sought", ", ".join(service_type_label(x) for x in values["types_sought"])),
        ("Broker", values["assigned_broker"] or "not assigned"),
        ("Social worker", " · ".join(x for x in (values["social_worker"], values["social_work_team"]) if x)),
        ("Location", _location(values, places or {})),
        ("Budget", (format_pence(values["budget_weekly_pence"]) + " a week") if values["budget_weekly_pence"] is not None
         else "none set"),
        ("Funding", f"social care {values['funding_social_care_pct']}% · education {values['funding_education_pct']}% · "
                    f"health {values['funding_health_pct']}%"),
        ("Needs", ", ".join(f"{d.label} {NEED_LEVELS[values['needs'][d.code]].lower()}"
                            for d in NEED_DOMAINS if values["needs"][d.code]) or "none recorded"),
        ("Risks", ", ".join(f"{TAG_BY_CODE[r['tag']].label} ({NEED_LEVELS[r['level']].lower()})"
                            for r in values["risks"] if r["present"]) or "none recorded"),
        ("Specialist", ", ".join([TAG_BY_CODE[c].label for c in values["specialist_needs"]]
                                 + [f"“{x}”" for x in values["free_text_needs"]]) or "none"),
        ("Orders", _orders(values)),
    ]
    if outreach:
        rows.insert(2, ("Outreach", outreach))
    for label, value in rows:
        t.add_row(label, Text(str(value)))
    return t


def _location(values: dict[str, Any], places: dict[str, str]) -> str:
    parts = []
    if values["home_district"]:
        parts.append(f"home {values['home_district']}")
    if values["school_district"]:
        parts.append(f"school {values['school_district']}")
    if values["within_home_area"]:
        parts.append("must stay within the home area")
    if values["max_distance_miles"]:
        parts.append(f"within {values['max_distance_miles']} miles")
    if values["avoid_areas"]:
        parts.append("keep away from " + ", ".join(places.get(a["code"], a["code"]) + (
            f" +{a['radius_miles']}mi" if a.get("radius_miles") else "") for a in values["avoid_areas"]))
    return "; ".join(parts) or "no requirement"


def _orders(values: dict[str, Any]) -> str:
    out = []
    for key, name in (("dol_order", "Deprivation of Liberty"), ("section25_order", "Section 25")):
        o = values.get(key)
        if o:
            out.append(f"{name}: {o['court']}, made {format_date(o['made_on'])}"
                       + (f", review {format_date(o['review_on'])}" if o.get("review_on") else ""))
    return "; ".join(out) or "none"


def standard_table(lines: list[tuple[str, str]]) -> Table:
    """The referral's fields of the national Placements Data Standard, and its actual placement."""
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True, min_width=LABEL_WIDTH)
    t.add_column()
    t.add_row(Text("Placements Data Standard", style="bold underline"), "")
    for label, words in lines:
        t.add_row(label, Text(words, style="dim" if words == "not answered" else ""))
    return t


def history_table(entries: list[HistoryEntry]) -> Table:
    t = Table(title="History", title_justify="left", expand=True)
    t.add_column("When", no_wrap=True)
    t.add_column("Who")
    t.add_column("What")
    for e in reversed(entries):
        if e.action == "create":
            what = "created"
        else:
            what = "; ".join(f"{k.replace('_', ' ')}: {_short(a, k)} → {_short(b, k)}" for k, (a, b) in e.changes.items())
        t.add_row(e.at.strftime("%d/%m/%Y %H:%M"), e.actor, what)
    return t


def _short(value: Any, key: str = "") -> str:
    """A value of the history as a broker reads it: money in pounds, dates dd/mm/yyyy, a place by its code,
    risks by name and level, lists joined."""
    if value in (None, "", [], {}):
        return "—"
    if key == "status":
        return REFERRAL_STATUSES.get(value, str(value))
    text = _words(value, key)
    return text if len(text) <= 40 else text[:39] + "…"


def _words(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_pence") and isinstance(value, int):
        return format_pence(value)
    if isinstance(value, dict) and "code" in value:
        return str(value["code"]) + (f" +{value['radius_miles']}mi" if value.get("radius_miles") else "")
    if isinstance(value, dict) and "court" in value:
        return f"{value['court']}, made {_words(value.get('made_on'), '')}"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict) and "tag" in item:
                label = TAG_BY_CODE[item["tag"]].label if item["tag"] in TAG_BY_CODE else item["tag"]
                parts.append(f"{label} ({NEED_LEVELS[item['level']].lower()})" if item.get("present")
                             else f"{label}: no known risk")
            elif isinstance(item, dict):
                parts.append(_words(item, key))
            else:
                parts.append(str(item))
        return ", ".join(parts)
    return display_value(value)  # the audit trail's own reading: dates and moments UK style
