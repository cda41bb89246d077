"""What every screen shares: the application context, typed, and the one worker policy.

*Context.* ``BrokerScreen.ctx`` (and ``BrokerModal.ctx``, and ``app_context(node)`` for any other
widget) is the AppContext the app was started with (services.context): the one way the UI reaches the
services' database, settings and clock. ``broker_app`` is the BrokerApp, for its navigation.

*Workers.* Every piece of work off the event loop is declared with ``background(group, what)``: a thread
worker with a name and a group (the group also names it), one at a time per group unless told otherwise,
and ``exit_on_error=False``, so a service that raises never ends the app. Its failure arrives as one
``Worker.StateChanged`` (in ERROR), which ``report_failure`` handles the same way everywhere: it logs the
worker, the screen and the error's type and traceback with the case reference only (never the error's
message, which may quote what was typed), stops any loading indicator on the screen, and tells the broker
what could not be done, on the screen they are looking at (``show_failure``; a notification unless the
screen has a better place).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from textual import work
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from broker_tui.services.context import AppContext

if TYPE_CHECKING:
    from textual._work_decorator import Decorator

    from broker_tui.services.matching import Prepared
    from broker_tui.services.outreach import Shortlist
    from broker_tui.services.referrals import ReferralView

log = logging.getLogger("broker_tui.ui")


def paint_now(screen: Screen[Any]) -> None:
    """Repaint the whole screen on the terminal now, not at the update timer's next tick (up to 1/60 s later).
    For the first frame, which Textual (8.2) renders inside its start-up batch without writing it: the next
    frame would otherwise hold only what changed since. Inside a batch (Textual opens one for 50 ms when it
    shows a mode) nothing is written, and the batch's end repaints the screen itself."""
    screen.refresh()
    update = getattr(screen, "_on_timer_update", None)  # what that timer calls; painting waits for it otherwise
    if update is not None:
        update()


def background(group: str, what: str, *, exclusive: bool = True) -> Decorator[..., Any]:
    """Declare a method as a thread worker under the policy: named by its group, reported when it fails.

    ``what`` says in a broker's words what the work does ("read the referral"), for the failure message."""
    return work(thread=True, exclusive=exclusive, group=group, name=group, description=what,
                exit_on_error=False)


def run_in_background(node: DOMNode, fn: Callable[[], object], group: str, what: str, *,
                      exclusive: bool = True) -> Worker[object]:
    """Run ``fn`` in a thread worker under the policy (for work that is not a method: see ``background``)."""
    return node.run_worker(fn, thread=True, exclusive=exclusive, group=group, name=group, description=what,
                           exit_on_error=False)


def app_context(node: DOMNode) -> AppContext:
    """The AppContext of the app that ``node`` belongs to."""
    ctx = getattr(node.app, "ctx", None)
    if not isinstance(ctx, AppContext):
        raise TypeError(f"{type(node.app).__name__} has no application context: run broker-tui's BrokerApp")
    return ctx


@runtime_checkable
class Navigator(Protocol):
    """What screens ask of the BrokerApp (ui.app): where to go next, and what it keeps while it runs.

    A protocol, so the screens' packages never import the app that imports them."""

    shortlists: dict[str, Shortlist]

    def open_referral(self, referral_id: str) -> None: ...

    def new_referral(self) -> None: ...

    def open_match_search(self, referral: ReferralView | None = None,
                          prepared: Prepared | None = None) -> None: ...

    def open_service(self, service_id: str, name: str = "") -> None: ...


def broker_app(node: DOMNode) -> Navigator:
    """The BrokerApp that ``node`` belongs to (for navigation: open a referral, a service, a search)."""
    app = node.app
    if not isinstance(app, Navigator):
        raise TypeError(f"{type(app).__name__} is not broker-tui's BrokerApp")
    return app


def failure_message(worker: Worker[Any]) -> str:
    """What the broker is told when a worker fails: what could not be done, and what happens now."""
    what = worker.description or worker.name or "finish that"
    kind = type(worker.error).__name__ if worker.error is not None else "error"
    return (f"Could not {what}: an unexpected problem ({kind}). Nothing half-done was saved; the details are "
            "in the log. Try again, and tell the team if it keeps happening.")


def report_failure(node: DOMNode, event: Worker.StateChanged) -> None:
    """The one handler of a failed worker: log it (case reference only), stop loading, tell the broker."""
    if event.state is not WorkerState.ERROR:
        return
    worker, error = event.worker, event.worker.error
    case_ref = getattr(node, "case_ref", None)
    frames = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
    log.error("worker %r on %s failed%s: %s (message withheld: it may quote what was typed)\n%s",
              worker.name, type(node).__name__, f" for case {case_ref}" if case_ref else "",
              type(error).__name__, frames)
    screen = node if isinstance(node, Screen) else node.app.screen
    for widget in screen.query("*"):
        if widget.loading:
            widget.loading = False
    message = failure_message(worker)
    show = getattr(screen, "show_failure", None)
    if callable(show):
        show(message)
    else:
        node.app.notify(message, title="Something went wrong", severity="error", timeout=12)


ResultType = TypeVar("ResultType")


class BrokerScreen(Screen[ResultType]):
    """A screen of broker-tui: its context, its navigation and the worker policy's handler."""

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    @property
    def broker_app(self) -> Navigator:
        return broker_app(self)

    @property
    def case_ref(self) -> str | None:
        """The case reference of the referral this screen is about (its ``view`` or ``referral``, as every
        screen about one child holds it), for the log; None when it is about no one child."""
        for name in ("view", "referral"):
            ref = getattr(getattr(self, name, None), "case_ref", None)
            if isinstance(ref, str):
                return ref
        return None

    def show_failure(self, message: str) -> None:
        """Where this screen shows a failed worker's message (a notification unless overridden)."""
        self.app.notify(message, title="Something went wrong", severity="error", timeout=12)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)


class BrokerModal(ModalScreen[ResultType], BrokerScreen[ResultType]):
    """A dialog of broker-tui (a BrokerScreen over the one below it)."""
