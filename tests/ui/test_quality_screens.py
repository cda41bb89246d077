"""The quality assurance screen (F7), driven by keys as a QA officer would, on the test market with notes
recorded through services.quality: the notes newest first with their ratings, filtered by rating; the
actions with overdue ones in red, one marked done (d) and one cancelled with its reason (x); the homes whose
Regulation 44/45 visits are overdue; a new note refused beside its fields (a date in the future, a
Regulation 44 kind on supported accommodation, no rating) with what was typed kept and nothing written, then
saved; a correction (s) pre-filled, whose actions move with it; a red note's placement stop. And a
snapshot of the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TabbedContent, TextArea

from broker_tui.services.contracts import ContractInput, PlaceInput, add_contract, place_in_block
from broker_tui.services.market import service_detail
from broker_tui.services.quality import ActionInput, NoteInput, add_note, list_actions, list_notes
from broker_tui.ui.screens.dialogs import ConfirmScreen, ReasonScreen
from broker_tui.ui.screens.quality.note_form import NoteFormScreen
from broker_tui.ui.screens.quality.note_reading import read_note
from broker_tui.ui.screens.quality.notes import QualityScreen
from broker_tui.ui.screens.quality.stop import StopDialog
from tests.conftest import TODAY
from tests.ui.conftest import SIZE, make_app, plain, run_command, settle, sync

D = dt.timedelta


@pytest.fixture
def qa_ctx(market_ctx):
    """The test market (Ashfield's amber visit, Ivy Bank's red Regulation 44 report) plus a green desktop
    review of Elm Court with an action for the QA officer, and a child living at Ashfield House (a block
    placement), so Ashfield's Regulation 44/45 visits are due."""
    add_note(market_ctx, NoteInput(subject="service", subject_id="Elm Court Supported Living", kind="desktop_review",
                                   held_on=TODAY - D(2), rag="green", findings="Tenancy files in order.",
                                   actions=(ActionInput("File the review", "QA officer", TODAY + D(10)),)))
    add_contract(market_ctx, ContractInput(service="SC100000", reference="BC-ASH-01", name="Ashfield beds",
                                           starts_on=TODAY - D(200), ends_on=TODAY + D(165), units=2,
                                           unit_weekly_pence=480_000))
    place_in_block(market_ctx, PlaceInput(contract="BC-ASH-01", case_ref="LCC-600001", start_date=TODAY - D(50)))
    return market_ctx


