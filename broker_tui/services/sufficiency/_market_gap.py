"""Forecast demand beside what the market can supply, and the market's diversity (`broker-tui sufficiency gap`,
`sufficiency diversity`): the services, foster households, block contracts and current placements read with
Core selects, the arithmetic in domain.sufficiency.market."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from broker_tui.domain.sufficiency.categories import AGE_BANDS, CATEGORIES, CATEGORY_LABELS
from broker_tui.domain.sufficiency.market import (
    BlockSupply,
    Diversity,
    FosterSupply,
    GapRow,
    ServiceSupply,
    category_of_service,
    diversity,
    gap_rows,
)
from broker_tui.domain.sufficiency.panel import month_end, month_of_label
from broker_tui.services.context import AppContext
from broker_tui.services.contracts import load_states
from broker_tui.services.sufficiency._forecast import ForecastRun, foster_supply, run_forecast
from broker_tui.store.tables import (
    BlockContract,
    Placement,
    Provider,
    Service,
)

# the markets a council buys in (in-house fostering is the council alone; kinship and other are no market)
DIVERSITY_CATEGORIES = ("external_fostering", "residential", "supported")


@dataclass(frozen=True)
class MarketSupply:
    services: tuple[ServiceSupply, ...]
    foster: FosterSupply
    blocks: tuple[BlockSupply, ...]


def market_supply(ctx: AppContext) -> MarketSupply:
    """The services a council can buy (not archived, on the register or in-house, not short breaks only),
    our children placed at each now, in-house foster households, and the block contracts not ended."""
    s, p, pl = Service.__table__.c, Provider.__table__.c, Placement.__table__.c
    today = ctx.clock.today()
    with ctx.engine.connect() as con:
        placed = Counter({r[0]: r[1] for r in con.execute(
            select(pl.service_id, func.count()).where(pl.start_date <= today)
            .where((pl.end_date.is_(None)) | (pl.end_date > today)).group_by(pl.service_id))})
        rows = con.execute(
            select(s.id, s.provider_id, p.name, s.service_type, s.sector, s.places, s.vacancies, s.in_area,
                   s.distance_miles, s.min_age, s.max_age)
            .join(Provider.__table__, p.id == s.provider_id)
            .where(s.archived_on.is_(None), s.short_breaks_only.is_(False))
            .where((s.in_register.is_(True)) | (s.sector == "in_house"))).all()
    services = tuple(ServiceSupply(_uuid(r.id), _uuid(r.provider_id), r.name, r.service_type, r.sector == "in_house",
                                   r.places, r.vacancies, bool(r.in_area), r.distance_miles, r.min_age, r.max_age,
                                   placed.get(r.id, 0)) for r in rows)
    with ctx.session() as session:  # the contracts' own rules: the term in force on a day, the latest extension
        contracts = list(session.scalars(select(BlockContract).where(col(BlockContract.status) != "ended")))
        ids = {c.service_id for c in contracts if c.service_id is not None}
        types = {r[0]: r[1] for r in session.execute(select(s.id, s.service_type).where(s.id.in_(ids)))} if ids else {}
        blocks = tuple(BlockSupply(category_of_service(types.get(c.contract.service_id, "other")),
                                   c.contract.starts_on, c.ends_on,
                                   tuple((t.effective_from, t.units) for t in c.terms))
                       for c in load_states(session, contracts, placements=False))
    return MarketSupply(services, foster_supply(ctx), blocks)


def _uuid(v: Any) -> uuid.UUID:
    return v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))


@dataclass(frozen=True)
class BandRow:
    category: str
    band: str
    demand: float  # forecast mean at the first year's end
    places_within: int  # the register's places within reach whose ages meet the band


@dataclass(frozen=True)
class MarketGap:
    miles: float
    forecast: ForecastRun
    rows: tuple[GapRow, ...]
    bands: tuple[BandRow, ...]
    diversity: tuple[Diversity, ...]
    foster: FosterSupply

    def as_json(self) -> dict[str, Any]:
        return {
            "last_actual_month": self.forecast.cutoff, "scenario": self.forecast.scenario, "within_miles": self.miles,
            "in_house_foster_households": {"households": self.foster.households, "places": self.foster.places,
                                           "free_places": self.foster.free_places},
            "gap": [{"category": r.category, "label": CATEGORY_LABELS[r.category], "month_end": r.day.isoformat(),
                     "demand": round(r.demand, 1), "demand_80_high": round(r.demand_high, 1),
                     "in_house_places": r.own.in_house_places, "block_units": r.own.block_units,
                     "scenario_places": r.own.scenario_places, "own_total": r.own.total, "gap": round(r.gap, 1),
                     "register_places_in_area": r.reach.places_in_area,
                     "register_places_within": r.reach.places_within,
                     "register_services_within": r.reach.services_within,
                     "services_without_places": r.reach.unstated} for r in self.rows],
            "by_age_band": [{"category": b.category, "age_band": b.band, "demand": round(b.demand, 1),
                             "register_places_within": b.places_within} for b in self.bands],
            "diversity": [diversity_json(d) for d in self.diversity],
        }


def diversity_json(d: Diversity) -> dict[str, Any]:
    return {"category": d.category, "label": CATEGORY_LABELS[d.category], "reach": d.reach, "providers": d.providers,
            "services": d.services, "basis": d.basis, "total": d.total, "largest_provider": d.largest,
            "largest_share": round(d.largest_share, 4), "hhi": round(d.hhi), "displaced_places": d.displaced_places,
            "displaced_children": d.displaced_children, "vacancies_elsewhere": d.vacancies_elsewhere,
            "vacancies_known_at": d.vacancies_known_at, "absorbs": d.absorbs}


def market_diversity(ctx: AppContext, *, miles: float = 20.0) -> tuple[Diversity, ...]:
    """Diversity of each category's market in the local area and within ``miles``."""
    supply = market_supply(ctx)
    return tuple(diversity(c, supply.services, reach) for c in DIVERSITY_CATEGORIES
                 for reach in (None, miles))


