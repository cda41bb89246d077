"""Read-only queries through the stdlib's sqlite3, for the app's first frame.

Importing SQLAlchemy and SQLModel costs more than a whole Textual start, so the home screen's counts on
a SQLite file are read here with plain SQL. Each function returns plain tuples in the same shape as the
SQLAlchemy path in ``services/home.py`` so both give the same answer (a test checks that they do).
Dates are stored as ISO text and booleans as 0/1 by SQLAlchemy on SQLite; the SQL below relies on that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from broker_tui.store.errors import DatabaseError
from broker_tui.store.location import damaged_line, is_damage


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection. A damaged file met by any read inside raises DatabaseError with the one line
    the rest of the app gives (what SQLite said and the backup to restore), never sqlite3's own error."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        con.execute("PRAGMA busy_timeout=5000")
        yield con
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseError(damaged_line(path, exc)) from None
        raise
    finally:
        con.close()


def _placeholders(values: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in values)


def referral_status_counts(con: sqlite3.Connection, statuses: tuple[str, ...]) -> list[tuple[str, int]]:
    sql = f"SELECT status, count(*) FROM referral WHERE status IN ({_placeholders(statuses)}) GROUP BY status"
    return [(s, n) for s, n in con.execute(sql, statuses)]


def referrals_needed_soonest(con: sqlite3.Connection, statuses: tuple[str, ...],
                             limit: int) -> list[tuple[str, str, str, str, bool]]:
    """(case_ref, initials, status, needed_by ISO, emergency) of open referrals, needed soonest first."""
    sql = (f"SELECT case_ref, initials, status, needed_by, emergency FROM referral "
           f"WHERE status IN ({_placeholders(statuses)}) ORDER BY needed_by, case_ref LIMIT ?")
    return [(c, i, s, n, bool(e)) for c, i, s, n, e in con.execute(sql, (*statuses, limit))]


def contracts_ending(con: sqlite3.Connection, today: str, until: str,
                     limit: int) -> tuple[int, list[tuple[str, str, str, str]]]:
    """How many active block contracts end between today and ``until``, and the first few:
    (reference, name, provider name, ends_on ISO)."""
    where = "c.status = 'active' AND c.ends_on >= ? AND c.ends_on <= ?"
    (total,) = con.execute(f"SELECT count(*) FROM block_contract c WHERE {where}", (today, until)).fetchone()
    rows = con.execute(
        f"SELECT c.reference, c.name, p.name, c.ends_on FROM block_contract c "
        f"JOIN provider p ON p.id = c.provider_id WHERE {where} ORDER BY c.ends_on, c.reference LIMIT ?",
        (today, until, limit)).fetchall()
    return total, [tuple(r) for r in rows]


def overdue_actions(con: sqlite3.Connection, today: str,
                    limit: int) -> tuple[int, list[tuple[str, str, str, str]]]:
    """Open QA actions due before today, of current notes (no later note supersedes theirs): how many, and
    the oldest few: (about: service, contract or provider name, description, owner, due_on ISO)."""
    where = ("a.status = 'open' AND a.due_on < ? AND NOT EXISTS "
             "(SELECT 1 FROM qa_note later WHERE later.supersedes_id = n.id)")
    (total,) = con.execute(f"SELECT count(*) FROM qa_action a JOIN qa_note n ON n.id = a.qa_note_id WHERE {where}",
                           (today,)).fetchone()
    rows = con.execute(
        f"SELECT coalesce(s.name, c.name, p.name, ''), a.description, a.owner, a.due_on FROM qa_action a "
        f"JOIN qa_note n ON n.id = a.qa_note_id "
        f"LEFT JOIN service s ON s.id = n.service_id LEFT JOIN block_contract c ON c.id = n.block_contract_id "
        f"LEFT JOIN provider p ON p.id = n.provider_id "
        f"WHERE {where} ORDER BY a.due_on, a.owner, a.description LIMIT ?", (today, limit)).fetchall()
    return total, [tuple(r) for r in rows]


def replies_overdue(con: sqlite3.Connection, today: str, statuses: tuple[str, ...]) -> int:
    """Referrals sent to a service whose reply deadline has passed with no reply from that service."""
    sql = (f"SELECT count(*) FROM referral_sent rs JOIN referral r ON r.id = rs.referral_id "
           f"WHERE rs.reply_due_on < ? AND r.status IN ({_placeholders(statuses)}) AND NOT EXISTS ("
           f"SELECT 1 FROM offer o WHERE o.referral_id = rs.referral_id AND o.service_id = rs.service_id)")
    (count,) = con.execute(sql, (today, *statuses)).fetchone()
    return int(count)


def overdue_replies(con: sqlite3.Connection, today: str, statuses: tuple[str, ...],
                    limit: int) -> list[tuple[str, str, str, str, str, str]]:
    """The most overdue replies (as counted by ``replies_overdue``): (referral id, case_ref, initials,
    service name, provider name, reply_due_on ISO), the longest overdue first."""
    sql = (f"SELECT rs.referral_id, r.case_ref, r.initials, s.name, p.name, rs.reply_due_on FROM referral_sent rs "
           f"JOIN referral r ON r.id = rs.referral_id JOIN service s ON s.id = rs.service_id "
           f"JOIN provider p ON p.id = s.provider_id "
           f"WHERE rs.reply_due_on < ? AND r.status IN ({_placeholders(statuses)}) AND NOT EXISTS ("
           f"SELECT 1 FROM offer o WHERE o.referral_id = rs.referral_id AND o.service_id = rs.service_id) "
           f"ORDER BY rs.reply_due_on, r.case_ref, s.name LIMIT ?")
    return [tuple(r) for r in con.execute(sql, (today, *statuses, limit))]


def services_listed(con: sqlite3.Connection) -> int:
    (count,) = con.execute("SELECT count(*) FROM service WHERE in_register = 1 AND archived_on IS NULL").fetchone()
    return int(count)
