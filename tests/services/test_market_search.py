"""Free-text search over the market from the database: typos by name, owner, town, authority and
specialism; the cached index follows the market as it changes; on both backends."""

from __future__ import annotations

import pytest

from broker_tui.services.market import _search as market_search
from broker_tui.services.market import invalidate, market_index, search_rows, search_scored, search_services
from tests.conftest import TODAY
from tests.market_data import build_market


@pytest.fixture
def market(ctx):
    return build_market(ctx, TODAY)


def found(ctx, market, text: str, limit: int = 20) -> list[str]:
    by_id = {svc.id: name for name, svc in market.services.items()}
    return [by_id.get(i, "?") for i in search_services(ctx, text, limit)]


@pytest.mark.parametrize(("typed", "meant", "within"), [
    ("ashfeld hous", "Ashfield House", 1),  # name
    ("beacon lodg", "Beacon Lodge", 1),  # name, last word still being typed
    ("brightwya", "Ashfield House", 2),  # owner
    ("northgte housing", "Kestrel Lodgings", 3),  # owner
    ("juniper famlies", "Juniper Parent and Child Centre", 1),  # owner
    ("nottingam", "Beacon Lodge", 1),  # town
    ("manchestr", "Ivy Bank", 1),  # town and authority
    ("leicestershre", "Ashfield House", 2),  # local authority
    ("coventy", "Foxglove Flats", 1),  # local authority
    ("exploitaton", "Greenhill Secure Unit", 4),  # specialism (CSE) on the good homes
    ("mising", "Dovecote Fostering", 4),  # specialism
    ("fostring", "Dovecote Fostering", 2),  # type
    ("supprted acommodation", "Elm Court Supported Living", 3),  # type
])
def test_typos_find_services(ctx, market, typed, meant, within):
    assert meant in found(ctx, market, typed)[:within]


def test_scores_and_rows_come_in_rank_order(ctx, market):
    hits = search_scored(ctx, "leicster", None)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    rows = search_rows(ctx, "leicster", 50)
    assert [r.id for r in rows] == [h.id for h in hits]
    assert all(r.local_authority_name in ("Leicester", "Leicestershire") for r in rows)
    assert search_services(ctx, "   ") == [] and search_rows(ctx, "") == []


def test_the_index_is_built_once_and_cached(ctx, market):
    search_services(ctx, "leicster")
    index, _ = market_index(ctx)
    search_services(ctx, "nottingam")
    assert market_index(ctx)[0] is index
    assert market_search._cache(ctx).builds == 1


def test_the_index_follows_a_new_service_and_a_rename(ctx, market):
    from broker_tui.store.tables import Service

    assert found(ctx, market, "zephir") == []
    provider = market.providers["Northgate Housing Trust"]
    with ctx.session() as s:
        s.add(Service(provider_id=provider.id, name="Zephyr Court", service_type="supported_accommodation",
                      sector="private", town="Hinckley", local_authority_name="Leicestershire"))
    assert search_rows(ctx, "zephir", 5)[0].name == "Zephyr Court"

    before = search_scored(ctx, "ivy bank ", rerank=0)[0]  # the index's field-aware score
    with ctx.session() as s:
        ivy = s.get(Service, market.services["Ivy Bank"].id)
        ivy.name = "Quillwort Grange"
    assert [r.name for r in search_rows(ctx, "quilwort")] == ["Quillwort Grange"]
    after = search_scored(ctx, "ivy bank ", rerank=0)[0]  # now found only through its description
    assert after.id == before.id and after.score < before.score


def test_a_renamed_owner_is_found_by_its_new_name(ctx, market):
    from broker_tui.store.tables import Provider

    with ctx.session() as s:
        s.get(Provider, market.providers["Horizon Residential"].id).name = "Tamarisk Care"
    assert [r.name for r in search_rows(ctx, "tamarsk")] == ["Ivy Bank"]


def test_archived_and_gone_services(ctx, market):
    from broker_tui.store.tables import Service

    with ctx.session() as s:
        s.get(Service, market.services["Foxglove Flats"].id).archived_on = TODAY
        s.get(Service, market.services["Beacon Lodge"].id).in_register = False
    assert "Foxglove Flats" not in found(ctx, market, "foxglove")
    assert "Beacon Lodge" not in found(ctx, market, "beacon")
    assert search_services(ctx, "beacon", include_gone=True) == [market.services["Beacon Lodge"].id]


def test_a_write_that_skips_the_version_is_seen_after_invalidate(sqlite_ctx):
    from sqlalchemy import update

    from broker_tui.store.tables import Service

    market = build_market(sqlite_ctx, TODAY)
    assert search_services(sqlite_ctx, "autsim") == []
    with sqlite_ctx.engine.begin() as con:  # a derived-column refresh: no version, no updated_at
        con.execute(update(Service).where(Service.id == market.services["Hillview"].id)
                    .values(specialisms=["autism"]))
    invalidate(sqlite_ctx)
    assert search_services(sqlite_ctx, "autsim") == [market.services["Hillview"].id]


def test_a_remembered_search_is_forgotten_when_the_market_changes(ctx, market):
    from broker_tui.store.tables import Service

    first = search_scored(ctx, "zinia cout")
    assert search_scored(ctx, "zinia cout") == first  # remembered: the same hits
    provider = market.providers["Northgate Housing Trust"]
    with ctx.session() as s:
        s.add(Service(provider_id=provider.id, name="Zinnia Court", service_type="supported_accommodation",
                      sector="private", town="Hinckley", local_authority_name="Leicestershire"))
    assert [r.name for r in search_rows(ctx, "zinia cout", 1)] == ["Zinnia Court"]
    assert search_scored(ctx, "zinia cout") != first