def cells(screen, table_id: str) -> list[list[str]]:
    table = screen.query_one(table_id, DataTable)
    return [[str(c).strip() for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_quality(app, pilot) -> QualityScreen:
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)
    assert isinstance(app.screen, QualityScreen)
    return app.screen


async def choose(pilot, select: Select, label: str) -> None:
    """Choose an option of a Select by keys: focus it, open it (Enter), move to the option, Enter. The
    blank choice is named by the Select's prompt ('Any rating')."""
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    labels = [str(prompt) or select.prompt for prompt, _value in select._options]
    values = [value for _prompt, value in select._options]
    current, target = values.index(select.value), labels.index(label)
    for _ in range(abs(target - current)):
        await pilot.press("down" if target > current else "up")
    await pilot.press("enter")
    await settle(pilot)
    assert select.value == values[target]


def error(screen, key: str) -> str:
    slot = screen.query_one(f"#qa-err-{key}", Static)
    return plain(slot) if slot.has_class("has-error") else ""


@sync
async def test_notes_are_listed_newest_first_and_filter_by_rating(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        rows = cells(screen, "#qa-notes")
        assert [r[0] for r in rows] == [(TODAY - D(n)).strftime("%d/%m/%Y") for n in (2, 30, 45)]
        assert [(r[1], r[2], r[3]) for r in rows] == [
            ("Elm Court Supported Living", "Desktop review", "Green"),
            ("Ivy Bank", "Regulation 44 report", "Red"),
            ("Ashfield House", "Visit (unannounced)", "Amber")]
        assert rows[2][6] == "2 (1 overdue)" and rows[0][4] == "test.broker"
        detail = plain(screen.query_one("#qa-detail", Static))
        assert "Tenancy files in order." in detail and "File the review" in detail

        await choose(pilot, screen.query_one("#qa-rag", Select), "Red")
        await settle(pilot)
        assert [r[1] for r in cells(screen, "#qa-notes")] == ["Ivy Bank"]

        await choose(pilot, screen.query_one("#qa-rag", Select), "Any rating")
        screen.query_one("#qa-owner", Input).focus()
        await pilot.press(*"qa officer", "enter")
        await settle(pilot)
        assert [r[1] for r in cells(screen, "#qa-notes")] == ["Elm Court Supported Living"]
        assert [r[1] for r in cells(screen, "#qa-actions")] == ["File the review"]


@sync
async def test_actions_overdue_in_red_one_done_one_cancelled_with_its_reason(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        screen.query_one("#qa-notes", DataTable).focus()
        await pilot.press("2")
        await settle(pilot)
        assert screen.query_one("#qa-views", TabbedContent).active == "qa-actions-tab"
        rows = cells(screen, "#qa-actions")
        assert [(r[1], r[3]) for r in rows] == [
            ("Send revised weekend rota", "Overdue"), ("Return missing-from-home action plan", "Overdue"),
            ("File the review", "Open"), ("Confirm agency staff induction", "Open")]
        table = screen.query_one("#qa-actions", DataTable)
        assert "red" in str(table.get_row_at(0)[1].style)  # overdue in red
        assert "Actions (4, 2 overdue)" in str(screen.query_one("#qa-views", TabbedContent).get_tab("qa-actions-tab").label)

        await pilot.press("d")  # the first: Ashfield's rota
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert "Done: Send revised weekend rota" in plain(screen.query_one("#qa-banner", Static))
        assert [r[1] for r in cells(screen, "#qa-actions")][0] == "Return missing-from-home action plan"

        await pilot.press("x")  # now the first: Ivy Bank's plan
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("enter")  # no reason: the dialog stays
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"Plan replaced by the new manager's", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert [r[1] for r in cells(screen, "#qa-actions")] == ["File the review", "Confirm agency staff induction"]

    done = {a.description: a for a in list_actions(qa_ctx, status="done")}
    assert done["Send revised weekend rota"].done_on == TODAY and done["Send revised weekend rota"].done_by == "test.broker"
    (cancelled,) = list_actions(qa_ctx, status="cancelled")
    assert (cancelled.description, cancelled.cancelled_reason) == ("Return missing-from-home action plan",
                                                                   "Plan replaced by the new manager's")


@sync
async def test_visits_overdue_name_the_home_where_a_child_lives(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        screen.query_one("#qa-notes", DataTable).focus()
        await pilot.press("3")
        await settle(pilot)
        assert screen.query_one("#qa-views", TabbedContent).active == "qa-visits-tab"
        assert cells(screen, "#qa-visits") == [["Ashfield House", "Brightway Care Ltd", "Children's home (external)", "1",
                                               "never", "Overdue", "never", "Overdue"]]


@sync
async def test_a_new_note_is_refused_beside_its_fields_with_everything_kept_then_saved(qa_ctx) -> None:
    before = len(list_notes(qa_ctx))
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteFormScreen) and form.focused is form.query_one("#qa-f-subject_id")

        await pilot.press(*"SC100000", "tab")  # Ashfield House, a children's home, by its URN
        await settle(pilot)
        assert "a children's home (Regulation 40/44/45 kinds offered)" in plain(form.query_one("#qa-found", Static))
        await choose(pilot, form.query_one("#qa-f-kind", Select), "Regulation 44 report")

        subject = form.query_one("#qa-f-subject_id", Input)  # now change it to supported accommodation
        subject.focus()
        await pilot.press("ctrl+u", *"Elm Court Supported Living", "tab")
        await settle(pilot)
        assert "not a children's home" in plain(form.query_one("#qa-found", Static))
        assert "Children's Homes (England) Regulations 2015" in error(form, "kind")
        assert form.query_one("#qa-f-kind", Select).value == "reg44"  # kept, flagged

        held = form.query_one("#qa-f-held_on", Input)
        held.focus()
        await pilot.press("ctrl+u", *(TODAY + D(5)).strftime("%d/%m/%Y"), "tab")
        await settle(pilot)
        assert "is in the future" in error(form, "held_on")

        form.query_one("#qa-f-findings", TextArea).focus()
        await pilot.press(*"Damp in two flats.")
        form.query_one("#qa-a-description-0", Input).focus()
        await pilot.press(*"Repair the damp", "tab", *"Housing officer", "tab", *"31/02/2027", "tab")
        await settle(pilot)
        assert "Due:" in error(form, "action-0")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoteFormScreen)
        banner = plain(form.query_one("#qa-form-banner", Static))
        assert "Not saved: 4 problems" in banner
        assert "rating" in error(form, "rag").lower() and error(form, "kind") and error(form, "held_on")
        assert form.query_one("#qa-f-findings", TextArea).text == "Damp in two flats."
        assert form.query_one("#qa-a-owner-0", Input).value == "Housing officer"
        assert len(list_notes(qa_ctx)) == before  # nothing written

        await choose(pilot, form.query_one("#qa-f-kind", Select), "Visit (announced)")
        await choose(pilot, form.query_one("#qa-f-rag", Select), "Amber")
        held.focus()
        await pilot.press("ctrl+u", *(TODAY - D(1)).strftime("%d/%m/%Y"))
        due = form.query_one("#qa-a-due_on-0", Input)
        due.focus()
        await pilot.press("ctrl+u", *"15/01/2027")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert "Recorded the note: Visit (announced) about Elm Court Supported Living, Amber" in plain(
            screen.query_one("#qa-banner", Static))
        assert cells(screen, "#qa-notes")[0][:4] == [(TODAY - D(1)).strftime("%d/%m/%Y"),
                                                     "Elm Court Supported Living", "Visit (announced)", "Amber"]

    newest = list_notes(qa_ctx)[0]
    assert (newest.kind, newest.rag, newest.findings, newest.held_on) == ("visit_announced", "amber",
                                                                          "Damp in two flats.", TODAY - D(1))
    assert [(a.description, a.owner, a.due_on) for a in newest.actions] == [
        ("Repair the damp", "Housing officer", dt.date(2027, 1, 15))]


@sync
async def test_a_correction_is_prefilled_and_takes_the_actions_with_it(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        table = screen.query_one("#qa-notes", DataTable)
        table.focus()
        await pilot.press("down", "down")  # Ashfield's amber visit, with two actions
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteFormScreen)
        assert "Its 2 action(s) move to the correction" in plain(form.query_one(".qa-hint", Static))
        findings = form.query_one("#qa-f-findings", TextArea)
        assert findings.text == "Staffing rota gaps at weekends." and form.query_one("#qa-f-rag", Select).value == "amber"
        findings.focus()
        await pilot.press("ctrl+e", *" Agency cover booked.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert "Corrected the note" in plain(screen.query_one("#qa-banner", Static))

    notes = list_notes(qa_ctx, subject="service", subject_id="Ashfield House")
    assert [n.findings for n in notes] == ["Staffing rota gaps at weekends. Agency cover booked."]
    assert sorted(a.description for a in notes[0].actions) == ["Confirm agency staff induction",
                                                                "Send revised weekend rota"]
    every = list_notes(qa_ctx, subject="service", subject_id="Ashfield House", include_superseded=True)
    assert len(every) == 2 and sum(not n.current for n in every) == 1


@sync
async def test_a_red_note_offers_a_placement_stop_with_its_reason_and_date(qa_ctx) -> None:
    ashfield = next(n for n in list_notes(qa_ctx) if n.subject_label == "Ashfield House").service_id
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"Ashfield House", "tab")
        await settle(pilot)
        await choose(pilot, form.query_one("#qa-f-kind", Select), "Complaint")
        await choose(pilot, form.query_one("#qa-f-rag", Select), "Red")
        form.query_one("#qa-f-findings", TextArea).focus()
        await pilot.press(*"Restraint used without recording.")
        form.query_one("#qa-f-young_people_involved", Checkbox).focus()
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        stop = app.screen
        assert isinstance(stop, StopDialog)  # offered at once
        assert "This note is red: start a placement stop?" in plain(stop.query_one(".qa-question"))
        await pilot.press("enter")  # no reason
        await settle(pilot)
        assert "Say why" in plain(stop.query_one("#qa-err-reason", Static))
        stop.query_one("#qa-stop-from_date", Input).focus()
        await pilot.press("ctrl+u", *(TODAY - D(90)).strftime("%d/%m/%Y"))  # before the note was held
        stop.query_one("#qa-stop-reason", Input).focus()
        await pilot.press(*"Restraint under review", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StopDialog)
        assert "before the note was held" in plain(stop.query_one("#qa-err-from_date", Static))
        assert stop.query_one("#qa-stop-reason", Input).value == "Restraint under review"
        stop.query_one("#qa-stop-from_date", Input).focus()
        await pilot.press("ctrl+u", *TODAY.strftime("%d/%m/%Y"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert "Placement stop started at Ashfield House" in plain(screen.query_one("#qa-banner", Static))
        assert cells(screen, "#qa-notes")[0][5] == "Yes"  # young people took part

    detail = service_detail(qa_ctx, ashfield)
    assert detail.stop_in_force is not None and detail.stop_in_force.reason == "Restraint under review"


@sync
async def test_p_on_a_note_that_is_not_red_says_so(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_quality(app, pilot)
        screen.query_one("#qa-notes", DataTable).focus()
        await pilot.press("p")  # the first row: Elm Court's green review
        await settle(pilot)
        assert isinstance(app.screen, QualityScreen)
        assert "Only a current red note" in plain(screen.query_one("#qa-banner", Static))
        await pilot.press("down", "p")  # Ivy Bank's red Regulation 44 report
        await settle(pilot)
        assert isinstance(app.screen, StopDialog)


def test_read_note_names_every_problem_of_a_blank_form() -> None:
    _note, problems, given = read_note({"subject": "service", "subject_id": "", "held_on": ""},
                                       [("Send it", "", "")], TODAY)
    assert set(problems) == {"subject_id", "kind", "rag", "held_on", "actions[0].owner", "actions[0].due_on"}
    assert given == [0]


def test_quality_snapshot(snap_compare, qa_ctx) -> None:
    async def open_it(pilot) -> None:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        pilot.app.screen.query_one("#qa-notes", DataTable).focus()
        await settle(pilot)

    assert snap_compare(make_app(qa_ctx), terminal_size=SIZE, run_before=open_it)


@sync
async def test_a_correction_left_untouched_closes_without_asking_and_the_palette_finds_the_screen(qa_ctx) -> None:
    app = make_app(qa_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "quality assurance", "quality assurance")
        screen = app.screen
        assert isinstance(screen, QualityScreen) and app.focused is screen.query_one("#qa-notes")
        await pilot.press("s")  # the subject is looked up and the kinds offered again: nothing typed
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteFormScreen) and not form.dirty
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen  # closed at once: no "leave without saving?"
