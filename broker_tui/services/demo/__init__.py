"""The demo market: Ofsted's real register plus the home council's own services and synthetic casework.

``seed_demo(ctx, progress)`` fills an EMPTY database (``is_empty``: no services and no referrals; anything
else raises ``DemoRefused`` before a single row is written). All of it is ONE transaction (``seed_demo_on``
writes on the caller's; services.startup puts the first start's demo in its own): killed at any moment,
the database holds the whole demo or none of it, and an empty one is seeded again by the next start. A
second seed at the same moment waits for the first and is refused: the marker ``demo_seeded_on`` (AppMeta,
a unique key) is the seed's first row, and the database is checked empty after it.

1. the reference tables (services.reference) and Ofsted's register from seed/ through the same
   ``import_ofsted`` a user runs, on the seed's connection (its 7 Leicester homes become in-house; one
   "import" audit event per service and provider);
2. what the register lacks (demo.inhouse): in-house fostering with 180 households, kinship care, Hillview
   (6 places, registration pending), care leavers' 18+ accommodation;
3. the broker-entered side of the market (demo.market): price lists, capabilities, specialisms,
   vacancies, supported accommodation categories, purchasing routes, referral contacts, placement stops;
4. casework (demo.casework): referrals in every status, referrals sent, offers and declines;
5. purchases (demo.contracts): block contracts with terms, spot agreements with amendments, placements;
   for the 16+ review (demo.sixteen_plus), six 16+ blocks with a year of young people, voids, unit
   statuses, an extension and QA notes, and 37 16+ spot agreements over two years in every category and
   support-hours band (three more 18+ providers are added with the in-house services, before pricing);
6. quality assurance (demo.quality): QA notes with RAG ratings and actions, some overdue.

Every step writes with Core executemany inserts, so the seed takes a second or two.
Randomness is seeded (demo.base.Seed.rng) and every date is relative to ctx.clock.today(), so two seeds
give the same market. Money is integer pence, dates ISO, ids UUIDv7, history rows insert-only.

Audit: every record a broker or commissioner would create by hand (services added, referrals, referrals
sent, offers, block contracts and terms, spot agreements and amendments, placements, placement stops, QA
notes and actions) gets its own "create" event, as the real use cases will write. The bulk market data
(thousands of price lists, capability and vacancy figures on imported services, provider contacts,
fostering households) gets one "create" event per table with entity_id "demo-seed" and the row count:
one event per row there would add ~10,000 events that say nothing a reader of the trail needs. Rows the
seed fills in on services it has just created keep version 1: the seed is their creation, not an edit.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from broker_tui.resources import SEED_DIR
from broker_tui.services.context import AppContext
from broker_tui.services.demo._base import Seed
from broker_tui.services.demo._casework import add_casework
from broker_tui.services.demo._contracts import add_blocks, add_spots
from broker_tui.services.demo._inhouse import add_in_house
from broker_tui.services.demo._market import enrich_services, placement_stops, provider_contacts
from broker_tui.services.demo._quality import add_quality
from broker_tui.services.demo._sixteen_plus import add_leaving_care_services, add_sixteen_plus
from broker_tui.services.market.importers import ImportReport, import_ofsted
from broker_tui.services.reference import load_reference_data
from broker_tui.store.tables import AppMeta, Referral, Service

OFSTED_FILE = "ofsted_childrens_social_care_providers_2025.csv"

__all__ = ["DEMO_SEEDED", "DemoRefused", "DemoSummary", "is_empty", "seed_demo", "seed_demo_on"]
DEMO_SEEDED = "demo_seeded_on"  # AppMeta: the demo's marker (its date), the seed's first row


class DemoRefused(Exception):
    """The database already holds data: the demo is only for an empty one. ``str()`` is one line."""


@dataclass
class DemoSummary:
    imported: ImportReport
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        c = self.counts
        return [
            f"Demo market loaded in {self.seconds:.1f} s",
            f"  services: {self.imported.created:,} from Ofsted's register, {c['service']:,} in-house and others "
            f"added; {c['price_list']:,} price lists; {c['placement_stop']:,} placement stops",
            f"  referrals: {c['referral']:,} ({c['referral_sent']:,} sent to providers, {c['offer']:,} replies)",
            f"  purchases: {c['block_contract']:,} block contracts, {c['spot_agreement']:,} spot agreements, "
            f"{c['placement']:,} placements",
            f"  quality: {c['qa_note']:,} QA notes, {c['qa_action']:,} actions",
        ]


def is_empty(ctx: AppContext) -> bool:
    """True when the database holds no services and no referrals."""
    with ctx.engine.connect() as con:
        services = con.execute(select(func.count()).select_from(Service.__table__)).scalar_one()
        referrals = con.execute(select(func.count()).select_from(Referral.__table__)).scalar_one()
    return services == 0 and referrals == 0


def _refused(ctx: AppContext) -> DemoRefused:
    return DemoRefused(f"{ctx.location.display} already holds services or referrals: the demo market is only "
                       "loaded into an empty database (nothing was changed)")


def _claim(con: Connection, ctx: AppContext) -> None:
    """The seed's first row is its marker (a unique key): a second seed at the same moment waits for this
    one's transaction and is refused. Then, under that claim, the database must still be empty."""
    try:
        con.execute(insert(AppMeta.__table__), {"key": DEMO_SEEDED, "value": ctx.clock.today().isoformat()})
    except IntegrityError:
        raise _refused(ctx) from None
    services = con.execute(select(func.count()).select_from(Service.__table__)).scalar_one()
    referrals = con.execute(select(func.count()).select_from(Referral.__table__)).scalar_one()
    if services or referrals:
        raise _refused(ctx)


def seed_demo(ctx: AppContext, progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Load the demo market into an empty database, all or nothing (one transaction). Raises DemoRefused,
    writing nothing, when the database holds services or referrals."""
    say = progress or (lambda _m: None)
    if not is_empty(ctx):
        raise _refused(ctx)
    started = time.perf_counter()
    with ctx.engine.begin() as con:
        summary = seed_demo_on(con, ctx, progress)
        say("Saving the demo market…")
    summary.seconds = time.perf_counter() - started
    say(f"Demo market ready ({summary.seconds:.1f} s)")
    return summary


def seed_demo_on(con: Connection, ctx: AppContext, progress: Callable[[str], None] | None = None) -> DemoSummary:
    """The demo market written on the caller's open transaction (committed or rolled back by the caller).
    Raises DemoRefused when the database holds services or referrals, or another seed got there first."""
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    _claim(con, ctx)
    load_reference_data(con)
    say("Importing Ofsted's register…")
    imported = import_ofsted(ctx, SEED_DIR / OFSTED_FILE, con=con)
    seed = Seed(con, ctx.settings, ctx.clock.today(), ctx.clock.now(), ctx.actor, ctx=ctx)
    say("Adding in-house services, prices and capabilities…")
    add_in_house(seed)
    add_leaving_care_services(seed)
    enrich_services(seed)
    provider_contacts(seed)
    placement_stops(seed)
    say("Adding referrals, contracts, placements and QA notes…")
    casework = add_casework(seed)
    add_blocks(seed)
    add_sixteen_plus(seed)
    add_spots(seed, casework)
    add_quality(seed)
    seed.close_session()
    seed.flush_audits()
    counts = Counter({k: v for k, v in seed.counts.items() if not k.startswith("_")})
    return DemoSummary(imported=imported, counts=counts, seconds=time.perf_counter() - started)
