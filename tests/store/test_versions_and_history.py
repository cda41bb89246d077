"""Edited rows carry a version checked on every update; history rows are insert-only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from broker_tui.store.base import HistoryIsInsertOnly
from broker_tui.store.errors import StaleEdit
from broker_tui.store.tables import (
    AuditEvent,
    BlockContract,
    BlockContractTerm,
    PriceList,
    Provider,
    QANote,
    Service,
    SpotAgreement,
    SpotAmendment,
)
from broker_tui.store.versioning import apply_edit, changed_fields
from tests.conftest import writing_session


@pytest.fixture
def service(ctx) -> Service:
    provider = Provider(name="Brookside Homes Ltd", sector="private")
    row = Service(provider_id=provider.id, name="Brookside Lodge", service_type="childrens_home_external",
                  sector="private", places=3, vacancies=1, vacancies_as_of=dt.date(2026, 11, 30))
    with ctx.session() as s:
        s.add(provider)
        s.flush()
        s.add(row)
    return row  # detached: the copy a person has open


def test_two_sessions_editing_the_same_service_the_second_commit_is_refused(ctx, service) -> None:
    first, second = writing_session(ctx), writing_session(ctx)
    try:
        a = first.get(Service, service.id)
        b = second.get(Service, service.id)
        assert a.version == b.version == 1
        a.vacancies = 0
        first.commit()
        b.places = 4
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()
    with writing_session(ctx) as s:
        stored = s.get(Service, service.id)
        assert (stored.version, stored.vacancies, stored.places) == (2, 0, 3)  # the first save, not lost


def test_apply_edit_saves_and_bumps_the_version(ctx, service) -> None:
    with ctx.session() as s:
        row = apply_edit(s, service, {"vacancies": 0, "vacancies_source": "provider email"})
        assert row.version == 2
    with writing_session(ctx) as s:
        stored = s.get(Service, service.id)
        assert (stored.version, stored.vacancies, stored.vacancies_source) == (2, 0, "provider email")
        assert stored.updated_at >= service.updated_at


def test_apply_edit_refuses_a_stale_copy_naming_what_changed(ctx, service) -> None:
    with ctx.session() as s:
        apply_edit(s, service, {"vacancies": 0, "name": "Brookside Lodge (North)"})
    with pytest.raises(StaleEdit) as caught, ctx.session() as s:
        apply_edit(s, service, {"places": 5})  # still the copy at version 1
    err = caught.value
    assert err.entity == "service"
    assert err.changed == {"vacancies": (1, 0), "name": ("Brookside Lodge", "Brookside Lodge (North)")}
    assert "name, vacancies" in str(err) and "\n" not in str(err)
    with writing_session(ctx) as s:
        stored = s.get(Service, service.id)
        assert (stored.version, stored.places) == (2, 3)  # the stale save wrote nothing


def test_apply_edit_refuses_when_another_save_lands_between_check_and_write(ctx, service) -> None:
    """The UPDATE carries WHERE version = N: a save racing ours is caught even after the check passed."""
    with ctx.session() as s:
        current = s.get(Service, service.id)  # our session has read version 1 ...
        with writing_session(ctx) as other:  # ... then someone else saves
            theirs = other.get(Service, service.id)
            theirs.vacancies = 0
            other.commit()
        current.places = 6
        with pytest.raises(StaleDataError):
            s.flush()
        s.rollback()
    with writing_session(ctx) as s:
        assert s.get(Service, service.id).vacancies == 0


def test_apply_edit_refuses_unknown_and_bookkeeping_fields(ctx, service) -> None:
    for bad in ({"colour": "blue"}, {"version": 7}, {"id": service.id}):
        with pytest.raises(KeyError), ctx.session() as s:
            apply_edit(s, service, bad)


def test_changed_fields_ignores_version_and_stamp(service) -> None:
    later = service.model_copy(update={"version": 3, "updated_at": dt.datetime.now(dt.UTC), "vacancies": 0})
    assert changed_fields(service, later) == {"vacancies": (1, 0)}


def _history_rows() -> tuple[list, list]:
    provider = Provider(name="Elm Tree Care", sector="voluntary")
    home = Service(provider_id=provider.id, name="Elm Tree House", service_type="childrens_home_external",
                   sector="voluntary")
    spot = SpotAgreement(service_id=home.id, case_ref="LCC-2026-0007", start_date=dt.date(2026, 1, 5))
    block = BlockContract(provider_id=provider.id, reference="BC-2026-03", name="Elm Tree beds",
                          starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2028, 3, 31))
    history = [
        PriceList(service_id=home.id, valid_from=dt.date(2026, 4, 1), core_weekly_pence=480_000),
        SpotAmendment(agreement_id=spot.id, effective_from=dt.date(2026, 1, 5), weekly_price_pence=480_000,
                      core_weekly_pence=480_000),
        BlockContractTerm(contract_id=block.id, effective_from=dt.date(2026, 4, 1), units=2,
                          unit_weekly_pence=455_000),
        QANote(service_id=home.id, kind="monitoring_visit", held_on=dt.date(2026, 6, 1), rag="green"),
        AuditEvent(at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), actor="a.broker", entity="service",
                   entity_id=str(home.id), action="create", after={"name": "Elm Tree House"}),
    ]
    return [provider, home, spot, block], history


HISTORY_EDITS = {
    PriceList: ("core_weekly_pence", 1),
    SpotAmendment: ("weekly_price_pence", 1),
    BlockContractTerm: ("units", 99),
    QANote: ("rag", "red"),
    AuditEvent: ("actor", "someone.else"),
}


@pytest.mark.parametrize("kind", list(HISTORY_EDITS), ids=lambda c: c.__name__)
def test_history_rows_cannot_be_updated_or_deleted(ctx, kind) -> None:
    parents, history = _history_rows()
    with ctx.session() as s:
        for row in [*parents, *history]:
            s.add(row)
            s.flush()
    target = next(r for r in history if isinstance(r, kind))
    field, value = HISTORY_EDITS[kind]
    original = getattr(target, field)

    with pytest.raises(HistoryIsInsertOnly), ctx.session() as s:
        row = s.get(kind, target.id)
        setattr(row, field, value)
        s.flush()
    with pytest.raises(HistoryIsInsertOnly), ctx.session() as s:
        s.delete(s.get(kind, target.id))
        s.flush()

    with writing_session(ctx) as s:
        row = s.get(kind, target.id)
        assert row is not None and getattr(row, field) == original


def test_apply_edit_refuses_a_row_read_earlier_in_the_same_session_once_another_save_lands(ctx, service) -> None:
    """The lost update found on PostgreSQL: a row this session read is passed to apply_edit after another
    transaction saved it. Re-reading it must not make the stale copy look current."""
    with pytest.raises(StaleEdit) as caught, ctx.session() as mine:
        row = mine.get(Service, service.id)  # read inside this transaction, at version 1
        with ctx.session() as theirs:
            apply_edit(theirs, theirs.get(Service, service.id), {"vacancies": 0})  # commits version 2
        apply_edit(mine, row, {"places": 5})
    assert caught.value.changed == {"vacancies": (1, 0)}
    with writing_session(ctx) as s:
        stored = s.get(Service, service.id)
        assert (stored.version, stored.vacancies, stored.places) == (2, 0, 3)


def test_a_save_that_loses_the_race_at_the_write_is_refused_with_what_changed(ctx, service, monkeypatch) -> None:
    """The other save lands between the check and the UPDATE: the flush fails, and the refusal must still
    be one clear StaleEdit (it once crashed reading the failed session: PendingRollbackError)."""
    from broker_tui.store import versioning

    real_get = Session.get
    landed = []

    def get_then_race(self, cls, ident, **kw):
        found = real_get(self, cls, ident, **kw)
        if kw.get("populate_existing") and not landed:
            landed.append(True)
            with ctx.session() as theirs:
                apply_edit(theirs, real_get(theirs, Service, service.id), {"name": "Brookside Lodge (North)"})
        return found

    monkeypatch.setattr(versioning.Session, "get", get_then_race)
    with pytest.raises(StaleEdit) as caught, ctx.session() as mine:
        apply_edit(mine, real_get(mine, Service, service.id), {"places": 5})  # the session's own row
    assert caught.value.changed == {"name": ("Brookside Lodge", "Brookside Lodge (North)")}
    assert "someone else" in str(caught.value)
