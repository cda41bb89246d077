"""Crash tests for real: a process killed with SIGKILL at seeded random moments while it writes.

Each case starts the real thing in a subprocess (the command line, or the app's first start), waits until
its work begins (the line it prints then; for a command that prints nothing first, its first write: it
holds SQLite's writers' queue, or its PostgreSQL transaction has an id), sleeps a random delay drawn from a
fixed seed, and kills it. Then:
the file passes ``PRAGMA integrity_check``; the write is all or nothing (the counts of every table are
those from before or those from after, never between, and the audit events match the rows); and the app's
start path (prepare_database, then a read) works. On PostgreSQL the seed's client is killed: the server
rolls its transaction back.

Kills per case: BROKER_TUI_CRASH_KILLS (default 3), their delays spread over the work's length (one drawn
in each of as many equal parts, seed BROKER_TUI_CRASH_SEED). bench/long_crashes.py runs the long profile.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from broker_tui.services.context import AppContext
from broker_tui.services.demo import DEMO_SEEDED, seed_demo
from broker_tui.services.market import DirectoryQuery, iter_services
from broker_tui.services.market.importers import import_ofsted, parse_register
from broker_tui.services.referrals import ReferralView, create_referral
from broker_tui.services.startup import prepare_database
from broker_tui.store.tables import AppMeta, AuditEvent, LocalAuthority, Referral, ReferralSent
from tests.conftest import BACKENDS, REPO, TODAY
from tests.services.crash_harness import (
    REGISTER,
    Databases,
    cli,
    counts,
    delays,
    looked_at,
    note,
    run_and_kill,
    start_path_works,
    written,
)
from tests.services.test_council_import import MAPLE, council_csv


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path, pg_admin_url: str | None) -> Iterator[Databases]:
    dbs = Databases(request.param, request, tmp_path, pg_admin_url)
    try:
        yield dbs
    finally:
        dbs.close()


@pytest.fixture
def sqlite_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Databases:
    return Databases("sqlite", request, tmp_path, None)


def demo_marked(target: str) -> bool:
    def look(ctx: AppContext) -> bool:
        with ctx.engine.connect() as con:
            if not inspect(con).has_table("app_meta"):
                return False
            return con.execute(select(AppMeta.key).where(AppMeta.key == DEMO_SEEDED)).first() is not None
    return bool(looked_at(target, look))


@pytest.fixture(scope="module")
def whole_demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """The rows of a complete demo (the seed is deterministic for a given day)."""
    target = str(tmp_path_factory.mktemp("whole") / "whole.sqlite3")
    looked_at(target, lambda ctx: prepare_database(ctx, seed_demo_if_new=True))
    return written(counts(target))


def demo_state(target: str, whole: dict[str, int]) -> str:
    found = written(counts(target))
    if not any(found.values()):
        assert not demo_marked(target)
        return "nothing"
    assert found == whole, {k: (v, whole.get(k)) for k, v in found.items() if v != whole.get(k)}
    assert demo_marked(target)
    return "whole"


def test_seed_killed_at_random_moments_writes_all_or_nothing(databases, whole_demo) -> None:
    window = 1.5 if databases.backend == "sqlite" else 2.5  # the seed takes 1.3 s (SQLite), 2.2 s here
    target, states = databases.fresh(), []
    for delay in delays(0, 0, window):
        killed = run_and_kill(cli(target, "seed", "--demo"), delay, marker="Importing Ofsted")
        databases.settle(target)
        state = demo_state(target, whole_demo)
        assert killed or state == "whole", f"finished after {delay:.2f} s without the whole demo"
        states.append((round(delay, 2), state))
        note(f"seed --demo ({databases.backend})", delay, state)
        start_path_works(target)
        if state == "whole":
            target = databases.fresh()
    if demo_state(target, whole_demo) == "nothing":  # and the seed runs again after the kill
        looked_at(target, seed_demo)
        assert demo_state(target, whole_demo) == "whole", states


FIRST_START = """
import sys
from broker_tui.services.context import AppContext
from broker_tui.services.startup import prepare_database
ctx = AppContext.for_target(sys.argv[1])
print("starting", file=sys.stderr, flush=True)
prepare_database(ctx, seed_demo_if_new=True, progress=lambda m: print(m, file=sys.stderr, flush=True))
"""


def test_first_start_killed_again_and_again_ends_with_the_whole_demo(tmp_path: Path, whole_demo) -> None:
    """The app's first start (create, migrate, seed), killed; the next start killed too; and so on."""
    path = str(tmp_path / "first.sqlite3")
    for delay in delays(1, 0, 2.0):  # creating and migrating 0.3 s, then the seed
        run_and_kill(["-c", FIRST_START, path], delay, marker="starting")
        note("first start (sqlite)", delay, demo_state(path, whole_demo))
    start_path_works(path, seed_demo_if_new=True)
    assert demo_state(path, whole_demo) == "whole"


