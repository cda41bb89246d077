"""Reading the audit trail: filters by record (an id, its start, or a case reference: every record about
the child; or an id's last 8 characters), entity, user and date; newest first, a page at a time; exports withhold initials and birth dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from broker_tui.cli import main
from broker_tui.services.audit import AuditQuery, AuditQueryError, audit_page, export_rows, parse_query
from broker_tui.services.outreach import OfferInput, record_offer, send_referral
from broker_tui.services.referrals import withdraw
from tests.conftest import TODAY
from tests.services.test_outreach import world  # noqa: F401 (the fixture)

D = dt.timedelta


def _acts(ctx, view, ids):
    send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY + D(3))
    other = dataclasses.replace(ctx, acting_as="a.colleague")
    record_offer(other, view.id, ids["Ashfield House"], OfferInput(
        weekly_price_pence=560_000, core_weekly_pence=560_000, start_date=TODAY + D(7), valid_until=TODAY + D(14)))
    withdraw(ctx, view.case_ref, "the child's plan changed")


def test_a_case_reference_finds_every_record_about_the_child_newest_first(world) -> None:  # noqa: F811
    ctx, view, ids = world
    _acts(ctx, view, ids)
    rows = audit_page(ctx, AuditQuery(record=view.case_ref)).rows
    assert {r.entity for r in rows} == {"referral", "referral_sent", "offer"}
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert rows[0].action == "status" and rows[0].changes["status"][1] in ("withdrawn", "not_taken")
    assert all(view.case_ref != r.entity_id for r in rows)  # ids, resolved from the case reference
    unrelated = audit_page(ctx, AuditQuery(record="LCC-999999")).rows
    assert unrelated == []


def test_user_entity_and_record_prefix_filters(world) -> None:  # noqa: F811
    ctx, view, ids = world
    _acts(ctx, view, ids)
    theirs = audit_page(ctx, AuditQuery(user="a.colleague")).rows
    assert theirs and {r.actor for r in theirs} == {"a.colleague"}
    assert {(r.entity, r.action) for r in theirs} == {("offer", "create"), ("referral", "status")}
    offers = audit_page(ctx, AuditQuery(record=view.case_ref, entity="offer", user="test.broker")).rows
    assert offers and {r.entity for r in offers} == {"offer"} and {r.action for r in offers} == {"status"}
    one = theirs[0].entity_id
    by_tail = audit_page(ctx, AuditQuery(record=one[-8:])).rows  # ids begin with the time: the tail tells them apart
    assert by_tail and {r.entity_id for r in by_tail} == {one}


def test_dates_bound_the_trail_and_pages_follow_on(world) -> None:  # noqa: F811
    ctx, view, ids = world
    _acts(ctx, view, ids)
    today = TODAY  # events are stamped by the app's clock (fixed in tests)
    assert audit_page(ctx, AuditQuery(since=today + D(1))).rows == []
    assert audit_page(ctx, AuditQuery(until=today - D(1))).rows == []
    everything = audit_page(ctx, AuditQuery(since=today, until=today), size=10_000).rows
    first = audit_page(ctx, AuditQuery(), size=3)
    second = audit_page(ctx, AuditQuery(), offset=first.next_offset or 0, size=3)
    assert [r.id for r in first.rows + second.rows] == [r.id for r in everything[:6]]


def test_bad_filters_are_named() -> None:
    with pytest.raises(AuditQueryError) as caught:
        parse_query(since="31/02/2026", until="yesterday", entity="Robert'); DROP")
    assert set(caught.value.problems) == {"since", "until", "entity"}
    with pytest.raises(AuditQueryError, match="on or after"):
        parse_query(since="2026-12-02", until="01/12/2026")


def test_exports_withhold_initials_and_dates_of_birth(world, tmp_path) -> None:  # noqa: F811
    ctx, view, ids = world
    rows = export_rows(audit_page(ctx, AuditQuery(record=view.case_ref, entity="referral")).rows)
    created = next(r for r in rows if r["action"] == "create")
    assert created["changes"]["initials"] == ["(withheld)", "(withheld)"] or \
        created["changes"]["initials"][1] == "(withheld)"
    text = json.dumps(rows)
    assert view.initials not in text.replace("(withheld)", "")
    db = str(ctx.location.path) if ctx.location.path else ctx.location.url
    result = CliRunner().invoke(main, ["--db", db, "--today", TODAY.isoformat(), "audit", "--record", view.case_ref,
                                       "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed and all(r["record"] for r in printed) and "(withheld)" in result.output
    assert f'"{view.initials}"' not in result.output
    bad = CliRunner().invoke(main, ["--db", db, "audit", "--since", "32/13/2026"])
    assert bad.exit_code == 2 and "--since" in bad.output and "Traceback" not in bad.output


def test_values_are_shown_uk_style_and_nothing_as_a_dash() -> None:
    from broker_tui.services.audit import display_value

    assert display_value("2026-07-15") == "15/07/2026"
    assert display_value("2026-12-04T18:34:31.123+00:00") == "04/12/2026 18:34"
    assert display_value(None) == display_value("") == "—"
    assert display_value(560000) == "560000" and display_value("LCC-300001") == "LCC-300001"
