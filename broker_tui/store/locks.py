"""Named locks held until the writing transaction ends: the way two brokers' writes to one thing (a block
unit, a child's nights) queue instead of both checking "free" and both writing.

On PostgreSQL each key takes a transaction-scoped advisory lock (``pg_advisory_xact_lock``), in sorted
order so two writers never wait on each other in a circle; it is let go at COMMIT or ROLLBACK. On SQLite
one connection writes at a time: taking the write lock now (a write statement that changes nothing, so the
driver opens the transaction and the app's write queue, store.writers, lets it in) makes every read after
it see the last commit and every other writer wait, whatever the keys.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def lock_for_write(session: Session, *keys: str) -> None:
    """Hold ``keys`` (e.g. "block_unit:<id>", "child:LCC-104233") for the rest of the session's transaction."""
    con = session.connection()
    if con.dialect.name == "postgresql":
        for key in sorted(set(keys)):
            con.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
        return
    con.exec_driver_sql("UPDATE app_meta SET value = value WHERE key = 'write-lock'")
