"""The audit trail, read: every event the store wrote (store.audit writes them by construction), filtered
by record, entity, person and date, newest first, a page at a time.

A record is an id (or its last 8 characters or more, as screens show it) or a case reference: a case reference
stands for every record about that child (referrals, what was sent and offered, agreements, their
amendments and approvals, placements). What the events hold is shown on screen as stored; an export
(``export_rows``) withholds the child's initials and date of birth, like every other export.
"""

from broker_tui.services.audit._trail import (
    WITHHELD,
    AuditEntry,
    AuditPage,
    AuditQuery,
    AuditQueryError,
    audit_entities,
    audit_page,
    display_value,
    export_rows,
    parse_query,
)

__all__ = ["WITHHELD", "AuditEntry", "AuditPage", "AuditQuery", "AuditQueryError", "audit_entities", "audit_page", "display_value",
           "export_rows", "parse_query"]
