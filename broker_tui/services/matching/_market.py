"""Matching, as a use case: load the market snapshot, build the request from a referral, rank, report.

The snapshot is read with one query per table (services with their providers, foster households,
price lists, placement stops in force, block contracts with their terms and the placements in them,
local authorities, postcode districts) as columns (_columns.py: no object per service), turned into
arrays once (a MarketService is made only for a service a result or an exclusion shows), and cached
on the AppContext under the market's version: the row count, the latest updated_at
and the sum of the row versions (every ORM update bumps a row's version) of every edited table it
reads, and the count and latest created_at of the insert-only ones, read in one statement, plus
today's date (stops and block terms depend on it). A second match against an unchanged market
costs that one statement. The same SQL serves SQLite and PostgreSQL (plain selects and aggregates).
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, column, func, select, table

from broker_tui.domain.matching import (
    MarketArrays,
    MatchConfig,
    MatchRequest,
    MatchResult,
    draft_values,
    rank,
    request_from_referral,
)
from broker_tui.domain.referrals.parse import parse_referral
from broker_tui.domain.referrals.rules import age_facts
from broker_tui.services.context import AppContext
from broker_tui.services.matching import _disk as market_disk
from broker_tui.services.matching._columns import read_market_columns
from broker_tui.services.memory import collector_paused, give_back
from broker_tui.services.referrals import ReferralInvalid, get_referral
from broker_tui.store.tables import LocalAuthority

__all__ = ["LoadedMarket", "ReferralInvalid", "load_market", "load_market_unsaved", "match_referral",
           "match_referral_json", "match_request", "result_to_json"]
_CACHE_ATTR = "_matching_market"
_LOCK_ATTR = "_matching_market_lock"
_LOCKS_GUARD = threading.Lock()
# The tables the snapshot reads, by name: the version is asked on every use, cached or not, and naming the
# purchases' model classes here would build them in a process that only matches (issue 14; a test holds
# these names to the models'). Edited tables carry updated_at and version, insert-only ones created_at.
EDITED_TABLES = ("service", "provider", "foster_household", "placement_stop", "block_contract", "placement")
INSERTED_TABLES = ("price_list", "block_contract_term")
_SERVICE_COLUMNS = ("id", "name", "service_type", "sector", "ofsted_urn", "registration_status", "in_register",
                    "ofsted_grade", "sa_outcome", "sa_category", "latitude", "longitude", "location_approximate",
                    "postcode_district", "local_authority_code", "local_authority_name", "areas_covered", "min_age",
                    "max_age", "sexes", "places", "vacancies", "specialisms", "purchasing_route")


@dataclass(frozen=True)
class LoadedMarket:
    key: tuple[Any, ...]
    arrays: MarketArrays
    la_names: dict[str, str]
    districts: dict[str, tuple[float, float]]
    home_centre: tuple[float, float] | None

    def district(self, code: str) -> tuple[float, float] | None:
        return self.districts.get((code or "").strip().upper())


def market_version(con: Connection) -> tuple[Any, ...]:
    """Row counts and latest change of every table the snapshot reads, in one statement."""
    parts = []
    for name in EDITED_TABLES:
        t = table(name, column("updated_at"), column("version"))
        parts += [select(func.count()).select_from(t).scalar_subquery(),
                  select(func.max(t.c.updated_at)).scalar_subquery(),
                  select(func.coalesce(func.sum(t.c.version), 0)).scalar_subquery()]
    for name in INSERTED_TABLES:
        t = table(name, column("created_at"))
        parts += [select(func.count()).select_from(t).scalar_subquery(),
                  select(func.max(t.c.created_at)).scalar_subquery()]
    return tuple(con.execute(select(*parts)).one())


def load_market(ctx: AppContext) -> LoadedMarket:
    """The market snapshot, from the cache when the market has not changed since it was read: this
    context's, else the columns another process kept on disk (_disk.py), else read from the tables. One read
    at a time in a context: a second caller meanwhile (home's purchases panel and Find placements, both at
    start) waits for the first's snapshot instead of reading the same tables beside it. After a read of the
    tables the file for the next process is written before this returns (``load_market_unsaved`` leaves it
    to the caller)."""
    loaded, keep_file = load_market_unsaved(ctx)
    if keep_file is not None:
        keep_file()
    return loaded


def load_market_unsaved(ctx: AppContext) -> tuple[LoadedMarket, Callable[[], None] | None]:
    """``load_market``, with the market file for the next process left to the caller: after a read of the
    tables, a callable that writes it (and gives the read's memory back), else None. Find placements calls
    it once its first ranking is on screen: at 100,000 services the file took 0.28 s of the first ranking's
    wait. Written on a thread of its own beside the ranking instead, it had raised the app's peak memory
    (422 to 475 MB, measured), so it is written after, on the same kind of worker, not beside it."""
    with _load_lock(ctx):
        loaded, save = _load_market(ctx)
    if save is None:
        return loaded, None

    def keep_file() -> None:
        save()
        give_back()  # the read's freed pages, before the next large job asks for more (services.memory)

    return loaded, keep_file


def _load_lock(ctx: AppContext) -> threading.RLock:
    lock: threading.RLock | None = getattr(ctx, _LOCK_ATTR, None)
    if lock is None:
        with _LOCKS_GUARD:
            lock = getattr(ctx, _LOCK_ATTR, None)
            if lock is None:
                lock = threading.RLock()
                setattr(ctx, _LOCK_ATTR, lock)
    return lock


def _load_market(ctx: AppContext) -> tuple[LoadedMarket, Callable[[], None] | None]:
    today = ctx.today()
    with ctx.engine.connect() as con:
        key = (market_version(con), today, ctx.settings.home)
        cached: LoadedMarket | None = getattr(ctx, _CACHE_ATTR, None)
        if cached is not None and cached.key == key:
            return cached, None
        disk = market_disk.cache_file(ctx.location.url) if market_disk.cache_enabled() else None
        disk_key = market_disk.cache_key(ctx.location.url, ctx.location.path, key[0], today)
        found = market_disk.load(disk, disk_key) if disk else None
        if found:
            read, arrays = found
        else:
            with collector_paused():  # a burst of rows the collector could not free (services.memory)
                read = read_market_columns(con, today)
                arrays = MarketArrays.from_columns(read[0])
        _, la_names, districts = read
        la = LocalAuthority.__table__
        row = con.execute(select(la.c.latitude, la.c.longitude)
                          .where(la.c.ons_code == ctx.settings.home.la_code)).first()
    centre = (row[0], row[1]) if row and row[0] is not None else districts.get(ctx.settings.home.district)
    loaded = LoadedMarket(key, arrays, la_names, districts, centre)
    setattr(ctx, _CACHE_ATTR, loaded)
    if disk and not found:
        target = disk
        return loaded, lambda: market_disk.save(target, disk_key, read, arrays)
    return loaded, None


def config_for(ctx: AppContext, market: LoadedMarket, *, top_n: int = 20, show_full: bool = False) -> MatchConfig:
    s = ctx.settings
    return MatchConfig(home=s.home, home_centre=market.home_centre, weights=s.weights, top_n=top_n,
                       show_full=show_full, high_cost_threshold_pence=s.high_cost_threshold_pence)


def match_request(ctx: AppContext, request: MatchRequest, *, top_n: int = 20, show_full: bool = False
                  ) -> MatchResult:
    market = load_market(ctx)
    return rank(market.arrays, request, config_for(ctx, market, top_n=top_n, show_full=show_full))


def match_referral(ctx: AppContext, ref: str | uuid.UUID, *, top_n: int = 20, show_full: bool = False
                   ) -> MatchResult:
    """Rank the market for a stored referral (by case reference or id). Raises ReferralNotFound."""
    view = get_referral(ctx, ref)
    market = load_market(ctx)
    if view.age_years is None:
        raise ReferralInvalid({"age_years": "give a date of birth or an age in years"})
    request = request_from_referral(view.values, age_years=view.age_years,
                                    eighteenth_birthday=view.eighteenth_birthday, today=ctx.today(),
                                    district=market.district)
    return rank(market.arrays, request, config_for(ctx, market, top_n=top_n, show_full=show_full))


def match_referral_json(ctx: AppContext, raw: dict[str, Any], *, top_n: int = 20, show_full: bool = False
                        ) -> MatchResult:
    """Rank the market for a referral given as JSON (the services' format), without storing it.
    Raises ReferralInvalid with every problem."""
    market = load_market(ctx)
    from broker_tui.services.referrals import INPUT_KEYS

    clean = {k: v for k, v in raw.items() if k in INPUT_KEYS}
    draft, problems = parse_referral(clean, today=ctx.today(), district_exists=lambda c: c in market.districts,
                                     local_authority_exists=lambda c: c in market.la_names,
                                     check_needed_by_past=False)
    if draft is None:
        raise ReferralInvalid(problems)
    facts = age_facts(date_of_birth=draft.date_of_birth, age_years=draft.age_years,
                      date_received=draft.date_received, needed_by=draft.needed_by)
    assert facts is not None  # the parser requires an age or a date of birth
    request = request_from_referral(draft_values(draft), age_years=facts.age_years,
                                    eighteenth_birthday=facts.eighteenth_birthday, today=ctx.today(),
                                    district=market.district)
    return rank(market.arrays, request, config_for(ctx, market, top_n=top_n, show_full=show_full))


def _estimate_json(est: Any) -> dict[str, Any] | None:
    if est is None:
        return None
    out = {k: getattr(est, k) for k in ("weekly_pence", "annual_pence", "to_end_pence", "core_pence",
                                        "one_to_one_pence", "two_to_one_pence", "education_pence", "therapy_pence",
                                        "solo_pence", "uplift_years", "budget_weekly_pence", "over_budget_pence")}
    out["price_list_from"] = est.list_valid_from.isoformat()
    # the 18th birthday would give away the date of birth: say only that the estimate runs to it
    out["to_end_basis"] = "18th birthday" if est.end_is_18th else ("planned end" if est.end_date else None)
    out["end_date"] = None if est.end_is_18th or est.end_date is None else est.end_date.isoformat()
    out["unpriced"] = list(est.unpriced)
    return out


def result_to_json(result: MatchResult, *, excluded: int | None = 0) -> dict[str, Any]:
    """The ranked results, each score part, the estimate, explanation and approvals, and what was excluded:
    how many, and how many for each rule (a service counted under every rule it breaks); each excluded
    service with every reason only when asked (``excluded``: how many, by name; None: every one). Case
    reference and age only: never initials or a date of birth."""
    from broker_tui.domain.matching import RULE_LABELS

    req = result.request
    out: dict[str, Any] = {
        "case_ref": req.case_ref,
        "request": {
            "age_at_needed_by": req.age_years, "types_sought": list(req.types_sought),
            "start_date": req.start_date.isoformat(), "budget_weekly_pence": req.budget_weekly_pence,
            "measured_from": result.ranked_from, "sibling_group_size": req.sibling_group_size,
        },
        "summary": result.summary,
        "total_candidates": result.total_candidates,
        "results": [{
            "rank": r.rank, "service_id": r.service.id, "service": r.service.name, "provider": r.service.provider,
            "service_type": r.service.service_type, "sector": r.service.sector, "score": r.score,
            "parts": dataclasses.asdict(r.parts), "estimate": _estimate_json(r.estimate), "miles": r.miles,
            "measured_to": r.measured_to, "approximate_location": r.approximate, "in_area": r.in_area,
            "distant": r.distant, "full": r.full, "judgement": r.judgement, "judgement_scale": r.judgement_scale,
            "covered": list(r.covered), "not_covered": list(r.not_covered), "shortfalls": dict(r.shortfalls),
            "explanation": r.explanation, "approvals": list(r.approvals),
        } for r in result.results],
        "exclusions": {
            "total": result.excluded_total,
            "by_reason": [{"rule": rule, "reason": RULE_LABELS[rule], "count": n}
                          for rule, n in result.exclusion_counts()],
        },
    }
    if excluded is None or excluded > 0:
        positions = result.excluded_positions()
        out["excluded"] = [{"service_id": e.service.id, "service": e.service.name,
                            "service_type": e.service.service_type, "rules": list(e.rules),
                            "reasons": list(e.reasons)}
                           for e in result.exclusions_at(positions if excluded is None else positions[:excluded])]
    return out
