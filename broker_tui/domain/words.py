"""How lists are said in a broker's English: "CCE, missing episodes and self-harm"."""

from __future__ import annotations

from collections.abc import Sequence


def join_and(words: Sequence[str]) -> str:
    """The words joined with commas and a last "and" (one word alone; none: the empty string)."""
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
