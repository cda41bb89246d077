"""Registration is a fact from Ofsted's register, never a default (issue 13): a service of a type Ofsted must
register (children's homes, fostering agencies, supported accommodation, family centres, secure homes,
residential special schools) is ranked only when the register shows it registered: a URN, still on the
register, active (supported accommodation also with its application accepted). Types that need no
registration (the council's own and kinship fostering, 18+ accommodation) are not affected."""

from __future__ import annotations

import dataclasses

from broker_tui.domain.matching import MarketService, MatchConfig, MatchRequest, MatchResult, rank
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import MUST_REGISTER_TYPES, SERVICE_TYPES
from tests.domain import matching_cases as mc


def _service(key: str, stype: str, status: str, urn: str | None, **over: object) -> MarketService:
    lat, lon = mc.home_centre()
    base = MarketService(
        id=key, name=key, service_type=stype, sector="private", ofsted_urn=urn, registration_status=status,
        latitude=lat, longitude=lon, local_authority_code=mc.LEICESTER, min_age=0, max_age=25, places=4,
        free_places=2, prices=(PriceParts(valid_from=mc.PRICES_FROM, core_weekly_pence=100_000),))
    return dataclasses.replace(base, **over)  # type: ignore[arg-type]


def _run(market: list[MarketService], age: int, types: tuple[str, ...]) -> MatchResult:
    request = MatchRequest(age_years=age, types_sought=types, start_date=mc.TODAY)
    return rank(market, request, MatchConfig(home_centre=mc.home_centre(), top_n=50))


def test_the_types_that_must_register() -> None:
    assert {
        "fostering_ifa", "childrens_home_in_house", "childrens_home_external", "secure_childrens_home",
        "supported_accommodation", "parent_and_child", "residential_special_school"} == MUST_REGISTER_TYPES
    assert {t.code for t in SERVICE_TYPES} - MUST_REGISTER_TYPES == {
        "fostering_in_house", "fostering_kinship", "care_leavers_18_plus", "other"}


def test_a_childrens_home_without_a_urn_is_never_ranked() -> None:
    homes = ("childrens_home_external", "childrens_home_in_house")
    market = [_service("registered", "childrens_home_external", "active", "SC100001"),
              _service("no urn", "childrens_home_external", "active", None),
              _service("not on register", "childrens_home_external", "not_registered", None),
              _service("said not required", "childrens_home_in_house", "not_required", None),
              _service("pending", "childrens_home_in_house", "pending", None),
              _service("accepted home", "childrens_home_external", "application_accepted", "SC100002")]
    result = _run(market, 14, homes)
    assert [r.service.id for r in result.results] == ["registered"]
    excluded = {e.service.id: e for e in result.excluded}
    for key in ("no urn", "not on register", "said not required", "accepted home"):
        assert "registration" in excluded[key].rules, key
    assert excluded["no urn"].reasons == (
        "not on Ofsted's register (no URN): a children's home must be registered with Ofsted",)
    assert "not on Ofsted's register" in excluded["not on register"].reasons[0]
    assert excluded["pending"].reasons == ("Ofsted registration pending",)


def test_every_type_that_must_register_needs_the_register() -> None:
    for stype in sorted(MUST_REGISTER_TYPES):
        age = 16 if stype == "supported_accommodation" else 12
        market = [_service("on", stype, "active", "SC200001"), _service("off", stype, "active", None)]
        request = MatchRequest(age_years=age, types_sought=(stype,), start_date=mc.TODAY, section25_order=True)
        result = rank(market, request, MatchConfig(home_centre=mc.home_centre()))
        assert [r.service.id for r in result.results] == ["on"], stype
        (e,) = result.excluded
        assert {"registration", "supported_unregistered"} & set(e.rules), stype


def test_supported_accommodation_with_its_application_accepted_may_take_a_16_year_old() -> None:
    market = [_service("accepted", "supported_accommodation", "application_accepted", None),
              _service("no urn", "supported_accommodation", "active", None),
              _service("not on register", "supported_accommodation", "not_registered", None)]
    result = _run(market, 16, ("supported_accommodation",))
    assert [r.service.id for r in result.results] == ["accepted"]
    reasons = {e.service.id: e.reasons for e in result.excluded}
    assert reasons["no urn"] == ("supported accommodation must be registered or have its application accepted: "
                                 "not on Ofsted's register (no URN)",)
    assert reasons["not on register"] == ("supported accommodation must be registered or have its application "
                                          "accepted: not on Ofsted's register",)


def test_types_that_need_no_registration_are_not_affected() -> None:
    market = [_service("in-house carers", "fostering_in_house", "not_required", None, sector="in_house"),
              _service("kinship", "fostering_kinship", "not_required", None, sector="in_house"),
              _service("leavers", "care_leavers_18_plus", "not_required", None)]
    fostering = _run(market, 9, ("fostering_in_house", "fostering_kinship"))
    assert {r.service.id for r in fostering.results} == {"in-house carers", "kinship"}
    assert [r.service.id for r in _run(market, 18, ("care_leavers_18_plus",)).results] == ["leavers"]


def test_a_child_under_18_never_in_unregulated_accommodation() -> None:
    """18+ accommodation for care leavers is not regulated: under 16 never since 9 September 2021, and a 16 or
    17 year old only with a registered provider since 28 October 2023, whatever ages its record gives."""
    leavers = _service("leavers", "care_leavers_18_plus", "not_required", None)  # ages 0-25 on record
    for age in (9, 16, 17):
        result = _run([leavers], age, ("care_leavers_18_plus",))
        assert result.results == [] and result.excluded[0].rules == ("unregulated_under_18",), age
        assert "under 18 may not live in unregulated accommodation" in result.excluded[0].reasons[0]
    assert [r.service.id for r in _run([leavers], 18, ("care_leavers_18_plus",)).results] == ["leavers"]
