"""services.memory.give_back: the pages a large job on a worker thread freed go back to the system (issue 14:
the market's read from its tables left them in that thread's arena, where the search index's build on
another thread could not reuse them)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from broker_tui.services.memory import give_back


def _resident_mb() -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and asks glibc")
def test_freed_pages_of_a_worker_go_back_to_the_system() -> None:
    survivors: list[bytes] = []

    def large_job() -> None:  # 120 MB in blocks the C allocator serves, a few kept scattered among them
        blocks = [bytes(2000) + bytes([i % 256]) for i in range(60_000)]
        survivors.extend(blocks[::50])

    worker = threading.Thread(target=large_job)
    worker.start()
    worker.join()
    before = _resident_mb()
    assert give_back()
    assert _resident_mb() < before - 50  # most of the 120 MB freed is returned, not held for that thread
    assert len(survivors) == 1200
