"""QA notes: recording one (every problem by field, nothing written), the Regulation 40/44/45 kinds for
children's homes only, superseding (once, even racing), and a red rating's placement stop, which matching
then respects. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from broker_tui.services.matching import match_referral
from broker_tui.services.quality import (
    ActionInput,
    NoteInput,
    QARefused,
    StopInput,
    add_note,
    kinds_for,
    latest_rating,
    list_actions,
    list_notes,
    stop_placements_after_note,
    supersede,
)
from broker_tui.store.tables import AuditEvent, Placement, PlacementStop, QAAction, QANote, SpotAgreement
from tests.conftest import TODAY
from tests.services.test_outreach import world  # noqa: F401 (the fixture)

D = dt.timedelta
LAW_2015 = "Children's Homes (England) Regulations 2015"
LAW_2023 = "Supported Accommodation (England) Regulations 2023"
REG_KINDS = ("reg40", "reg44", "reg45")


def place(ctx, service_id: uuid.UUID, case_ref: str, start: dt.date, end: dt.date | None = None) -> dict[str, Any]:
    """A child placed spot at a service: the agreement and the placement (the purchase services' own rows)."""
    with ctx.session() as s:
        agreement = SpotAgreement(service_id=service_id, case_ref=case_ref, start_date=start)
        s.add(agreement)
        s.flush()
        placement = Placement(case_ref=case_ref, service_id=service_id, spot_agreement_id=agreement.id,
                              start_date=start, end_date=end)
        s.add(placement)
        s.flush()
        return {"agreement": agreement.id, "placement": placement.id}


def note(subject: str = "service", subject_id: Any = "SC100000", **over: Any) -> NoteInput:
    values: dict[str, Any] = dict(subject=subject, subject_id=subject_id, kind="visit_unannounced",
                                  held_on=TODAY - D(3), rag="amber", findings="Weekend rota gaps.",
                                  actions=(ActionInput("Send the weekend rota", "Registered manager", TODAY + D(14)),))
    values.update(over)
    return NoteInput(**values)


def counts(ctx) -> tuple[int, int, int, int]:
    with ctx.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                     for t in (QANote, QAAction, PlacementStop, AuditEvent))


@pytest.fixture
def qa(world):  # noqa: F811
    ctx, view, ids = world
    return ctx, ids


def test_a_note_is_recorded_with_its_actions_about_a_service_named_by_urn(qa) -> None:
    ctx, ids = qa
    made = add_note(ctx, note(findings="  Weekend rota gaps.  "))  # SC100000 is Ashfield House
    assert made.subject == "service" and made.subject_id == ids["Ashfield House"]
    assert made.subject_label == "Ashfield House" and made.service_id == ids["Ashfield House"]
    assert made.provider_id is not None and made.author == "test.broker" and made.findings == "Weekend rota gaps."
    assert made.kind_label == "Visit (unannounced)" and made.rag_label == "Amber" and made.current
    assert [(a.description, a.owner, a.due_on, a.status) for a in made.actions] == [
        ("Send the weekend rota", "Registered manager", TODAY + D(14), "open")]
    with ctx.session() as s:
        row = s.get_one(QANote, made.id)
        assert (row.held_on, row.rag, row.kind, row.supersedes_id) == (TODAY - D(3), "amber", "visit_unannounced", None)
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity.in_(("qa_note", "qa_action")))).all()
        assert {(e.entity, e.action, e.actor) for e in events if e.entity_id in {str(made.id), str(made.actions[0].id)}} \
            == {("qa_note", "create", "test.broker"), ("qa_action", "create", "test.broker")}
    by_name = add_note(ctx, note(subject_id="cedar view", author="QA officer", rag="green", findings="", actions=()))
    assert by_name.subject_id == ids["Cedar View"] and by_name.author == "QA officer"


def test_a_visit_with_care_experienced_young_people_says_they_took_part(qa) -> None:
    ctx, _ids = qa
    made = add_note(ctx, note(kind="visit_care_experienced", young_people_involved=False))
    assert made.young_people_involved and made.kind_label == "Visit with care-experienced young people"


