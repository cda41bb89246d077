"""Memory freed by a large read given back to the system, and the collector kept out of a burst of objects.

Reading the market from its tables (100,000 services: a million values passing through Python lists on a
worker thread) frees most of what it allocated once the arrays are built, but the C allocator keeps the
freed pages in that thread's arena, where the next large job (the directory's search index, on another
worker) cannot reuse them: the app's resident memory climbs by the sum of both. ``give_back()`` asks
glibc to return the free pages (``malloc_trim``); measured in bench/bench_app_first_use.py at 100,000
services, it lowered the peak with nothing read ahead from about 430 to about 410 MB. Elsewhere (macOS,
musl) it does nothing.

``collector_paused()`` holds CPython's cyclic garbage collector off while a burst of objects is made that
it could not free: the modules and table classes of the matching stack's first import (made to last) and
the rows of a read of the market's tables (each batch freed by reference counting as it is converted;
the read makes no reference cycles). Inside such a burst every young collection walks what was just made
and frees nothing, and the burst's survivors soon trigger a full collection, a walk of the whole heap:
measured in a demo `match --json` with no market file, 300 collections took 120 ms of the process, two
full ones among them (about 20 and 50 ms), one inside the imports and one inside the read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)
_pause_guard = threading.Lock()
_pauses = 0  # collector_paused blocks open, on any thread
_resume = False  # whether the collector was on when the first of them began


@functools.cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc
    return trim


def give_back() -> bool:
    """Return the allocator's free pages to the system; False where that cannot be asked."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True


@contextmanager
def collector_paused(*, made_to_last: bool = False) -> Iterator[None]:
    """The cyclic collector off inside the block (nested or on several threads at once: off until the last
    block ends), then back as it was. Reference counting frees as usual meanwhile. ``made_to_last``: what
    the block made is kept for the process's life (a first import's modules and classes), and everything
    the collector tracks is then moved to its permanent generation (gc.freeze), out of every later walk;
    else what survives the block stays young, and its first collection after walks it once."""
    global _pauses, _resume
    with _pause_guard:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_guard:
            if made_to_last:
                gc.freeze()
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
