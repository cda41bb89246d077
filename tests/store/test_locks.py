"""Named write locks: writers that check, wait and write queue behind each other, so none is lost."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from broker_tui.store.locks import lock_for_write
from broker_tui.store.tables import AppMeta

ROUNDS = 8


def _increment(ctx, key: str, *, locked: bool) -> None:
    with ctx.session() as s:
        if locked:
            lock_for_write(s, key)
        row = s.get(AppMeta, "counter", populate_existing=True)
        assert row is not None
        seen = int(row.value)
        time.sleep(0.02)  # the window in which a second writer, unlocked, would read the same value
        s.execute(text("UPDATE app_meta SET value = :v WHERE key = 'counter'"), {"v": str(seen + 1)})


def _race(ctx, *, locked: bool) -> int:
    with ctx.session() as s:
        s.merge(AppMeta(key="counter", value="0"))
    errors: list[BaseException] = []
    together = threading.Barrier(2, timeout=30)  # each round the two writers start at once

    def writer() -> None:
        try:
            for _ in range(ROUNDS):
                together.wait()
                _increment(ctx, "block_unit:test", locked=locked)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with ctx.session() as s:
        return int(s.get(AppMeta, "counter", populate_existing=True).value)


def test_two_writers_holding_the_lock_lose_nothing(ctx) -> None:
    assert _race(ctx, locked=True) == 2 * ROUNDS


def test_without_the_lock_the_same_writers_lose_updates(ctx) -> None:
    """The check-then-write window is real on both backends (SQLite's driver opens the transaction only at
    the first write, so the read before it sees an older commit): the lock is what closes it."""
    assert _race(ctx, locked=False) < 2 * ROUNDS