@pytest.mark.parametrize("home", ["Ashfield House", "Cedar View", "Greenhill Secure Unit"])
def test_regulation_kinds_are_taken_for_every_kind_of_childrens_home(qa, home: str) -> None:
    ctx, ids = qa
    for kind in REG_KINDS:
        assert add_note(ctx, note(subject_id=ids[home], kind=kind)).kind == kind
    assert {k.code for k in kinds_for(ctx, "service", ids[home])} >= set(REG_KINDS)


@pytest.mark.parametrize("kind", REG_KINDS)
def test_regulation_kinds_are_refused_for_supported_accommodation_naming_both_regulations(qa, kind: str) -> None:
    ctx, ids = qa
    before = counts(ctx)
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject_id=ids["Elm Court Supported Living"], kind=kind))
    message = refused.value.problems["kind"]
    assert LAW_2015 in message and LAW_2023 in message and "Elm Court Supported Living" in message
    assert list(refused.value.problems) == ["kind"]
    assert counts(ctx) == before


def test_regulation_kinds_are_refused_for_fostering_a_provider_and_a_block_of_supported_flats(qa) -> None:
    ctx, ids = qa
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject_id=ids["Dovecote Fostering"], kind="reg44"))
    assert LAW_2015 in refused.value.problems["kind"] and LAW_2023 not in refused.value.problems["kind"]
    assert "Independent fostering agency" in refused.value.problems["kind"]
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject="provider", subject_id="Brightway Care Ltd", kind="reg45"))
    assert "one children's home" in refused.value.problems["kind"]
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject="block_contract", subject_id="BC-2024-01", kind="reg40"))  # Elm Court's block
    assert LAW_2023 in refused.value.problems["kind"]
    assert add_note(ctx, note(subject="block_contract", subject_id="bc-2024-01", kind="contract_review")).subject_label \
        == "BC-2024-01 16+ block 1"
    for subject, sid in (("provider", "Brightway Care Ltd"), ("service", ids["Elm Court Supported Living"]),
                         ("service", ids["Dovecote Fostering"])):
        codes = {k.code for k in kinds_for(ctx, subject, sid)}
        assert not codes & set(REG_KINDS) and {"visit_announced", "notification", "complaint"} <= codes


def test_a_placement_or_agreement_takes_the_kinds_of_its_service(qa) -> None:
    ctx, ids = qa
    home = place(ctx, ids["Ashfield House"], "LCC-700001", TODAY - D(40))
    flat = place(ctx, ids["Elm Court Supported Living"], "LCC-700002", TODAY - D(40))
    made = add_note(ctx, note(subject="placement", subject_id=home["placement"], kind="reg44"))
    assert made.subject_label == "placement of LCC-700001 at Ashfield House"
    assert (made.service_id, made.subject_id) == (ids["Ashfield House"], home["placement"])
    assert add_note(ctx, note(subject="spot_agreement", subject_id=str(home["agreement"]), kind="reg45")).kind == "reg45"
    for subject in ("placement", "spot_agreement"):
        with pytest.raises(QARefused) as refused:
            add_note(ctx, note(subject=subject, subject_id=flat["placement" if subject == "placement" else "agreement"],
                               kind="reg44"))
        assert LAW_2023 in refused.value.problems["kind"]
    # the placement's note is among the service's notes
    assert made.id in {n.id for n in list_notes(ctx, subject="service", subject_id=ids["Ashfield House"])}


