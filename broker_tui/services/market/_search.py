"""Free-text search over the market's services and their owners, tolerant of typos.

One in-memory index (domain/search_index.py) serves SQLite and PostgreSQL alike: it is built from the
database with one query, cached on the AppContext, and rebuilt when the market changes. Before each
search a cheap version query (count, latest update and sum of row versions of services and providers)
says whether the market moved since the index was built; writers may also call ``invalidate``.

What the directory (or any screen) calls:

- ``search_services(ctx, text, limit)``: the matching service ids, best first;
- ``search_scored(ctx, text, limit)``: the same with their scores;
- ``search_rows(ctx, text, limit)``: DirectoryRows in rank order, ready for the directory's table;
- ``search_ranked(ctx, text)``: every match in that order, as the index's slots (the directory reads its ids
  a page at a time, so that a common word matching tens of thousands does not make a list of them all);
- ``warm_up_search(ctx)``: build the index ahead of the first keystroke (from a worker).

Archived services are never indexed; services gone from Ofsted's register are found only with
``include_gone=True`` (as in the directory).
"""

from __future__ import annotations

import gc
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from broker_tui.domain.search.index import RERANK, SearchDoc, SearchIndex, build
from broker_tui.services.context import AppContext
from broker_tui.services.market._directory_query import RankedMatches

_CACHE_ATTR = "_market_search_cache"
_CACHE_LOCK = threading.Lock()
SETTLE_AT = 2000  # an index of this many services or more is settled out of the collector's way (_settle)
RESULTS_KEPT = 16  # recent searches remembered against the current index (a directory page and its count,
# the next pages, a sort change: one search, not one each)


@dataclass(frozen=True)
class SearchHit:
    id: uuid.UUID
    score: float


@dataclass
class _Cache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    index: SearchIndex[uuid.UUID] | None = None
    version: tuple[Any, ...] | None = None
    gone: frozenset[uuid.UUID] = frozenset()  # in the index but no longer in Ofsted's register
    builds: int = 0
    results: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # recent searches, this index
    slot_ids: list[uuid.UUID | None] | None = None  # the index's slot_ids (worked out on first need)


def _cache(ctx: AppContext) -> _Cache:
    cache = getattr(ctx, _CACHE_ATTR, None)
    if cache is None:
        with _CACHE_LOCK:
            cache = getattr(ctx, _CACHE_ATTR, None)
            if cache is None:
                cache = _Cache()
                setattr(ctx, _CACHE_ATTR, cache)
    return cache


def market_version(ctx: AppContext) -> tuple[Any, ...]:
    """What changes whenever a service or provider is added, edited, archived or renamed."""
    from sqlalchemy import func, select

    from broker_tui.store.tables import Provider, Service

    s, p = Service.__table__, Provider.__table__
    services = select(func.count(), func.max(s.c.updated_at), func.coalesce(func.sum(s.c.version), 0))
    providers = select(func.count(), func.max(p.c.updated_at), func.coalesce(func.sum(p.c.version), 0))
    with ctx.engine.connect() as con:
        return tuple(con.execute(services).one()) + tuple(con.execute(providers).one())


def iter_documents(ctx: AppContext, gone: set[uuid.UUID]) -> Iterator[SearchDoc[uuid.UUID]]:
    """Every service that is not archived as a SearchDoc, read as the index takes them (one query; the
    documents are never all held at once), adding to ``gone`` the ids of those gone from the register.
    Specialisms are read as their JSON text, each distinct text parsed once."""
    from sqlalchemy import Text, cast, select

    from broker_tui.store.tables import Provider, Service

    s, p = Service.__table__, Provider.__table__
    stmt = (select(s.c.id, s.c.name, p.c.name.label("owner"), s.c.town, s.c.local_authority_name, s.c.region,
                   s.c.service_type, cast(s.c.specialisms, Text).label("specialisms"), s.c.description,
                   s.c.ofsted_urn, s.c.in_register)
            .join(p, p.c.id == s.c.provider_id).where(s.c.archived_on.is_(None)))
    parsed: dict[str | None, tuple[str, ...]] = {None: ()}
    with ctx.engine.connect() as con:
        for r in con.execute(stmt):
            specialisms = parsed.get(r.specialisms)
            if specialisms is None:
                specialisms = parsed[r.specialisms] = tuple(json.loads(r.specialisms) or ())
            yield SearchDoc(id=r.id, name=r.name, owner=r.owner or "", town=r.town,
                            local_authority=r.local_authority_name, region=r.region, service_type=r.service_type,
                            specialisms=specialisms, description=r.description or "", urn=r.ofsted_urn)
            if not r.in_register:
                gone.add(r.id)


def invalidate(ctx: AppContext) -> None:
    """Forget the index: the next search rebuilds it."""
    cache = _cache(ctx)
    with cache.lock:
        cache.index, cache.version, cache.slot_ids = None, None, None
        cache.results = {}


