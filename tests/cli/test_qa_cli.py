"""`qa add|supersede|list|actions|done|cancel|stop|visits|kinds` through the command line: JSON in and out,
every problem on a line of its own, a non-zero exit and nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from broker_tui.cli import main
from broker_tui.store.tables import PlacementStop, QAAction, QANote
from tests.conftest import TODAY
from tests.services.test_outreach import world  # noqa: F401 (the fixture)
from tests.services.test_quality import place

D = dt.timedelta


@pytest.fixture
def cli(world):  # noqa: F811
    ctx, _view, ids = world
    runner = CliRunner()
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--db", db, "--today", TODAY.isoformat(), *args], input=input,
                             catch_exceptions=False)

    return run, ctx, ids


def write(tmp_path: Path, data: Any, name: str = "note.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def note_json(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": "service", "subject_id": "SC100000", "kind": "visit_unannounced",
        "held_on": (TODAY - D(2)).strftime("%d/%m/%Y"), "rag": "amber", "findings": "Weekend rota gaps.",
        "author": "QA officer", "actions": [{"description": "Send the weekend rota", "owner": "Registered manager",
                                             "due_on": (TODAY - D(1)).isoformat()}]}
    data.update(over)
    return data


def counts(ctx) -> tuple[int, int, int]:
    with ctx.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (QANote, QAAction, PlacementStop))  # type: ignore[return-value]


def mine(result) -> list[dict[str, Any]]:
    """The notes the test made (the market's own notes have no author 'QA officer')."""
    return [n for n in json.loads(result.output) if n["author"] == "QA officer"]


def test_add_then_list_as_json_and_text(cli, tmp_path) -> None:
    run, _ctx, ids = cli
    added = run("qa", "add", str(write(tmp_path, note_json())))
    assert added.exit_code == 0, added.output
    assert "QA note recorded" in added.output and "AMBER Visit (unannounced): Ashfield House" in added.output
    assert "[OVERDUE] Send the weekend rota (Registered manager" in added.output
    listed = run("qa", "list", "--subject", "service", "--id", "Ashfield House", "--json")
    assert listed.exit_code == 0, listed.output
    [note] = mine(listed)
    assert (note["subject_id"], note["held_on"], note["rag"], note["kind"]) == (
        str(ids["Ashfield House"]), (TODAY - D(2)).isoformat(), "amber", "visit_unannounced")
    assert [a["overdue"] for a in note["actions"]] == [True]
    text = run("qa", "list", "--rag", "amber", "--owner", "registered")
    assert "Send the weekend rota" in text.output
    assert "No QA notes match." in run("qa", "list", "--rag", "green", "--subject", "service", "--id", "SC100000").output
    overdue = run("qa", "actions", "--overdue", "--json")
    assert "Send the weekend rota" in [a["description"] for a in json.loads(overdue.output)]


def test_a_bad_file_lists_every_problem_and_writes_nothing(cli, tmp_path) -> None:
    run, ctx, _ids = cli
    before = counts(ctx)
    bad = note_json(rag="purple", held_on="31/02/2026", colour="blue", findings="",
                    actions=[{"description": "Rota", "due_on": "soon"}, "call them"],
                    placement_stop={"reason": ""})
    result = run("qa", "add", str(write(tmp_path, bad)))
    assert result.exit_code == 1
    for line in ("  rag: must be red, amber or green", "  held_on: '31/02/2026' is not a real date",
                 "  colour: is not a field here", "  actions[0].owner: is required", "  actions[0].due_on:",
                 "  actions[1]: must be an object", "  placement_stop.reason:"):
        assert line in result.output, result.output
    assert "problem(s); nothing was written" in result.output
    assert "Traceback" not in result.output
    assert counts(ctx) == before
    assert run("qa", "add", str(write(tmp_path, "[1, 2]"))).exit_code != 0
    assert counts(ctx) == before


def test_the_services_refusals_are_reported_by_field_and_nothing_is_written(cli, tmp_path) -> None:
    run, ctx, _ids = cli
    before = counts(ctx)
    result = run("qa", "add", str(write(tmp_path, note_json(subject_id="Elm Court Supported Living", kind="reg44",
                                                           held_on=(TODAY + D(1)).isoformat()))))
    assert result.exit_code == 1
    assert "Children's Homes (England) Regulations 2015" in result.output
    assert "Supported Accommodation (England) Regulations 2023" in result.output
    assert "  held_on: " in result.output and "in the future" in result.output
    unknown = run("qa", "add", str(write(tmp_path, note_json(subject_id="SC999999"))))
    assert unknown.exit_code == 1 and "subject_id: no service 'SC999999'" in unknown.output
    amber_stop = run("qa", "add", str(write(tmp_path, note_json(placement_stop={"reason": "Concern"}))))
    assert amber_stop.exit_code == 1 and "placement_stop: only a red rating" in amber_stop.output
    assert counts(ctx) == before
    kinds = run("qa", "kinds", "service", "Elm Court Supported Living")
    assert kinds.exit_code == 0 and "reg44" not in kinds.output and "notification" in kinds.output
    assert "reg44" in run("qa", "kinds", "service", "SC100000").output


def test_supersede_hides_the_earlier_note_unless_history_is_asked(cli, tmp_path) -> None:
    run, _ctx, _ids = cli
    first = json.loads(run("qa", "add", "--json", str(write(tmp_path, note_json()))).output)
    result = run("qa", "supersede", first["id"], "--json", str(write(tmp_path, note_json(rag="green", findings="",
                                                                                         actions=[]), "fix.json")))
    assert result.exit_code == 0, result.output
    correction = json.loads(result.output)
    assert correction["supersedes_id"] == first["id"] and len(correction["actions"]) == 1  # moved with it
    assert [n["id"] for n in mine(run("qa", "list", "--json"))] == [correction["id"]]
    history = {n["id"]: n for n in mine(run("qa", "list", "--history", "--json"))}
    assert history[first["id"]]["superseded_by_id"] == correction["id"]
    again = run("qa", "supersede", first["id"], str(write(tmp_path, note_json(), "again.json")))
    assert again.exit_code == 1 and correction["id"] in again.output and "nothing was written" in again.output


def test_done_and_cancel_move_open_actions_only(cli, tmp_path) -> None:
    run, _ctx, _ids = cli
    two = note_json(actions=[{"description": "Rota", "owner": "Manager", "due_on": TODAY.isoformat()},
                             {"description": "Training", "owner": "Manager", "due_on": TODAY.isoformat()}])
    note = json.loads(run("qa", "add", "--json", str(write(tmp_path, two))).output)
    rota, training = (a["id"] for a in note["actions"])
    future = run("qa", "done", rota, "--on", (TODAY + D(1)).isoformat())
    assert future.exit_code == 1 and "--on: " in future.output and "future" in future.output
    done = run("qa", "done", rota, "--on", TODAY.strftime("%d/%m/%Y"))
    assert done.exit_code == 0 and f"Action done on {TODAY:%d/%m/%Y} by " in done.output
    assert run("qa", "done", rota).exit_code == 1
    no_reason = run("qa", "cancel", training, "--reason", " ")
    assert no_reason.exit_code == 1 and "--reason: " in no_reason.output
    cancelled = run("qa", "cancel", training, "--reason", "Covered by the Ofsted plan")
    assert cancelled.exit_code == 0 and "Covered by the Ofsted plan" in cancelled.output
    statuses = {a["description"]: a["status"] for a in json.loads(run("qa", "actions", "--json").output)}
    assert (statuses["Rota"], statuses["Training"]) == ("done", "cancelled")
    assert run("qa", "done", "not-an-id").exit_code == 1


def test_a_red_note_stops_placements_from_the_file_or_afterwards(cli, tmp_path) -> None:
    run, ctx, _ids = cli
    red = note_json(rag="red", findings="Fire door wedged open.", placement_stop={"reason": "Premises unsafe"})
    added = run("qa", "add", str(write(tmp_path, red)))
    assert added.exit_code == 0, added.output
    assert f"placement stop on Ashfield House from {TODAY:%d/%m/%Y}: Premises unsafe" in added.output
    beacon = json.loads(run("qa", "add", "--json", str(write(tmp_path, note_json(
        subject_id="Beacon Lodge", rag="red", findings="Staffing below ratio."), "beacon.json"))).output)
    stopped = run("qa", "stop", beacon["id"], "--reason", "Staffing below ratio")
    assert stopped.exit_code == 0 and "Placement stop on Beacon Lodge" in stopped.output
    before = counts(ctx)
    again = run("qa", "stop", beacon["id"], "--reason", "Again")
    assert again.exit_code == 1 and "already under a placement stop" in again.output
    assert counts(ctx) == before


def test_visits_lists_the_homes_with_regulation_visits_overdue(cli) -> None:
    run, ctx, ids = cli
    assert "No Regulation 44 or 45 visits overdue." in run("qa", "visits").output
    place(ctx, ids["Cedar View"], "LCC-900001", TODAY - D(30))
    text = run("qa", "visits")
    assert "Cedar View (Leicester City Council), 1 child(ren): Regulation 44 and Regulation 45 overdue" in text.output
    [row] = json.loads(run("qa", "visits", "--json").output)
    assert (row["service_name"], row["reg44_overdue"], row["last_reg44"]) == ("Cedar View", True, None)


def test_bad_filters_are_one_line_each(cli) -> None:
    run, _ctx, _ids = cli
    result = run("qa", "list", "--subject", "service", "--id", "SC999999")
    assert result.exit_code == 1 and "--id: no service 'SC999999'" in result.output
    assert run("qa", "list", "--rag", "pink").exit_code == 2
    assert run("qa", "list", "--kind", "rumour").exit_code == 1
