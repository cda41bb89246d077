"""Today's work: the figures, and the light (sqlite3) path agreeing with the SQLAlchemy path."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from broker_tui.services.home import todays_work
from tests.conftest import TODAY
from tests.market_data import SERVICES, build_market


def check_figures(work) -> None:
    by_status = {s.status: s.count for s in work.referrals_by_status}
    assert list(by_status) == ["new", "searching", "sent_to_providers", "offers_received", "placement_agreed"]
    assert by_status == {"new": 2, "searching": 3, "sent_to_providers": 1, "offers_received": 1,
                         "placement_agreed": 1}
    assert work.open_referrals == 8
    assert [r.case_ref for r in work.needed_soonest] == ["CR2400", "CR2401", "CR2402", "CR2403", "CR2404"]
    assert work.needed_soonest[1].emergency and work.needed_soonest[0].initials == "AM"
    assert work.contracts_ending_count == 2
    assert [(c.reference, c.days_left) for c in work.contracts_ending] == [("BC-2024-01", 40), ("BC-2024-02", 150)]
    assert work.contracts_ending[0].provider_name == "Northgate Housing Trust"
    assert work.overdue_actions_count == 2
    assert [(a.about, a.days_overdue) for a in work.overdue_actions] == [("Ashfield House", 10), ("Ivy Bank", 3)]
    assert work.replies_overdue == 2  # Ashfield and Beacon have not replied; Cedar View replied
    assert work.services_listed == len(SERVICES)


def test_figures_on_each_backend(ctx):
    build_market(ctx, TODAY)
    check_figures(todays_work(ctx, light=False))


def test_light_path_equals_sqlalchemy_path(sqlite_ctx):
    build_market(sqlite_ctx, TODAY)
    light = todays_work(sqlite_ctx, light=True)
    assert light == todays_work(sqlite_ctx, light=False)
    check_figures(light)
    assert todays_work(sqlite_ctx) == light  # a SQLite file goes light by default


def test_empty_database(sqlite_ctx):
    work = todays_work(sqlite_ctx)
    assert work == todays_work(sqlite_ctx, light=False)
    assert work.open_referrals == 0 and work.contracts_ending == () and work.services_listed == 0


def test_window_edges(sqlite_ctx):
    from broker_tui.store.tables import BlockContract, Provider

    with sqlite_ctx.session() as s:
        p = Provider(name="Edge Ltd", sector="private")
        s.add(p)
        s.flush()
        for ref, ends in (("EDGE-TODAY", TODAY), ("EDGE-6M", dt.date(2027, 6, 1)), ("EDGE-PAST", dt.date(2027, 6, 2)),
                          ("EDGE-YESTERDAY", TODAY - dt.timedelta(days=1))):
            s.add(BlockContract(provider_id=p.id, reference=ref, name=ref, starts_on=dt.date(2024, 1, 1), ends_on=ends))
    light = todays_work(sqlite_ctx, light=True)
    assert light == todays_work(sqlite_ctx, light=False)
    assert [c.reference for c in light.contracts_ending] == ["EDGE-TODAY", "EDGE-6M"]


def test_light_path_imports_no_sqlalchemy(sqlite_ctx):
    build_market(sqlite_ctx, TODAY)
    code = (
        "import sys, datetime as dt\n"
        "from broker_tui.services.context import AppContext\n"
        "from broker_tui.services.home import todays_work\n"
        f"ctx = AppContext.for_target({str(sqlite_ctx.location.path)!r}, today=dt.date(2026, 12, 1))\n"
        "work = todays_work(ctx)\n"
        "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'rapidfuzz') if m in sys.modules]\n"
        "print(work.open_referrals, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "8 []"
