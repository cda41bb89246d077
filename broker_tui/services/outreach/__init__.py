"""Outreach: everything from the shortlist to an accepted offer, in one place.

- _send: the shortlist, the preview of what each provider receives (case reference only), sending;
- _replies: recording a provider's decline or offer (an offer's price parts must add up);
- _offers: offers side by side with what matching says of each service, and accepting one;
- _search_log: the search log per child, its CSV export, replies overdue;
- _common: what they share (the referral read for an act, status moves, the refusal).

The shortlist is whatever list of service ids the caller holds. Every change runs in one transaction
with its audit events; a save over a newer save is refused (store.versioning.apply_edit). Money is
integer pence; dates are dates (ISO in storage and audit).

Statuses move by act (domain.referrals.rules.ACT_TRANSITIONS):
- sending: a *new* referral first becomes *searching* (a manual step the rules allow, audited as its own
  status event), then *sent to providers*; sending more while it is *sent to providers* or *offers
  received* leaves the status as it is (offers already in stay visible as offers received);
- the first offer moves *sent to providers* to *offers received*; a decline changes no status;
- accepting an offer makes it *accepted*, the other open offers *not taken*, and the referral
  *placement agreed*. The accepted offer keeps its figures for the purchase record.

A reply (offer or decline) is recorded only from a service the referral was sent to, once per service.
An offer's price parts must add up to its weekly price, or the offer says why not (``parts_note``,
kept at the end of its conditions as "Price parts: ...", the offer table having no column of its own).
Import from this package, never from its private modules (an import-linter contract).
"""

from broker_tui.services.outreach._common import OutreachRefused
from broker_tui.services.outreach._offers import OfferRow, accept_offer, approvals_for_offer, compare_offers
from broker_tui.services.outreach._replies import OfferInput, check_offer, record_decline, record_offer
from broker_tui.services.outreach._search_log import (
    CSV_COLUMNS,
    LogEntry,
    SearchLog,
    export_csv,
    overdue_replies,
    search_log,
)
from broker_tui.services.outreach._send import (
    SendPreview,
    Shortlist,
    send_preview,
    send_referral,
    sent_service_ids,
)
from broker_tui.services.referrals import ReferralNotFound, TransitionRefused
from broker_tui.store.errors import StaleEdit

__all__ = [
    "CSV_COLUMNS",
    "LogEntry",
    "OfferInput",
    "OfferRow",
    "OutreachRefused",
    "ReferralNotFound",
    "SearchLog",
    "SendPreview",
    "Shortlist",
    "StaleEdit",
    "TransitionRefused",
    "accept_offer",
    "check_offer",
    "approvals_for_offer",
    "compare_offers",
    "export_csv",
    "overdue_replies",
    "record_decline",
    "record_offer",
    "search_log",
    "send_preview",
    "send_referral",
    "sent_service_ids",
]
