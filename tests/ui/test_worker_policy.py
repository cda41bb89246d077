"""The one worker policy (ui/base.py): a service that raises inside any kind of worker leaves the app up,
tells the broker what could not be done on the screen they are looking at, stops the loading indicator,
and logs the failure with the case reference only (never the error's message, which may quote a child)."""

from __future__ import annotations

import contextlib
import logging

import pytest
from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from broker_tui.ui.screens.home import HomeScreen
from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
from broker_tui.ui.screens.referrals.list import ReferralListScreen
from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_snapshots import make_referrals

SECRET = "initials QZ, born 02/03/2011"  # what an error's message could quote: never shown, never logged


class Boom(RuntimeError):
    pass


def boom(*_args: object, **_kwargs: object) -> None:
    raise Boom(SECRET)


async def settle(pilot) -> None:
    """Let the workers finish, a failed one included, and the screen repaint."""
    for _ in range(4):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "broker_tui.ui")


@sync
async def test_a_screen_worker_that_raises_leaves_the_app_up_and_says_so(sqlite_ctx, monkeypatch, caplog):
    import broker_tui.ui.screens.referrals.list as referral_list

    monkeypatch.setattr(referral_list, "list_referrals", boom)
    caplog.set_level(logging.ERROR, logger="broker_tui.ui")
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ReferralListScreen)
        assert any(m.startswith("Could not read the referral list: an unexpected problem (Boom)") for m in errors(app))
        assert not app.screen.query_one("#ref-table", DataTable).loading  # not left spinning
        await pilot.press("f2")  # and the app still answers keys
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    log = logged(caplog)
    assert "worker 'page' on ReferralListScreen failed: Boom" in log
    assert SECRET not in log and all(SECRET not in m for m in errors(app))


@sync
async def test_a_failure_on_a_childs_screen_is_logged_with_the_case_reference_only(sqlite_ctx, monkeypatch,
                                                                                   caplog):
    import broker_tui.ui.screens.referrals.detail as detail

    made = make_referrals(sqlite_ctx)
    case_ref, view = next((ref, v) for ref, v in made.items() if v.status == "new")
    caplog.set_level(logging.ERROR, logger="broker_tui.ui")
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_referral(str(view.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferralDetailScreen) and screen.view is not None
        monkeypatch.setattr(detail, "change_status", boom)
        screen._change("searching")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert any(m.startswith("Could not change the referral's status") for m in errors(app))
    log = logged(caplog)
    assert f"worker 'status' on ReferralDetailScreen failed for case {case_ref}: Boom" in log
    assert view.initials not in log and SECRET not in log


@sync
async def test_an_app_worker_that_raises_leaves_the_app_up_and_says_so(sqlite_ctx, monkeypatch, caplog):
    import broker_tui.ui.screens.referrals.detail as detail

    monkeypatch.setattr(detail, "form_support", boom)
    caplog.set_level(logging.ERROR, logger="broker_tui.ui")
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.new_referral()  # reads what the form needs in an app-level worker
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ReferralListScreen)  # no form half-opened
        assert any(m.startswith("Could not open the referral form") for m in errors(app))
    assert "worker 'open-form' on BrokerApp failed: Boom" in logged(caplog)


@sync
async def test_reading_todays_work_ahead_fails_without_ending_the_app(sqlite_ctx, monkeypatch):
    import broker_tui.services.home as home

    monkeypatch.setattr(home, "todays_work", boom)
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert not app.screen.query_one("#home").loading
        assert any(m.startswith("Could not read today's work") for m in errors(app))


@pytest.mark.parametrize("group", ["home-prefetch", "warm-market"])
@sync
async def test_the_apps_own_workers_are_declared_under_the_policy(sqlite_ctx, monkeypatch, group):
    """No raw thread: the app's own work runs in workers with a name, a group and exit_on_error=False."""
    from broker_tui.ui.app import BrokerApp

    started = []
    real = BrokerApp.run_worker

    def spy(self, *args, **kwargs):
        worker = real(self, *args, **kwargs)
        started.append(worker)
        return worker

    monkeypatch.setattr(BrokerApp, "run_worker", spy)
    app = make_app(sqlite_ctx)
    app.warm_after = 0.01
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        await settle(pilot)
    worker = next(w for w in started if w.group == group)
    assert worker.name == group and worker.description and worker.exit_on_error is False
