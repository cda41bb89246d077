"""The directory: from a filter change to its first page rendered, at 10,000 and 100,000 services.

Generates the services with bulk Core inserts into temp SQLite files (fixed seed), then inside the
running app (App.run_test with a Pilot) sets a filter value and waits for the screen's page_painted
event (set from call_after_refresh once the page is in the table). Prints medians over the changes:
without search text, then (unless --no-text) with a typo in the search box ("leicster": its matches come
from the text index and go to the page query as one parameter), and the search text itself changing
between typo queries (the index lookup, the relevance page and the repaint).

    .venv/bin/python bench/bench_directory.py [--changes 24] [--sizes 10000 100000] [--no-text] [--demo]

--demo also times the demo market (seeded into a temp SQLite file), before the generated sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TYPES = ("childrens_home_external", "fostering_ifa", "supported_accommodation", "childrens_home_in_house",
         "secure_childrens_home", "parent_and_child")
GRADES = ("outstanding", "good", "requires_improvement", "inadequate", None)
REGIONS = ("East Midlands", "West Midlands", "North West", "London", "South East", "Yorkshire and The Humber")
WORDS = ("Oak", "Ash", "Birch", "Cedar", "Elm", "Hazel", "Maple", "Rowan", "Willow", "Yew", "Holly", "Alder")


def make_database(path: Path, n: int, seed: int = 7):
    from sqlalchemy import insert

    from broker_tui.domain.vocabulary import judgement_sort_key
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database
    from broker_tui.store.tables import Provider, Service

    rnd = random.Random(seed)
    ctx = AppContext.for_target(str(path))
    prepare_database(ctx, seed_demo_if_new=False)
    providers = [{"id": uuid.UUID(int=rnd.getrandbits(128)), "name": f"{rnd.choice(WORDS)} Care {i}", "sector": "private",
                  "version": 1} for i in range(max(10, n // 20))]
    rows = []
    for i in range(n):
        stype, grade = rnd.choice(TYPES), rnd.choice(GRADES)
        outcome = None
        if stype == "supported_accommodation":
            grade, outcome = None, rnd.choice(("consistently_strong", "inconsistent", "serious_weaknesses", None))
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} House {i:06}"
        prov = rnd.choice(providers)
        la = rnd.choice(("Leicester", "Derby", "Nottingham", "Coventry", "Manchester", "Leeds", "Kent"))
        rows.append({
            "id": uuid.UUID(int=rnd.getrandbits(128)), "provider_id": prov["id"], "name": name, "service_type": stype,
            "sector": "private", "ofsted_urn": f"SC{i:07}", "ofsted_grade": grade, "sa_outcome": outcome,
            "region": rnd.choice(REGIONS), "local_authority_name": la, "in_area": la == "Leicester",
            "distance_miles": None if rnd.random() < 0.03 else round(rnd.uniform(0, 300), 1),
            "places": rnd.randint(1, 12), "vacancies": rnd.randint(0, 3),
            "price_from_pence": None if rnd.random() < 0.1 else rnd.randint(300, 12000) * 100,
            "judgement_sort": judgement_sort_key(grade, outcome), "sort_name": name.lower(),
            "search_text": f"{name} {prov['name']} {la}".lower(), "version": 1,
            "areas_covered": [], "specialisms": [],
        })
    with ctx.engine.begin() as con:
        con.execute(insert(Provider.__table__), providers)
        for start in range(0, n, 5000):
            con.execute(insert(Service.__table__), rows[start:start + 5000])
        con.exec_driver_sql("ANALYZE")
    return ctx


def demo_database(path: Path):
    from broker_tui.services.context import AppContext
    from broker_tui.services.startup import prepare_database

    ctx = AppContext.for_target(str(path))
    prepare_database(ctx, seed_demo_if_new=True)
    return ctx


CHANGES = [("type", t) for t in TYPES] + [("judgement", g) for g in ("good", "inadequate", "not_inspected")] + \
          [("region", r) for r in REGIONS[:3]] + [("area", "local"), ("area", "out")] + \
          [("sort", s) for s in ("distance", "price", "judgement", "name", "relevance")]
TYPO_QUERIES = ("leicster", "cedr hous", "nottingam", "willw care", "derbby", "mapel", "coventy", "rowan hous",
                "manchestr", "hazle care")


async def idle(app) -> None:
    from textual.worker import WorkerCancelled

    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def measure(ctx, changes: int, text: str = "") -> tuple[list[float], list[float]]:
    """Filter changes timed to the first page painted (with ``text`` in the search box), and (with text)
    search text changes between the typo queries timed the same way."""
    from textual.widgets import Input, Select

    from broker_tui.ui.app import BrokerApp

    app = BrokerApp(ctx, exit_after_home=False)
    times: list[float] = []
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f3")
        screen = app.screen
        await asyncio.wait_for(screen.page_painted.wait(), 30)
        await idle(app)
        await pilot.pause(0.2)
        typed: list[float] = []
        if text:
            for query in (*TYPO_QUERIES, text):
                screen.page_painted.clear()
                start = time.perf_counter()
                screen.query_one("#search", Input).value = query
                await asyncio.wait_for(screen.page_painted.wait(), 30)
                typed.append(time.perf_counter() - start)
                await idle(app)
            typed = typed[1:]  # the first builds the index if the warm-up has not finished
        for i in range(changes):
            select_id, value = CHANGES[i % len(CHANGES)]
            select = screen.query_one(f"#{select_id}", Select)
            if select_id != "sort" and select.value == value:
                value = Select.NULL
            screen.page_painted.clear()  # the Changed message arrives later; wait for this change's page
            start = time.perf_counter()
            if value is Select.NULL:
                select.clear()
            else:
                select.value = value
            await asyncio.wait_for(screen.page_painted.wait(), 30)
            times.append(time.perf_counter() - start)
            await idle(app)  # let the count finish before the next change
            screen.page_painted.clear()
            if select_id != "sort":
                screen.query_one(f"#{select_id}", Select).clear()
                await asyncio.wait_for(screen.page_painted.wait(), 30)
            await idle(app)
    return times, typed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=24)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-text", action="store_true", help="only the filter changes without search text")
    parser.add_argument("--demo", action="store_true", help="the demo market too (first)")
    args = parser.parse_args()
    import os

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work on the machine inflates medians)")
    targets = {10_000: 150, 100_000: 300}
    with tempfile.TemporaryDirectory() as tmp:
        for n in ([0] if args.demo else []) + args.sizes:
            t0 = time.perf_counter()
            ctx = demo_database(Path(tmp) / "demo.sqlite3") if n == 0 else make_database(Path(tmp) / f"dir{n}.sqlite3", n)
            made = time.perf_counter() - t0
            target = targets.get(n)
            for text in ("",) if args.no_text else ("", "leicster"):
                times, typed = asyncio.run(measure(ctx, args.changes, text))
                med = statistics.median(times) * 1000
                what = f'with "{text}" typed' if text else "no text"
                label = "demo" if n == 0 else f"{n:>7,} services"
                print(f"{label} (made in {made:.1f} s), {what}: filter change -> first page painted "
                      f"median {med:.1f} ms, max {max(times) * 1000:.1f} ms over {len(times)} changes"
                      + (f"  (target <= {target} ms)" if target else ""))
                if typed:
                    print(f"{label}: search text changed to a typo -> first page painted median "
                          f"{statistics.median(typed) * 1000:.1f} ms, max {max(typed) * 1000:.1f} ms over "
                          f"{len(typed)} queries")
            ctx.close()


if __name__ == "__main__":
    main()
