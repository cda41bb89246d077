"""Matching follows the referral's placement recommendation (the Placements Data Standard's suitability per
setting): a service in an unsuitable setting is excluded with that reason; a preferred setting scores higher
on strategy and says so; without an answer nothing changes. From a referral's values through the request."""

from __future__ import annotations

from broker_tui.domain.matching import MarketService, MatchConfig, MatchRequest, rank, request_from_referral
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import NEED_DOMAIN_CODES
from tests.domain import matching_cases as mc


def _service(key: str, stype: str, urn: str) -> MarketService:
    return MarketService(
        id=key, name=key, service_type=stype, sector="private", ofsted_urn=urn,
        registration_status="active", in_register=True, latitude=52.62, longitude=-1.12, postcode_district="LE2",
        local_authority_code="E06000016", min_age=0, max_age=17, places=3, free_places=1,
        capabilities=dict.fromkeys(NEED_DOMAIN_CODES, 3),
        prices=(PriceParts(valid_from=mc.PRICES_FROM, core_weekly_pence=400_000),))


MARKET = [_service("Agency", "fostering_ifa", "SC100001"), _service("Home", "childrens_home_external", "SC100002"),
          _service("School", "residential_special_school", "SC100003")]
TYPES = ("fostering_ifa", "childrens_home_external", "residential_special_school")


def _rank(**suitability: str):
    values = mc.referral_values("LCC-1", 12, TYPES, **suitability)
    req = request_from_referral(values, age_years=12, eighteenth_birthday=None, today=mc.TODAY,
                                district=mc.district_point)
    return req, rank(MARKET, req, MatchConfig(home_centre=mc.home_centre(), top_n=10))


def test_not_answered_changes_nothing() -> None:
    req, result = _rank()
    assert req.unsuitable_settings == () and req.preferred_settings == ()
    plain = rank(MARKET, MatchRequest(age_years=12, types_sought=TYPES, start_date=mc.TODAY),
                 MatchConfig(home_centre=mc.home_centre(), top_n=10))
    assert [(r.service.id, r.score) for r in result.ranked()] == [(r.service.id, r.score) for r in plain.ranked()]
    assert [r.service.id for r in result.ranked()][0] == "Agency"  # family-based first, the strategy's own way


def test_an_unsuitable_setting_is_excluded_with_its_reason() -> None:
    req, result = _rank(suitability_residential="unsuitable", suitability_foster="suitable")
    assert req.unsuitable_settings == ("residential",)
    assert [r.service.id for r in result.ranked()] == ["Agency"]
    reasons = {e.service.id: e.reasons for e in result.excluded}
    assert set(reasons) == {"Home", "School"}
    assert reasons["Home"] == ("residential care is unsuitable for this child (the referral's placement "
                               "recommendation)",)
    assert {e.rules for e in result.excluded} == {("unsuitable_setting",)}


def test_a_preferred_setting_scores_higher_and_says_so() -> None:
    _req, plain = _rank()
    req, result = _rank(suitability_residential="preferred", suitability_foster="suitable")
    assert req.preferred_settings == ("residential",)
    ranked = {r.service.id: r for r in result.ranked()}
    before = {r.service.id: r for r in plain.ranked()}
    assert [r.service.id for r in result.ranked()][0] in ("Home", "School")
    for key in ("Home", "School"):
        assert ranked[key].parts.strategy > before[key].parts.strategy
        assert "residential care: the setting preferred" in ranked[key].explanation
    assert ranked["Agency"].parts.strategy < before["Agency"].parts.strategy
    assert "setting preferred" not in ranked["Agency"].explanation


def test_a_referral_from_a_json_file_is_matched_with_its_standard_fields_and_gender() -> None:
    from broker_tui.domain.matching import draft_values
    from broker_tui.domain.referrals.parse import parse_referral

    raw = {"case_ref": "LCC-9", "initials": "AB", "needed_by": "2026-12-08", "age_years": 12, "types_sought": list(TYPES),
           "gender": "F", "living_alongside": "alone", "suitability_residential": "unsuitable",
           "suitability_foster": "preferred"}
    draft, problems = parse_referral(raw, today=mc.TODAY, district_exists=lambda _c: True)
    assert draft is not None, problems
    req = request_from_referral(draft_values(draft), age_years=12, eighteenth_birthday=None, today=mc.TODAY,
                                district=mc.district_point)
    assert req.unsuitable_settings == ("residential",) and req.preferred_settings == ("foster",)
    assert req.price_needs.solo and req.sex == "female"
    assert [r.service.id for r in rank(MARKET, req, MatchConfig(home_centre=mc.home_centre())).ranked()] == ["Agency"]
