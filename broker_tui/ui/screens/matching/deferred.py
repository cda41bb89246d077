"""What Find placements leaves until its first ranking is on screen: writing the market file for the next
start, and building the free-text index (/). Each runs on the app's worker (closing the screen does not
stop it) and after the paint, so that neither shares the interpreter with the ranking the broker is
waiting for (issue 14). The screen is search.MatchSearchScreen, which holds the file's writer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from broker_tui.services.matching import warm_text
from broker_tui.ui.base import BrokerScreen, run_in_background


class DeferredWork(BrokerScreen[None]):
    """The work done once a ranking is painted (a base of MatchSearchScreen): the first paint does it, a
    later one finds a market file to write only when the snapshot was read again, and the index asked for."""

    _keep_file: Callable[[], None] | None  # writes the market file read for this screen
    _text_warmed: bool  # the free-text index asked for

    def after_paint(self) -> None:
        self._keep_market_file()
        self._warm_text()

    def _keep_market_file(self) -> None:
        """Write the market file for the next start, now that the broker is not waiting for the ranking (also
        when the screen closes before its first ranking is shown)."""
        keep_file, self._keep_file = self._keep_file, None
        if keep_file is not None:
            run_in_background(self.app, keep_file, "market-file", "keep the market file for the next start",
                              exclusive=False)

    def _warm_text(self) -> None:
        """Build the free-text index now that the first ranking is on screen, not beside it: the read-ahead
        has built it already unless Find placements came first. Once."""
        if self._text_warmed:
            return
        self._text_warmed = True
        ctx = self.ctx

        def warm() -> None:
            with contextlib.suppress(Exception):  # narrowing reports any real problem when text is typed
                warm_text(ctx)

        run_in_background(self.app, warm, "text-index", "build the free-text index", exclusive=False)
