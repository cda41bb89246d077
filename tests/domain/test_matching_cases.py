"""The worked cases of shared/matching-cases.md, through the domain alone and through the store and
services/matching.py; then the engine's properties (hypothesis)."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker_tui.domain.matching import (
    MarketService,
    MatchConfig,
    MatchRequest,
    MatchResult,
    build_arrays,
    rank,
)
from broker_tui.domain.matching import scores as matching_scores
from broker_tui.domain.matching.request import request_from_referral
from broker_tui.domain.pricing import PriceParts
from broker_tui.domain.vocabulary import (
    MUST_REGISTER_TYPES,
    NEED_DOMAIN_CODES,
    OFSTED_GRADES,
    SERVICE_TYPE_BY_CODE,
)
from tests.domain import matching_cases as mc

Runner = Callable[..., MatchResult]
ALL_NAMES = {s["name"] for s in mc.MARKET}
KEY = mc.KEY_BY_NAME


def _memory_runner() -> Runner:
    arrays = build_arrays(mc.market_services())
    config = MatchConfig(home_centre=mc.home_centre())

    def run(case: str, *, show_full: bool = False) -> MatchResult:
        values = mc.REFERRALS[case]
        request = request_from_referral(values, age_years=values["age_years"], eighteenth_birthday=mc.eighteenth(values),
                                        today=mc.TODAY, district=mc.district_point,
                                        sibling_ages=mc.SIBLING_AGES.get(case, ()))
        return rank(arrays, request, dataclasses.replace(config, show_full=show_full))

    return run


@pytest.fixture(params=["memory", "store"])
def run(request: pytest.FixtureRequest) -> Runner:
    if request.param == "memory":
        return _memory_runner()
    from broker_tui.services.matching import match_referral

    ctx = request.getfixturevalue("sqlite_ctx")
    mc.load_into_store(ctx)
    return lambda case, show_full=False: match_referral(ctx, mc.REFERRALS[case]["case_ref"], show_full=show_full)


def names(result: MatchResult) -> list[str]:
    return [r.service.name for r in result.results]


def exclusions(result: MatchResult) -> dict[str, tuple[set[str], str]]:
    return {KEY[e.service.name]: (set(e.rules), " | ".join(e.reasons)) for e in result.excluded}


def assert_every_service_once(result: MatchResult) -> None:
    seen = names(result) + [e.service.name for e in result.excluded]
    assert sorted(seen) == sorted(ALL_NAMES)


def test_r1_away_from_leicester(run: Runner) -> None:
    result = run("R1")
    assert names(result) == ["Oakfield House", "Harbour View"]
    assert_every_service_once(result)
    for r in result.results:
        assert r.distant and not r.in_area
        assert any("Director of Children's Services" in a for a in r.approvals)
        assert {"cce", "missing"} <= set(r.covered)
    s2, s3 = result.results
    assert s2.miles < s3.miles and s2.estimate.weekly_pence < s3.estimate.weekly_pence
    assert s2.judgement == "Outstanding"
    assert "covers CCE and missing episodes" in s2.explanation and "£900 under budget" in s2.explanation
    ex = exclusions(result)
    expected = {"S1": {"avoid_area"}, "S10": {"registration"}, "S4": {"full", "age"}, "S9": {"placement_stop"},
                "S7": {"type_not_sought", "under_16_supported"}, "S8": {"type_not_sought", "under_16_supported"},
                "S5": {"type_not_sought"}, "S6": {"type_not_sought"}, "S12": {"type_not_sought"},
                "S11": {"type_not_sought", "secure_needs_s25"}}
    for key, rules in expected.items():
        assert rules <= ex[key][0], (key, ex[key])
    assert "inside Leicester" in ex["S1"][1]
    assert "suspended" in ex["S10"][1]
    assert "placement stop" in ex["S9"][1]
    assert "needs a section 25 order" in ex["S11"][1]
    assert "under 16" in ex["S7"][1] and "under 16" in ex["S8"][1]


def test_r2_under_16_never_in_supported_accommodation(run: Runner) -> None:
    result = run("R2")
    assert result.results == [] and result.total_candidates == 0
    ex = exclusions(result)
    for key in ("S7", "S8"):
        assert "under_16_supported" in ex[key][0]
        assert "a child under 16 may not live in supported accommodation" in ex[key][1]
    assert "under 16" in result.summary
    assert_every_service_once(result)


def test_r3_supported_accommodation_at_16(run: Runner) -> None:
    result = run("R3")
    by_key = {KEY[r.service.name]: r for r in result.results}
    assert set(by_key) == {"S7", "S8"}
    s7, s8 = by_key["S7"], by_key["S8"]
    assert s7.in_area and "in Leicester" in s7.explanation
    assert not s8.in_area and "out of area" in s8.explanation and not s8.distant
    assert any("nominated officer" in a for a in s8.approvals) and s7.approvals == ()
    assert (s8.judgement, s8.judgement_scale) == ("Not yet inspected", "supported_accommodation")
    assert "not yet inspected (supported accommodation)" in s8.explanation
    assert not any(g in s8.explanation for g in OFSTED_GRADES.values())
    assert s7.judgement == "Consistently strong service delivery"


def test_r4_siblings_together(run: Runner) -> None:
    result = run("R4")
    assert names(result) == ["Kinfield Family Placements"]
    ex = exclusions(result)
    for key in ("S5", "S6"):
        assert "siblings" in ex[key][0]
        assert "no household with 3 free places" in ex[key][1]
    assert result.results[0].estimate.weekly_pence == 3 * 110_000  # £1,100 for each child


def test_r5_secure_needs_a_section_25_order(run: Runner) -> None:
    result = run("R5")
    assert result.results == []
    assert "needs a section 25 order" in exclusions(result)["S11"][1]
    with_order = run("R5-order")
    assert names(with_order) == ["Hawthorn Secure"]


def test_r6_in_house_fostering_first(run: Runner) -> None:
    result = run("R6")
    assert names(result) == ["Leicester Fostering", "Brightstart Fostering", "Kinfield Family Placements"]
    s6, s5, s12 = result.results
    assert s6.parts.strategy > s5.parts.strategy and s6.parts.cost > s5.parts.cost
    assert dict(s12.shortfalls) == {"behaviour": 1, "emotional": 1}
    assert s12.parts.need_fit < s5.parts.need_fit == 1.0
    assert s12.estimate.over_budget_pence == 10_000 and "£100 over budget" in s12.explanation
    assert "one level short in" in s12.explanation
    ex = exclusions(result)
    for key in ("S1", "S2", "S3", "S4", "S9", "S10"):
        assert "type_not_sought" in ex[key][0]


def test_show_full_keeps_full_services_marked() -> None:
    request = MatchRequest(age_years=10, types_sought=mc.CHILDRENS_HOMES, start_date=mc.TODAY)
    market = mc.market_services()
    config = MatchConfig(home_centre=mc.home_centre())
    assert "Meadow Farm" not in names(rank(market, request, config))
    shown = {r.service.name: r for r in rank(market, request, dataclasses.replace(config, show_full=True)).results}
    assert shown["Meadow Farm"].full and "full: no vacancy now" in shown["Meadow Farm"].explanation
    assert not shown["Beaumont Lodge"].full


def _memory(case: str, market: list[MarketService] | None = None, **changes: object) -> MatchResult:
    values = {**mc.REFERRALS[case], **changes}
    request = request_from_referral(values, age_years=values["age_years"], eighteenth_birthday=mc.eighteenth(values),
                                    today=mc.TODAY, district=mc.district_point)
    return rank(market or mc.market_services(), request, MatchConfig(home_centre=mc.home_centre()))


def test_distance_home_area_avoided_districts_dol_sex_and_school_years() -> None:
    assert "max_distance" in exclusions(_memory("R6", max_distance_miles=3))["S12"][0]
    assert "outside_home_area" in exclusions(_memory("R6", within_home_area=True))["S12"][0]
    near_le3 = _memory("R3", avoid_areas=[{"kind": "district", "code": "LE3", "radius_miles": None}])
    assert names(near_le3) == ["Riverside Lodgings"]
    assert "inside LE3" in exclusions(near_le3)["S7"][1]
    within_5 = _memory("R3", avoid_areas=[{"kind": "district", "code": "LE2", "radius_miles": 5}])
    assert "within 5 miles of LE2" in exclusions(within_5)["S7"][1]
    dol = _memory("R6", dol_order={"court": "High Court", "made_on": "2026-11-20"})
    assert dol.results == [] and all("dol_not_met" in e.rules for e in dol.excluded if e.service.group == "fostering")
    market = [dataclasses.replace(s, sexes="female") if s.name == "Northgate Supported Living" else s
              for s in mc.market_services()]
    boy = _memory("R3", market, gender="M")
    assert "takes girls only" in exclusions(boy)["S7"][1]
    assert "Northgate Supported Living" in names(_memory("R3", market, gender="F"))
    year_11 = _memory("R3", year_group=11)
    assert all(any("school year 11" in a for a in r.approvals) for r in year_11.results)


def test_store_snapshot_is_cached_until_the_market_changes(ctx) -> None:
    from broker_tui.services.matching import load_market, match_referral
    from broker_tui.store.tables import Service

    mc.load_into_store(ctx)
    first = load_market(ctx)
    assert load_market(ctx) is first
    with ctx.session() as s:
        row = s.get(Service, mc.service_id("S4"))
        row.vacancies = 1
    second = load_market(ctx)
    assert second is not first
    result = match_referral(ctx, "MC-R1")
    assert "full" not in exclusions(result)["S4"][0]


# ---------------------------------------------------------------- properties

TYPES = ("childrens_home_external", "childrens_home_in_house", "fostering_ifa", "fostering_in_house",
         "supported_accommodation", "secure_childrens_home")
LAS = (mc.LEICESTER, mc.LEICESTERSHIRE, "E10000024")
POINTS = {mc.LEICESTER: (52.636, -1.133), mc.LEICESTERSHIRE: (52.68, -1.2), "E10000024": (53.1, -1.0)}


@st.composite
def services(draw: st.DrawFn, i: int) -> MarketService:
    stype = draw(st.sampled_from(TYPES))
    la = draw(st.sampled_from(LAS))
    lo = draw(st.integers(0, 17))
    free = draw(st.one_of(st.none(), st.integers(0, 3)))
    return MarketService(
        id=f"svc-{i:03}", name=draw(st.sampled_from(["Ash", "Birch", "Cedar", "Elm"])) + f" {i % 3}",
        service_type=stype, sector=draw(st.sampled_from(["in_house", "private", "voluntary"])),
        registration_status=draw(st.sampled_from(["active", "active", "suspended", "pending", "application_accepted",
                                                  "not_registered", "not_required"])),
        ofsted_urn=draw(st.sampled_from([None, f"SC{100000 + i}", f"SC{100000 + i}"])),
        ofsted_grade=draw(st.sampled_from([None, *OFSTED_GRADES])), latitude=POINTS[la][0] + i * 0.01,
        longitude=POINTS[la][1], local_authority_code=la, min_age=lo, max_age=draw(st.integers(lo, 17)),
        places=4, free_places=free, capabilities={d: draw(st.integers(0, 3)) for d in NEED_DOMAIN_CODES},
        specialisms=tuple(draw(st.lists(st.sampled_from(["cce", "cse", "autism", "missing"]), unique=True))),
        stop_in_force=draw(st.booleans()) and draw(st.booleans()),
        prices=(PriceParts(valid_from=mc.PRICES_FROM, core_weekly_pence=draw(st.integers(30_000, 900_000))),))


markets = st.integers(1, 10).flatmap(lambda n: st.tuples(*(services(i) for i in range(n))).map(list))
requests = st.builds(
    lambda age, types, needs, tags, budget, avoid, s25: MatchRequest(
        age_years=age, types_sought=tuple(types), start_date=mc.TODAY, needs=needs, specialist_needs=tuple(tags),
        budget_weekly_pence=budget, avoid_las=avoid, section25_order=s25),
    st.integers(8, 17), st.lists(st.sampled_from(TYPES), min_size=1, unique=True),
    st.fixed_dictionaries({d: st.integers(0, 3) for d in NEED_DOMAIN_CODES}),
    st.lists(st.sampled_from(["cce", "cse", "autism"]), unique=True),
    st.one_of(st.none(), st.integers(50_000, 800_000)), st.sampled_from([(), (mc.LEICESTER,)]), st.booleans())
CONFIG = MatchConfig(home_centre=POINTS[mc.LEICESTER], top_n=50)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def breaks_a_rule(s: MarketService, req: MatchRequest) -> bool:
    """An independent statement of the hard constraints this market can break."""
    group = SERVICE_TYPE_BY_CODE[s.service_type].group
    return (s.service_type not in req.types_sought
            or (group == "supported" and req.age_years < 16)
            or (group == "supported" and not (s.registration_status == "application_accepted"
                                              or (s.registration_status == "active" and s.ofsted_urn)))
            or (group != "supported" and s.service_type in MUST_REGISTER_TYPES
                and not (s.registration_status == "active" and s.ofsted_urn))
            or (group == "secure" and not req.section25_order)
            or s.registration_status == "suspended"
            or (group != "supported" and s.registration_status == "pending")
            or s.stop_in_force
            or not s.min_age <= req.age_years <= s.max_age
            or s.free_places == 0
            or s.local_authority_code in req.avoid_las
            or any(req.need(d) == 3 and s.capabilities[d] < 3 for d in NEED_DOMAIN_CODES))


@PROPS
@given(markets, requests)
def test_no_result_breaks_a_hard_constraint(market: list[MarketService], req: MatchRequest) -> None:
    result = rank(market, req, CONFIG)
    ranked = result.ranked()
    assert not any(breaks_a_rule(r.service, req) for r in ranked)
    assert {r.service.id for r in ranked} == {s.id for s in market if not breaks_a_rule(s, req)}


@PROPS
@given(markets, requests, st.data())
def test_covering_a_need_never_lowers_the_score(market: list[MarketService], req: MatchRequest,
                                                data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(market) - 1))
    domain = data.draw(st.sampled_from(NEED_DOMAIN_CODES))
    s = market[k]
    better = dataclasses.replace(s, capabilities={**s.capabilities, domain: min(3, s.capabilities[domain] + 1)})
    before = {r.service.id: r for r in rank(market, req, CONFIG).ranked()}
    after = {r.service.id: r for r in rank([*market[:k], better, *market[k + 1:]], req, CONFIG).ranked()}
    if s.id in before:
        assert after[s.id].score >= before[s.id].score
        if req.need(domain) > s.capabilities[domain]:
            assert after[s.id].parts.need_fit > before[s.id].parts.need_fit
    tag = data.draw(st.sampled_from(["cce", "cse", "autism"]))
    tagged = dataclasses.replace(s, specialisms=tuple(dict.fromkeys((*s.specialisms, tag))))
    after_tag = {r.service.id: r for r in rank([*market[:k], tagged, *market[k + 1:]], req, CONFIG).ranked()}
    if s.id in before:
        assert after_tag[s.id].score >= before[s.id].score
        if tag in req.specialist_needs and tag not in s.specialisms:
            assert after_tag[s.id].parts.specialist > before[s.id].parts.specialist


@PROPS
@given(st.integers(0, 2_000_000), st.integers(1, 500_000), st.one_of(st.none(), st.integers(1, 1_000_000)))
def test_a_higher_price_never_raises_the_cost_score(price: int, rise: int, budget: int | None) -> None:
    import numpy as np

    low, high = matching_scores.cost(np.array([price, price + rise]), budget)
    assert high <= low
    if budget is None or price + rise < matching_scores.COST_BAND * budget:
        assert high < low


@PROPS
@given(markets, requests, st.randoms(use_true_random=False))
def test_the_order_is_deterministic(market: list[MarketService], req: MatchRequest, rnd: random.Random) -> None:
    first = [(r.service.id, r.score) for r in rank(market, req, CONFIG).ranked()]
    shuffled = list(market)
    rnd.shuffle(shuffled)
    assert [(r.service.id, r.score) for r in rank(shuffled, req, CONFIG).ranked()] == first
    scores = [s for _id, s in first]
    assert scores == sorted(scores, reverse=True)


def test_ranked_within_keeps_the_overall_ranks() -> None:
    import numpy as np

    result = _memory_runner()("R6")
    names = [r.service.name for r in result.results]
    assert names == ["Leicester Fostering", "Brightstart Fostering", "Kinfield Family Placements"]
    keep = np.zeros(result.market.n, dtype=bool)
    keep[result.market.position_of[str(mc.service_id("S12"))]] = True
    keep[result.market.position_of[str(mc.service_id("S1"))]] = True  # excluded: never among the results
    within, count = result.ranked_within(keep, 10)
    assert count == 1 and [(r.rank, r.service.name) for r in within] == [(3, "Kinfield Family Placements")]
    everything, count = result.ranked_within(np.ones(result.market.n, dtype=bool), 2)
    assert count == 3 and [r.rank for r in everything] == [1, 2]
