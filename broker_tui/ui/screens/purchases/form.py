"""Record a spot agreement (an individual placement agreement, IPA): from an accepted offer (the child, the
service, the price and its parts and the start pre-filled) or directly.

The broker types as they would write it: money as £5,600 or 5600.50, hours a week as 10.5 or 10:30, dates as
dd/mm/yyyy, shares as whole percentages. A live line under the weekly price adds the parts up as they type
(staffing worked out as hours x hourly rate, rounded half up to the penny once, as the service does), so a
price that does not add up shows before saving. Each field is checked when the broker leaves it (money,
hours, dates, the parts and the split: pure checks, no database) and everything on save by the service
(services.purchases.add_agreement), which refuses by field with nothing written: every problem shows beside
its field (one about the whole agreement in the banner), what was typed stays, and the focus goes to the
first. ctrl+s saves and submits (active, or awaiting approval above the threshold), ctrl+d saves a draft,
Esc leaves (asking first when something was typed).

``PurchaseForm`` (purchases.form_base) is what this form and the amendment form share; the pure helpers
(reading what was typed, the parts line, the recorded message) are in purchases.form_reading.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select, Static

from broker_tui.domain.dates import format_date, parse_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import PURCHASING_ROUTES
from broker_tui.services.market import ServiceNotFound, service_detail
from broker_tui.services.placements import OVERLAP_KINDS, PurchaseRefused
from broker_tui.services.purchases import (
    SPOT_ROUTES,
    SpotInput,
    add_agreement,
    show_agreement,
)
from broker_tui.services.referrals import ReferralNotFound, get_referral
from broker_tui.ui.base import background
from broker_tui.ui.screens.purchases.form_base import PurchaseForm, field
from broker_tui.ui.screens.purchases.form_reading import (
    MONEY,
    NAMED_ROUTES,
    PRICE_INPUTS,
    REQUIRED_MONEY,
    SHARES,
    blank_none,
    date_problem,
    date_text,
    hours_text,
    money_text,
    price_problems,
    read_share,
    recorded_message,
    share_text,
    split_problems,
)

# ------------------------------------------------------------------------------------------ the agreement

SPOT_ALIASES = {
    "referral": "case_ref",
    "one_to_one_minutes": "one_to_one", "two_to_one_minutes": "two_to_one",
    "other_weekly_pence": "other", "other_text": "other",
    "social_care_pct": "funding", "education_pct": "funding", "health_pct": "funding",
}


class AgreementFormScreen(PurchaseForm):
    """A spot agreement, pre-filled from ``prefill`` (prefill_from_offer, or the child alone, or nothing).
    Dismisses with a one-line message once recorded, or None when the broker leaves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save(True)", "Save and submit", priority=True),
        Binding("ctrl+d", "save(False)", "Save as a draft", priority=True),
        Binding("escape", "leave", "Cancel"),
    ]
    ALIASES = SPOT_ALIASES
    DEPENDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "weekly_price_pence": PRICE_INPUTS,  # the parts not adding up: any part can put it right
        "start_date": ("start_date", "planned_end"),  # the child's other placement on these nights
        "planned_end": ("start_date", "planned_end"),
        "route_reason": ("route_reason", "purchasing_route", *PRICE_INPUTS),  # above the service's rate
    }
    SHORT: ClassVar[dict[str, str]] = {
        "one_to_one_hours": "Hours", "one_to_one_minutes": "Hours", "one_to_one_hourly_pence": "Hourly rate",
        "two_to_one_hours": "Hours", "two_to_one_minutes": "Hours", "two_to_one_hourly_pence": "Hourly rate",
        "other_weekly_pence": "Amount", "other_text": "What it is for", "social_care_pct": "Social care",
        "education_pct": "Education", "health_pct": "Health"}
    LEAVE_QUESTION = "Leave without recording the agreement? What you typed will be lost."

    def __init__(self, prefill: SpotInput, *, heading: str) -> None:
        super().__init__()
        self.prefill, self.heading = prefill, heading
        self.fixed_child = prefill.referral not in (None, "")
        self.fixed_service = prefill.service not in (None, "")
        self.service_name = ""
        self.child = ""  # the referral's case reference, once read

    @property
    def case_ref(self) -> str | None:  # for the log (the worker policy)
        return self.prefill.case_ref or self.child or None

    def values(self) -> dict[str, str]:
        """The pre-filled values as the broker reads them."""
        p = self.prefill
        out = {name: money_text(getattr(p, name), keep_zero=name in REQUIRED_MONEY) for name in MONEY}
        out["one_to_one_hours"] = hours_text(p.one_to_one_hours, p.one_to_one_minutes)
        out["two_to_one_hours"] = hours_text(p.two_to_one_hours, p.two_to_one_minutes)
        out.update({name: share_text(getattr(p, name)) for name in SHARES})
        out.update(other_text=p.other_text, start_date=date_text(p.start_date), planned_end=date_text(p.planned_end),
                   case_ref=p.case_ref, service="" if p.service is None else str(p.service),
                   cost_centre=p.cost_centre, framework_name=p.framework_name, framework_lot=p.framework_lot,
                   route_reason=p.route_reason, conditions=p.conditions, overlap_reason=p.overlap_reason)
        return out

    def compose(self) -> ComposeResult:
        threshold = format_pence(self.ctx.settings.high_cost_threshold_pence)
        yield from self.frame(
            self.heading, (), self.body(),
            f"Tab or Enter: next field · ctrl+s save and submit (above {threshold} a week it waits for an "
            "approver) · ctrl+d save as a draft · Esc leave")

    def body(self) -> ComposeResult:
        v, p = self.values(), self.prefill
        if self.fixed_child:
            yield from self.row("case_ref", "Child", Static(p.case_ref or "…", classes="pf-readonly",
                                                            id="pf-child"))
        else:
            yield from self.row("case_ref", "Child", field("case_ref", v["case_ref"], "case reference, e.g. LCC-123456"))
        if self.fixed_service:
            yield from self.row("service", "Service", Static("…", classes="pf-readonly", id="pf-service"))
        else:
            yield from self.row("service", "Service", field("service", v["service"],
                                                            "its Ofsted URN (e.g. SC123456) or id"))
        yield from self.row("start_date", "Start date", field("start_date", v["start_date"],
                                                              "the first night, dd/mm/yyyy — required"))
        yield from self.row("planned_end", "Planned end", field(
            "planned_end", v["planned_end"], "the first night NOT bought, dd/mm/yyyy (optional)"))
        yield from self.price_rows(v)
        yield from self.split_row(v)
        yield from self.row("cost_centre", "Cost centre", field("cost_centre", v["cost_centre"], "required"))
        route = p.purchasing_route if p.purchasing_route in SPOT_ROUTES else "spot"
        yield from self.row("purchasing_route", "Purchasing route", Select(
            [(PURCHASING_ROUTES.get(r, r), r) for r in SPOT_ROUTES], value=route, allow_blank=False,
            id="pf-f-purchasing_route", classes="pf-field pf-select", compact=True))
        yield from self.row("framework_name", "  framework", field("framework_name", v["framework_name"],
                                                                   "the framework's (or system's) name"))
        yield from self.row("framework_lot", "  lot", field("framework_lot", v["framework_lot"], "e.g. Lot 2"))
        yield from self.row("route_reason", "  why bought this way", field(
            "route_reason", v["route_reason"], "spot: why not a framework or block; above the service's rate: why"))
        yield from self.row("conditions", "Conditions", field("conditions", v["conditions"],
                                                              "e.g. impact assessment first (optional)"))
        yield from self.row("overlap_kind", "Another placement", Select(
            [(label, code) for code, label in OVERLAP_KINDS.items()],
            value=p.overlap_kind if p.overlap_kind in OVERLAP_KINDS else Select.NULL,
            prompt="None on these nights (the usual)", id="pf-f-overlap_kind", classes="pf-field pf-select",
            compact=True))
        yield from self.row("overlap_reason", "  why two at once", field(
            "overlap_reason", v["overlap_reason"], "the child keeps the other placement because…"))

    def opened(self) -> None:
        if self.fixed_child or self.fixed_service:
            self._names(self.prefill.referral, self.prefill.service)

    @background("pf-names", "read the child and the service for the agreement")
    def _names(self, referral: str | uuid.UUID | None, service: str | uuid.UUID | None) -> None:
        child = service_text = None
        if referral not in (None, ""):
            try:
                child = self.child = get_referral(self.ctx, uuid.UUID(str(referral))).case_ref
            except (ReferralNotFound, ValueError):
                child = f"no referral {referral}"
        if service not in (None, ""):
            try:
                found = service_detail(self.ctx, str(service))
            except (ServiceNotFound, ValueError):
                service_text = f"no service {service}"
            else:
                self.service_name = found.name
                price = found.price_in_force
                service_text = f"{found.name} ({found.provider_name})" + (
                    f" · its price list from {format_date(price.valid_from)}: core "
                    f"{format_pence(price.core_weekly_pence)} a week" if price is not None else " · no price list")
        self.app.call_from_thread(self._named, child, service_text)

    def _named(self, child: str | None, service: str | None) -> None:
        if child is not None and self.query("#pf-child"):
            self.query_one("#pf-child", Static).update(child)
        if service is not None and self.query("#pf-service"):
            self.query_one("#pf-service", Static).update(service)

    def show_rows(self) -> None:
        raw = self.raw()
        route = raw.get("purchasing_route", "spot")
        self.query_one("#pf-row-framework_name").display = route in NAMED_ROUTES
        self.query_one("#pf-row-framework_lot").display = route == "framework"
        self.query_one("#pf-row-overlap_reason").display = bool(raw.get("overlap_kind"))
        for slot in ("framework_name", "framework_lot", "overlap_reason"):
            if not self.shown(slot):
                self.query_one(f"#pf-err-{slot}", Static).set_class(False, "has-error")

    def local_problems(self, raw: dict[str, str]) -> dict[str, str]:
        problems: dict[str, str] = {}
        start_text, end_text = raw.get("start_date", "").strip(), raw.get("planned_end", "").strip()
        if not start_text:
            problems["start_date"] = "enter the first night (dd/mm/yyyy)"
        elif problem := date_problem(start_text):
            problems["start_date"] = problem
        if end_text and (problem := date_problem(end_text)):
            problems["planned_end"] = problem
        elif end_text and "start_date" not in problems and parse_date(end_text) <= parse_date(start_text):
            problems["planned_end"] = (f"must be after the start ({format_date(parse_date(start_text))}): it is the "
                                       "first night the child is not there")
        problems.update(price_problems(raw))
        problems.update(split_problems(raw))
        return problems

    def spot(self) -> SpotInput:
        """What was typed, laid over the pre-fill (its referral, service and offer kept), for the service."""
        raw = self.raw()
        money = {name: blank_none(raw[name]) for name in MONEY}
        shares = {name: blank_none(read_share(raw[name])) for name in SHARES}
        typed: dict[str, Any] = {
            **money, **shares,
            "start_date": blank_none(raw["start_date"]), "planned_end": blank_none(raw["planned_end"]),
            "one_to_one_hours": blank_none(raw["one_to_one_hours"]), "one_to_one_minutes": None,
            "two_to_one_hours": blank_none(raw["two_to_one_hours"]), "two_to_one_minutes": None,
            "other_text": raw["other_text"], "cost_centre": raw["cost_centre"],
            "purchasing_route": raw["purchasing_route"] or "spot",
            "framework_name": raw["framework_name"] if self.shown("framework_name") else "",
            "framework_lot": raw["framework_lot"] if self.shown("framework_lot") else "",
            "route_reason": raw["route_reason"], "conditions": raw["conditions"],
            "overlap_kind": raw["overlap_kind"],
            "overlap_reason": raw["overlap_reason"] if self.shown("overlap_reason") else "",
        }
        if not self.fixed_child:
            typed["case_ref"] = raw["case_ref"]
        if not self.fixed_service:
            typed["service"] = blank_none(raw["service"])
        return dataclasses.replace(self.prefill, **typed)

    def action_save(self, submit: bool) -> None:
        if self.saving:
            return
        self.saving = True
        self.save_attempted = True
        self.banner("Saving…", error=False)
        self._save(self.spot(), submit)

    @background("pf-save", "record the spot agreement")
    def _save(self, spot: SpotInput, submit: bool) -> None:
        try:
            added = add_agreement(self.ctx, spot, submit=submit)
        except PurchaseRefused as exc:
            self.app.call_from_thread(self.refused_by, dict(exc.problems))
            return
        name = self.service_name or show_agreement(self.ctx, added.id).service_name
        self.app.call_from_thread(self.done, recorded_message(added, name))
