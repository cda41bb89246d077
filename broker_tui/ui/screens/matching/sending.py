"""Find placements' shortlist and sending: put the highlighted service on the shortlist (space), send the
referral to the shortlist (s), and mark the services it was sent to. The screen is search.MatchSearchScreen,
which holds the referral, the shortlist and whether the excluded view is showing."""

from __future__ import annotations

from typing import Any

from broker_tui.domain.dates import format_date
from broker_tui.services.outreach import Shortlist
from broker_tui.services.referrals import ReferralView
from broker_tui.ui.base import BrokerScreen
from broker_tui.ui.screens.matching.results import MatchTable


class ShortlistActions(BrokerScreen[None]):
    """The shortlist and sending actions of Find placements (a base of MatchSearchScreen)."""

    referral: ReferralView | None
    shortlist: Shortlist
    showing_excluded: bool

    def _status(self) -> None:
        """Say on the status line what is shown and shortlisted (the screen says how)."""

    def _mark_sent(self, sent: set[str]) -> None:
        self.shortlist.mark_sent(sent)
        self.query_one(MatchTable).set_marks(self.shortlist.marks())
        self._status()

    # -- shortlist and sending -----------------------------------------------------------------
    def action_shortlist(self) -> None:
        """Put the highlighted service on the shortlist, or take it off."""
        table = self.query_one(MatchTable)
        item = table.highlighted()
        if self.showing_excluded or item is None:
            return
        problem = self.shortlist.toggle(item.service.id, item.service.name)
        if problem:
            self.notify(problem, severity="warning")
            return
        table.set_marks(self.shortlist.marks())
        self._status()

    def action_send(self) -> None:
        """Send the referral to the shortlist (or, with none, to the highlighted service)."""
        if self.referral is None:
            return
        chosen = dict(self.shortlist.chosen)
        if not chosen:
            item = self.query_one(MatchTable).highlighted()
            if self.showing_excluded or item is None:
                self.notify("Shortlist services first (space), then send", severity="warning")
                return
            if item.service.id in self.shortlist.sent:
                self.notify(f"{item.service.name}: the referral was sent there already", severity="warning")
                return
            chosen = {item.service.id: item.service.name}
        from broker_tui.ui.screens.outreach.send import SendReferralScreen

        self.app.push_screen(SendReferralScreen(self.referral, chosen), self._sent)

    def _sent(self, records: list[Any] | None) -> None:
        if not records:
            return
        self.notify(f"{records[0].case_ref} sent to {len(records)} provider(s); replies due by "
                    f"{format_date(records[0].reply_due_on)}")
        self._mark_sent({str(r.service_id) for r in records})
