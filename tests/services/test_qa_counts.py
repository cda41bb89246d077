"""What home and the service detail count of QA: open actions of current notes only. A done or cancelled
action is not overdue work; a superseded note leaves every count and list (its actions moved to the
correction are counted once, with it; actions left behind with it are not counted). The service detail
shows the current notes about the service or anything inside it (a placement there), never a superseded
one. On SQLite and PostgreSQL; home's light (sqlite3) path agrees with its SQLAlchemy path."""

from __future__ import annotations

import datetime as dt

from broker_tui.services.contracts import ContractInput, PlaceInput, add_contract, place_in_block
from broker_tui.services.home import todays_work
from broker_tui.services.market import service_detail
from broker_tui.services.quality import (
    ActionInput,
    NoteInput,
    add_note,
    cancel_action,
    complete_action,
    supersede,
)
from tests.conftest import TODAY
from tests.market_data import build_market

D = dt.timedelta


def _note(subject_id: object, *actions: str, subject: str = "service", rag: str = "amber",
          findings: str = "Rota gaps.") -> NoteInput:
    return NoteInput(subject=subject, subject_id=subject_id, kind="visit_unannounced", held_on=TODAY - D(30),
                     rag=rag, findings=findings,
                     actions=tuple(ActionInput(a, "Registered manager", TODAY - D(5)) for a in actions))


def _overdue(ctx) -> tuple[int, list[str]]:
    work = todays_work(ctx, light=False)
    if ctx.location.path is not None:
        assert todays_work(ctx, light=True) == work
    return work.overdue_actions_count, sorted(a.description for a in work.overdue_actions)


def test_home_counts_only_open_actions_of_current_notes(ctx) -> None:
    market = build_market(ctx, TODAY)
    kestrel = market.services["Kestrel Lodgings"].id
    base_count, base_list = _overdue(ctx)  # the market's own: Ashfield's rota, Ivy Bank's plan
    assert base_count == 2

    made = add_note(ctx, _note(kestrel, "Fix the fire door", "Send the rota", "Train the night staff"))
    assert _overdue(ctx)[0] == base_count + 3

    door, rota, train = sorted(made.actions, key=lambda a: a.description)
    complete_action(ctx, door)
    cancel_action(ctx, train, "Staff trained by the provider's own scheme")
    count, listed = _overdue(ctx)
    assert count == base_count + 1 and "Send the rota" in listed
    assert "Fix the fire door" not in listed and "Train the night staff" not in listed

    corrected = supersede(ctx, made.id, _note(kestrel, findings="Rota gaps, as first written."))
    assert {a.description for a in corrected.actions} >= {"Send the rota"}  # moved, counted once
    assert _overdue(ctx)[0] == base_count + 1

    left = add_note(ctx, _note(kestrel, "Share the audit"))
    supersede(ctx, left.id, _note(kestrel, findings="Corrected."), carry_actions=False)
    count, listed = _overdue(ctx)
    assert count == base_count + 1 and "Share the audit" not in listed  # left with the superseded note


def test_home_names_the_provider_a_note_is_about(ctx) -> None:
    build_market(ctx, TODAY)
    add_note(ctx, _note("Juniper Families", "Send the policy", subject="provider"))
    work = todays_work(ctx, light=False)
    assert ("Juniper Families", "Send the policy") in [(a.about, a.description) for a in work.overdue_actions]
    if ctx.location.path is not None:
        assert todays_work(ctx, light=True) == work


def test_service_detail_shows_current_notes_about_the_service_and_its_placements(ctx) -> None:
    market = build_market(ctx, TODAY)
    ashfield = market.services["Ashfield House"].id
    before = service_detail(ctx, ashfield).qa_notes
    assert len(before) == 1  # the market's own visit

    first = add_note(ctx, _note(ashfield, "Check the rota", findings="First words."))
    supersede(ctx, first.id, _note(ashfield, findings="The corrected words."))
    add_contract(ctx, ContractInput(service=str(ashfield), reference="BC-ASH", name="Ashfield block",
                                    starts_on=TODAY - D(60), ends_on=TODAY + D(300), units=2,
                                    unit_weekly_pence=500_000))
    placed = place_in_block(ctx, PlaceInput(contract="BC-ASH", case_ref="LCC-500001", start_date=TODAY - D(40)))
    add_note(ctx, _note(placed.id, subject="placement", rag="green", findings="Settled well."))

    notes = service_detail(ctx, ashfield).qa_notes
    findings = [n.findings for n in notes]
    assert "First words." not in findings  # superseded: history, not shown
    assert "The corrected words." in findings and "Settled well." in findings
    assert len(notes) == 3
    corrected = next(n for n in notes if n.findings == "The corrected words.")
    assert [(a.description, a.overdue, a.status) for a in corrected.actions] == [("Check the rota", True, "open")]


def test_service_detail_says_an_action_is_cancelled_not_overdue(ctx) -> None:
    market = build_market(ctx, TODAY)
    kestrel = market.services["Kestrel Lodgings"].id
    made = add_note(ctx, _note(kestrel, "Fix the fire door"))
    cancel_action(ctx, made.actions[0], "The door was replaced")
    (note,) = service_detail(ctx, kestrel).qa_notes
    assert [(a.status, a.overdue) for a in note.actions] == [("cancelled", False)]