def test_every_problem_is_reported_by_field_at_once_and_nothing_is_written(qa) -> None:
    ctx, ids = qa
    before = counts(ctx)
    bad = note(subject_id="SC999999", kind="gossip", rag="purple", held_on=TODAY + D(1), findings="x\x00",
               actions=(ActionInput("", "", TODAY - D(30)), ActionInput("Fix it", "Manager", TODAY + D(1))))
    with pytest.raises(QARefused) as refused:
        add_note(ctx, bad, start_placement_stop=StopInput("", None))
    problems = refused.value.problems
    assert set(problems) >= {"subject_id", "kind", "rag", "held_on", "findings", "actions[0].description",
                             "actions[0].owner", "start_placement_stop", "start_placement_stop.reason"}
    assert "future" in problems["held_on"] and "no service 'SC999999'" in problems["subject_id"]
    assert counts(ctx) == before
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject="ward", subject_id=ids["Ashfield House"]))
    assert "subject" in refused.value.problems
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(rag="red", findings="  "))
    assert set(refused.value.problems) == {"findings"}
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(actions=(ActionInput("Rota", "Manager", TODAY - D(4)),)))  # due before it was held
    assert set(refused.value.problems) == {"actions[0].due_on"}
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject="placement", subject_id="not-an-id"))
    assert set(refused.value.problems) == {"subject_id"}
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(subject="placement", subject_id=uuid.uuid4()))
    assert refused.value.problems["subject_id"].startswith("no placement")
    assert counts(ctx) == before
    assert add_note(ctx, note(held_on=TODAY)).held_on == TODAY  # today is not the future


def test_a_superseded_note_leaves_every_count_and_list_and_its_actions_move(qa) -> None:
    ctx, ids = qa
    first = add_note(ctx, note(rag="red", findings="Staffing below ratio."))
    assert latest_rating(ctx, "service", ids["Ashfield House"]).rag == "red"
    mine = {a.id for a in first.actions}
    correction = supersede(ctx, first.id, note(rag="amber", findings="Ratio met; one agency shift.", actions=(
        ActionInput("Induct the agency staff", "Registered manager", TODAY + D(7)),)))
    assert correction.supersedes_id == first.id
    assert {a.id for a in correction.actions} > mine and len(correction.actions) == 2  # moved plus the new one
    listed = list_notes(ctx, subject="service", subject_id=ids["Ashfield House"])
    assert first.id not in {n.id for n in listed} and correction.id in {n.id for n in listed}
    assert latest_rating(ctx, "service", ids["Ashfield House"]).rag == "amber"
    assert not list_notes(ctx, rag="red", subject="service", subject_id=ids["Ashfield House"])
    assert {a.note_id for a in list_actions(ctx, subject="service", subject_id=ids["Ashfield House"])
            if a.id in mine} == {correction.id}
    history = {n.id: n for n in list_notes(ctx, subject="service", subject_id=ids["Ashfield House"],
                                          include_superseded=True)}
    assert history[first.id].superseded_by_id == correction.id and not history[first.id].current
    with ctx.session() as s:
        moves = s.scalars(select(AuditEvent).where(AuditEvent.entity == "qa_action", AuditEvent.action == "move")).all()
        assert {e.entity_id for e in moves} == {str(i) for i in mine}
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(correction.id))).one().action \
            == "supersede"


def test_a_note_is_superseded_once_and_a_stale_correction_writes_nothing(qa) -> None:
    ctx, _ids = qa
    first = add_note(ctx, note())
    kept = supersede(ctx, first, note(findings="Corrected.", actions=()), carry_actions=False)
    assert kept.actions == ()  # the earlier note's actions stay with it, out of the lists
    assert not [a for a in list_actions(ctx) if a.note_id == first.id]
    before = counts(ctx)
    with pytest.raises(QARefused) as refused:
        supersede(ctx, first.id, note(findings="Corrected again."))
    assert str(kept.id) in refused.value.problems["note"] and "that one instead" in refused.value.problems["note"]
    with pytest.raises(QARefused) as refused:
        supersede(ctx, uuid.uuid4(), note(rag="blue"))
    assert set(refused.value.problems) == {"note", "rag"}
    assert counts(ctx) == before


def test_two_brokers_correcting_one_note_at_once_exactly_one_wins(qa) -> None:
    ctx, _ids = qa
    first = add_note(ctx, note())
    together = threading.Barrier(2, timeout=30)
    results: list[Any] = []

    def correct(who: str) -> None:
        mine = dataclasses.replace(ctx, acting_as=who)
        together.wait()
        try:
            results.append(supersede(mine, first.id, note(findings=f"Corrected by {who}.")))
        except QARefused as exc:
            results.append(exc)

    threads = [threading.Thread(target=correct, args=(who,)) for who in ("a.broker", "b.broker")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if not isinstance(r, QARefused)]
    lost = [r for r in results if isinstance(r, QARefused)]
    assert len(won) == 1 and len(lost) == 1 and "superseded" in lost[0].problems["note"]
    with ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(QANote).where(QANote.supersedes_id == first.id)) == 1


