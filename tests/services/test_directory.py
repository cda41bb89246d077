"""The directory: filters, keyset paging, ties, the detail view and the CLI's rows; on both backends."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from broker_tui.services.market import (
    DirectoryQuery,
    DirectoryQueryError,
    iter_services,
)
from broker_tui.services.market import (
    directory_count as count,
)
from broker_tui.services.market import (
    directory_page as page,
)
from broker_tui.services.market import (
    directory_regions as regions,
)
from tests.conftest import TODAY
from tests.market_data import SERVICES, build_market


def names(rows) -> list[str]:
    return [r.name for r in rows]


@pytest.fixture
def market(ctx):
    return build_market(ctx, TODAY)


def test_default_order_is_by_name(ctx, market):
    result = page(ctx, DirectoryQuery())
    assert names(result.rows) == sorted(r[0] for r in SERVICES)
    assert result.next is None and result.after is None
    assert count(ctx, DirectoryQuery()) == len(SERVICES)


@pytest.mark.parametrize(("query", "expected"), [
    (DirectoryQuery(text="NORTHGATE", sort="name"), ["Elm Court Supported Living", "Foxglove Flats",
                                                     "Kestrel Lodgings"]),
    (DirectoryQuery(text="sc0"), []),  # a fragment the index cannot read: a substring of nothing
    (DirectoryQuery(text="  lodge "), ["Beacon Lodge"]),
    (DirectoryQuery(text="100%"), []),
    (DirectoryQuery(text="_"), []),
    (DirectoryQuery(service_type="supported_accommodation", in_area=True),
     ["Elm Court Supported Living", "Kestrel Lodgings"]),
    (DirectoryQuery(judgement="good"), ["Ashfield House", "Dovecote Fostering", "Greenhill Secure Unit",
                                        "Juniper Parent and Child Centre"]),
    (DirectoryQuery(judgement="inconsistent"), ["Foxglove Flats"]),
    (DirectoryQuery(judgement="not_inspected"), ["Hillview", "Leicester In-house Fostering"]),
    (DirectoryQuery(region="West Midlands"), ["Foxglove Flats", "Greenhill Secure Unit"]),
    (DirectoryQuery(in_area=False, region="East Midlands", text="care", sort="name"),
     ["Ashfield House", "Beacon Lodge", "Juniper Parent and Child Centre"]),
])
def test_filters(ctx, market, query, expected):
    assert names(page(ctx, query).rows) == expected
    assert count(ctx, query) == len(expected)


def test_sorts_put_unknown_values_last(ctx, market):
    by_distance = names(iter_services(ctx, DirectoryQuery(sort="distance")))
    assert by_distance[:3] == ["Leicester In-house Fostering", "Elm Court Supported Living", "Cedar View"]
    assert by_distance[-1] == "Ivy Bank"  # distance unknown
    # equal distances (24.9) fall back to name order
    assert by_distance.index("Beacon Lodge") + 1 == by_distance.index("Foxglove Flats")
    by_price = names(iter_services(ctx, DirectoryQuery(sort="price")))
    assert by_price[0] == "Leicester In-house Fostering" and by_price[-1] == "Hillview"
    by_judgement = names(iter_services(ctx, DirectoryQuery(sort="judgement")))
    assert by_judgement[0] == "Beacon Lodge"  # outstanding
    assert by_judgement[-2:] == ["Hillview", "Leicester In-house Fostering"]  # not yet inspected, by name


@pytest.mark.parametrize("sort", ["name", "distance", "price", "judgement"])
@pytest.mark.parametrize("size", [1, 2, 5, 12, 50])
def test_keyset_paging_covers_every_row_once_in_order(ctx, market, sort, size):
    query = DirectoryQuery(sort=sort)
    whole = names(page(ctx, query, size=100).rows)
    seen, after, pages = [], None, 0
    while True:
        result = page(ctx, query, after, size)
        assert len(result.rows) <= size
        seen.extend(names(result.rows))
        pages += 1
        if result.next is None:
            break
        after = result.next
    assert seen == whole
    assert len(seen) == len(set(seen)) == len(SERVICES)
    assert pages == max(1, -(-len(SERVICES) // size))


def test_ties_are_stable_across_reads_and_pages(ctx, market):
    from broker_tui.store.tables import Service

    twin = market.services["Beacon Lodge"]
    with ctx.session() as s:
        for n in range(6):  # six services with the same name, distance and price
            s.add(Service(provider_id=twin.provider_id, name="Beacon Lodge", service_type=twin.service_type,
                          sector="private", sort_name="beacon lodge", distance_miles=24.9,
                          price_from_pence=620000, search_text="beacon lodge", ofsted_urn=f"SC9{n:05}"))
    for sort in ("name", "distance", "price"):
        query = DirectoryQuery(sort=sort)
        first = [r.id for r in iter_services(ctx, query)]
        again = [r.id for r in iter_services(ctx, query, batch=2)]
        assert first == again and len(first) == len(set(first)) == len(SERVICES) + 6


def test_gone_from_register_hidden_unless_asked(ctx, market):
    from broker_tui.store.tables import Service

    with ctx.session() as s:
        gone = s.get(Service, market.services["Beacon Lodge"].id)
        gone.in_register = False
        gone.left_register_on = TODAY - dt.timedelta(days=3)
    assert "Beacon Lodge" not in names(iter_services(ctx, DirectoryQuery()))
    rows = list(iter_services(ctx, DirectoryQuery(include_gone=True, text="beacon")))
    assert names(rows) == ["Beacon Lodge"] and rows[0].in_register is False


def test_iter_services_limit_and_rows_for_the_cli(ctx, market):
    rows = list(iter_services(ctx, DirectoryQuery(), limit=3, batch=2))
    assert names(rows) == sorted(r[0] for r in SERVICES)[:3]
    ivy = next(iter_services(ctx, DirectoryQuery(text="ivy bank")))
    data = ivy.to_json()
    json.dumps(data)
    assert data["id"] == str(ivy.id) and data["placement_stop"] is True
    assert data["price_from_pence"] == 510000 and data["price_from"] == "£5,100.00"
    assert data["judgement"] == "Inadequate" and data["distance_miles"] is None
    line = ivy.to_line()
    assert "Ivy Bank" in line and "PLACEMENT STOP" in line and "£5,100.00" in line
    for row in iter_services(ctx, DirectoryQuery()):  # an empty column is left out, never "|  |" or a last "| "
        assert "|  |" not in row.to_line() and not row.to_line().endswith("| ") and " |  " not in row.to_line()
    elm = next(iter_services(ctx, DirectoryQuery(text="elm court")))
    assert elm.judgement == "Consistently strong service delivery" and elm.to_json()["in_area"] is True


def test_regions_and_bad_queries(ctx, market):
    assert regions(ctx) == ["East Midlands", "North West", "West Midlands"]
    with pytest.raises(DirectoryQueryError):
        DirectoryQuery(sort="age")
    with pytest.raises(DirectoryQueryError):
        DirectoryQuery(judgement="brilliant")


def test_service_detail(ctx, market):
    from broker_tui.services.market import ServiceNotFound, service_detail

    ashfield = service_detail(ctx, market.services["Ashfield House"].id)
    assert ashfield.provider_name == "Brightway Care Ltd" and ashfield.judgement == "Good"
    assert ashfield.price_in_force.core_weekly_pence == 485000
    assert ashfield.price_in_force.education_weekly_pence == 95000
    assert [p.core_weekly_pence for p in ashfield.price_history] == [465000]
    assert ashfield.stop_in_force is None and ashfield.past_stops[0].lifted_reason == "Staffing restored"
    assert [c.level_label for c in ashfield.capabilities if c.domain == "behaviour"] == ["High"]
    assert ashfield.specialisms == ("Child sexual exploitation (CSE)", "Missing episodes")
    note = ashfield.qa_notes[0]
    assert note.kind_label == "Visit (unannounced)" and note.rag_label == "Amber"
    assert [(a.description, a.overdue) for a in note.actions] == [
        ("Send revised weekend rota", True), ("Confirm agency staff induction", False)]
    ivy = service_detail(ctx, str(market.services["Ivy Bank"].id))
    assert ivy.stop_in_force.reason == "Safeguarding concern under review"
    assert [a.overdue for a in ivy.qa_notes[0].actions] == [False, True]  # done one is not overdue
    fostering = service_detail(ctx, market.services["Leicester In-house Fostering"].id)
    assert fostering.is_fostering and [h.reference for h in fostering.households] == ["FH-001", "FH-002", "FH-003"]
    hillview = service_detail(ctx, market.services["Hillview"].id)
    assert hillview.price_in_force is None and hillview.judgement == "Not yet inspected"
    data = ashfield.to_json()
    json.dumps(data)
    assert data["price_in_force"]["valid_from"] == (TODAY - dt.timedelta(days=59)).isoformat()
    import uuid

    with pytest.raises(ServiceNotFound):
        service_detail(ctx, uuid.uuid4())


TYPOS = [  # typed, the service meant (it must come first), what else may match
    ("leicster", "Cedar View"), ("nottingam", "Beacon Lodge"), ("northgte", "Elm Court Supported Living"),
    ("brightwya care", "Ashfield House"), ("kestral lodgings", "Kestrel Lodgings"),
    ("juniper famlies", "Juniper Parent and Child Centre"), ("coventy", "Foxglove Flats"),
    ("midshire councl", "Greenhill Secure Unit"), ("manchestr", "Ivy Bank"), ("dovecot fostring", "Dovecote Fostering"),
    ("exploitaton", "Ashfield House"),  # a specialism's words (child sexual exploitation)
]


@pytest.mark.parametrize(("typed", "meant"), TYPOS)
def test_typos_find_services_best_match_first(ctx, market, typed, meant):
    query = DirectoryQuery(text=typed)
    rows = page(ctx, query).rows
    assert meant in names(rows)[:3]
    assert count(ctx, query) == len(rows) > 0
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)  # best match first


def test_typo_text_with_filters_and_every_sort(ctx, market):
    leicester = {"Cedar View", "Elm Court Supported Living", "Hillview", "Kestrel Lodgings",
                 "Leicester In-house Fostering"}
    found = set(names(iter_services(ctx, DirectoryQuery(text="leicster"))))
    assert leicester <= found
    for sort in ("name", "distance", "price", "judgement", "relevance"):
        rows = list(iter_services(ctx, DirectoryQuery(text="leicster", sort=sort)))
        assert set(names(rows)) == found  # the same matches in each order
    by_name = names(iter_services(ctx, DirectoryQuery(text="leicster", sort="name")))
    assert by_name == sorted(by_name, key=str.lower)
    local = DirectoryQuery(text="leicster", service_type="supported_accommodation")
    assert set(names(iter_services(ctx, local))) == {"Elm Court Supported Living", "Kestrel Lodgings"}
    assert count(ctx, local) == 2


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_relevance_paging_covers_every_match_once_in_order(ctx, market, size):
    query = DirectoryQuery(text="leicster")
    whole = page(ctx, query, size=100).rows
    assert len(whole) >= 7
    seen, after = [], None
    while True:
        result = page(ctx, query, after, size)
        seen.extend(r.id for r in result.rows)
        if result.next is None:
            break
        after = result.next
    assert seen == [r.id for r in whole]


def test_a_word_no_service_holds_whole_falls_back_to_partial_matches(ctx, market):
    rows = names(page(ctx, DirectoryQuery(text="greenhil zzzzqx")).rows)
    assert rows == ["Greenhill Secure Unit"]
    assert names(page(ctx, DirectoryQuery(text="zzzzqx")).rows) == []
    assert count(ctx, DirectoryQuery(text="zzzzqx")) == 0


def test_many_matches_go_as_one_parameter(ctx, market):
    from broker_tui.store.tables import Service

    provider = market.services["Beacon Lodge"].provider_id
    with ctx.session() as s:
        for n in range(1200):  # more ids than SQLite allows as separate parameters in older builds
            s.add(Service(provider_id=provider, name=f"Zinnia House {n:04}", service_type="childrens_home_external",
                          sector="private", sort_name=f"zinnia house {n:04}", town="Leicester"))
    query = DirectoryQuery(text="zinia hous")
    assert count(ctx, query) == 1200
    rows = list(iter_services(ctx, query, batch=500))
    assert len(rows) == len({r.id for r in rows}) == 1200
    by_name = names(iter_services(ctx, DirectoryQuery(text="zinia hous", sort="name"), limit=3))
    assert by_name == ["Zinnia House 0000", "Zinnia House 0001", "Zinnia House 0002"]
