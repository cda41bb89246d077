"""Typo-tolerant free-text search over the market: an inverted index with vocabulary expansion.

Each service is one document made of fields (its name, its owner's name, town, local authority,
region, type label, specialisms with their tag labels and phrases, description). Text is folded to
lowercase word tokens; each (token, document) posting keeps the boost of the best field the token
appears in (name and owner above place, place above type and specialism, description last).

A query token is expanded against the *vocabulary* (the distinct tokens, a few thousand), never
against the documents: the exact token, its rapidfuzz near neighbours (``fuzz.ratio`` with a cutoff
that allows more edits in longer words) and, for the last token while the broker is still typing,
the tokens it begins (and near misses of those beginnings). Each expansion carries a penalty for
being fuzzy; its postings score ``penalty * idf * field boost``, and a document takes its best
expansion per query token. Documents matching every query token come first; when there are too few,
the best partial matches follow (more tokens matched first). Ties break on name, then id, so the
order is stable.

Pure Python: no SQL, no I/O. ``build(docs)`` makes an index; ``update``/``remove`` keep it current.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

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
FUZZY_LIMIT = 12  # near neighbours kept per query token
PREFIX_LIMIT = 64  # completions kept for the token being typed
PREFIX_MIN = 2  # shortest typed token that completes
FUZZY_MIN = 4  # shortest token that is matched fuzzily (shorter ones: exact or prefix only)
FUZZY_MARGIN = 10.0  # near neighbours kept: within this many ratio points of the closest
KNOWN_WORD_CUTOFF = 88.0  # when the typed token is itself a known word, only very near neighbours
PARTIAL_FACTOR = 0.5  # a partial match's score is scaled by this times the share of tokens it matched

_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_APOSTROPHE = re.compile(r"['\u2019]")
_WORD = re.compile(r"[a-z0-9]+")

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
class SearchDoc:
    """What is searchable about one service."""

    id: Hashable
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


def doc_terms(doc: SearchDoc) -> dict[str, float]:
    """Each token of the document with the boost of the best field it appears in."""
    terms: dict[str, float] = {}
    for text, boost in doc.fields():
        for tok in tokens(text):
            if tok not in STOP_WORDS and boost > terms.get(tok, 0.0):
                terms[tok] = boost
    return terms


class SearchIndex:
    """An inverted index over SearchDocs, searched with typo tolerance.

    A posting list is grouped by field boost (a handful of values): ``{term: {boost: {ids}}}``, so a
    term's documents are scored a group at a time with set and dict operations rather than one by one.
    """

    def __init__(self) -> None:
        # Documents are held under small integer slots (ints hash fast; ids such as UUIDs do not).
        self._slots: dict[Hashable, int] = {}
        self._next_slot = 0
        self._docs: dict[int, SearchDoc] = {}
        self._terms: dict[int, dict[str, float]] = {}  # each document's terms, for removal
        self._sort_keys: dict[int, tuple[str, str]] = {}  # (name, id): the tie-break
        self._postings: dict[str, dict[float, set[int]]] = {}
        self._df: dict[str, int] = {}
        self._vocab: list[str] = []  # sorted distinct terms, rebuilt lazily after changes
        self._prefixes: dict[int, tuple[list[str], list[list[str]]]] = {}
        self._stale = True

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slots

    def doc(self, doc_id: Hashable) -> SearchDoc:
        return self._docs[self._slots[doc_id]]

    def sort_key(self, doc_id: Hashable) -> tuple[str, str]:
        return self._sort_keys[self._slots[doc_id]]

    @property
    def vocabulary_size(self) -> int:
        return len(self._df)

    # -- changes ---------------------------------------------------------------------------------------

    def update(self, doc: SearchDoc) -> None:
        """Add the document, or replace the one with its id."""
        self.remove(doc.id)
        terms = doc_terms(doc)
        slot = self._slots[doc.id] = self._next_slot
        self._next_slot += 1
        self._docs[slot] = doc
        self._terms[slot] = terms
        self._sort_keys[slot] = (" ".join(tokens(doc.name)), str(doc.id))
        for term, boost in terms.items():
            groups = self._postings.get(term)
            if groups is None:
                groups = self._postings[term] = {}
                self._stale = True
            groups.setdefault(boost, set()).add(slot)
            self._df[term] = self._df.get(term, 0) + 1

    def remove(self, doc_id: Hashable) -> None:
        """Drop the document (nothing happens when it is not there)."""
        slot = self._slots.pop(doc_id, None)
        if slot is None:
            return
        del self._docs[slot], self._sort_keys[slot]
        for term, boost in self._terms.pop(slot).items():
            groups = self._postings[term]
            groups[boost].discard(slot)
            if not groups[boost]:
                del groups[boost]
            self._df[term] -= 1
            if not groups:
                del self._postings[term], self._df[term]
                self._stale = True

    def _refresh_vocabulary(self) -> None:
        if self._stale:
            self._vocab = sorted(self._postings)
            self._prefixes = {}
            self._stale = False

    def _prefix_table(self, length: int) -> tuple[list[str], list[list[str]]]:
        """The distinct beginnings of `length` letters of longer terms, with the terms each begins."""
        table = self._prefixes.get(length)
        if table is None:
            grouped: dict[str, list[str]] = {}
            for term in self._vocab:
                if len(term) > length:
                    grouped.setdefault(term[:length], []).append(term)
            table = (list(grouped), list(grouped.values()))
            self._prefixes[length] = table
        return table

    # -- search ----------------------------------------------------------------------------------------

    def expand(self, token: str, *, typing: bool = False) -> dict[str, float]:
        """The vocabulary terms a query token stands for, each with its penalty (1.0: exact).

        Near neighbours more than FUZZY_MARGIN points behind the closest one are dropped, so a rare
        word two edits away ("lister") does not outrank a common one a single edit away ("leicester").
        """
        self._refresh_vocabulary()
        found: dict[str, float] = {}

        def add(term: str, factor: float) -> None:
            if factor > found.get(term, 0.0):
                found[term] = factor

        known = token in self._postings
        if known:
            add(token, 1.0)
        if len(token) >= FUZZY_MIN:
            cutoff = fuzzy_cutoff(len(token))
            hits = process.extract(token, self._vocab, scorer=fuzz.ratio, limit=FUZZY_LIMIT,
                                   score_cutoff=max(cutoff, KNOWN_WORD_CUTOFF) if known else cutoff)
            top = 100.0 if known else max((score for _, score, _ in hits), default=0.0)
            for term, score, _ in hits:
                if score >= top - FUZZY_MARGIN:
                    add(term, (score / 100.0) ** 4)
        if typing and len(token) >= PREFIX_MIN:
            lo = bisect.bisect_right(self._vocab, token)
            hi = bisect.bisect_left(self._vocab, token + "\uffff", lo)
            completions = self._vocab[lo:hi]
            if len(completions) > PREFIX_LIMIT:
                completions = heapq.nlargest(PREFIX_LIMIT, completions, key=self._df.__getitem__)
            for term in completions:
                add(term, 0.75 + 0.2 * len(token) / len(term))
            if len(token) >= FUZZY_MIN and not completions:  # a slip in what is typed: "leciest" for "leicester"
                beginnings, terms = self._prefix_table(len(token))
                for _, score, i in process.extract(token, beginnings, scorer=fuzz.ratio, limit=FUZZY_LIMIT,
                                                   score_cutoff=fuzzy_cutoff(len(token))):
                    for term in terms[i][:PREFIX_LIMIT]:
                        add(term, 0.7 * (score / 100.0) ** 4)
        return found

    def token_scores(self, token: str, typing: bool = False) -> dict[int, float]:
        """Each matching document's score for one query token: idf * its best expansion's penalty *
        field boost. The idf is the token's (from how many documents it matches in all), not each
        expansion's own, so a rare near miss never outranks a closer common word."""
        groups = []
        for term, factor in self.expand(token, typing=typing).items():
            groups.extend((factor * boost, ids) for boost, ids in self._postings[term].items())
        groups.sort(key=lambda g: g[0])
        scores: dict[int, float] = {}
        for s, ids in groups:  # ascending, so each document keeps its best
            scores.update(dict.fromkeys(ids, s))
        n, df = len(self._docs), len(scores)
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return {d: s * idf for d, s in scores.items()}

    def search(self, query: str, limit: int | None = 20, *, partial: bool = True,
               allow: Iterable[Hashable] | None = None,
               exclude: Iterable[Hashable] = ()) -> list[tuple[Hashable, float]]:
        """The best documents for the query, best first: [(id, score)].

        A query that does not end in a space treats its last token as still being typed (it also
        matches the words it begins). ``limit=None`` returns every match. ``partial=False`` returns
        only documents matching every token. ``allow`` (ids) keeps only those documents;
        ``exclude`` (ids) leaves those out.
        """
        words = tokens(query)
        typing = bool(query) and not query[-1].isspace()
        kept = [w for w in words if w not in STOP_WORDS] or words
        seen: dict[str, bool] = {}
        for i, w in enumerate(kept):  # one entry per distinct token; "typing" belongs to the last one
            seen[w] = seen.get(w, False) or (typing and i == len(kept) - 1 and words[-1] == w)
        if not seen:
            return []
        per_token = [self.token_scores(token, is_typing) for token, is_typing in seen.items()]
        if allow is not None:
            allowed = {self._slots[i] for i in allow if i in self._slots}
            per_token = [{d: s for d, s in scores.items() if d in allowed} for scores in per_token]
        excluded = {self._slots[i] for i in exclude if i in self._slots}
        if excluded:
            per_token = [{d: s for d, s in scores.items() if d not in excluded} for scores in per_token]
        first, rest = per_token[0], per_token[1:]
        full = set(first).intersection(*rest) if rest else first.keys()
        totals = first if not rest else {d: first[d] + sum(t[d] for t in rest) for d in full}
        ranked = self._top(totals, limit)
        if partial and rest and (limit is None or len(ranked) < limit):
            n = len(per_token)
            partials: dict[int, float] = {}
            counts: dict[int, int] = {}
            for scores in per_token:
                for d, s in scores.items():
                    if d not in full:
                        partials[d] = partials.get(d, 0.0) + s
                        counts[d] = counts.get(d, 0) + 1
            scaled = {d: s * PARTIAL_FACTOR * counts[d] / n for d, s in partials.items()}
            ranked += self._top(scaled, None if limit is None else limit - len(ranked))
        return ranked

    def _top(self, scores: dict[int, float], limit: int | None) -> list[tuple[Hashable, float]]:
        """The best `limit` of the scored ids: higher score first, then name, then id."""
        keys = self._sort_keys
        if limit is None or len(scores) <= limit:
            chosen = sorted(scores, key=lambda d: (-scores[d], keys[d]))
        else:
            threshold = heapq.nlargest(limit, scores.values())[-1]
            above = sorted((d for d, s in scores.items() if s > threshold), key=lambda d: (-scores[d], keys[d]))
            tied = [d for d, s in scores.items() if s == threshold]
            chosen = above + heapq.nsmallest(limit - len(above), tied, key=keys.__getitem__)
        docs = self._docs
        return [(docs[d].id, round(scores[d], 6)) for d in chosen]


def build(docs: Iterable[SearchDoc]) -> SearchIndex:
    """An index over the documents (a later document with the same id replaces an earlier one)."""
    index = SearchIndex()
    for doc in docs:
        index.update(doc)
    return index
