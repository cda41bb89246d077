"""Record the purchase for a referral: from its accepted offer (the service, price, parts and start pre-filled)
or, with no accepted offer, directly (the child named, the rest to fill in). One entry point for the offers
screen and the referral (key p on both)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from broker_tui.services.outreach import search_log
from broker_tui.services.purchases import SpotInput, prefill_from_offer
from broker_tui.ui.base import app_context, run_in_background


def record_purchase(screen: Screen[Any], referral_id: uuid.UUID, case_ref: str,
                    then: Callable[[str | None], None]) -> None:
    """Open the spot agreement form for the referral (in a worker: the accepted offer is read first)."""
    ctx = app_context(screen)

    def prefill() -> None:
        accepted = next((e for e in search_log(ctx, referral_id).entries
                         if e.answer == "offer" and e.offer_status == "accepted" and e.offer_id is not None), None)
        if accepted is not None and accepted.offer_id is not None:
            spot = prefill_from_offer(ctx, accepted.offer_id)
            heading = f"Spot agreement for {case_ref} at {accepted.service_name}, from the accepted offer"
        else:
            spot = SpotInput(referral=referral_id, case_ref=case_ref)
            heading = f"Spot agreement for {case_ref} (no accepted offer: fill in the service and price)"
        from broker_tui.ui.screens.purchases.form import AgreementFormScreen

        screen.app.call_from_thread(screen.app.push_screen, AgreementFormScreen(spot, heading=heading), then)

    run_in_background(screen, prefill, "record-purchase", "read the accepted offer for the purchase")
