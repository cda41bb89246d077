"""A child's initials as typed: one to three letters of any alphabet, upper-cased one for one.

"Zoë", "ÉÖ" and "mk" are initials ("ZOË", "ÉÖ", "MK"). A letter may be typed with its accent as a separate
combining mark (as some keyboards and pastes give it): the letter and its marks count as one initial. A
letter whose capital is two letters ('ß' is 'SS') is refused rather than changed into two initials.
"""

from __future__ import annotations

import unicodedata

MAX_INITIALS = 3


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def read_initials(text: str) -> tuple[str, str | None]:
    """(the initials upper-cased, or what was typed; the problem in a broker's words, or None)."""
    text = unicodedata.normalize("NFC", text.strip())
    if not text:
        return text, "are required (no full names)"
    no_capital = [ch for ch in text if len(ch.upper()) != 1]
    if no_capital:
        return text, (f"{no_capital[0]!r} has no capital letter of its own: type the initial as it is shown, "
                      "as a capital (for example S)")
    letters = 0
    for i, ch in enumerate(text):
        if ch.isalpha():
            letters += 1
        elif not (_is_mark(ch) and i > 0 and (text[i - 1].isalpha() or _is_mark(text[i - 1]))):
            return text, "must be 1 to 3 letters (initials only, never a name)"
    if letters > MAX_INITIALS:
        return text, "must be 1 to 3 letters (initials only, never a name)"
    return unicodedata.normalize("NFC", "".join(ch.upper() for ch in text)), None