def market_gap(ctx: AppContext, *, miles: float = 20.0, years: int = 5, scenario: str | None = None,
               sims: int = 1000) -> MarketGap:
    """The forecast (NoReturn without an imported return) at each year's end beside the council's own
    places and the register's within reach, by category; demand by age band at the first year's end beside
    the places within reach that take those ages; each category's diversity."""
    run = run_forecast(ctx, years=years, scenario=scenario, sims=sims)
    supply = market_supply(ctx)
    ends = list(range(11, len(run.months), 12))
    days = [month_end(month_of_label(run.months[i])) for i in ends]
    demand = {c: [(days[j], run.mean[i][k], run.high[i][k]) for j, i in enumerate(ends)]
              for k, c in enumerate(CATEGORIES)}
    setting = ctx.settings.forecast.scenario(scenario) if scenario else None
    start = days[0]
    if setting is not None and setting.from_month is not None:
        start = dt.date(setting.from_month[0], setting.from_month[1], 1)
    extra = {c: [(start, n)] for c, n in (setting.add_places if setting else ())}
    households = [(start, setting.foster_households)] if setting and setting.foster_households else []
    rows = gap_rows(demand, supply.services, supply.foster, supply.blocks, miles, extra, households)
    first = ends[0]
    bands = tuple(BandRow(c, name, run.by_band[first][k][b],
                          sum(s.places or 0 for s in supply.services
                              if s.category == c and not s.in_house and s.within(miles) and s.takes_band(b)))
                  for k, c in enumerate(CATEGORIES) if c in ("residential", "supported")
                  for b, (_, name) in enumerate(AGE_BANDS))
    div = tuple(diversity(c, supply.services, reach) for c in DIVERSITY_CATEGORIES
                for reach in (None, miles))
    return MarketGap(miles, run, tuple(rows), bands, div, supply.foster)
