"""BrokerApp: the shell (Header, Footer, modes for home and the directory, help, command palette).

First-paint hook: when the environment variable ``BROKER_TUI_EXIT_AFTER_HOME=1`` is set, the app exits
right after the first frame that shows the home screen's figures from the database (see
HomeScreen.show_work); tests/ui/test_start_frame.py starts the app that way on a pseudo-terminal.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker

from broker_tui.services.context import AppContext
from broker_tui.ui.base import report_failure, run_in_background
from broker_tui.ui.commands import BrokerCommands, ServiceSearch
from broker_tui.ui.screens.home import HomeScreen
from broker_tui.ui.stylesheet import CachedStylesheet

if TYPE_CHECKING:
    from broker_tui.services.home import TodaysWork
    from broker_tui.services.matching import Prepared
    from broker_tui.services.outreach import Shortlist
    from broker_tui.services.referrals import ReferralView

EXIT_AFTER_HOME_ENV = "BROKER_TUI_EXIT_AFTER_HOME"
WARM_AFTER = 1.0  # seconds after start before the market is read ahead for matching


def _directory_screen() -> Screen[None]:  # imported when first opened, after the first frame
    from broker_tui.ui.screens.market.directory import DirectoryScreen

    return DirectoryScreen()


def _referral_screen() -> Screen[None]:  # imported when first opened
    from broker_tui.ui.screens.referrals.list import ReferralListScreen

    return ReferralListScreen()


def _audit_screen() -> Screen[None]:  # imported when first opened
    from broker_tui.ui.screens.audit.trail import AuditScreen

    return AuditScreen()


def _purchases_screen() -> Screen[None]:  # imported when first opened
    from broker_tui.ui.screens.purchases.list import PurchasesScreen

    return PurchasesScreen()


def _contracts_screen() -> Screen[None]:  # imported when first opened
    from broker_tui.ui.screens.contracts.list import ContractsScreen

    return ContractsScreen()


def _quality_screen() -> Screen[None]:  # imported when first opened
    from broker_tui.ui.screens.quality.notes import QualityScreen

    return QualityScreen()


def _review_screen() -> Screen[None]:  # imported when first opened (its charts bring plotext)
    from broker_tui.ui.screens.review.screen import ReviewScreen

    return ReviewScreen()


def _sufficiency_screen() -> Screen[None]:  # imported when first opened (its charts bring plotext)
    from broker_tui.ui.screens.sufficiency.screen import SufficiencyScreen

    return SufficiencyScreen()


class BrokerApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "broker-tui"
    MODES: ClassVar = {"home": HomeScreen, "directory": lambda: _directory_screen(),
                       "referrals": lambda: _referral_screen(), "audit": lambda: _audit_screen(),
                       "purchases": lambda: _purchases_screen(), "contracts": lambda: _contracts_screen(),
                       "quality": lambda: _quality_screen(), "review": lambda: _review_screen(),
                       "sufficiency": lambda: _sufficiency_screen()}
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {BrokerCommands, ServiceSearch}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "go('home')", "Home"),
        Binding("f3", "go('directory')", "Directory"),
        Binding("f4", "go('referrals')", "Referrals"),
        Binding("f5", "go('purchases')", "Purchases", show=False),
        Binding("f6", "go('contracts')", "Contracts", show=False),
        Binding("f7", "go('quality')", "Quality", show=False),
        Binding("f8", "go('audit')", "Audit", show=False),
        Binding("f9", "go('review')", "16+ review", show=False),
        Binding("f10", "go('sufficiency')", "Sufficiency", show=False),
        Binding("ctrl+q", "quit", "Quit"),
        # Tab moves the focus as the app reads the key, before it routes the next one, on every screen and
        # dialog. As an ordinary binding it ran only when the focused field had handled the keys already routed
        # to it, so keys typed without a pause after Tab ("AAA", Tab, "BBB") all went to the field being left.
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
    ]

    def __init__(self, ctx: AppContext, *, exit_after_home: bool | None = None, warm_after: float | None = WARM_AFTER,
                 home_prefetch: Future[TodaysWork] | None = None):
        super().__init__()
        self.stylesheet = CachedStylesheet(variables=self.get_css_variables())  # before any CSS is read into it
        self.ctx = ctx
        self.warm_after = warm_after  # seconds after start to read the market for matching (None: not ahead)
        self.shortlists: dict[str, Shortlist] = {}  # Find placements' shortlist of each referral, while the app runs
        self.sub_title = ctx.location.display
        if exit_after_home is None:
            exit_after_home = os.environ.get(EXIT_AFTER_HOME_ENV) == "1"
        self.exit_after_home = exit_after_home
        # Today's work is read while Textual starts, so the first frame can show it: from before the UI was
        # imported when the caller began it (services.home.todays_work_ahead), else in a worker from on_load.
        self.read_ahead = home_prefetch is not None
        self.home_prefetch: Future[TodaysWork] = Future() if home_prefetch is None else home_prefetch

    def on_load(self) -> None:
        if not self.read_ahead:
            run_in_background(self, self._prefetch_home, "home-prefetch", "read today's work")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    def on_mount(self) -> None:
        if self.warm_after is not None and not self.exit_after_home:
            self.set_timer(self.warm_after, self._warm_market)

    def _warm_market(self) -> None:
        """Read the market snapshot and build the free-text index once the home screen is up, so that the
        first Find placements (from a referral or the palette) ranks at once."""
        from broker_tui.services.matching import warm_up

        def warm() -> None:
            with contextlib.suppress(Exception):  # Find placements reports any real problem when opened
                warm_up(self.ctx)
            # and its screen's code (a third of a cold first open was importing it)
            import broker_tui.ui.screens.matching.search  # noqa: F401

        run_in_background(self, warm, "warm-market", "read the market ahead for matching")

    def _prefetch_home(self) -> None:
        from broker_tui.services.home import todays_work

        try:
            self.home_prefetch.set_result(todays_work(self.ctx))
        except Exception as exc:  # noqa: BLE001  (the home screen shows it)
            self.home_prefetch.set_exception(exc)

    def action_go(self, mode: str) -> None:
        """Switch to a top-level screen (each keeps its own state)."""
        if self.current_mode != mode:
            self.switch_mode(mode)
        elif len(self.screen_stack) > 1:
            self.screen.dismiss()

    async def action_quit(self) -> None:
        """Quit, asking first when any open form holds unsaved changes."""
        if any(getattr(screen, "dirty", False) for screen in self.screen_stack):
            from broker_tui.ui.screens.dialogs import ConfirmScreen

            def answered(leave: bool | None) -> None:
                if leave:
                    self.exit()

            self.push_screen(ConfirmScreen("Quit without saving? What you typed will be lost.", yes="Quit",
                                           no="Stay"), answered)
            return
        self.exit()

    def action_help(self) -> None:
        from broker_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_referral(self, referral_id: str) -> None:
        """Show one referral over the referral list."""
        from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen

        if self.current_mode != "referrals":
            self.switch_mode("referrals")
        self.push_screen(ReferralDetailScreen(referral_id))

    def action_new_referral(self) -> None:
        self.new_referral()

    def new_referral(self) -> None:
        """Open the referral form for a new placement request."""
        from broker_tui.ui.screens.referrals.detail import open_form

        if self.current_mode != "referrals":
            self.switch_mode("referrals")
        open_form(self, on_saved=lambda v: self.open_referral(str(v.id)))

    def open_match_search(self, referral: ReferralView | None = None, prepared: Prepared | None = None) -> None:
        """Find placements: the market ranked for a referral (a ReferralView; ``prepared``: its ranking
        worked out ahead), or an empty ad hoc search."""
        from broker_tui.ui.screens.matching.search import MatchSearchScreen

        self.push_screen(MatchSearchScreen(referral, prepared))

    def open_service(self, service_id: str, name: str = "") -> None:
        """Show one service's detail over the directory."""
        from broker_tui.ui.screens.market.detail import ServiceDetailScreen

        if self.current_mode != "directory":
            self.switch_mode("directory")
        self.push_screen(ServiceDetailScreen(service_id, name))
