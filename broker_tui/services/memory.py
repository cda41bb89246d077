"""Memory freed by a large read given back to the system.

Reading the market from its tables (100,000 services: a million values passing through Python lists on a
worker thread) frees most of what it allocated once the arrays are built, but the C allocator keeps the
freed pages in that thread's arena, where the next large job (the directory's search index, on another
worker) cannot reuse them: the app's resident memory climbs by the sum of both. ``give_back()`` asks
glibc to return the free pages (``malloc_trim``); measured in bench/bench_app_first_use.py at 100,000
services, it lowered the peak with nothing read ahead from about 430 to about 410 MB. Elsewhere (macOS,
musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


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
