"""Near neighbours of a word in a long list of words, by rapidfuzz ``fuzz.ratio``: what
``process.extract(word, words, scorer=fuzz.ratio, limit=..., score_cutoff=...)`` returns, without scoring
the words that cannot reach the cutoff.

Words are lowercase letters and digits (search_text.tokens). ``fuzz.ratio`` is the normalised Indel
similarity, ``100 * 2 * LCS / (la + lb)``; a common subsequence holds at most min(digits, digits) digits
and min(letters, letters) letters. So the words are kept in groups of one length and one count of digits,
and a group whose bound is under the cutoff is skipped whole: at 100,000 services the vocabulary is mostly
reference numbers ("000123", "sc0000123"), which a typed word of letters never comes near. The matches of
the groups left are merged by score, then by place in the list (process.extract's own order).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

_DIGITS = str.maketrans("", "", "0123456789")
SLACK = 1e-9  # a bound this close under the cutoff is still scored (against rounding)


def digit_count(word: str) -> int:
    return len(word) - len(word.translate(_DIGITS))


class Nearest:
    """A list of words, grouped for ``extract``."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        grouped: dict[tuple[int, int], list[int]] = {}
        for i, word in enumerate(words):
            grouped.setdefault((len(word), digit_count(word)), []).append(i)
        self._groups = [(length, digits, places, [words[i] for i in places])
                        for (length, digits), places in grouped.items()]

    def extract(self, word: str, limit: int, cutoff: float) -> list[tuple[str, float, int]]:
        """The ``limit`` words nearest ``word`` scoring at least ``cutoff``: (word, score, place in the
        list), best first, ties in the list's order."""
        length, digits = len(word), digit_count(word)
        found: list[tuple[str, float, int]] = []
        for n, d, places, words in self._groups:
            common = min(digits, d) + min(length - digits, n - d)
            if 200.0 * common / (length + n) < cutoff - SLACK:
                continue
            for near, score, i in process.extract(word, words, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff):
                found.append((near, score, places[i]))
        found.sort(key=lambda f: (-f[1], f[2]))
        return found[:limit]
