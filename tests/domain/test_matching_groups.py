"""A sibling group to live together (issue 13): a service registered for fewer places than the group can
never take it, whatever its vacancies; one whose vacancies are not known stays ranked, with that said."""

from __future__ import annotations

import dataclasses

from broker_tui.domain.matching import MarketService, MatchConfig, MatchRequest, MatchResult, rank
from broker_tui.domain.pricing import PriceParts
from tests.domain import matching_cases as mc

HOMES = ("childrens_home_external",)


def _home(key: str, places: int | None, free: int | None) -> MarketService:
    lat, lon = mc.home_centre()
    return MarketService(
        id=key, name=f"Home {key}", service_type="childrens_home_external", sector="private",
        ofsted_urn=f"SC{100000 + sum(map(ord, key))}", registration_status="active", latitude=lat, longitude=lon,
        local_authority_code=mc.LEICESTER, min_age=8, max_age=17, places=places, free_places=free,
        prices=(PriceParts(valid_from=mc.PRICES_FROM, core_weekly_pence=500_000),))


def _group(size: int, types: tuple[str, ...] = HOMES) -> MatchRequest:
    return MatchRequest(age_years=12, sibling_ages=tuple(range(13, 12 + size)), sibling_group_size=size,
                        siblings_together=True, types_sought=types, start_date=mc.TODAY)


def _run(market: list[MarketService], request: MatchRequest) -> MatchResult:
    return rank(market, request, MatchConfig(home_centre=mc.home_centre(), top_n=50))


def test_registered_places_below_the_group_exclude_whatever_the_vacancies() -> None:
    market = [_home("two-unknown", 2, None), _home("two-free", 2, 2), _home("four-unknown", 4, None),
              _home("four-free", 4, 3), _home("three-unknown", 3, None)]
    result = _run(market, _group(3))
    assert sorted(r.service.id for r in result.results) == ["four-free", "four-unknown", "three-unknown"]
    excluded = {e.service.id: e for e in result.excluded}
    assert set(excluded) == {"two-unknown", "two-free"}
    for e in excluded.values():
        assert "too_few_places" in e.rules
        assert "registered for 2 places: can never hold a group of 3" in e.reasons
    # with 'show full' on, a home that can never hold the group is still excluded
    full = _run([_home("two-full", 2, 0)], _group(3))
    shown = rank([_home("two-full", 2, 0)], _group(3), MatchConfig(home_centre=mc.home_centre(), show_full=True))
    assert full.results == [] and shown.results == []
    # one child alone is not affected
    assert {r.service.id for r in _run(market, _group(1)).results} == {s.id for s in market}


def test_vacancies_not_known_stay_ranked_and_say_so() -> None:
    result = _run([_home("four-unknown", 4, None), _home("four-free", 4, 3)], _group(3))
    by_id = {r.service.id: r for r in result.results}
    unknown, known = by_id["four-unknown"], by_id["four-free"]
    assert "vacancies not known" in unknown.explanation
    assert "registered for 4 places" in unknown.explanation and "room for 3 together" in unknown.explanation
    assert "vacancies not known" not in known.explanation
    alone = _run([_home("four-unknown", 4, None)], _group(1)).results[0]
    assert "vacancies not known" not in alone.explanation  # a single child: the usual uncertainty only


def test_fostering_households_approved_for_fewer_than_the_group() -> None:
    ifa = dataclasses.replace(_home("ifa", None, None), service_type="fostering_ifa",
                              household_free_places=(1, 2), household_places=(2, 2))
    big = dataclasses.replace(ifa, id="ifa-big", household_free_places=(0, 3), household_places=(2, 3))
    result = _run([ifa, big], _group(3, ("fostering_ifa",)))
    assert [r.service.id for r in result.results] == ["ifa-big"]
    (e,) = result.excluded
    assert {"siblings", "too_few_places"} <= set(e.rules)
    assert "no household approved for 3 children (the most in one household: 2)" in e.reasons


def test_through_the_store_households_bring_their_approved_places(ctx) -> None:
    """The market read from the database (both backends): registered places and the households' approved
    places reach the rule."""
    from broker_tui.services.matching import config_for, load_market
    from broker_tui.store.tables import FosterHousehold, Provider, Service

    lat, lon = mc.home_centre()
    with ctx.session() as s:
        p = Provider(name="Group Care Ltd", sector="private")
        s.add(p)
        s.flush()
        common = dict(provider_id=p.id, sector="private", registration_status="active", latitude=lat, longitude=lon,
                      local_authority_code=mc.LEICESTER, min_age=0, max_age=17)
        for n, (name, places) in enumerate((("Two Place Home", 2), ("Four Place Home", 4))):
            s.add(Service(name=name, service_type="childrens_home_external", ofsted_urn=f"SC90000{n}", places=places,
                          vacancies=None, **common))
        for n, (name, households) in enumerate((("Pairs Fostering", ((2, 1), (2, 2))),
                                                ("Big Household Fostering", ((3, 3),)))):
            ifa = Service(name=name, service_type="fostering_ifa", ofsted_urn=f"SC91000{n}",
                          places=sum(a for a, _f in households), vacancies=sum(f for _a, f in households), **common)
            s.add(ifa)
            s.flush()
            for k, (approved, free) in enumerate(households):
                s.add(FosterHousehold(service_id=ifa.id, reference=f"{name[:3]}-{k}", places=approved,
                                      free_places=free))
    market = load_market(ctx)
    result = rank(market.arrays, _group(3, ("childrens_home_external", "fostering_ifa")), config_for(ctx, market))
    assert sorted(r.service.name for r in result.results) == ["Big Household Fostering", "Four Place Home"]
    reasons = {e.service.name: e.reasons for e in result.excluded}
    assert "registered for 2 places: can never hold a group of 3" in reasons["Two Place Home"]
    assert "no household approved for 3 children (the most in one household: 2)" in reasons["Pairs Fostering"]
    four = next(r for r in result.results if r.service.name == "Four Place Home")
    assert "vacancies not known: ask whether it has room for 3 together" in four.explanation
