"""Benchmark: importing Ofsted's register into a fresh SQLite file.

(a) the real importer, broker_tui.services.market.importers._ofsted.import_ofsted (Core executemany);
(b) a naive variant with the same parser and the same result: one ORM object per provider, service and
    audit event added to one Session, one commit at the end.

Each variant runs REPEATS times, alternating, into its own fresh temporary database (created and
migrated outside the timed part). Prints each median and the ratio (b)/(a).
Run: .venv/bin/python bench/bench_import.py [--repeats N] [FILE.csv]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker_tui.services.context import AppContext  # noqa: E402
from broker_tui.services.market.importers._ofsted import (  # noqa: E402
    DEFAULT_AGES,
    REGISTER_FIELDS,
    _columns,
    _norm,
    _provider_sectors,
    import_ofsted,
    parse_register,
    read_places,
    register_values,
    service_name,
)
from broker_tui.services.startup import prepare_database  # noqa: E402
from broker_tui.store.audit import snapshot  # noqa: E402
from broker_tui.store.tables import AuditEvent, Provider, Service  # noqa: E402

DEFAULT_FILE = ROOT / "seed" / "ofsted_childrens_social_care_providers_2025.csv"


def fresh_context(folder: Path, n: int) -> AppContext:
    ctx = AppContext.for_target(str(folder / f"bench-{n}.sqlite3"))
    prepare_database(ctx, seed_demo_if_new=False)
    return ctx


def naive_import(ctx: AppContext, path: Path) -> int:
    """The same parser and mapping, written one ORM object per row, one commit at the end."""
    with ctx.engine.begin() as con:
        place = read_places(con, ctx)
    parsed = parse_register(path, place.la.keys())
    now, actor = ctx.clock.now(), ctx.actor
    values = {rec.urn: register_values(rec, place) for rec in parsed.records}
    sectors = _provider_sectors(parsed.records, values)
    with ctx.session() as session:
        providers: dict[str, Provider] = {}
        for rec in parsed.records:
            owner = rec.owner or service_name(rec)
            key = _norm(owner)
            provider = providers.get(key)
            if provider is None:
                provider = providers[key] = Provider(name=owner, sector=sectors[key])
                session.add(provider)
                session.add(AuditEvent(at=now, actor=actor, entity="provider", entity_id=str(provider.id),
                                       action="import", after={"name": owner, "sector": provider.sector}))
            want = values[rec.urn]
            min_age, max_age = DEFAULT_AGES[rec.kind]
            row = {"name": service_name(rec), "town": rec.town, "specialisms": [],
                   "areas_covered": [want["local_authority_code"]] if rec.kind == "fostering_ifa" else [], **want}
            row.update(_columns(row, owner, None, place.home))
            service = Service(provider_id=provider.id, ofsted_urn=rec.urn, min_age=min_age, max_age=max_age, **row)
            session.add(service)
            after = snapshot(service, exclude=tuple(k for k in Service.model_fields if k not in REGISTER_FIELDS))
            session.add(AuditEvent(at=now, actor=actor, entity="service", entity_id=str(service.id),
                                   action="import", after=after))
    return len(parsed.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"core": [], "naive": []}
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = 0
        for _ in range(args.repeats):
            for variant in ("core", "naive"):
                n += 1
                ctx = fresh_context(folder, n)
                t0 = time.perf_counter()
                if variant == "core":
                    counts[variant] = import_ofsted(ctx, args.file).created
                else:
                    counts[variant] = naive_import(ctx, args.file)
                times[variant].append(time.perf_counter() - t0)
                ctx.close()
    core, naive = statistics.median(times["core"]), statistics.median(times["naive"])
    print(f"Ofsted register import into SQLite: {args.file.name}, {counts['core']:,} services, "
          f"{args.repeats} runs each")
    print(f"  (a) importer (Core executemany): median {core:.3f} s  runs {', '.join(f'{t:.2f}' for t in times['core'])}")
    print(f"  (b) naive ORM object per row:    median {naive:.3f} s  runs {', '.join(f'{t:.2f}' for t in times['naive'])}")
    print(f"  ratio (b)/(a): {naive / core:.1f}x   target: (a) <= 2 s and ratio >= 5x")


if __name__ == "__main__":
    main()
