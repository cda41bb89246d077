"""The search index holds its postings as arrays and keeps no document objects (issue 14: at 100,000
services a set per term and boost, a dict of terms and the SearchDoc of every service were 450 MB)."""

from __future__ import annotations

import gc
import random

import numpy as np

from broker_tui.domain.search.index import SearchDoc, build
from broker_tui.domain.search.postings import Postings

WORDS = ("oak", "ash", "cedar", "maple", "willow", "rowan", "hazel", "house", "lodge", "care", "leicester")


def docs(n: int, seed: int = 3) -> list[SearchDoc[int]]:
    rnd = random.Random(seed)
    return [SearchDoc(id=i, name=f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i}", owner=f"{rnd.choice(WORDS)} care",
                      town=rnd.choice(WORDS), description=rnd.choice(("", "a calm home", "near the sea")))
            for i in range(n)]


def test_the_index_keeps_no_document_objects() -> None:
    index = build(docs(300))
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, SearchDoc)]
    assert len(index) == 300 and index.search("willow lodge")


def test_postings_agree_with_the_documents_terms_through_changes() -> None:
    rows = [{"oak": 3.0, "house": 3.0, "leicester": 2.0}, {"oak": 2.6, "care": 2.6}, {"ash": 3.0, "care": 1.4}]
    p = Postings(rows)
    assert p.groups("oak") == {3.0: {0}, 2.6: {1}} and p.df == {"oak": 2, "house": 1, "leicester": 1, "care": 2, "ash": 1}
    assert sorted(p.slots("care").tolist()) == [1, 2]
    assert p.add(3, {"oak": 0.6, "birch": 3.0}) is True  # a new term
    assert p.groups("oak") == {3.0: {0}, 2.6: {1}, 0.6: {3}} and sorted(p.slots("oak").tolist()) == [0, 1, 3]
    assert p.remove(0) is True  # house and leicester go with it
    assert "house" not in p and p.groups("oak") == {2.6: {1}, 0.6: {3}} and p.df["oak"] == 2
    assert p.remove(0) is False  # twice: nothing more
    assert p.remove(3) is True and "birch" not in p and p.slots("oak").tolist() == [1]
    assert p.slots("nothing").dtype == np.int64 and not len(p.slots("nothing"))


def test_a_later_document_with_the_same_id_replaces_the_earlier() -> None:
    index = build([SearchDoc(id=1, name="Oak House"), SearchDoc(id=2, name="Ash Lodge"), SearchDoc(id=1, name="Elm Court")])
    assert len(index) == 2
    assert [d for d, _ in index.search("elm")] == [1] and index.search("oak") == []
    assert index.vocabulary_size == 4  # ash, lodge, elm, court


def test_building_the_postings_holds_a_few_bytes_a_posting_at_its_peak() -> None:
    """The build's peak, not only what it keeps: at 100,000 services the lists of term numbers and boosts
    and the boosts' coding (numpy's unique) took the app's peak over its 400 MB target. Measured with
    tracemalloc (numpy's buffers included): 72 bytes a posting at the peak before, 31 now."""
    import tracemalloc

    rnd = random.Random(5)
    vocabulary = [f"w{i}" for i in range(2_000)]
    rows = [{rnd.choice(vocabulary): rnd.choice((3.0, 2.6, 2.0, 1.4, 0.6)) for _ in range(20)} for _ in range(10_000)]
    postings = sum(map(len, rows))
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        p = Postings(iter(rows))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak / postings < 45
    term = next(iter(rows[0]))
    assert sorted(p.slots(term).tolist()) == [i for i, row in enumerate(rows) if term in row]  # (and still right)
    assert p.groups(term)[rows[0][term]] >= {0}
