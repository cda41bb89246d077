"""What the free-text search reads: word tokens (case, accents, possessives and plurals folded), the
searchable fields of a service (SearchDoc) with their boosts, and the edit allowance for near misses.

Pure Python: no SQL, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE, TAGS

# Field boosts: who and what it is, then where, then what kind and what it covers, then the blurb.
BOOST_NAME = 3.0
BOOST_OWNER = 2.6
BOOST_PLACE = 2.0
BOOST_REGION = 1.4
BOOST_TYPE = 1.4
BOOST_SPECIALISM = 1.4
BOOST_DESCRIPTION = 0.6

STOP_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})

_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_APOSTROPHE = re.compile(r"['\u2019]")
_WORD = re.compile(r"[a-z0-9]+")

DocId = TypeVar("DocId", bound=Hashable)  # what a document is known by (a service's UUID)

_TAG_TEXT = {t.code: " ".join((t.label, *t.phrases)) for t in TAGS}


def fold(word: str) -> str:
    """A plain plural to its singular ("homes" -> "home", "parents" -> "parent"), not "-ss", "-us", "-is"."""
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "sui":
        return word[:-1]
    return word


def tokens(text: str | None) -> list[str]:
    """Lowercase word tokens: accents dropped, possessives and plain plurals folded
    ("Children's Homes" -> ["children", "home"])."""
    if not text:
        return []
    if text.isascii():  # (most text: no accents to drop)
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _APOSTROPHE.sub("", _APOSTROPHE_S.sub("", folded))
    return [fold(w) for w in _WORD.findall(folded)]


def fuzzy_cutoff(length: int) -> float:
    """The lowest fuzz.ratio a near neighbour needs: two Indel edits (one substitution or swap) up to
    seven letters, three up to ten, four beyond."""
    edits = 2 if length <= 7 else 3 if length <= 10 else 4
    return 100.0 * (1.0 - edits / (2.0 * length)) - 0.01  # a hair under, against rounding


def specialism_text(code: str) -> str:
    return _TAG_TEXT.get(code, code.replace("_", " "))


def type_text(code: str | None) -> str:
    if not code:
        return ""
    t = SERVICE_TYPE_BY_CODE.get(code)
    return f"{t.label} {t.short}" if t else code.replace("_", " ")


@dataclass(frozen=True)
class SearchDoc(Generic[DocId]):
    """What is searchable about one service."""

    id: DocId
    name: str
    owner: str = ""
    town: str | None = None
    local_authority: str | None = None
    region: str | None = None
    service_type: str | None = None  # vocabulary.SERVICE_TYPES code
    specialisms: tuple[str, ...] = ()  # vocabulary.TAGS codes
    description: str = ""
    urn: str | None = None

    def fields(self) -> list[tuple[str, float]]:
        """(text, boost) for each field."""
        return [
            (self.name, BOOST_NAME), (self.urn or "", BOOST_NAME), (self.owner, BOOST_OWNER),
            (self.town or "", BOOST_PLACE), (self.local_authority or "", BOOST_PLACE),
            (self.region or "", BOOST_REGION), (type_text(self.service_type), BOOST_TYPE),
            (" ".join(specialism_text(c) for c in self.specialisms), BOOST_SPECIALISM),
            (self.description, BOOST_DESCRIPTION),
        ]

    def text(self) -> str:
        """Every field in one string (what a whole-record scan would read)."""
        return " ".join(t for t, _ in self.fields() if t)


@lru_cache(maxsize=16384)
def shared_tokens(text: str) -> tuple[str, ...]:
    """``tokens`` of a text many documents share (an owner, a place, a type, specialisms): worked out once."""
    return tuple(tokens(text))


SHARED_FIELDS = frozenset({2, 3, 4, 5, 6, 7})  # of SearchDoc.fields(): owner, town, authority, region, type,
# specialisms (a name, a URN and a description are each a document's own)


def doc_terms(doc: SearchDoc[DocId]) -> dict[str, float]:
    """Each token of the document with the boost of the best field it appears in."""
    terms: dict[str, float] = {}
    for i, (text, boost) in enumerate(doc.fields()):
        for tok in shared_tokens(text) if i in SHARED_FIELDS else tokens(text):
            if tok not in STOP_WORDS and boost > terms.get(tok, 0.0):
                terms[tok] = boost
    return terms


def query_tokens(query: str) -> dict[str, bool]:
    """The query's distinct words that count (stop words only when nothing else is left), each with
    whether it is still being typed (the last word, when the query does not end in a space)."""
    words = tokens(query)
    typing = bool(query) and not query[-1].isspace()
    kept = [w for w in words if w not in STOP_WORDS] or words
    seen: dict[str, bool] = {}
    for i, w in enumerate(kept):  # one entry per distinct token; "typing" belongs to the last one
        seen[w] = seen.get(w, False) or (typing and i == len(kept) - 1 and words[-1] == w)
    return seen