def _excluded_for_stop(ctx, service_id: uuid.UUID) -> bool:
    result = match_referral(ctx, "LCC-300001", show_full=True, top_n=50)
    return any(e.service.id == str(service_id) and "placement_stop" in e.rules for e in result.excluded)


def test_a_red_note_starts_a_placement_stop_and_matching_then_excludes_the_service(qa) -> None:
    ctx, ids = qa
    ashfield = ids["Ashfield House"]
    assert not _excluded_for_stop(ctx, ashfield)
    made = add_note(ctx, note(kind="reg44", rag="red", findings="Staffing below the registered ratio."),
                    start_placement_stop=StopInput("Staffing below ratio at the Regulation 44 visit"))
    assert [(s.service_id, s.starts_on, s.imposed_by) for s in made.stops_started] == [(ashfield, TODAY, "test.broker")]
    assert _excluded_for_stop(ctx, ashfield)
    result = match_referral(ctx, "LCC-300001", show_full=True, top_n=50)
    reasons = next(e.reasons for e in result.excluded if e.service.id == str(ashfield))
    assert any("Staffing below ratio at the Regulation 44 visit" in r for r in reasons)
    with ctx.session() as s:
        stop = s.get_one(PlacementStop, made.stops_started[0].id)
        assert (stop.reason, stop.lifted_on) == ("Staffing below ratio at the Regulation 44 visit", None)
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "placement_stop",
                                                   AuditEvent.entity_id == str(stop.id))).one()
        assert event.action == "stop" and str(made.id) in event.after["why"]


def test_a_stop_is_refused_after_a_note_that_is_not_red_and_nothing_is_written(qa) -> None:
    ctx, ids = qa
    before = counts(ctx)
    with pytest.raises(QARefused) as refused:
        add_note(ctx, note(rag="amber"), start_placement_stop=StopInput("Concern"))
    assert "only a red rating" in refused.value.problems["start_placement_stop"]
    assert counts(ctx) == before
    amber = add_note(ctx, note(rag="amber"))
    with pytest.raises(QARefused) as refused:
        stop_placements_after_note(ctx, amber.id, "Concern")
    assert "only a red rating" in refused.value.problems["note"]
    assert not _excluded_for_stop(ctx, ids["Ashfield House"])


def test_a_stop_after_a_red_note_already_recorded_and_not_twice(qa) -> None:
    ctx, ids = qa
    red = add_note(ctx, note(rag="red", findings="Fire door wedged open."))
    with pytest.raises(QARefused) as refused:
        stop_placements_after_note(ctx, red.id, "Premises unsafe", TODAY - D(4))  # before the note was held
    assert set(refused.value.problems) == {"from_date"}
    started = stop_placements_after_note(ctx, red.id, "Premises unsafe")
    assert [s.service_name for s in started] == ["Ashfield House"]
    assert _excluded_for_stop(ctx, ids["Ashfield House"])
    before = counts(ctx)
    with pytest.raises(QARefused) as refused:
        stop_placements_after_note(ctx, red.id, "Again")
    assert "already under a placement stop" in refused.value.problems["service"]
    assert counts(ctx) == before


def test_a_red_note_on_a_provider_stops_each_of_its_services(qa) -> None:
    ctx, ids = qa
    made = add_note(ctx, note(subject="provider", subject_id="brightway care ltd", rag="red",
                              findings="Responsible individual removed."),
                    start_placement_stop=StopInput("Provider-wide safeguarding concern", TODAY + D(2)))
    assert sorted(s.service_name for s in made.stops_started) == ["Ashfield House", "Beacon Lodge"]
    assert not _excluded_for_stop(ctx, ids["Ashfield House"])  # the stop starts in two days
    later = dataclasses.replace(ctx, clock=dataclasses.replace(ctx.clock, fixed=TODAY + D(2)))
    assert _excluded_for_stop(later, ids["Ashfield House"])