def market_index(ctx: AppContext, *, check: bool = True
                 ) -> tuple[SearchIndex[uuid.UUID], frozenset[uuid.UUID]]:
    """The current index (built on first use, rebuilt when the market version moved) and the ids of
    services gone from the register. ``check=False`` skips the version query and trusts the cache."""
    cache = _cache(ctx)
    with cache.lock:
        if cache.index is not None and not check:
            return cache.index, cache.gone
        version = market_version(ctx)
        if cache.index is None or version != cache.version:
            gone: set[uuid.UUID] = set()
            index = build(iter_documents(ctx, gone))
            cache.index, cache.gone, cache.version = index, frozenset(gone), version
            cache.results, cache.slot_ids = {}, None
            cache.builds += 1
            if len(index) >= SETTLE_AT:
                _settle()
        return cache.index, cache.gone


def _settle() -> None:
    """Collect once, then move what is left (the index's hundreds of thousands of dicts, sets and
    documents, at 100,000 services) to the collector's permanent generation (gc.freeze): otherwise every
    full collection walks them all again, a pause of a quarter of a second at 10,000 services that lands
    on whatever keystroke is being handled. A frozen object is still freed when nothing refers to it
    (the index holds no reference cycles), so a rebuilt index's old one goes as before."""
    gc.collect()
    gc.freeze()


def warm_up_search(ctx: AppContext) -> None:
    """Build the index ahead of the first search (call from a worker)."""
    market_index(ctx)


def search_scored(ctx: AppContext, text: str, limit: int | None = 20, *, include_gone: bool = False,
                  check: bool = True, rerank: int = RERANK, partial: bool = True) -> list[SearchHit]:
    """The services best matching the text, best first, with their scores (empty text: none);
    ``partial=False``: only those matching every word.

    The best ``rerank`` matches are ordered by WRatio against their whole text, the rest follow in
    the index's order (domain/search_index.py); ``rerank=0`` keeps the index's own order and scores
    (cheaper, for a caller that only needs which services match)."""
    if not text.strip():
        return []
    index, gone = market_index(ctx, check=check)
    cache = _cache(ctx)
    key = (text, limit, include_gone, rerank, partial)
    with cache.lock:
        found = cache.results.get(key) if cache.index is index else None
    if found is not None:
        return list(found)
    hits = index.search(text, limit, exclude=() if include_gone else gone, rerank=rerank, partial=partial)
    found = [SearchHit(doc_id, score) for doc_id, score in hits]
    with cache.lock:
        if cache.index is index:
            if len(cache.results) >= RESULTS_KEPT:
                del cache.results[next(iter(cache.results))]
            cache.results[key] = found
    return list(found)


def search_ranked(ctx: AppContext, text: str, *, include_gone: bool = False, partial: bool = True,
                  check: bool = True) -> RankedMatches:
    """Every service the text matches, in ``search_services(ctx, text, None, ...)``'s order (the same
    re-rank, then the index's order), as slots: no list of ids, no scores (empty text: none)."""
    index, gone = market_index(ctx, check=check)
    cache = _cache(ctx)
    key = ("ranked", text, include_gone, partial)
    with cache.lock:
        found = cache.results.get(key) if cache.index is index else None
        slot_ids = cache.slot_ids if cache.index is index else None
    if isinstance(found, RankedMatches):
        return found
    if slot_ids is None:
        slot_ids = index.slot_ids()
    slots = (index.ranked(text, partial=partial, exclude=() if include_gone else gone) if text.strip()
             else np.empty(0, dtype=np.int64))
    found = RankedMatches(slots, slot_ids)
    with cache.lock:
        if cache.index is index:
            cache.slot_ids = slot_ids
            if len(cache.results) >= RESULTS_KEPT:
                del cache.results[next(iter(cache.results))]
            cache.results[key] = found
    return found


def search_services(ctx: AppContext, text: str, limit: int | None = 20, *, include_gone: bool = False,
                    check: bool = True, rerank: int = RERANK, partial: bool = True) -> list[uuid.UUID]:
    """The ids of the services best matching the text, best first."""
    return [h.id for h in search_scored(ctx, text, limit, include_gone=include_gone, check=check, rerank=rerank,
                                        partial=partial)]


def search_rows(ctx: AppContext, text: str, limit: int = 50, *, include_gone: bool = False) -> list[Any]:
    """The best matching services as directory rows (services.directory.DirectoryRow), in rank order."""
    from sqlalchemy import select
    from sqlmodel import col

    from broker_tui.services.market import _directory_sql as directory_sql
    from broker_tui.store.tables import Provider, Service

    ids = search_services(ctx, text, limit, include_gone=include_gone)
    if not ids:
        return []
    stmt = (select(*directory_sql._columns(ctx.today())).join(Provider, col(Provider.id) == Service.provider_id)
            .where(col(Service.id).in_(ids)))
    with ctx.engine.connect() as con:
        rows = {r.id: directory_sql._row(r) for r in con.execute(stmt)}
    return [rows[i] for i in ids if i in rows]
