"""The provider directory: filter, sort and page through the market's services.

Paging is keyset (the last row's sort values), never OFFSET, over the stored and indexed sort columns on
Service (sort_name, distance_miles, price_from_pence, judgement_sort, in_area); ties break on sort_name
and then the service's id, so an order never changes between two reads of the same data. Distance and
price may be unknown: those rows come after every known one, still in name order.

Search text goes through the typo-tolerant index (services.market_search, the same on SQLite and
PostgreSQL): the services matching every word (or, when none does, those matching some), best first.
The default sort, "relevance", pages through them in the index's order (the cursor is the place in that
order, 0-based): the page query is asked about a slice of the matches at a time, from the cursor on
(directory_sql.fetch_page: 256 ids, then four times as many while the filters leave the page short), so a
word matching tens of thousands of services costs a page, not all of them. Every other sort, and the
count with filters, still read all the matches, passed as one parameter (directory_sql.ranked_ids); the
count without filters is the number of matches. Without text, "relevance" is name order. Text the
index cannot read (one letter, a fragment inside a word) falls back to a substring match on search_text.

Importing this module is light (no SQLAlchemy): the app imports it before its first frame and the SQL
is built inside the functions. ``warm_up_directory`` imports the heavy part ahead of need.
"""

from __future__ import annotations

from collections.abc import Iterator

from broker_tui.services.context import AppContext
from broker_tui.services.market._directory_query import (
    PAGE_SIZE,
    Cursor,
    DirectoryPage,
    DirectoryQuery,
    DirectoryRow,
    RankedMatches,
)


def warm_up_directory(ctx: AppContext) -> None:
    """Import the SQL machinery and open the engine ahead of need (called after the first frame)."""
    from broker_tui.services.market import _directory_sql as directory_sql  # noqa: F401

    ctx.engine  # noqa: B018  (opening the engine is the point)


def text_matches(ctx: AppContext, query: DirectoryQuery) -> RankedMatches | None:
    """The ids of the services the search text matches, best first: those matching every word, or when
    none does, those matching some. None: no text, or nothing the index can match (substring instead)."""
    if not query.text.strip():
        return None
    from broker_tui.services.market._search import search_ranked

    for partial in (False, True):
        found = search_ranked(ctx, query.text, include_gone=query.include_gone, partial=partial)
        if len(found):
            return found
    return None


def order_of(query: DirectoryQuery, matches: RankedMatches | None) -> str:
    """The sort a page is read in: "relevance" only when there are text matches to rank, else by name."""
    return "name" if query.sort == "relevance" and matches is None else query.sort


def directory_page(ctx: AppContext, query: DirectoryQuery, after: Cursor | None = None, size: int = PAGE_SIZE) -> DirectoryPage:
    """One page of services in the query's order, after ``after`` (keyset)."""
    from broker_tui.services.market import _directory_sql as directory_sql

    matches = text_matches(ctx, query)
    with ctx.engine.connect() as con:
        rows = directory_sql.fetch_page(con, query, after, size + 1, ctx.today(), matches)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = cursor_of(rows[-1], order_of(query, matches)) if more and rows else None
    return DirectoryPage(tuple(rows), after, next_cursor)


def directory_count(ctx: AppContext, query: DirectoryQuery) -> int:
    """How many services match the query's filters."""
    from broker_tui.services.market import _directory_sql as directory_sql

    matches = text_matches(ctx, query)
    with ctx.engine.connect() as con:
        return directory_sql.count(con, query, matches)


def iter_services(ctx: AppContext, query: DirectoryQuery, limit: int | None = None,
                  batch: int = 500) -> Iterator[DirectoryRow]:
    """Every matching service in order (or the first ``limit``), read a page at a time."""
    after: Cursor | None = None
    left = limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        result = directory_page(ctx, query, after, size)
        yield from result.rows
        if left is not None:
            left -= len(result.rows)
        if result.next is None:
            return
        after = result.next


def directory_regions(ctx: AppContext) -> list[str]:
    """The regions services are in, for the region filter."""
    from broker_tui.services.market import _directory_sql as directory_sql

    with ctx.engine.connect() as con:
        return directory_sql.regions(con)


def cursor_of(row: DirectoryRow, sort: str) -> Cursor:
    value = {"name": None, "distance": row.distance_miles, "price": row.price_from_pence,
             "judgement": row.judgement_sort, "relevance": row.rank}[sort]
    return Cursor(value, row.sort_name, row.id)
