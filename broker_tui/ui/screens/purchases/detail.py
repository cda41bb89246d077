"""One spot agreement: who, where, the route and the cost centre; the money (the weekly price in force and
who pays it, this financial year, a full year, to the planned end or the 18th birthday); every version
(as made, price changes, uplifts, extensions) with its approval state and who made it; the approvals.

Acts, each asking first where it commits money or cannot be undone: s submit a draft, a approve (the
agreement, or the amendment that awaits an approver), v record an approval matching flagged (the nominated
officer's, the Director's) or that the host council was told, r reject (asks why), c cancel before it starts (asks
why), m amend (a dated change, never an edit), e end the placement, t the audit trail of the agreement.
A refusal (the recorder approving their own, an approver above their limit, an ended agreement) shows in
the banner; nothing is half-done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from broker_tui.domain.dates import format_date
from broker_tui.domain.money import format_pence
from broker_tui.domain.purchases import format_hours
from broker_tui.services.purchases import (
    AMENDMENT_KINDS,
    APPROVAL_KIND_LABELS,
    VERSION_STATES,
    AgreementDetail,
    RequiredApprovals,
    VersionView,
    approve,
    approve_amendment,
    cancel,
    record_approval,
    reject,
    reject_amendment,
    required_approvals,
    show_agreement,
    submit,
)
from broker_tui.ui.base import BrokerScreen, background, run_in_background
from broker_tui.ui.screens.dialogs import ChoiceScreen, ConfirmScreen, ReasonScreen
from broker_tui.ui.screens.purchases.words import cost_line, refusal_text

KIND_WORDS = {"as_made": "As made", **AMENDMENT_KINDS}
VERSION_COLUMNS = ("From", "Change", "Weekly", "Parts", "Split (SC/Ed/Health)", "State", "By")
APPROVAL_COLUMNS = ("Kind", "Decision", "By", "On", "Weekly", "Reason")


def parts_text(v: VersionView) -> str:
    """'core £5,000.00; 1:1 10:00 h × £25.00; education £300.00'."""
    out = [f"core {format_pence(v.core_weekly_pence)}"]
    if v.one_to_one_minutes:
        out.append(f"1:1 {format_hours(v.one_to_one_minutes)} h × {format_pence(v.one_to_one_hourly_pence)}")
    if v.two_to_one_minutes:
        out.append(f"2:1 {format_hours(v.two_to_one_minutes)} h × {format_pence(v.two_to_one_hourly_pence)}")
    for label, pence in (("education", v.education_weekly_pence), ("therapy", v.therapy_weekly_pence),
                         ("solo", v.solo_premium_weekly_pence), (v.other_text or "other", v.other_weekly_pence)):
        if pence:
            out.append(f"{label} {format_pence(pence)}")
    return "; ".join(out)


class AgreementScreen(BrokerScreen[None]):
    TITLE = "Spot agreement"
    CSS_PATH = "purchases.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("s", "submit", "Submit"),
        Binding("a", "approve", "Approve"),
        Binding("r", "reject", "Reject"),
        Binding("c", "cancel_agreement", "Cancel agreement"),
        Binding("v", "record_approval", "Record approval (officer, Director, host council)"),
        Binding("m", "amend", "Amend"),
        Binding("e", "end", "End placement"),
        Binding("t", "trail", "Audit trail"),
        Binding("f5", "reload", "Refresh", show=False),
    ]

    def __init__(self, agreement_id: str) -> None:
        super().__init__()
        self.agreement_id = agreement_id
        self.detail: AgreementDetail | None = None
        self.needed: RequiredApprovals | None = None

    @property
    def case_ref(self) -> str | None:
        return self.detail.case_ref if self.detail else None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the agreement…", classes="pu-title", id="pu-title")
        yield Static("", classes="pu-banner", id="pu-banner")
        with VerticalScroll(id="pu-body"):
            yield Static("", id="pu-facts")
            yield Static("Money", classes="pu-heading")
            yield Static("", id="pu-money")
            yield Static("Versions (every change is a dated version; the price used each night is the one in force)",
                         classes="pu-heading")
            versions: DataTable[str] = DataTable(id="pu-versions", cursor_type="row", zebra_stripes=True)
            versions.add_columns(*VERSION_COLUMNS)
            yield versions
            yield Static("Approvals needed before the placement starts", classes="pu-heading")
            yield Static("", id="pu-needed")
            yield Static("Approvals recorded", classes="pu-heading")
            approvals: DataTable[str] = DataTable(id="pu-approvals", cursor_type="row", zebra_stripes=True)
            approvals.add_columns(*APPROVAL_COLUMNS)
            yield approvals
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self._read()

    @background("pu-read", "read the agreement")
    def _read(self) -> None:
        detail = show_agreement(self.ctx, self.agreement_id)
        needed = required_approvals(self.ctx, detail.id) if detail.status not in ("cancelled", "rejected") else None
        self.app.call_from_thread(self._show, detail, needed)

    def _show(self, d: AgreementDetail, needed: RequiredApprovals | None = None) -> None:
        self.detail, self.needed = d, needed
        self.query_one("#pu-needed", Static).update(self._needed_text(needed))
        waiting = " · ⚑ awaits an approver" if d.awaiting_approval else ""
        self.query_one("#pu-title", Static).update(
            f"{d.case_ref} at {d.service_name} ({d.provider_name}) · {d.status_label}{waiting}")
        route = d.route_label + (f": {d.framework_name}" if d.framework_name else "") + (
            f", lot {d.framework_lot}" if d.framework_lot else "")
        facts = [
            f"Start {format_date(d.start_date)}; planned end "
            f"{format_date(d.planned_end) if d.planned_end else '— (none given)'}"
            + (f"; ended {format_date(d.ended_on)}" if d.ended_on else ""),
            f"Purchasing route: {route}" + (f" (why: {d.route_reason})" if d.route_reason else ""),
            f"Cost centre: {d.cost_centre or '—'} · Contract basis: {d.contract_basis or '—'}",
            f"Recorded by {d.recorded_by} on {d.recorded_at:%d/%m/%Y}",
        ]
        if d.status_reason:
            facts.append(f"{d.status_label}: {d.status_reason}")
        if d.conditions:
            facts.append(f"Conditions: {d.conditions}")
        if d.placement is not None:
            p = d.placement
            if p.ended and p.end_date:
                code = p.reason_place_change or p.reason_episode_ceased or ""
                until = f", ended: the first night not there was {format_date(p.end_date)} ({code}, by {p.ended_by})"
            elif p.end_date:
                until = f", planned to {format_date(p.end_date)} (the first night not bought)"
            else:
                until = ", no end planned"
            facts.append(f"Placement from {format_date(p.start_date)}{until}")
        self.query_one("#pu-facts", Static).update("\n".join(facts))
        self.query_one("#pu-money", Static).update(self._money(d))
        versions = self.query_one("#pu-versions", DataTable)
        versions.clear()
        for v in d.versions:
            end = f" → end {format_date(v.planned_end)}" if v.planned_end else ""
            versions.add_row(format_date(v.effective_from), KIND_WORDS.get(v.kind, v.kind) + end,
                             format_pence(v.weekly_price_pence), parts_text(v),
                             f"{v.social_care_pct}/{v.education_pct}/{v.health_pct}",
                             VERSION_STATES.get(v.state, v.state), v.created_by, key=str(v.id))
        approvals = self.query_one("#pu-approvals", DataTable)
        approvals.clear()
        for a in d.approvals:
            approvals.add_row(APPROVAL_KIND_LABELS.get(a.kind, a.kind), a.decision, a.decided_by,
                              format_date(a.decided_on), format_pence(a.weekly_pence) if a.weekly_pence else "—",
                              a.reason or "—", key=str(a.id))
        if not d.approvals:
            approvals.add_row("—", "none recorded", "", "", "", "")

    @staticmethod
    def _needed_text(needed: RequiredApprovals | None) -> str:
        if needed is None:
            return "None: the agreement buys nothing"
        lines = []
        for item in needed.items:
            if not item.needed and item.state == "not_needed":
                continue
            state = item.state_label
            when = (f" by {item.decided_by} on {format_date(item.decided_on)}" if item.decided_on
                    else f" (due {format_date(item.due_on)})" if item.due_on else "")
            mark = "⚠ " if item.state == "overdue" else ""
            lines.append(f"{mark}{item.label}: {state}{when} — {item.why}")
        if needed.note:
            lines.append(f"Note: {needed.note}")
        return "\n".join(lines) or "None flagged: in area, and nothing else matching asks for"

    def _money(self, d: AgreementDetail) -> str:
        p = d.projections
        if p is None:
            return "Buys nothing (rejected or cancelled)" if d.status in ("rejected", "cancelled") else "No price yet"
        weekly = p.weekly
        split = "; ".join(f"{name.replace('_', ' ')} {format_pence(weekly[name])}"
                          for name in ("social_care", "education", "health") if weekly.get(name))
        if weekly["total"] == 0 and d.start_date > p.on and d.versions:  # not started: the price it starts at
            first = d.versions[0]
            now = f"Weekly from {format_date(d.start_date)}: {format_pence(first.weekly_price_pence)}"
        else:
            now = f"Weekly on {format_date(p.on)}: {format_pence(weekly['total'])}" + (f" ({split})" if split else "")
        lines = [now,
                 cost_line("This financial year", p.financial_year), cost_line("A full year", p.full_year),
                 cost_line("To the end", p.to_end)]
        lines += [f"Note: {n}" for n in p.notes]
        return "\n".join(lines)

    # -------------------------------------------------------------------------------------------- acts

    def say(self, message: str, *, error: bool = False) -> None:
        banner = self.query_one("#pu-banner", Static)
        banner.update(f"⚠ {message}" if error and message else message)
        banner.set_class(bool(message), "-shown")
        banner.set_class(bool(message) and error, "has-error")

    def _act(self, what: str, act: Callable[[], Any]) -> None:
        """Run a service act in a worker: its message (or refusal) in the banner, then read the agreement again."""

        def run() -> None:
            try:
                done = act()
            except Exception as exc:  # noqa: BLE001  (refusals and failures alike become one line)
                self.app.call_from_thread(self.say, f"Not done: {refusal_text(exc)}", error=True)
            else:
                self.app.call_from_thread(self.say, str(getattr(done, "message", "") or f"Done: {what}"))
            self.app.call_from_thread(self.load)

        run_in_background(self, run, "pu-act", what)

    def _ready(self) -> AgreementDetail | None:
        if self.detail is None:
            self.notify("Still reading the agreement", severity="warning")
        return self.detail

    def action_submit(self) -> None:
        d = self._ready()
        if d is None:
            return
        if d.status != "draft":
            self.say(f"Only a draft is submitted; this agreement is {d.status_label.lower()}", error=True)
            return
        self._confirm(f"Submit {d.case_ref}'s agreement at {d.service_name}? Above the approval threshold it "
                      "waits for an approver; otherwise it is active at once.", "Submit",
                      lambda: self._act("submit the agreement", lambda: submit(self.ctx, d)))

    def action_approve(self) -> None:
        d = self._ready()
        if d is None:
            return
        pending = next((v for v in d.versions if v.id == d.pending_amendment_id), None)
        if d.status == "awaiting_approval":
            first = d.versions[0] if d.versions else None
            reasons = first.approval_reasons if first else ()  # kept with the row when it was recorded
            question = (f"Approve {d.case_ref}'s agreement at {d.service_name}, "
                        f"{format_pence(first.weekly_price_pence if first else 0)} a week?")
            act: Callable[[], Any] = lambda: approve(self.ctx, d)  # noqa: E731
        elif pending is not None:
            reasons = pending.approval_reasons
            question = (f"Approve the {KIND_WORDS.get(pending.kind, pending.kind).lower()} from "
                        f"{format_date(pending.effective_from)}: {format_pence(pending.weekly_price_pence)} a week?")
            act = lambda: approve_amendment(self.ctx, d, amendment=pending.id)  # noqa: E731
        else:
            self.say("Nothing on this agreement awaits an approver", error=True)
            return
        if self.ctx.actor.strip().casefold() == d.recorded_by.strip().casefold():
            self.say(f"You ({self.ctx.actor}) recorded this agreement and cannot approve your own: another approver "
                     "must", error=True)
            return
        why = ("\n\nIt needs approval because:\n" + "\n".join(f"• {r}" for r in reasons)) if reasons else ""
        you = f"\n\nYou approve as {self.ctx.actor}; {d.recorded_by} recorded it."
        self._confirm(question + why + you, "Approve", lambda: self._act("approve", act))

    def action_reject(self) -> None:
        d = self._ready()
        if d is None:
            return
        pending = d.pending_amendment_id
        if d.status != "awaiting_approval" and pending is None:
            self.say("Nothing on this agreement awaits an approver to reject", error=True)
            return

        def answered(reason: str | None) -> None:
            if reason:
                if d.status == "awaiting_approval":
                    self._act("reject the agreement", lambda: reject(self.ctx, d, reason))
                else:
                    self._act("reject the amendment", lambda: reject_amendment(self.ctx, d, reason, amendment=pending))

        what = "the agreement" if d.status == "awaiting_approval" else "the amendment"
        self.app.push_screen(ReasonScreen(f"Why is {what} rejected?", placeholder="Reason (the recorder sees it)"),
                             answered)

    def action_cancel_agreement(self) -> None:
        d = self._ready()
        if d is None:
            return
        if d.status in ("rejected", "cancelled", "ended"):
            self.say(f"This agreement is {d.status_label.lower()}: nothing to cancel", error=True)
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._act("cancel the agreement", lambda: cancel(self.ctx, d, reason))

        self.app.push_screen(ReasonScreen(f"Cancel {d.case_ref}'s agreement at {d.service_name} (it never started)? "
                                          "Say why.", placeholder="Reason"), answered)

    def action_record_approval(self) -> None:
        d, needed = self._ready(), self.needed
        if d is None or needed is None:
            return
        open_items = [i for i in needed.items if i.kind != "cost" and i.state in ("due", "overdue")]
        if not open_items:
            self.say("No officer's, Director's or host council's approval is outstanding here "
                     "(the cost is approved with a)", error=True)
            return

        def chosen(kind: str | None) -> None:
            if not kind:
                return
            item = next(i for i in open_items if i.kind == kind)
            told = kind == "host_council_told"
            question = (f"{item.label}: who at the host council was told, and how?" if told
                        else f"{item.label}: who approved it (name and role)?")

            def answered(who: str | None) -> None:
                if who:
                    self._act("record the approval", lambda: record_approval(
                        self.ctx, d.id, kind, decision="told" if told else "approved", by=who))

            self.app.push_screen(ReasonScreen(question, placeholder="e.g. A. Officer, nominated officer"), answered)

        self.app.push_screen(ChoiceScreen("Which approval is recorded?", [(i.label, i.kind) for i in open_items]),
                             chosen)

    def action_amend(self) -> None:
        d = self._ready()
        if d is None:
            return
        if d.status in ("rejected", "cancelled", "ended"):
            self.say(f"An {d.status_label.lower()} agreement cannot be amended", error=True)
            return
        from broker_tui.ui.screens.purchases.amend import AmendmentFormScreen

        self.app.push_screen(AmendmentFormScreen(d), self._after_form)

    def _after_form(self, message: str | None) -> None:
        if message:
            self.say(message)
            self.load()

    def action_end(self) -> None:
        d = self._ready()
        if d is None:
            return
        if d.placement is None or d.status != "active":
            self.say("Only an active agreement's placement can be ended", error=True)
            return
        from broker_tui.ui.screens.placements.end import EndPlacementDialog

        p = d.placement
        self.app.push_screen(EndPlacementDialog(p.id, p.case_ref, d.service_name, p.start_date), self._after_form)

    def action_trail(self) -> None:
        from broker_tui.ui.screens.audit.trail import AuditScreen

        if self.detail is not None:
            self.app.push_screen(AuditScreen(record=self.detail.case_ref))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)

    def _confirm(self, question: str, yes: str, then: Callable[[], None]) -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(ConfirmScreen(question, yes=yes, no="Not now"), answered)
