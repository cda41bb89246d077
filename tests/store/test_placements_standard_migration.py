"""Revision 0006: the referral gains the Placements Data Standard's fields, every one not answered on
existing rows; living_alongside keeps what each row holds; the table keeps its indexes (the partial unique
index of open referrals per case) and foreign keys through SQLite's rebuild; the downgrade drops the columns
and gives back 'with_others' where living_alongside is not answered or 'no preference', with an audit
event each. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from broker_tui.domain.referrals.standard import STANDARD_KEYS, empty_standard
from broker_tui.store import migrate
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import AuditEvent, Referral
from tests.conftest import TODAY

BEFORE = "0005_registration_from_register"
LIVING = {"MIG-A": "alone", "MIG-B": "", "MIG-C": "no_preference", "MIG-D": "younger_only"}


def _rows(ctx) -> dict[str, dict]:
    t = sa.Table("referral", sa.MetaData(), autoload_with=ctx.engine)
    with ctx.engine.connect() as con:
        return {r.case_ref: dict(r._mapping) for r in con.execute(select(t))}


def test_new_fields_not_answered_and_living_alongside_kept(ctx) -> None:
    ids = {}
    with ctx.session() as s:
        for ref, living in LIVING.items():
            ids[ref] = row = Referral(case_ref=ref, initials="AB", date_received=TODAY, needed_by=TODAY, age_years=12,
                           types_sought=["fostering_ifa"], living_alongside=living, suitability_foster="preferred",
                           communication_requirements=["bsl"], preferred_location={"kind": "district", "code": "LE2"},
                           home_adaptation=True, qa_referral_on=TODAY)
            s.add(row)
        s.flush()
        ids = {ref: str(row.id) for ref, row in ids.items()}
    migrate.downgrade(ctx.engine, BEFORE)
    old = _rows(ctx)
    assert not set(STANDARD_KEYS) - {"living_alongside"} & set(old["MIG-A"])  # the columns are gone
    assert {ref: row["living_alongside"] for ref, row in old.items()} == {
        "MIG-A": "alone", "MIG-B": "with_others", "MIG-C": "with_others", "MIG-D": "younger_only"}
    assert [old[r]["version"] for r in LIVING] == [1, 2, 2, 1]
    t = AuditEvent.__table__
    with ctx.engine.connect() as con:
        events = {r.entity_id: (r.before, r.after) for r in con.execute(
            select(t.c.entity_id, t.c.before, t.c.after).where(t.c.actor == "broker-tui downgrade 0006"))}
    assert events == {ids["MIG-B"]: ({"living_alongside": ""}, {"living_alongside": "with_others"}),
                      ids["MIG-C"]: ({"living_alongside": "no_preference"},
                                                {"living_alongside": "with_others"})}

    migrate.upgrade(ctx.engine, ctx.location)
    assert migrate.current_revision(ctx.engine) == HEAD_REVISION
    with ctx.session() as s:
        rows = {r.case_ref: r for r in s.scalars(select(Referral))}
        for ref, row in rows.items():
            assert {k: getattr(row, k) for k in STANDARD_KEYS if k != "living_alongside"} == {
                k: v for k, v in empty_standard().items() if k != "living_alongside"}, ref
            assert row.living_alongside == old[ref]["living_alongside"]
            assert row.version == old[ref]["version"]


def test_the_table_keeps_its_indexes_and_foreign_keys(ctx) -> None:
    inspector = sa.inspect(ctx.engine)
    before = ({i["name"]: (tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes("referral")},
              sorted(fk["constrained_columns"][0] for fk in inspector.get_foreign_keys("referral")))
    migrate.downgrade(ctx.engine, BEFORE)
    migrate.upgrade(ctx.engine, ctx.location)
    inspector = sa.inspect(ctx.engine)
    indexes = inspector.get_indexes("referral")
    after = ({i["name"]: (tuple(i["column_names"]), bool(i["unique"])) for i in indexes},
             sorted(fk["constrained_columns"][0] for fk in inspector.get_foreign_keys("referral")))
    assert after == before and "uq_referral_open_case" in after[0] and after[1] == ["previous_referral_id"]
    if ctx.engine.dialect.name == "sqlite":
        with ctx.engine.connect() as con:
            sql = con.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'uq_referral_open_case'")).scalar()
        assert "WHERE" in sql.upper() and "status" in sql


def test_rows_that_point_at_a_referral_survive_the_rebuild(ctx) -> None:
    import datetime as dt

    from broker_tui.store.tables import Provider, ReferralSent, Service

    with ctx.session() as s:
        provider = Provider(name="Linked Ltd", sector="private")
        s.add(provider)
        s.flush()
        service = Service(provider_id=provider.id, name="Linked Home", service_type="childrens_home_external",
                          sector="private", sort_name="linked home", search_text="linked home")
        referral = Referral(case_ref="MIG-F", initials="AB", date_received=TODAY, needed_by=TODAY, age_years=12,
                            types_sought=["childrens_home_external"])
        s.add_all([service, referral])
        s.flush()
        s.add(ReferralSent(referral_id=referral.id, service_id=service.id, reply_due_on=TODAY, sent_by="broker",
                           sent_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)))
    migrate.downgrade(ctx.engine, BEFORE)
    migrate.upgrade(ctx.engine, ctx.location)
    with ctx.session() as s:
        (sent,) = s.scalars(select(ReferralSent)).all()
        assert s.get_one(Referral, sent.referral_id).case_ref == "MIG-F"
