"""The provider directory: filter, sort and page through the market's services.

Paging is keyset (the last row's sort values), never OFFSET, over the stored and indexed sort columns on
Service (sort_name, distance_miles, price_from_pence, judgement_sort, in_area); ties break on sort_name
and then the service's id, so an order never changes between two reads of the same data. Distance and
price may be unknown: those rows come after every known one, still in name order.

Search text goes through the typo-tolerant index (services.market_search, the same on SQLite and
PostgreSQL): the services matching every word (or, when none does, those matching some), best first.
The page query keeps only those ids, passed as one parameter (directory_sql.ranked_ids), and the default
sort, "relevance", pages through them in the index's order (the cursor is the place in that order);
every other sort still works over the same matches. Without text, "relevance" is name order. Text the
index cannot read (one letter, a fragment inside a word) falls back to a substring match on search_text.

Importing this module is light (no SQLAlchemy): the app imports it before its first frame and the SQL
is built inside the functions. ``warm_up_directory`` imports the heavy part ahead of need.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import (
    JUDGEMENT_SORT,
    NOT_INSPECTED,
    NOT_INSPECTED_SORT,
    OFSTED_GRADES,
    SA_OUTCOMES,
    judgement_label,
    service_type_label,
)
from broker_tui.services.context import AppContext

SORTS = {"relevance": "Best match", "name": "Name", "distance": "Distance", "price": "Weekly price",
         "judgement": "Judgement"}
NOT_INSPECTED_CODE = "not_inspected"
JUDGEMENT_CHOICES: tuple[tuple[str, str], ...] = (
    *((f"Ofsted: {label}", code) for code, label in OFSTED_GRADES.items()),
    *((f"Supported: {label}", code) for code, label in SA_OUTCOMES.items()),
    (NOT_INSPECTED, NOT_INSPECTED_CODE),
)
PAGE_SIZE = 50


class DirectoryQueryError(ValueError):
    """A filter value this directory does not know."""


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    service_type: str | None = None  # vocabulary.SERVICE_TYPES code
    judgement: str | None = None  # an Ofsted grade code, a supported accommodation outcome code, "not_inspected"
    region: str | None = None
    in_area: bool | None = None
    sort: str = "relevance"  # relevance (best match to the text; by name without text) | name | distance | ...
    include_gone: bool = False  # include services gone from Ofsted's register

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise DirectoryQueryError(f"unknown sort {self.sort!r}; known: {', '.join(SORTS)}")
        if self.judgement and self.judgement != NOT_INSPECTED_CODE and self.judgement not in JUDGEMENT_SORT:
            raise DirectoryQueryError(f"unknown judgement {self.judgement!r}")


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's sort value (None when unknown), sort name and id."""

    value: Any
    sort_name: str
    id: uuid.UUID


@dataclass(frozen=True)
class DirectoryRow:
    id: uuid.UUID
    name: str
    provider_name: str
    service_type: str
    ofsted_urn: str | None
    ofsted_grade: str | None
    sa_outcome: str | None
    in_area: bool
    distance_miles: float | None
    places: int | None
    vacancies: int | None
    price_from_pence: int | None
    region: str | None
    local_authority_name: str | None
    on_stop: bool
    in_register: bool
    sort_name: str = ""
    judgement_sort: int = NOT_INSPECTED_SORT
    location_approximate: bool = False  # placed at its authority's centre: the distance is approximate
    rank: int | None = None  # the place in the search text's best-match order (None: no text search)

    @property
    def type_label(self) -> str:
        return service_type_label(self.service_type)

    @property
    def judgement(self) -> str:
        return judgement_label(self.ofsted_grade, self.sa_outcome, self.service_type)

    @property
    def area_label(self) -> str:
        return "Local" if self.in_area else "Out of area"

    @property
    def distance_label(self) -> str:
        """Miles from the home area's centre; '~' marks a service placed at its authority's centre."""
        if self.distance_miles is None:
            return ""
        return f"~{self.distance_miles:.0f}" if self.location_approximate else f"{self.distance_miles:.1f}"

    @property
    def price_label(self) -> str:
        return format_pence(self.price_from_pence)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "name": self.name, "provider": self.provider_name,
            "service_type": self.service_type, "service_type_label": self.type_label,
            "ofsted_urn": self.ofsted_urn, "ofsted_grade": self.ofsted_grade, "sa_outcome": self.sa_outcome,
            "judgement": self.judgement, "in_area": self.in_area,
            "distance_miles": None if self.distance_miles is None else round(self.distance_miles, 1),
            "location_approximate": self.location_approximate,
            "places": self.places, "vacancies": self.vacancies,
            "price_from_pence": self.price_from_pence, "price_from": self.price_label or None,
            "region": self.region, "local_authority": self.local_authority_name,
            "placement_stop": self.on_stop, "in_register": self.in_register,
        }

    def to_line(self) -> str:
        places = "" if self.places is None else f"{self.places} places"
        if self.vacancies is not None:
            places += f", {self.vacancies} free"
        parts = [self.ofsted_urn or "-", self.name, self.provider_name, self.type_label, self.judgement,
                 self.area_label, f"{self.distance_label} mi" if self.distance_label else "", places,
                 f"from {self.price_label}/wk" if self.price_label else "", "PLACEMENT STOP" if self.on_stop else ""]
        return " | ".join(p for p in parts)


@dataclass(frozen=True)
class DirectoryPage:
    rows: tuple[DirectoryRow, ...]
    after: Cursor | None  # the cursor this page was read after (None: the first page)
    next: Cursor | None  # the cursor for the next page (None: this is the last page)


def judgement_sort_value(code: str) -> int:
    return NOT_INSPECTED_SORT if code == NOT_INSPECTED_CODE else JUDGEMENT_SORT[code]


def warm_up_directory(ctx: AppContext) -> None:
    """Import the SQL machinery and open the engine ahead of need (called after the first frame)."""
    from broker_tui.services.market import _directory_sql as directory_sql  # noqa: F401

    ctx.engine  # noqa: B018  (opening the engine is the point)


def text_matches(ctx: AppContext, query: DirectoryQuery) -> list[uuid.UUID] | None:
    """The ids of the services the search text matches, best first: those matching every word, or when
    none does, those matching some. None: no text, or nothing the index can match (substring instead)."""
    if not query.text.strip():
        return None
    from broker_tui.services.market._search import search_services

    for partial in (False, True):
        ids = search_services(ctx, query.text, None, include_gone=query.include_gone, partial=partial)
        if ids:
            return ids
    return None


def order_of(query: DirectoryQuery, matches: list[uuid.UUID] | None) -> str:
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
