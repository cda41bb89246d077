"""QA actions' moves (done, cancelled: only from open, versioned), the lists' filters, the latest rating,
and the children's homes whose Regulation 44 or 45 visits are overdue, at the boundaries. Both backends."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from broker_tui.services.quality import (
    ActionInput,
    QARefused,
    StaleEdit,
    add_action,
    add_note,
    cancel_action,
    complete_action,
    latest_rating,
    list_actions,
    list_notes,
    overdue_visits,
    supersede,
)
from broker_tui.store.tables import AuditEvent, QAAction
from tests.conftest import TODAY
from tests.market_data import build_market
from tests.services.test_quality import note, place

D = dt.timedelta


@pytest.fixture
def market(ctx) -> tuple[Any, dict[str, Any]]:
    built = build_market(ctx, TODAY)
    return ctx, {name: svc.id for name, svc in built.services.items()}


def at(ctx, day: dt.date):
    """The same database with the clock on ``day``."""
    return dataclasses.replace(ctx, clock=dataclasses.replace(ctx.clock, fixed=day))


# --- actions ------------------------------------------------------------------------------------------

def test_an_open_action_is_done_by_the_person_acting_and_moves_once(market) -> None:
    ctx, _ids = market
    action = add_note(ctx, note()).actions[0]
    done = complete_action(dataclasses.replace(ctx, acting_as="q.officer"), action.id, TODAY - D(1))
    assert (done.status, done.done_on, done.done_by, done.version) == ("done", TODAY - D(1), "q.officer", 2)
    assert not done.overdue and done.subject_label == "Ashfield House"
    with pytest.raises(QARefused) as refused:
        complete_action(ctx, action.id)
    assert "done on" in refused.value.problems["action"] and "q.officer" in refused.value.problems["action"]
    with pytest.raises(QARefused):
        cancel_action(ctx, action.id, "No longer needed")
    with ctx.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(action.id),
                                                   AuditEvent.action == "done")).one()
        assert event.actor == "q.officer" and event.after["status"] == "done"


def test_done_dates_are_checked_and_nothing_moves_on_a_problem(market) -> None:
    ctx, _ids = market
    action = add_note(ctx, note()).actions[0]  # the note was held three days ago
    for day, words in ((TODAY + D(1), "future"), (TODAY - D(4), "before the note was held")):
        with pytest.raises(QARefused) as refused:
            complete_action(ctx, action.id, day)
        assert words in refused.value.problems["done_on"]
    with pytest.raises(QARefused) as refused:
        cancel_action(ctx, action.id, "   ")
    assert set(refused.value.problems) == {"reason"}
    with pytest.raises(QARefused) as refused:
        complete_action(ctx, "not-an-id")
    assert set(refused.value.problems) == {"action"}
    with ctx.session() as s:
        row = s.get_one(QAAction, action.id)
        assert (row.status, row.version, row.done_on) == ("open", 1, None)
    assert complete_action(ctx, action).done_on == TODAY  # today by default


def test_a_cancelled_action_keeps_its_reason_and_a_stale_copy_is_refused(market) -> None:
    ctx, _ids = market
    made = add_note(ctx, note(actions=(ActionInput("Rota", "Manager", TODAY + D(5)),
                                       ActionInput("Training records", "Manager", TODAY + D(9)))))
    cancelled = cancel_action(ctx, made.actions[1], "Covered by the Ofsted action plan")
    assert (cancelled.status, cancelled.cancelled_reason) == ("cancelled", "Covered by the Ofsted action plan")
    opened = made.actions[0]
    supersede(ctx, made.id, note(findings="Corrected.", actions=()))  # moves the action: a newer version
    with pytest.raises(StaleEdit):
        complete_action(ctx, opened)
    assert complete_action(ctx, opened.id).status == "done"  # reopened by id, it moves


def test_an_action_added_later_to_a_current_note(market) -> None:
    ctx, _ids = market
    made = add_note(ctx, note(actions=()))
    added = add_action(ctx, made.id, ActionInput("Follow-up visit", "QA officer", TODAY + D(30)))
    assert (added.note_id, added.status, added.owner) == (made.id, "open", "QA officer")
    with pytest.raises(QARefused) as refused:
        add_action(ctx, made.id, ActionInput("", "QA officer", TODAY - D(10)))
    assert set(refused.value.problems) == {"description", "due_on"}
    newer = supersede(ctx, made.id, note(actions=()))
    with pytest.raises(QARefused) as refused:
        add_action(ctx, made.id, ActionInput("Another", "QA officer", TODAY + D(3)))
    assert str(newer.id) in refused.value.problems["note"]


# --- lists ----------------------------------------------------------------------------------------------

def test_lists_filter_by_rating_kind_owner_and_overdue(market) -> None:
    ctx, ids = market
    old = at(ctx, TODAY - D(60))
    red = add_note(old, note(subject_id=ids["Cedar View"], kind="reg44", rag="red", held_on=TODAY - D(61),
                             findings="Missing-episode interviews late.",
                             actions=(ActionInput("Return interviews", "Responsible Individual", TODAY - D(5)),
                                      ActionInput("Staff training", "QA officer", TODAY + D(20)))))
    green = add_note(ctx, note(subject_id=ids["Cedar View"], kind="desktop_review", rag="green", findings="",
                               actions=(ActionInput("File the report", "QA officer", TODAY + D(3)),)))
    mine = {red.id, green.id}

    def notes(**kw: Any) -> set[Any]:
        return {n.id for n in list_notes(ctx, **kw)} & mine

    assert notes() == mine
    assert notes(rag="red") == {red.id} and notes(kind="desktop_review") == {green.id}
    assert notes(owner="responsible individual") == {red.id} and notes(owner="qa OFF") == mine
    assert notes(overdue_only=True) == {red.id}
    assert [n.id for n in list_notes(ctx, subject="service", subject_id=ids["Cedar View"])] == [green.id, red.id]
    listed = {n.id: n for n in list_notes(ctx, subject="service")}
    assert listed[red.id].overdue_actions == 1 and listed[red.id].open_actions == 2
    overdue = list_actions(ctx, overdue_only=True, subject="service", subject_id=ids["Cedar View"])
    assert [(a.description, a.overdue, a.note_rag) for a in overdue] == [("Return interviews", True, "red")]
    assert [a.description for a in list_actions(ctx, owner="qa officer", subject="service",
                                                subject_id=ids["Cedar View"])] == ["File the report", "Staff training"]
    complete_action(ctx, overdue[0].id)
    assert not list_actions(ctx, overdue_only=True, subject="service", subject_id=ids["Cedar View"])
    assert notes(overdue_only=True) == set()
    assert [a.description for a in list_actions(ctx, status="done", subject="service",
                                                subject_id=ids["Cedar View"])] == ["Return interviews"]
    with pytest.raises(QARefused) as refused:
        list_notes(ctx, rag="pink", kind="rumour")
    assert set(refused.value.problems) == {"rag", "kind"}
    with pytest.raises(QARefused) as refused:
        list_actions(ctx, status="maybe")
    assert set(refused.value.problems) == {"status"}
    with pytest.raises(QARefused) as refused:
        list_notes(ctx, subject="service", subject_id="SC999999")
    assert set(refused.value.problems) == {"subject_id"}


def test_a_providers_notes_include_its_services_and_the_latest_rating_counts_only_current_notes(market) -> None:
    ctx, ids = market
    assert latest_rating(ctx, "service", ids["Beacon Lodge"]) is None
    earlier = add_note(ctx, note(subject_id=ids["Beacon Lodge"], held_on=TODAY - D(20), rag="green", findings=""))
    later = add_note(ctx, note(subject_id=ids["Beacon Lodge"], held_on=TODAY - D(2), rag="red", findings="Unsafe."))
    on_provider = add_note(ctx, note(subject="provider", subject_id="Brightway Care Ltd", held_on=TODAY - D(30),
                                     kind="contract_review"))
    brightway = {n.id for n in list_notes(ctx, subject="provider", subject_id="Brightway Care Ltd")}
    assert {earlier.id, later.id, on_provider.id} <= brightway
    rating = latest_rating(ctx, "service", ids["Beacon Lodge"])
    assert rating is not None and (rating.rag, rating.note_id, rating.rag_label) == ("red", later.id, "Red")
    supersede(ctx, later.id, note(subject_id=ids["Beacon Lodge"], held_on=TODAY - D(2), rag="amber",
                                  findings="Unsafe door fixed on the day."))
    rating = latest_rating(ctx, "provider", "Brightway Care Ltd")
    assert rating is not None and rating.rag == "amber"
    assert {n.id for n in list_notes(ctx, subject="provider")} == {on_provider.id}


# --- Regulation 44 and 45 visits overdue -----------------------------------------------------------

def _due(ctx, name: str):
    return next((v for v in overdue_visits(ctx) if v.service_name == name), None)


def test_visits_are_overdue_a_month_and_six_months_on_to_the_day(market) -> None:
    ctx, ids = market
    cedar = ids["Cedar View"]
    place(ctx, cedar, "LCC-800001", TODAY - D(200))
    place(ctx, cedar, "LCC-800002", TODAY - D(10))
    due = _due(ctx, "Cedar View")  # never visited
    assert due is not None and due.children == 2 and due.reg44_overdue and due.reg45_overdue
    assert (due.last_reg44, due.last_reg45) == (None, None)
    # TODAY is 1 December 2026: in time means held on or after 1 November (44) and 1 June (45)
    add_note(ctx, note(subject_id=cedar, kind="reg44", held_on=dt.date(2026, 10, 31), rag="green", findings=""))
    add_note(ctx, note(subject_id=cedar, kind="reg45", held_on=dt.date(2026, 5, 31), rag="green", findings=""))
    due = _due(ctx, "Cedar View")
    assert due is not None and due.reg44_overdue and due.reg45_overdue
    assert (due.last_reg44, due.last_reg45) == (dt.date(2026, 10, 31), dt.date(2026, 5, 31))
    add_note(ctx, note(subject_id=cedar, kind="reg44", held_on=dt.date(2026, 11, 1), rag="green", findings=""))
    due = _due(ctx, "Cedar View")
    assert due is not None and not due.reg44_overdue and due.reg45_overdue
    add_note(ctx, note(subject_id=cedar, kind="reg45", held_on=dt.date(2026, 6, 1), rag="green", findings=""))
    assert _due(ctx, "Cedar View") is None


def test_a_month_back_from_the_31st_is_the_last_day_of_february(market) -> None:
    ctx, ids = market
    ashfield = ids["Ashfield House"]
    place(ctx, ashfield, "LCC-800003", dt.date(2026, 1, 1))
    add_note(ctx, note(subject_id=ashfield, kind="reg45", held_on=dt.date(2026, 1, 15), rag="green", findings=""))
    add_note(ctx, note(subject_id=ashfield, kind="reg44", held_on=dt.date(2026, 2, 27), rag="green", findings="",
                       actions=()))
    end_of_march = at(ctx, dt.date(2026, 3, 31))
    due = _due(end_of_march, "Ashfield House")
    assert due is not None and due.reg44_overdue and not due.reg45_overdue
    add_note(ctx, note(subject_id=ashfield, kind="reg44", held_on=dt.date(2026, 2, 28), rag="green", findings="",
                       actions=()))
    assert _due(end_of_march, "Ashfield House") is None


def test_only_homes_where_a_child_sleeps_tonight_and_only_current_notes_about_them(market) -> None:
    ctx, ids = market
    place(ctx, ids["Ashfield House"], "LCC-800004", TODAY - D(100), TODAY)  # ended today: free tonight
    place(ctx, ids["Beacon Lodge"], "LCC-800005", TODAY + D(1))  # not arrived yet
    place(ctx, ids["Elm Court Supported Living"], "LCC-800006", TODAY - D(100))  # not a children's home
    secure = place(ctx, ids["Greenhill Secure Unit"], "LCC-800007", TODAY - D(100), TODAY + D(1))
    assert {v.service_name for v in overdue_visits(ctx)} == {"Greenhill Secure Unit"}
    # a Regulation 44 report on the child's placement counts for the home; a superseded one does not
    on_placement = add_note(ctx, note(subject="placement", subject_id=secure["placement"], kind="reg44",
                                      held_on=TODAY - D(5), rag="green", findings=""))
    add_note(ctx, note(subject="spot_agreement", subject_id=secure["agreement"], kind="reg45",
                       held_on=TODAY - D(50), rag="green", findings=""))
    assert _due(ctx, "Greenhill Secure Unit") is None
    supersede(ctx, on_placement.id, note(subject="placement", subject_id=secure["placement"], kind="visit_announced",
                                         held_on=TODAY - D(5), rag="green", findings=""))
    due = _due(ctx, "Greenhill Secure Unit")
    assert due is not None and due.reg44_overdue and not due.reg45_overdue and due.last_reg45 == TODAY - D(50)
