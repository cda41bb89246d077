"""Services that score the same are ranked by name (casefolded), then URN, then id: the order the arrays
keep for every service (issue 14 sorts by name alone and only breaks the ties of equal names by URN and
id). Compared with Python's own sort on markets with many equal names, in upper and lower case, with and
without URNs."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from broker_tui.domain.matching.arrays import _tie_order

NAMES = st.sampled_from(["Oak House", "oak house", "OAK HOUSE", "Ash Lodge", "Straße Home", "STRASSE HOME",
                         "Élan", "elan", "Beech", "", "Zed"])
URNS = st.one_of(st.none(), st.sampled_from(["SC000001", "SC000002", "2526000", ""]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(NAMES, URNS, st.integers(0, 2**128 - 1)), max_size=40))
def test_ties_are_ordered_by_name_then_urn_then_id(rows: list[tuple[str, str | None, int]]) -> None:
    columns = SimpleNamespace(n=len(rows), name=[r[0] for r in rows], ofsted_urn=[r[1] for r in rows],
                              id=[str(uuid.UUID(int=r[2])) for r in rows])
    expected = sorted(range(len(rows)), key=lambda i: (columns.name[i].casefold(), columns.ofsted_urn[i] or "",
                                                       columns.id[i]))
    assert _tie_order(columns).tolist() == expected