def _import_invariant(target: str) -> tuple[int, int]:
    """(services, services in the register) after checking that the import's audit events match its rows:
    one per service or provider created, one per change (each change bumps its version)."""
    def look(ctx: AppContext) -> tuple[int, int, int, int]:
        with ctx.engine.connect() as con:
            events = con.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import"))
            versions = sum(con.execute(text(f"SELECT coalesce(sum(version), 0) FROM {t}")).scalar_one()
                           for t in ("service", "provider"))
            services, in_register = con.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE in_register) FROM service")).one()
            return events.scalar_one(), versions, services, in_register
    events, versions, services, in_register = looked_at(target, look)
    assert events == versions, (events, versions)
    return services, in_register


def test_ofsted_import_killed_at_random_moments_writes_all_or_nothing(sqlite_databases, shared_data: Path,
                                                                      tmp_path: Path) -> None:
    """Into an empty database (creates); over the full register, a register with a third of its rows gone
    (updates: those services leave the register); over that, the full one again (they come back). Each
    import is whole or absent."""
    full = shared_data / REGISTER
    with open(full, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    fewer = tmp_path / "fewer.csv"
    with open(fewer, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([rows[0], *(r for i, r in enumerate(rows[1:]) if i % 3)])
    target = sqlite_databases.fresh()
    services = looked_at(target, partial(_services_in, files=(full, fewer)))
    allowed = {(0, 0), (services[0], services[0]), (services[0], services[1])}
    for delay in reversed(delays(2, 0, 0.7)):  # writing takes 0.6 s; the latest first, to go on to updates
        before = _import_invariant(target)
        register = fewer if before == (services[0], services[0]) else full
        run_and_kill(cli(target, "providers", "import-ofsted", str(register)), delay, "Writing")
        after = _import_invariant(target)
        assert after in allowed, (after, allowed)
        note("providers import-ofsted (sqlite)", delay, "nothing" if after == before else "whole")
        start_path_works(target)


def _services_in(ctx: AppContext, files: tuple[Path, ...]) -> list[int]:
    """How many services each register file holds, by the importer's own reading of it."""
    with ctx.engine.connect() as con:
        authorities = set(con.execute(select(LocalAuthority.ofsted_name)).scalars())
    return [len(parse_register(path, authorities).records) for path in files]


def test_council_import_killed_at_random_moments_writes_all_or_nothing(sqlite_databases, tmp_path: Path) -> None:
    rows = [{**MAPLE, "Service": f"Crash House {i:04d}", "Provider": f"Crash Care {i % 40:02d} Ltd"}
            for i in range(1500)]
    listing = council_csv(tmp_path / "council.csv", rows)
    for delay in delays(3, 0, 0.45):  # writing takes 0.4 s
        target = sqlite_databases.fresh()
        before = written(counts(target))
        run_and_kill(cli(target, "providers", "import", str(listing)), delay, "Writing")
        after = written(counts(target))
        note("providers import (sqlite)", delay, "nothing" if after == before else "whole")
        if after != before:
            assert after["service"] == 1500 and after["price_list"] == 1500 and after["provider"] == 40, after
            events = looked_at(target, lambda ctx: _events(ctx, "import"))
            assert events == after["service"] + after["provider"] + after["price_list"], (events, after)
        start_path_works(target)


def _events(ctx: AppContext, action: str, entity: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    with ctx.engine.connect() as con:
        return int(con.execute(query).scalar_one())


def test_sending_to_500_services_killed_at_random_moments_is_all_or_nothing(databases) -> None:
    """One transaction of 500 rows sent and their audit events, and the referral's two status moves."""
    target = databases.fresh()
    ids: list[str] = []

    def market(ctx: AppContext) -> None:
        import_ofsted(ctx, _homes(REPO / "seed" / REGISTER, 600, databases.folder / "homes.csv"))
        ids.extend(str(r.id) for r in iter_services(ctx, DirectoryQuery(service_type="childrens_home_external"),
                                                    limit=500))
    looked_at(target, market)
    window = 0.5 if databases.backend == "sqlite" else 1.0  # from its first write to its commit (0.4 s, 0.8 s)
    for k, delay in enumerate(delays(4, 0, window)):
        view = looked_at(target, partial(_add, case_ref=f"CRASH-{k:03d}"))
        argv = cli(target, "outreach", "send", view.case_ref, "--reply-by", "08/12/2026")
        for service in ids:
            argv += ["--service", service]
        run_and_kill(argv, delay, marker=databases.writing(target))
        databases.settle(target)
        sent, status, events = looked_at(target, partial(_sent, referral_id=view.id))
        assert (sent, status, events) in {(0, "new", 0), (500, "sent_to_providers", 502)}, (sent, status, events)
        note(f"outreach send to 500 ({databases.backend})", delay, "whole" if sent else "nothing")
        start_path_works(target)


def _homes(register: Path, n: int, out: Path) -> Path:
    """The register's first ``n`` children's homes (a market made quickly)."""
    with open(register, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        homes = [r for r in reader if r["Provision type"] == "Children's home"][:n]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(homes[0]))
        writer.writeheader()
        writer.writerows(homes)
    return out


def _request(case_ref: str) -> dict[str, object]:
    return {"case_ref": case_ref, "initials": "QZ", "date_received": TODAY.isoformat(),
            "needed_by": TODAY.replace(day=20).isoformat(), "age_years": 14,
            "types_sought": ["childrens_home_external"], "home_district": "LE2"}


def _add(ctx: AppContext, case_ref: str) -> ReferralView:
    return create_referral(ctx, _request(case_ref))


def _sent(ctx: AppContext, referral_id: object) -> tuple[int, str, int]:
    """Rows sent, the referral's status, and the audit events of both (each row, each status move)."""
    with ctx.engine.connect() as con:
        sent_ids = [str(i) for i in con.execute(select(ReferralSent.id).where(
            ReferralSent.referral_id == referral_id)).scalars()]
        status = con.execute(select(Referral.status).where(Referral.id == referral_id)).scalar_one()
        events = con.execute(select(func.count()).select_from(AuditEvent).where(
            ((AuditEvent.entity == "referral_sent") & AuditEvent.entity_id.in_(sent_ids or ["-"]))
            | ((AuditEvent.entity == "referral") & (AuditEvent.entity_id == str(referral_id))
               & (AuditEvent.action == "status")))).scalar_one()
    return len(sent_ids), status, events


ADD_LOOP = """
import sys
from broker_tui.services.context import AppContext
from broker_tui.services.referrals import create_referral
ctx = AppContext.for_target(sys.argv[1], today=__import__("datetime").date(2026, 12, 1))
print("adding", flush=True)
for i in range(5000):
    create_referral(ctx, {"case_ref": f"LOOP-{sys.argv[2]}-{i:05d}", "initials": "QZ", "date_received": "2026-12-01",
                          "needed_by": "2026-12-20", "age_years": 14, "types_sought": ["childrens_home_external"]})
"""


def test_adding_referrals_in_a_loop_killed_loses_no_audit_event(sqlite_databases) -> None:
    target = sqlite_databases.fresh()
    for k, delay in enumerate(delays(5, 0.1, 0.8)):
        run_and_kill(["-c", ADD_LOOP, target, str(k)], delay, marker="adding")
        referrals, events, matched = looked_at(target, _referral_events)
        assert referrals == events == matched, (referrals, events, matched)
        note("referrals added in a loop (sqlite)", delay, f"{referrals} stored")
        start_path_works(target)


def _referral_events(ctx: AppContext) -> tuple[int, int, int]:
    with ctx.engine.connect() as con:
        referrals = con.execute(select(func.count()).select_from(Referral)).scalar_one()
        created = select(AuditEvent.entity_id).where(AuditEvent.entity == "referral", AuditEvent.action == "create")
        events = con.execute(select(func.count()).select_from(created.subquery())).scalar_one()
        ids = {str(i) for i in con.execute(select(Referral.id)).scalars()}
        matched = len(ids & {str(i) for i in con.execute(created).scalars()})
    return referrals, events, matched
