"""Today's work: the figures, and the light (sqlite3) path agreeing with the SQLAlchemy path."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from broker_tui.services.home import todays_work
from broker_tui.services.referrals import get_referral
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
    assert [(r.case_ref, r.initials, r.service_name, r.reply_due_on, r.days_overdue) for r in work.overdue_replies] == [
        ("CR2405", "FT", "Ashfield House", TODAY - dt.timedelta(days=2), 2),
        ("CR2405", "FT", "Beacon Lodge", TODAY - dt.timedelta(days=1), 1)]
    assert all(r.provider_name for r in work.overdue_replies)
    assert work.services_listed == len(SERVICES)


def test_figures_on_each_backend(ctx):
    market = build_market(ctx, TODAY)
    work = todays_work(ctx, light=False)
    check_figures(work)
    assert {r.referral_id for r in work.overdue_replies} == {str(get_referral(ctx, "CR2405").id)}
    ashfield = market.services["Ashfield House"]
    assert work.overdue_replies[0].provider_name == next(
        name for name, p in market.providers.items() if p.id == ashfield.provider_id)


def test_overdue_replies_most_overdue_first_limited_and_gone_once_answered(ctx):
    """More overdue replies than the list holds: the count has them all, the list the oldest few; a reply
    (or a closed referral) takes one off both; the light path agrees."""
    from broker_tui.services.home import SHORT_LIST
    from broker_tui.services.outreach import record_decline, send_referral
    from broker_tui.services.referrals import create_referral

    market = build_market(ctx, TODAY)
    names = list(market.services)[:SHORT_LIST + 1]
    view = create_referral(ctx, {"case_ref": "LCC-777001", "initials": "QZ", "age_years": 12,
                                 "types_sought": ["fostering_ifa"], "needed_by": (TODAY + dt.timedelta(days=9)).isoformat()})
    for i, name in enumerate(names):  # sent today with deadlines today + i, then the clock moves on 30 days
        send_referral(ctx, view.id, [market.services[name].id], TODAY + dt.timedelta(days=i))
    later = TODAY + dt.timedelta(days=30)
    ctx.clock = ctx.clock.__class__(later)
    work = todays_work(ctx, light=False)
    assert work.replies_overdue == 3 + len(names)  # CR2405's Dovecote (due in 3 days) is overdue too now
    assert len(work.overdue_replies) == SHORT_LIST
    assert [r.days_overdue for r in work.overdue_replies] == [32, 31, 30, 29, 28][:SHORT_LIST]
    assert [r.service_name for r in work.overdue_replies][:2] == ["Ashfield House", "Beacon Lodge"]
    first_new = next(r for r in work.overdue_replies if r.case_ref == "LCC-777001")
    assert first_new.service_name == names[0] and first_new.initials == "QZ"
    record_decline(ctx, view.id, market.services[names[0]].id, "no_vacancy")
    after = todays_work(ctx, light=False)
    assert after.replies_overdue == work.replies_overdue - 1
    assert names[0] not in [r.service_name for r in after.overdue_replies if r.case_ref == "LCC-777001"]
    if ctx.location.path is not None:
        assert todays_work(ctx, light=True) == after


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


def test_the_purchases_home_reads_loads_no_matching():
    """Home's purchases panel imports services.purchases while the app starts: matching and numpy load only
    when a purchase's approvals are judged (they pulled ~0.5 s of imports into the start)."""
    code = (
        "import sys\n"
        "import broker_tui.services.purchases, broker_tui.services.home\n"
        "print([m for m in ('numpy', 'broker_tui.services.matching', 'broker_tui.domain.matching') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
