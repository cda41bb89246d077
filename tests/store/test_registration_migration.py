"""Revision 0005: a service of a type Ofsted must register that was recorded 'active' without the register
ever showing it (no URN; or a URN no register import took over: no provision type) becomes 'not_registered',
with an audit event; services from the register and other statuses are left alone; the downgrade gives back
'active'. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from broker_tui.domain.matching import MatchRequest, rank
from broker_tui.services.matching import config_for, load_market
from broker_tui.store import migrate
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import AuditEvent, Provider, Service
from tests.conftest import TODAY

# name: (type, URN, provision type, status as the code before 0005 wrote it, status after the upgrade)
ROWS = {
    "No URN Home": ("childrens_home_external", None, None, "active", "not_registered"),
    "Listed URN Home": ("childrens_home_external", "SC700001", None, "active", "not_registered"),
    "Register Home": ("childrens_home_external", "SC700002", "Children's home", "active", "active"),
    "No URN Agency": ("fostering_ifa", None, None, "active", "not_registered"),
    "No URN Lodgings": ("supported_accommodation", None, None, "active", "not_registered"),
    "Suspended Home": ("childrens_home_external", "SC700003", "Children's home", "suspended", "suspended"),
    "Pending Home": ("childrens_home_in_house", None, None, "pending", "pending"),
    "Our Carers": ("fostering_in_house", None, None, "not_required", "not_required"),
    "Other Service": ("other", None, None, "active", "active"),
}


def _statuses(ctx) -> dict[str, tuple[str, int]]:
    t = Service.__table__
    with ctx.engine.connect() as con:
        return {r.name: (r.registration_status, r.version)
                for r in con.execute(select(t.c.name, t.c.registration_status, t.c.version))}


def _events(ctx, actor: str) -> dict[str, tuple[dict, dict]]:
    t = AuditEvent.__table__
    with ctx.engine.connect() as con:
        return {r.entity_id: (r.before, r.after) for r in con.execute(
            select(t.c.entity_id, t.c.before, t.c.after).where(t.c.actor == actor))}


def test_unregistered_rows_are_put_right_and_audited(ctx) -> None:
    with ctx.session() as s:
        provider = Provider(name="Old Import Ltd", sector="private")
        s.add(provider)
        s.flush()
        ids = {}
        for name, (stype, urn, provision, old, _new) in ROWS.items():
            row = Service(provider_id=provider.id, name=name, service_type=stype, sector="private", ofsted_urn=urn,
                          ofsted_provision_type=provision, registration_status=old, min_age=0, max_age=17,
                          latitude=52.63, longitude=-1.13, places=4, vacancies=2)
            s.add(row)
            s.flush()
            ids[name] = str(row.id)
    migrate.downgrade(ctx.engine, "0004_amendment_approval")  # nothing is 'not_registered' yet: no change
    before = _statuses(ctx)
    assert {name: status for name, (status, _v) in before.items()} == {n: r[3] for n, r in ROWS.items()}
    assert _events(ctx, "broker-tui downgrade 0005") == {}

    migrate.upgrade(ctx.engine, ctx.location)
    assert migrate.current_revision(ctx.engine) == HEAD_REVISION
    after = _statuses(ctx)
    changed = {n for n, r in ROWS.items() if r[3] != r[4]}
    for name, (_t, _u, _p, _old, new) in ROWS.items():
        assert after[name] == (new, before[name][1] + (name in changed)), name
    assert _events(ctx, "broker-tui upgrade 0005") == {
        ids[n]: ({"registration_status": "active"}, {"registration_status": "not_registered"}) for n in changed}

    market = load_market(ctx)  # and matching offers none of them to a 12-year-old
    request = MatchRequest(age_years=12, types_sought=("childrens_home_external", "fostering_ifa"), start_date=TODAY)
    assert [r.service.name for r in rank(market.arrays, request, config_for(ctx, market)).results] == ["Register Home"]

    migrate.downgrade(ctx.engine, "0004_amendment_approval")
    back = _statuses(ctx)
    assert {name: status for name, (status, _v) in back.items()} == {n: r[3] for n, r in ROWS.items()}
    assert set(_events(ctx, "broker-tui downgrade 0005")) == {ids[n] for n in changed}
    migrate.upgrade(ctx.engine, ctx.location)
    assert {name: status for name, (status, _v) in _statuses(ctx).items()} == {n: r[4] for n, r in ROWS.items()}
