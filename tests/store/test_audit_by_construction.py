"""The store writes the audit trail itself: every row a session creates, changes or deletes leaves its
event (who, when, before, after, one transaction id), and a session naming nobody cannot write."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from broker_tui.services.context import AppContext, os_login
from broker_tui.store.audit import AuditMissing, name_action
from broker_tui.store.tables import AuditEvent, Provider


def _events(ctx: AppContext, entity_id: str) -> list[AuditEvent]:
    with ctx.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity_id == entity_id)
                              .order_by(AuditEvent.created_at)))


def test_create_update_delete_each_leave_an_event_without_the_service_asking(ctx) -> None:
    with ctx.session() as s:
        row = Provider(name="Brightway Care Ltd", sector="private")
        s.add(row)
    with ctx.session() as s:
        stored = s.get(Provider, row.id)
        stored.name = "Brightway Care Limited"
        name_action(s, stored, "rename", "the register's spelling")
    with ctx.session() as s:
        s.delete(s.get(Provider, row.id))
    made, renamed, deleted = _events(ctx, str(row.id))
    assert (made.action, made.actor, made.before) == ("create", "test.broker", None)
    assert made.after["name"] == "Brightway Care Ltd" and made.after["sector"] == "private"
    assert renamed.action == "rename"
    assert renamed.before == {"name": "Brightway Care Ltd"}
    assert renamed.after == {"name": "Brightway Care Limited", "why": "the register's spelling"}
    assert (deleted.action, deleted.before["name"], deleted.after) == ("delete", "Brightway Care Limited", None)
    assert len({made.txn_id, renamed.txn_id, deleted.txn_id}) == 3


def test_a_session_that_names_nobody_cannot_write_and_nothing_is_left(ctx) -> None:
    with pytest.raises(AuditMissing), Session(ctx.engine) as s:
        s.add(Provider(name="Nameless Ltd", sector="private"))
        s.commit()
    with ctx.engine.connect() as con:
        assert con.execute(text("SELECT count(*) FROM provider WHERE name = 'Nameless Ltd'")).scalar_one() == 0


def test_an_unchanged_save_leaves_no_event(ctx) -> None:
    with ctx.session() as s:
        row = Provider(name="Steady Homes", sector="private")
        s.add(row)
    with ctx.session() as s:
        stored = s.get(Provider, row.id)
        stored.name = "Steady Homes"  # the same value: nothing changed
    assert [e.action for e in _events(ctx, str(row.id))] == ["create"]


def test_identity_is_the_database_role_or_the_login_never_the_settings_label(db_url) -> None:
    from broker_tui.domain.settings import Settings

    ctx = AppContext.for_target(db_url, settings=Settings(user_name="Jo Broker"))
    try:
        if ctx.engine.dialect.name == "postgresql":
            with ctx.engine.connect() as con:
                role = con.execute(text("SELECT current_user")).scalar_one()
            assert ctx.identity == role
        else:
            assert ctx.identity == os_login()
        assert ctx.actor == ctx.identity
        assert ctx.actor_label == f"Jo Broker ({ctx.identity})"
    finally:
        ctx.close()


def test_the_login_is_the_account_not_an_environment_variable(monkeypatch) -> None:
    real = os_login()
    monkeypatch.setenv("USER", "someone.else")
    monkeypatch.setenv("LOGNAME", "someone.else")
    assert os_login() == real
