"""The garbage collector's full collections kept off the keystroke path.

CPython collects its young generations often and cheaply (under 2 ms here), and its oldest one (a
"full" collection) now and then: that walks every object the collector tracks that is not frozen, the
app's whole heap of widgets, modules and SQL metadata, about 45 ms on this machine, and it lands on
whichever keystroke happened to allocate past the threshold. Measured in bench/bench_search_screen.py,
that one pause was most of the 95th centile of keystroke to table refreshed on the demo market.
(The search index, the largest long-lived structure, is frozen out of these walks when it is built:
services/market/_search.py ``_settle``.)

So while a screen the broker types into is shown (``TypingScreen``), full collections wait for a pause
in the typing: the oldest generation's threshold is lifted, and ``PAUSE`` seconds after the last
keystroke the full collection the collector would have made is made then, when nobody is waiting. A
broker who never pauses still gets one every ``CAP`` young collections, so memory stays bounded.
Leaving the screen puts the thresholds back as they were (the collector then makes any full collection
owed itself). Nothing is frozen, so the screen's own objects are freed as usual when it goes.
"""

from __future__ import annotations

import gc
from typing import Any

PAUSE = 0.6  # seconds without a keystroke that count as a pause
CAP = 200  # young (generation 1) collections after which a full one is made anyway, pause or none
# (typing makes about one every two or three keystrokes: 500 keystrokes without a pause)
_LIFTED = 1 << 30  # the oldest generation's threshold while deferred: never reached

_saved: tuple[int, int, int] | None = None  # the thresholds to put back
_holders = 0


def defer_full_collections() -> None:
    """From now until ``resume_full_collections``, full collections wait for ``collect_if_due``."""
    global _saved, _holders
    _holders += 1
    if _holders == 1:
        _saved = gc.get_threshold()
        gc.set_threshold(_saved[0], _saved[1], _LIFTED)


def resume_full_collections() -> None:
    """The collector's own thresholds back (when the last holder lets go): a full collection owed is
    made by the collector itself, at its next young one."""
    global _saved, _holders
    if _holders == 0:
        return
    _holders -= 1
    if _holders == 0 and _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None


def deferring() -> bool:
    return _holders > 0


def _due(thresholds: tuple[int, int, int], factor: int = 1) -> bool:
    """Whether the collector would have made a full collection by now: its oldest generation's count
    (young collections since the last full one) has reached the threshold (times ``factor``)."""
    return thresholds[2] > 0 and gc.get_count()[2] >= thresholds[2] * factor


def collect_if_due(*, pause: bool = True) -> bool:
    """The deferred full collection, if one is owed: at a pause in the typing (``pause``), as soon as
    the collector would have made one; otherwise only past ``CAP``. True if it collected."""
    if _saved is None:
        return False
    if not (_due(_saved) if pause else gc.get_count()[2] >= CAP):
        return False
    gc.collect()
    return True


class TypingScreen:
    """Mixed into a Screen the broker types into: while it is the active screen, full collections wait
    for a pause in the typing. The screen calls ``typing_seen()`` on each keystroke it handles."""

    _defers_collection = False
    _pause_timer: Any = None

    def on_screen_resume(self) -> None:
        if not self._defers_collection:
            self._defers_collection = True
            defer_full_collections()
            self._arm_pause()  # one owed already is made once the screen has settled

    def on_screen_suspend(self) -> None:
        self._let_collection_go()

    def on_unmount(self) -> None:
        self._let_collection_go()  # a screen popped is removed without always hearing its suspend

    def _let_collection_go(self) -> None:
        if self._pause_timer is not None:
            self._pause_timer.stop()
            self._pause_timer = None
        if self._defers_collection:
            self._defers_collection = False
            resume_full_collections()

    def typing_seen(self) -> None:
        """A keystroke: the full collection waits for the pause after it (unless the cap is passed)."""
        if not self._defers_collection:
            return
        collect_if_due(pause=False)
        self._arm_pause()

    def _arm_pause(self) -> None:
        if self._pause_timer is None:
            self._pause_timer = self.set_timer(PAUSE, self._paused)  # type: ignore[attr-defined]
        else:
            self._pause_timer.reset()

    def _paused(self) -> None:
        self._pause_timer = None
        if self._defers_collection:
            collect_if_due()
