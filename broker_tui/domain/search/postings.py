"""The search index's postings, held as arrays (issue 14): which documents hold each term, and with
what field boost.

At 100,000 services the index held its postings as a Python set per (term, boost) and a dict of terms per
document: about 450 MB and most of the app's memory. Here the documents an index is built from are
held in two compressed sparse rows, a term's documents (slots and boosts, by term) and a document's terms
(term numbers, by slot), a few bytes a posting. Documents added afterwards (``add``) are kept
in small dicts beside them; a removed document is dropped from its terms' counts and skipped as dead.

Pure Python with numpy: no SQL, no I/O.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

GROUPS_KEPT = 512  # terms whose (boost -> documents) groups are kept worked out


class Postings:
    """Each term's documents by field boost; documents are small integer slots."""

    def __init__(self, rows: Iterable[dict[str, float]] = ()) -> None:
        """The postings of documents 0, 1, 2, ... (``rows``: each document's terms with their boosts)."""
        # Read into typed arrays, not lists: at 100,000 services a list of 1.8 million postings' term numbers
        # and another of their boosts held 30 MB of pointers at the build's peak, and turning the boosts into
        # codes (numpy's unique) as much again. Boosts are a handful of values: each gets its code as it is met.
        numbers: dict[str, int] = {}
        codes: dict[float, int] = {}  # boost -> its code
        term_of_posting = array("i")
        boost_of_posting = array("i")
        row_lengths: list[int] = []
        for terms in rows:
            row_lengths.append(len(terms))
            term_of_posting.extend([numbers.setdefault(term, len(numbers)) for term in terms])
            boost_of_posting.extend([codes.setdefault(boost, len(codes)) for boost in terms.values()])
        self._numbers = numbers  # term -> its number in the arrays
        self._terms = list(numbers)  # by number
        n = len(row_lengths)
        term_ids = np.frombuffer(term_of_posting, dtype=np.intc).astype(np.int32, copy=False)
        self._boost_table = np.array(list(codes), dtype=np.float64)  # by code
        boost_array = np.frombuffer(boost_of_posting, dtype=np.intc).astype(np.uint8 if len(codes) <= 256 else np.int32)
        # a document's terms (for its removal): one row per slot, in the order the document gave them
        self._row_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.asarray(row_lengths, dtype=np.int64), out=self._row_start[1:])
        self._row_terms = term_ids
        # a term's documents: one row per term number, slots ascending (the postings are in slot order, and
        # the sort is stable)
        slots = np.repeat(np.arange(n, dtype=np.int32), row_lengths)
        order = np.argsort(term_ids, kind="stable")
        self._col_start = np.zeros(len(numbers) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(numbers)), out=self._col_start[1:])
        self._col_slots, self._col_boosts = slots[order], boost_array[order]
        del order, slots, boost_array
        self._base = n  # slots below this are in the arrays
        self._dead = np.zeros(n, dtype=bool)  # removed slots of the arrays
        counts = np.diff(self._col_start)
        self.df: dict[str, int] = {t: int(c) for t, c in zip(self._terms, counts.tolist(), strict=True) if c}
        self._added: dict[int, dict[str, float]] = {}  # slots added since: their terms
        self._added_by_term: dict[str, dict[int, float]] = {}
        self._groups: dict[str, dict[float, set[int]]] = {}
        self._slots: dict[str, np.ndarray] = {}

    def __contains__(self, term: object) -> bool:
        return term in self.df

    def add(self, slot: int, terms: dict[str, float]) -> bool:
        """A new document's terms (its slot not used before); True when it brought a new term."""
        self._added[slot] = terms
        new = False
        for term, boost in terms.items():
            self._added_by_term.setdefault(term, {})[slot] = boost
            count = self.df.get(term, 0)
            new = new or count == 0
            self.df[term] = count + 1
        self._forget(terms)
        return new

    def remove(self, slot: int) -> bool:
        """Forget a document; True when a term went with it."""
        if slot < self._base:
            if self._dead[slot]:
                return False
            self._dead[slot] = True
            row = self._row_terms[self._row_start[slot]: self._row_start[slot + 1]].tolist()
            terms: Iterable[str] = [self._terms[t] for t in row]
        else:
            added = self._added.pop(slot, None)
            if added is None:
                return False
            for term in added:
                del self._added_by_term[term][slot]
                if not self._added_by_term[term]:
                    del self._added_by_term[term]
            terms = added
        gone = False
        for term in terms:
            self.df[term] -= 1
            if not self.df[term]:
                del self.df[term]
                gone = True
        self._forget(terms)
        return gone

    def _forget(self, terms: Iterable[str]) -> None:
        for term in terms:
            self._groups.pop(term, None)
            self._slots.pop(term, None)

    def _column(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's documents of the arrays still there, and their boosts."""
        number = self._numbers.get(term)
        if number is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        lo, hi = self._col_start[number], self._col_start[number + 1]
        slots, boosts = self._col_slots[lo:hi], self._boost_table[self._col_boosts[lo:hi]]
        alive = ~self._dead[slots]
        return (slots, boosts) if alive.all() else (slots[alive], boosts[alive])

    def groups(self, term: str) -> dict[float, set[int]]:
        """The term's documents, grouped by their field boost."""
        found = self._groups.get(term)
        if found is None:
            found = {}
            slots, boosts = self._column(term)
            for boost in np.unique(boosts).tolist():
                found[boost] = set(slots[boosts == boost].tolist())
            for slot, boost in self._added_by_term.get(term, {}).items():
                found.setdefault(boost, set()).add(slot)
            if len(self._groups) >= GROUPS_KEPT:
                self._groups.pop(next(iter(self._groups)))
            self._groups[term] = found
        return found

    def slots(self, term: str) -> np.ndarray:
        """The term's documents (slots), as an array."""
        found = self._slots.get(term)
        if found is None:
            slots, _boosts = self._column(term)
            added = self._added_by_term.get(term)
            found = slots.astype(np.int64)
            if added:
                found = np.concatenate([found, np.fromiter(added, dtype=np.int64, count=len(added))])
            if len(self._slots) >= GROUPS_KEPT:
                self._slots.pop(next(iter(self._slots)))
            self._slots[term] = found
        return found
