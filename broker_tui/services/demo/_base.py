"""What every part of the demo seed shares: the open connection, the clock, the market read back, and
deterministic random numbers.

Randomness is ``random.Random`` seeded with a fixed text plus a stable key (a service's URN or name,
a referral's number ...), so each service's prices and capabilities depend only on that service and two
seeds of the same register give the same market. Every date is relative to ``ctx.clock.today()``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlmodel import Session

from broker_tui.domain.settings import Settings
from broker_tui.services.context import AppContext
from broker_tui.services.market import HomeOrigin, home_origin
from broker_tui.store.audit import attach, audit_row, insert_audit_rows
from broker_tui.store.base import TableModel
from broker_tui.store.bulk import insert_rows
from broker_tui.store.tables import LocalAuthority, Provider, Service

SEED_TEXT = "broker-tui demo market v1"
DEMO_APPROVER = "demo.manager"  # the demo's head of service, who approves what the brokers record
SERVICE_COLUMNS = ("id", "provider_id", "name", "service_type", "sector", "ofsted_urn", "registration_status",
                   "ofsted_grade", "sa_outcome", "places", "local_authority_code", "local_authority_name", "region",
                   "latitude", "longitude", "town", "short_breaks_only", "min_age", "max_age", "areas_covered")


@dataclass
class Seed:
    con: Connection
    settings: Settings
    today: dt.date
    now: dt.datetime
    actor: str
    home: HomeOrigin = field(init=False)
    services: list[dict[str, Any]] = field(default_factory=list)  # sorted by (URN, name): a stable order
    providers: dict[Any, dict[str, Any]] = field(default_factory=dict)
    authorities: dict[str, dict[str, Any]] = field(default_factory=dict)
    audits: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    prices: dict[Any, int] = field(default_factory=dict)  # service id -> core weekly pence in force
    ctx: AppContext | None = None  # for the purchase services, which write through a session
    _session: Session | None = field(default=None, init=False, repr=False)
    _approver: tuple[AppContext, Session] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.home = home_origin(self.con, self.settings)
        self.reload_market()

    def reload_market(self) -> None:
        s_t, p_t, la_t = Service.__table__, Provider.__table__, LocalAuthority.__table__
        rows = [dict(r) for r in self.con.execute(select(*[s_t.c[c] for c in SERVICE_COLUMNS])).mappings()]
        self.services = sorted(rows, key=lambda r: (r["ofsted_urn"] or "", r["name"]))
        self.providers = {r["id"]: dict(r) for r in self.con.execute(select(p_t)).mappings()}
        self.authorities = {r["ons_code"]: dict(r) for r in self.con.execute(select(la_t)).mappings()}

    def add_services(self, rows: list[dict[str, Any]]) -> None:
        self.services = sorted(self.services + [{c: r[c] for c in SERVICE_COLUMNS} for r in rows],
                               key=lambda r: (r["ofsted_urn"] or "", r["name"]))

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join([SEED_TEXT, *map(str, key)]))

    def days(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return [s for s in self.services if s["service_type"] in types]

    def insert(self, model: type[TableModel], rows: list[dict[str, Any]], *, audit: bool = True) -> list[dict[str, Any]]:
        """Insert rows in one executemany; one 'create' audit event per row when ``audit``."""
        done = insert_rows(self.con, model, rows, self.now)
        table = model.__table__.name
        self.counts[table] += len(done)
        if audit:
            for r in done:
                after = {k: v for k, v in r.items() if k not in ("created_at", "updated_at", "version")}
                self.audits.append(audit_row(actor=self.actor, at=self.now, entity=table, entity_id=r["id"],
                                             action="create", after=after))
        return done

    def audit_bulk(self, entity: str, rows: int, note: str) -> None:
        """One event standing for a whole table's demo rows (see the package docstring)."""
        self.audits.append(audit_row(actor=self.actor, at=self.now, entity=entity, entity_id="demo-seed",
                                     action="create", after={"rows": rows, "note": note}))

    def session(self) -> Session:
        """A session on the seed's own connection and transaction, naming the seed's actor: the purchase
        services (contracts, placements, QA) write through it, each row audited as any act is. Flushed,
        never committed here: the seed's transaction commits or rolls back everything."""
        if self._session is None:
            self._session = Session(bind=self.con)  # joins the open transaction; never commits it
            attach(self._session, actor=self.actor, now=lambda: self.now)
        return self._session

    def as_approver(self) -> tuple[AppContext, Session]:
        """The demo's manager (an approver, never the recorder): a context naming them, with their limit
        in the settings, and a session on the seed's transaction whose writes name them."""
        assert self.ctx is not None
        if self._approver is None:
            settings = replace(self.settings, approvers=(*self.settings.approvers, (DEMO_APPROVER, 5_000_000)))
            ctx = replace(self.ctx, acting_as=DEMO_APPROVER, settings=settings)
            session = Session(bind=self.con)
            attach(session, actor=DEMO_APPROVER, now=lambda: self.now)
            self._approver = (ctx, session)
        return self._approver

    def close_session(self) -> None:
        for session in (self._session, self._approver[1] if self._approver else None):
            if session is not None:
                session.flush()
                session.close()
        self._session, self._approver = None, None

    def flush_audits(self) -> None:
        insert_audit_rows(self.con, self.audits, self.now)
        self.counts["audit_event"] += len(self.audits)
        self.audits = []


def pounds(rng: random.Random, low: float, high: float, step: int = 5) -> int:
    """A weekly amount in pence between £low and £high, rounded to £step."""
    value = rng.uniform(low, high)
    return int(round(value / step) * step) * 100


K = TypeVar("K")


def pick_weighted(rng: random.Random, options: Mapping[K, float]) -> K:
    return rng.choices(list(options), weights=list(options.values()), k=1)[0]
