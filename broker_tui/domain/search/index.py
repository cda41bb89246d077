"""Typo-tolerant free-text search over the market: an inverted index with vocabulary expansion, then
a re-rank of the best candidates by rapidfuzz WRatio against each one's whole text.

Each service is one document made of fields (search_text.SearchDoc: its name, its owner's name, town,
local authority, region, type label, specialisms with their tag labels and phrases, description). Text
is folded to lowercase word tokens; each (token, document) posting keeps the boost of the best field the
token appears in (name and owner above place, place above type and specialism, description last).

*Retrieval.* A query token is expanded against the *vocabulary* (the distinct tokens, a few thousand),
never against the documents: the exact token, its rapidfuzz near neighbours (``fuzz.ratio`` with a
cutoff that allows more edits in longer words) and, for the last token while the broker is still
typing, the tokens it begins (and near misses of those beginnings). Each expansion carries a penalty
for being fuzzy; its postings score ``penalty * idf * field boost``, and a document takes its best
expansion per query token. Documents matching every query token are *full* matches; the others that
match some tokens are *partial* (scaled by the share of tokens matched). In the index's own order full
matches come first, then partial ones, each by score, ties on name then id.

*Re-rank.* Of all the matches, up to ``RERANK`` candidates are scored with ``fuzz.WRatio`` (the query,
case folded, against the document's whole text, the same string a whole-record scan reads): those
WRatio can score highest first (a text at most ``WRATIO_LONG`` times the query's length, where WRatio
weighs partial matches 0.9 rather than 0.6), then full matches, then by the index's score. They are
ordered by WRatio, then (where WRatio ties, as it does over hundreds of records) by the index's
field-aware score, then name, then id; the remaining matches follow in the index's own order. So the
WRatio work is a few hundred strings a query, not the whole market.

Pure Python with rapidfuzz and numpy: no SQL, no I/O. ``build(docs)`` makes an index;
``update``/``remove`` keep it current.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Iterator
from typing import Generic, cast

import numpy as np
from rapidfuzz import fuzz, process

from broker_tui.domain.search.nearest import Nearest
from broker_tui.domain.search.postings import Postings
from broker_tui.domain.search.text import (
    DocId,
    SearchDoc,
    doc_terms,
    fold,
    fuzzy_cutoff,
    query_tokens,
    specialism_text,
    tokens,
    type_text,
)

__all__ = ["SearchDoc", "SearchIndex", "build", "doc_terms", "fold", "fuzzy_cutoff", "specialism_text",
           "tokens", "type_text"]

FUZZY_LIMIT = 12  # near neighbours kept per query token
PREFIX_LIMIT = 64  # completions kept for the token being typed
PREFIX_MIN = 2  # shortest typed token that completes
FUZZY_MIN = 4  # shortest token that is matched fuzzily (shorter ones: exact or prefix only)
FUZZY_MARGIN = 10.0  # near neighbours kept: within this many ratio points of the closest
KNOWN_WORD_CUTOFF = 88.0  # when the typed token is itself a known word, only very near neighbours
PARTIAL_FACTOR = 0.5  # a partial match's score is scaled by this times the share of tokens it matched
RERANK = 200  # candidates re-ranked by WRatio against their whole text (0: the index's own order)
MISSING_PENALTY = 40.0  # WRatio points a re-ranked record loses for lacking every query word (pro rata)
WRATIO_LONG = 8  # WRatio scales partial matches by 0.9 up to this length ratio, by 0.6 beyond


class SearchIndex(Generic[DocId]):
    """An inverted index over SearchDocs, searched with typo tolerance.

    A posting list is grouped by field boost (a handful of values): ``{term: {boost: {ids}}}``, so a
    term's documents are scored a group at a time with set and dict operations rather than one by one.
    """

    def __init__(self, docs: Iterable[SearchDoc[DocId]] = ()) -> None:
        """An index over ``docs`` (a later document with the same id replaces an earlier one)."""
        # Documents are held under small integer slots (ints hash fast; ids such as UUIDs do not), each
        # with its id, its name as the tie-break sorts it and its whole text; the documents themselves are
        # not kept (issue 14: at 100,000 services they were most of the app's memory).
        self._ids: list[DocId | None] = []
        self._slots: dict[DocId, int] = {}
        self._names: list[str] = []  # by slot: the name as the tie-break sorts it
        self._texts: list[str] = []  # by slot: the whole text, for the WRatio re-rank
        replaced: list[int] = []

        def rows() -> Iterator[dict[str, float]]:  # the documents' terms, as they are read
            for doc in docs:
                earlier = self._slots.get(doc.id)
                if earlier is not None:
                    replaced.append(earlier)
                self._slots[doc.id] = len(self._ids)
                self._ids.append(doc.id)
                self._names.append(" ".join(tokens(doc.name)))
                self._texts.append(doc.text())
                yield doc_terms(doc)

        self._postings = Postings(rows())
        for slot in replaced:
            self._drop(slot)
        self._vocab: list[str] = []  # sorted distinct terms, rebuilt lazily after changes
        self._nearest = Nearest([])  # the vocabulary, for near neighbours
        self._prefixes: dict[int, tuple[Nearest, list[list[str]]]] = {}
        self._stale = True
        self._lengths = np.zeros(0, dtype=np.int64)  # by slot: the whole text's length
        self._ranks = np.zeros(0, dtype=np.int64)  # by slot: the place in (name, id) order
        self._arrays_stale = True

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slots

    @property
    def _next_slot(self) -> int:
        return len(self._ids)

    def text(self, doc_id: DocId) -> str:
        """The document's whole text (what the re-rank scores)."""
        return self._texts[self._slots[doc_id]]

    def sort_key(self, doc_id: DocId) -> tuple[str, str]:
        return self._sort_key(self._slots[doc_id])

    def _sort_key(self, slot: int) -> tuple[str, str]:
        return self._names[slot], str(self._ids[slot])

    @property
    def vocabulary_size(self) -> int:
        return len(self._postings.df)

    # -- changes ---------------------------------------------------------------------------------------

    def update(self, doc: SearchDoc[DocId]) -> None:
        """Add the document, or replace the one with its id."""
        self.remove(doc.id)
        slot = self._slots[doc.id] = len(self._ids)
        self._ids.append(doc.id)
        self._names.append(" ".join(tokens(doc.name)))
        self._texts.append(doc.text())
        self._arrays_stale = True
        if self._postings.add(slot, doc_terms(doc)):
            self._stale = True

    def remove(self, doc_id: DocId) -> None:
        """Drop the document (nothing happens when it is not there)."""
        slot = self._slots.pop(doc_id, None)
        if slot is not None:
            self._drop(slot)

    def _drop(self, slot: int) -> None:
        """Empty a slot (its id no longer maps to it)."""
        self._ids[slot] = None
        self._names[slot] = self._texts[slot] = ""
        self._arrays_stale = True
        if self._postings.remove(slot):
            self._stale = True

    def _refresh_vocabulary(self) -> None:
        if self._stale:
            self._vocab = sorted(self._postings.df)
            self._nearest = Nearest(self._vocab)
            self._prefixes = {}
            self._stale = False

    def _refresh_arrays(self) -> None:
        if self._arrays_stale:
            lengths = np.zeros(self._next_slot, dtype=np.int64)
            ranks = np.zeros(self._next_slot, dtype=np.int64)
            for rank, slot in enumerate(sorted(self._slots.values(), key=self._sort_key)):
                ranks[slot] = rank
                lengths[slot] = len(self._texts[slot])
            self._lengths, self._ranks, self._arrays_stale = lengths, ranks, False

    def refresh(self) -> None:
        """Work out now what the next search would otherwise work out first (after changes)."""
        self._refresh_vocabulary()
        self._refresh_arrays()

    def _prefix_table(self, length: int) -> tuple[Nearest, list[list[str]]]:
        """The distinct beginnings of `length` letters of longer terms, with the (first PREFIX_LIMIT) terms
        each begins: a run of the sorted vocabulary, found by bisection (a step per beginning, not per term)."""
        table = self._prefixes.get(length)
        if table is None:
            vocab, beginnings, terms = self._vocab, [], []
            i, n = 0, len(vocab)
            while i < n:
                if len(vocab[i]) <= length:
                    i += 1
                    continue
                head = vocab[i][:length]
                end = bisect.bisect_left(vocab, head + "\uffff", i)
                beginnings.append(head)
                terms.append(vocab[i:min(end, i + PREFIX_LIMIT)])
                i = end
            table = (Nearest(beginnings), terms)
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
            hits = self._nearest.extract(token, FUZZY_LIMIT, max(cutoff, KNOWN_WORD_CUTOFF) if known else cutoff)
            top = 100.0 if known else max((score for _, score, _ in hits), default=0.0)
            for term, score, _ in hits:
                if score >= top - FUZZY_MARGIN:
                    add(term, (score / 100.0) ** 4)
        if typing and len(token) >= PREFIX_MIN:
            lo = bisect.bisect_right(self._vocab, token)
            hi = bisect.bisect_left(self._vocab, token + "\uffff", lo)
            completions = self._vocab[lo:hi]
            if len(completions) > PREFIX_LIMIT:
                completions = heapq.nlargest(PREFIX_LIMIT, completions, key=self._postings.df.__getitem__)
            for term in completions:
                add(term, 0.75 + 0.2 * len(token) / len(term))
            if len(token) >= FUZZY_MIN and not completions:  # a slip in what is typed: "leciest" for "leicester"
                beginnings, terms = self._prefix_table(len(token))
                for _, score, i in beginnings.extract(token, FUZZY_LIMIT, fuzzy_cutoff(len(token))):
                    for term in terms[i][:PREFIX_LIMIT]:
                        add(term, 0.7 * (score / 100.0) ** 4)
        return found

    def token_scores(self, token: str, typing: bool = False) -> dict[int, float]:
        """Each matching document's score for one query token: idf * its best expansion's penalty *
        field boost. The idf is the token's (from how many documents it matches in all), not each
        expansion's own, so a rare near miss never outranks a closer common word."""
        groups: list[tuple[float, set[int]]] = []
        for term, factor in self.expand(token, typing=typing).items():
            groups.extend((factor * boost, ids) for boost, ids in self._postings.groups(term).items())
        groups.sort(key=lambda g: g[0])
        scores: dict[int, float] = {}
        for s, ids in groups:  # ascending, so each document keeps its best
            scores.update(dict.fromkeys(ids, s))
        n, df = len(self._slots), len(scores)
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return {d: s * idf for d, s in scores.items()}

    def match_mask(self, query: str) -> np.ndarray:
        """The documents holding every word of the query (each word, a near miss of it, or, for the last
        word while it is still being typed, a word it begins) as a boolean mask over slots (see
        ``slot_ids``); unscored and unordered, for narrowing a list as the broker types."""
        mask = np.zeros(self._next_slot, dtype=bool)
        for i, (token, typing) in enumerate(query_tokens(query).items()):
            hits = np.zeros(self._next_slot, dtype=bool)
            for term in self.expand(token, typing=typing):
                hits[self._postings.slots(term)] = True
            mask = hits if i == 0 else mask & hits
        return mask

    def slot_ids(self) -> list[DocId | None]:
        """Each slot's document id (None where a document was removed): the key to ``match_mask``."""
        return list(self._ids)

    def search(self, query: str, limit: int | None = 20, *, partial: bool = True,
               allow: Iterable[DocId] | None = None, exclude: Iterable[DocId] = (),
               rerank: int = RERANK) -> list[tuple[DocId, float]]:
        """The best documents for the query, best first: [(id, score)].

        A query that does not end in a space treats its last token as still being typed (it also
        matches the words it begins). ``limit=None`` returns every match. ``partial=False`` returns
        only documents matching every token. ``allow`` (ids) keeps only those documents;
        ``exclude`` (ids) leaves those out. ``rerank`` candidates are ordered by WRatio (their score
        is that WRatio); the matches after them keep the index's order, their scores scaled below.
        ``rerank=0`` gives the index's own order and scores.
        """
        full, partials = self._match(query, partial, allow, exclude)
        if not full and not partials:
            return []
        head = self._rerank(query, full, partials, rerank) if rerank > 0 else []
        if limit is not None and len(head) >= limit:
            return self._with_ids(head[:limit])
        chosen = {d for d, _ in head}
        left = None if limit is None else limit - len(head)
        tail = self._top({d: s for d, s in full.items() if d not in chosen}, left)
        if partials and (left is None or len(tail) < left):
            tail += self._top({d: s for d, (s, _) in partials.items() if d not in chosen},
                              None if left is None else left - len(tail))
        if head and tail:  # below the head's lowest WRatio, in the index's order
            floor, top = head[-1][1], max(s for _, s in tail) or 1.0
            scaled, lowest = [], floor
            for d, s in tail:
                lowest = min(lowest, floor * s / top)
                scaled.append((d, lowest))
            tail = scaled
        return self._with_ids(head + tail)

    def _match(self, query: str, partial: bool, allow: Iterable[DocId] | None,
               exclude: Iterable[DocId]) -> tuple[dict[int, float], dict[int, tuple[float, float]]]:
        """The index's scores of the documents matching every token, and (with ``partial``) of those
        matching some tokens: (score scaled by PARTIAL_FACTOR and the share of tokens matched, share)."""
        seen = query_tokens(query)
        if not seen:
            return {}, {}
        per_token = [self.token_scores(token, is_typing) for token, is_typing in seen.items()]
        if allow is not None:
            allowed = {self._slots[i] for i in allow if i in self._slots}
            per_token = [{d: s for d, s in scores.items() if d in allowed} for scores in per_token]
        excluded = {self._slots[i] for i in exclude if i in self._slots}
        if excluded:
            per_token = [{d: s for d, s in scores.items() if d not in excluded} for scores in per_token]
        first, rest = per_token[0], per_token[1:]
        if not rest:
            return first, {}
        full = set(first).intersection(*rest)
        totals = {d: first[d] + sum(t[d] for t in rest) for d in full}
        partials: dict[int, tuple[float, float]] = {}
        if partial:
            n = len(per_token)
            sums: dict[int, float] = {}
            counts: dict[int, int] = {}
            for scores in per_token:
                for d, s in scores.items():
                    if d not in full:
                        sums[d] = sums.get(d, 0.0) + s
                        counts[d] = counts.get(d, 0) + 1
            partials = {d: (s * PARTIAL_FACTOR * counts[d] / n, counts[d] / n) for d, s in sums.items()}
        return totals, partials

    def _rerank(self, query: str, full: dict[int, float], partials: dict[int, tuple[float, float]],
                size: int) -> list[tuple[int, float]]:
        """Up to ``size`` candidates, ordered by WRatio against their whole text (less MISSING_PENALTY
        times the share of query words a partial match lacks), then by the index's score, then name
        and id: [(slot, that score)]."""
        self._refresh_arrays()
        text = " ".join(query.split()).casefold()
        count = len(full) + len(partials)
        slots = np.fromiter((*full, *partials), dtype=np.int64, count=count)
        scores = np.fromiter((*full.values(), *(s for s, _ in partials.values())), dtype=np.float64, count=count)
        shares = np.fromiter((*(1.0 for _ in full), *(h for _, h in partials.values())), dtype=np.float64,
                             count=count)
        if count > size:
            near = self._lengths[slots] <= WRATIO_LONG * len(text)
            pick = np.lexsort((self._ranks[slots], -scores, -shares, ~near))[:size]
            slots, scores, shares = slots[pick], scores[pick], shares[pick]
        texts = [self._texts[d] for d in slots.tolist()]
        wratio = process.cdist([text], texts, scorer=fuzz.WRatio, dtype=np.float64)[0]
        blended = wratio - MISSING_PENALTY * (1.0 - shares)
        order = np.lexsort((self._ranks[slots], -scores, -blended))
        return [(int(slots[i]), round(float(blended[i]), 6)) for i in order]

    def ranked(self, query: str, *, partial: bool = True, exclude: Iterable[DocId] = (),
               rerank: int = RERANK) -> np.ndarray:
        """The slots (``slot_ids``) of every match in ``search(query, None, ...)``'s order, without scores."""
        full, partials = self._match(query, partial, None, exclude)
        head = self._rerank(query, full, partials, rerank) if rerank > 0 and (full or partials) else []
        chosen = np.fromiter((d for d, _ in head), dtype=np.int64, count=len(head))
        return np.concatenate([chosen, self._order(full, chosen), self._order({d: s for d, (s, _) in partials.items()}, chosen)])

    def _order(self, scores: dict[int, float], leave: np.ndarray | None = None) -> np.ndarray:  # as _top
        self._refresh_arrays()  # the scored slots (less ``leave``), higher score first, then name, then id
        slots = np.fromiter(scores, dtype=np.int64, count=len(scores))
        values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        if leave is not None and len(leave):
            kept = ~np.isin(slots, leave)
            slots, values = slots[kept], values[kept]
        return slots[np.lexsort((self._ranks[slots], -values))]

    def _with_ids(self, ranked: list[tuple[int, float]]) -> list[tuple[DocId, float]]:
        ids = self._ids  # (a ranked slot is one still there: never None)
        return [(cast("DocId", ids[d]), round(s, 6)) for d, s in ranked]

    def _top(self, scores: dict[int, float], limit: int | None) -> list[tuple[int, float]]:
        """The best `limit` of the scored ids: higher score first, then name, then id."""
        keys = self._sort_key
        if limit is None or len(scores) <= limit:
            return [(d, scores[d]) for d in self._order(scores).tolist()]
        threshold = heapq.nlargest(limit, scores.values())[-1]
        above = sorted((d for d, s in scores.items() if s > threshold), key=lambda d: (-scores[d], keys(d)))
        tied = [d for d, s in scores.items() if s == threshold]
        chosen = above + heapq.nsmallest(limit - len(above), tied, key=keys)
        return [(d, scores[d]) for d in chosen]


def build(docs: Iterable[SearchDoc[DocId]]) -> SearchIndex[DocId]:
    """An index over the documents (a later document with the same id replaces an earlier one)."""
    index: SearchIndex[DocId] = SearchIndex(docs)
    index.refresh()
    return index
