"""How the block contract screens put contracts, units and refusals into words (presentation only: the rules
live in services.contracts and services.placements)."""

from __future__ import annotations

from broker_tui.ui.screens.fields_dialog import cap, refusal_text

__all__ = ["STATUS_WORDS", "cap", "refusal_text"]

STATUS_WORDS = {"not_started": "not started", "active": "running", "ended": "ended"}


