"""Issue 14: the market read as columns ranks exactly as the market read as MarketService objects did.

The reference is the old reader (tests/services/market_reference.py) with MarketArrays.build; the new
path is services.matching.load_market (columns, MarketArrays.from_columns, services made on demand).
Compared on the demo market (its open referrals and hand-made requests) and on a generated market of
10,000 services, on SQLite and PostgreSQL: the arrays, every service as matching sees it, the whole
ranked order with its scores, the top results explained, and every exclusion with its rules and reasons.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid

import numpy as np
import pytest
from sqlalchemy import text

from broker_tui.domain.matching import (
    AvoidCircle,
    MarketArrays,
    MatchRequest,
    Place,
    rank,
    request_from_referral,
)
from broker_tui.domain.pricing import PriceNeeds
from broker_tui.services.demo import seed_demo
from broker_tui.services.matching import config_for, load_market
from broker_tui.services.matching._columns import _as_uuid_key
from broker_tui.services.referrals import ReferralQuery, get_referral, list_referrals
from tests.generated_market import generate_market
from tests.services.market_reference import read_market_objects

TODAY = dt.date(2026, 12, 1)
ALL_TYPES = ("childrens_home_external", "childrens_home_in_house", "fostering_ifa", "fostering_in_house",
             "supported_accommodation", "secure_childrens_home", "parent_and_child", "residential_special_school",
             "leaving_care")


def requests() -> list[MatchRequest]:
    """Children of different ages, types sought, places, needs and sibling groups."""
    return [
        MatchRequest(age_years=14, types_sought=("childrens_home_external", "childrens_home_in_house"),
                     start_date=TODAY, case_ref="R1", needs={"behaviour": 3, "risk": 2}, risks=("cce", "missing"),
                     origin=Place("LE2", 52.61115, -1.11795, "home"), max_distance_miles=120,
                     avoid_circles=(AvoidCircle("LE1", 52.63338, -1.13264, 2),),
                     price_needs=PriceNeeds(one_to_one_hours=10, education=True), budget_weekly_pence=650_000,
                     year_group=9),
        MatchRequest(age_years=8, types_sought=("fostering_ifa", "fostering_in_house"), start_date=TODAY,
                     case_ref="R2", sibling_ages=(6, 10), sibling_group_size=3, sex="female",
                     needs={"emotional": 2, "health": 3}, specialist_needs=("autism",),
                     price_needs=PriceNeeds(therapy=True, children=3), avoid_las=("E06000016",)),
        MatchRequest(age_years=16, types_sought=("supported_accommodation", "leaving_care"),
                     start_date=TODAY + dt.timedelta(days=40), case_ref="R3", within_home_area=True,
                     end_date=TODAY + dt.timedelta(days=700), price_needs=PriceNeeds(solo=True),
                     budget_weekly_pence=120_000, unsuitable_settings=("residential",)),
        MatchRequest(age_years=12, types_sought=ALL_TYPES, start_date=TODAY, case_ref="R4", sibling_ages=(13,),
                     sibling_group_size=2, siblings_together=False, sex="male", needs=dict.fromkeys(
                         ("behaviour", "education", "identity", "relationships", "independence"), 3),
                     section25_order=True, origin=Place("NG1", 52.954, -1.150, "school"), max_distance_miles=40),
    ]


def _service_key(s):  # noqa: ANN001, ANN202
    """A service as matching sees it (price lists in the order matching reads them)."""
    return dataclasses.replace(s, prices=tuple(sorted(s.prices, key=lambda p: p.valid_from)),
                               capabilities=dict(s.capabilities))


def _arrays_equal(old: MarketArrays, new: MarketArrays) -> bool:
    """The same arrays, after putting the new market's services in the old one's order."""
    old_ids, new_ids = list(old.services.ids), list(new.services.ids)
    assert sorted(old_ids) == sorted(new_ids)
    if old_ids != new_ids:
        return False  # a different row order gives other positions (checked through the rankings instead)
    for f in dataclasses.fields(MarketArrays):
        if f.name in ("services", "la_codes", "districts"):
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        assert a.dtype == b.dtype and a.shape == b.shape, f.name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name
    assert (old.la_codes, old.districts) == (new.la_codes, new.districts)
    return True


def _same_ranking(old: MarketArrays, new: MarketArrays, request: MatchRequest, config) -> int:  # noqa: ANN001
    a, b = rank(old, request, config), rank(new, request, config)
    ids_a = [old.services.ids[i] for i in a._order]
    ids_b = [new.services.ids[i] for i in b._order]
    assert ids_a == ids_b, request.case_ref
    for key in a._scores:
        assert np.array_equal(a._scores[key], b._scores[key]), (request.case_ref, key)
    for ra, rb in zip(a.results, b.results, strict=True):
        assert dataclasses.replace(ra, service=_service_key(ra.service)) == \
            dataclasses.replace(rb, service=_service_key(rb.service)), request.case_ref
    assert [(e.service.id, e.rules, e.reasons) for e in a.excluded] == \
        [(e.service.id, e.rules, e.reasons) for e in b.excluded], request.case_ref
    assert a.summary == b.summary
    return a.total_candidates


def _compare(ctx, extra: list[MatchRequest]) -> list[int]:  # noqa: ANN001
    today = ctx.today()
    loaded = load_market(ctx)
    with ctx.engine.connect() as con:
        services, la_names, districts = read_market_objects(con, today)
    old = MarketArrays.build(services)
    new = loaded.arrays
    assert (la_names, districts) == (loaded.la_names, loaded.districts)
    assert len(new.services) == len(services) > 0
    for s in services:  # every service as the old reader made it, made again from the columns
        i = new.services.index_of(s.id)
        assert i is not None and _service_key(new.services[i]) == _service_key(s)
    assert _arrays_equal(old, new) or ctx.engine.dialect.name != "sqlite"  # SQLite: the same row order
    config = config_for(ctx, loaded, top_n=60)
    return [_same_ranking(old, new, r, config) for r in extra]


def test_demo_market_loads_as_before(ctx) -> None:
    seed_demo(ctx)
    loaded = load_market(ctx)
    referral_requests = []
    for row in list_referrals(ctx, ReferralQuery(status="open"), size=12).rows:
        view = get_referral(ctx, row.case_ref)
        if view.age_years is not None:
            referral_requests.append(request_from_referral(
                view.values, age_years=view.age_years, eighteenth_birthday=view.eighteenth_birthday,
                today=ctx.today(), district=loaded.district))
    assert len(referral_requests) >= 5
    candidates = _compare(ctx, referral_requests + requests())
    assert any(candidates) and not all(candidates)  # some rankings empty-handed, most not
    # the stops, blocks and households of the demo reach the columns
    cols = loaded.arrays.services.columns
    assert cols.stops and cols.block_free.any() and len(cols.hh_service) and len(cols.pl_service)


@pytest.mark.parametrize("size", [10_000])
def test_generated_market_loads_as_before(ctx, size: int) -> None:
    generate_market(ctx, size)
    candidates = _compare(ctx, requests())
    assert sum(map(bool, candidates)) >= 3  # one asks for more than any service meets
    arrays = load_market(ctx).arrays
    assert arrays.n == pytest.approx(size * 0.98, rel=0.01)  # the archived ones left out
    assert arrays.stop.any() and arrays.block_free.any() and (arrays.hh_max >= 0).any()
    assert ((arrays.pl_parts[:, 1:] == -1).any(axis=0)).all()  # every part but the core unpriced somewhere


def test_sqlite_ids_are_read_back_as_str_uuid_gives_them() -> None:
    ids = [uuid.UUID(int=random.Random(5).getrandbits(128) + i) for i in range(300)]
    assert _as_uuid_key([u.hex for u in ids], "sqlite") == [str(u) for u in ids]
    assert _as_uuid_key([], "sqlite") == []
    # a text that is not 32 hex digits (never written by the store) is not cut short or lost
    odd = [ids[0].hex + "0", ids[1].hex[:31], ids[2].hex]
    assert _as_uuid_key(odd, "sqlite") == [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in odd]
    assert _as_uuid_key([str(u) for u in ids], "postgresql") == [str(u) for u in ids]


def test_small_numbers_outside_what_the_app_writes_are_read_as_stored(ctx) -> None:
    """The ages, flags and capabilities are read packed into one number; a row with a value that does not
    fit (no constraint forbids it) is read from its text instead, as the reference reader reads it."""
    generate_market(ctx, 300)
    with ctx.engine.begin() as con:
        ids = [r[0] for r in con.execute(text("SELECT id FROM service WHERE archived_on IS NULL ORDER BY name"))][:3]
        for sid, sets in zip(ids, ("cap_risk = 9, cap_health = -1", "min_age = 200, max_age = 130",
                                   "cap_identity = 8, cap_emotional = 3"), strict=True):
            con.execute(text(f"UPDATE service SET {sets} WHERE id = :id"), {"id": sid})
    _compare(ctx, requests())  # every service as the reference reader makes it
    arrays = load_market(ctx).arrays
    assert {9, -1, 8}.issubset(set(arrays.caps.ravel().tolist()))
    assert 200 in arrays.min_age.tolist() and 130 in arrays.max_age.tolist()
