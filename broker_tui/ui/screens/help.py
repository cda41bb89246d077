"""Every key of every screen, generated from the bindings the app, its screens and widgets declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from broker_tui.ui.base import BrokerScreen

if TYPE_CHECKING:
    pass


def own_bindings(cls: type[DOMNode], stop_at: type[DOMNode]) -> list[Binding]:
    """Bindings declared by ``cls`` and its bases below ``stop_at`` (a subclass's key wins)."""
    by_key: dict[str, Binding] = {}
    for base in reversed(cls.__mro__):
        if not issubclass(base, DOMNode) or base is stop_at or issubclass(stop_at, base):
            continue
        for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", [])):
            by_key[binding.key] = binding
    return list(by_key.values())


def help_sections(app: App[object]) -> list[tuple[str, list[Binding]]]:
    """(where, bindings) for the whole app, in the order a person meets the screens."""
    from broker_tui.ui.screens.audit.trail import AuditScreen
    from broker_tui.ui.screens.contracts.detail import ContractDetailScreen
    from broker_tui.ui.screens.contracts.dialogs import ContractDialog
    from broker_tui.ui.screens.contracts.list import ContractsScreen
    from broker_tui.ui.screens.dialogs import ConfirmScreen
    from broker_tui.ui.screens.home import HomeScreen
    from broker_tui.ui.screens.market.detail import ServiceDetailScreen
    from broker_tui.ui.screens.market.directory import DirectoryScreen
    from broker_tui.ui.screens.matching.search import MatchSearchScreen
    from broker_tui.ui.screens.outreach.compare import CompareOffersScreen
    from broker_tui.ui.screens.outreach.offer_dialogs import DeclineDialog, ExportDialog
    from broker_tui.ui.screens.outreach.offer_form import OfferFormScreen
    from broker_tui.ui.screens.outreach.offers import OffersScreen
    from broker_tui.ui.screens.outreach.send import SendReferralScreen
    from broker_tui.ui.screens.purchases.amend import AmendmentFormScreen
    from broker_tui.ui.screens.purchases.detail import AgreementScreen
    from broker_tui.ui.screens.purchases.form import AgreementFormScreen
    from broker_tui.ui.screens.purchases.list import PurchasesScreen
    from broker_tui.ui.screens.quality.note_form import NoteFormScreen
    from broker_tui.ui.screens.quality.notes import QualityScreen
    from broker_tui.ui.screens.quality.stop import StopDialog
    from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
    from broker_tui.ui.screens.referrals.form import ReferralFormScreen
    from broker_tui.ui.screens.referrals.list import ReferralListScreen
    from broker_tui.ui.screens.review.export_dialog import ExportReviewDialog
    from broker_tui.ui.screens.review.screen import ReviewScreen
    from broker_tui.ui.screens.sufficiency.export import ExportPlanDialog
    from broker_tui.ui.screens.sufficiency.import_return import ImportReturnDialog
    from broker_tui.ui.screens.sufficiency.screen import SufficiencyScreen
    from broker_tui.ui.widgets.level_picker import LevelPicker
    from broker_tui.ui.widgets.service_table import ServiceTable
    from broker_tui.ui.widgets.tag_picker import TagPicker

    everywhere = own_bindings(type(app), DOMNode) + own_bindings(Screen, DOMNode)
    everywhere.append(Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "Command palette"))
    return [
        ("Everywhere", everywhere),
        ("Home", own_bindings(HomeScreen, Screen)),
        ("Directory", own_bindings(DirectoryScreen, Screen)),
        ("Directory: service table", own_bindings(ServiceTable, DOMNode)),
        ("Service detail", own_bindings(ServiceDetailScreen, Screen)),
        ("Referrals", own_bindings(ReferralListScreen, Screen)),
        ("Referral", own_bindings(ReferralDetailScreen, Screen)),
        ("Find placements", own_bindings(MatchSearchScreen, Screen)),
        ("Send a referral", own_bindings(SendReferralScreen, Screen)),
        ("Offers & search log", own_bindings(OffersScreen, Screen)),
        ("Record a decline", own_bindings(DeclineDialog, Screen)),
        ("Record an offer", own_bindings(OfferFormScreen, Screen)),
        ("Compare offers", own_bindings(CompareOffersScreen, Screen)),
        ("Export the search log", own_bindings(ExportDialog, Screen)),
        ("Referral form", own_bindings(ReferralFormScreen, Screen)),
        ("Referral form: need and risk levels", own_bindings(LevelPicker, DOMNode)),
        ("Referral form: needs typed as text", own_bindings(TagPicker, DOMNode)),
        ("Block contracts", own_bindings(ContractsScreen, Screen)),
        ("Block contract", own_bindings(ContractDetailScreen, Screen)),
        ("Block contract dialogs", own_bindings(ContractDialog, Screen)),
        ("Quality assurance", own_bindings(QualityScreen, Screen)),
        ("QA note form", own_bindings(NoteFormScreen, Screen)),
        ("Placement stop after a red note", own_bindings(StopDialog, Screen)),
        ("Purchases", own_bindings(PurchasesScreen, Screen)),
        ("Spot agreement", own_bindings(AgreementScreen, Screen)),
        ("Spot agreement form", own_bindings(AgreementFormScreen, Screen)),
        ("Amend an agreement", own_bindings(AmendmentFormScreen, Screen)),
        ("Audit trail", own_bindings(AuditScreen, Screen)),
        ("16+ review", own_bindings(ReviewScreen, Screen)),
        ("Export the 16+ review", own_bindings(ExportReviewDialog, Screen)),
        ("Sufficiency", own_bindings(SufficiencyScreen, Screen)),
        ("Write the commissioning plan", own_bindings(ExportPlanDialog, Screen)),
        ("Read an SSDA903 return", own_bindings(ImportReturnDialog, Screen)),
        ("Questions", own_bindings(ConfirmScreen, Screen)),
        ("Help", own_bindings(HelpScreen, Screen)),
    ]


def describe(binding: Binding) -> str:
    if binding.description:
        return binding.description
    action = binding.action.split("(", 1)[0].split(".")[-1]
    return action.replace("_", " ").capitalize()


def help_rows(app: App[object]) -> Iterator[tuple[str, str, str]]:
    for where, bindings in help_sections(app):
        seen: set[str] = set()  # a key bound twice in one place (the app's priority tab and the screen's) once
        for b in bindings:
            if b.key not in seen:
                seen.add(b.key)
                yield where, app.get_key_display(b), describe(b)


class HelpScreen(BrokerScreen[None]):
    """The keys, screen by screen. Escape closes it."""

    TITLE = "Keys"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Every key, screen by screen. ctrl+p opens the command palette, which offers every "
                     "screen and action by name.", id="help-intro")
        table: DataTable[str] = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        table.add_columns("Where", "Key", "What it does")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        last = ""
        for where, key, what in help_rows(self.app):
            table.add_row(where if where != last else "", key, what)
            last = where
        table.focus()

    def action_close(self) -> None:
        self.dismiss()
