"""The directory's relevance pages read a slice of the text's matches at a time (services.market
._directory_sql.fetch_page): the pages, in order, must be exactly what one query over every match gives
(the way the directory read them before), with and without filters, and the count the same; on a generated
market large enough for several slices, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from broker_tui.services.market import DirectoryQuery, directory_count, iter_services, search_services
from broker_tui.services.market._directory_sql import FIRST_SLICE, page_statements, ranked_ids
from broker_tui.services.reference import ensure_reference_data
from tests.generated_market import generate_market

SIZE = 3000


@pytest.fixture
def market_ctx(ctx):
    ensure_reference_data(ctx)
    generate_market(ctx, SIZE)
    return ctx


def every_match(ctx, query: DirectoryQuery) -> list:
    """The old way: every id the text matches, best first, in one parameter, one query."""
    ids = []
    for partial in (False, True):
        ids = search_services(ctx, query.text, None, include_gone=query.include_gone, partial=partial)
        if ids:
            break
    with ctx.engine.connect() as con:
        (stmt,) = page_statements(query, None, 10 * SIZE, ctx.today(), ranked_ids(con, ids))
        return [r.id for r in con.execute(stmt)]


QUERIES = [
    DirectoryQuery(text="oak hous"),  # a common word: thousands of matches, many slices
    DirectoryQuery(text="cedr"),
    DirectoryQuery(text="wilow fostring"),
    DirectoryQuery(text="hous", service_type="fostering_ifa"),  # a filter that leaves few in each slice
    DirectoryQuery(text="care", judgement="inadequate", include_gone=True),
    DirectoryQuery(text="oak", in_area=False),
    DirectoryQuery(text="maple zzzzqx"),  # no service matches every word: the partial matches
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.text}|{q.service_type}|{q.judgement}|{q.in_area}")
def test_relevance_pages_are_those_of_one_query_over_every_match(market_ctx, query):
    expected = every_match(market_ctx, query)
    paged = [r.id for r in iter_services(market_ctx, query, batch=50)]
    assert paged == expected
    assert directory_count(market_ctx, query) == len(expected)


def test_the_slices_are_smaller_than_the_matches(market_ctx):
    assert len(every_match(market_ctx, DirectoryQuery(text="oak hous"))) > FIRST_SLICE  # two slices
    assert len(every_match(market_ctx, DirectoryQuery(text="hous"))) > 5 * FIRST_SLICE  # three
