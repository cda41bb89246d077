"""The approvals matching flags (out of area, distant with the host council told, school years 10-11),
recorded with who and when before the placement starts; what is overdue and what awaits an approver, for
Home. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from broker_tui.domain.clock import Clock
from broker_tui.services.purchases import (
    AmendmentInput,
    SpotRefused,
    add_agreement,
    amend,
    awaiting_approval,
    overdue,
    record_approval,
    required_approvals,
)
from broker_tui.store.tables import Approval
from tests.conftest import TODAY
from tests.services.test_purchases import make_referral, make_service, spot

D = dt.timedelta
BIRMINGHAM, LEICESTERSHIRE, LEICESTER = "E08000025", "E10000018", "E06000016"


def on(ctx, day: dt.date):
    return dataclasses.replace(ctx, clock=Clock(day))


def _bought(ctx, la_code: str, *, year_group: int | None = 9, emergency: bool = False, case_ref: str = "LCC-500001",
            start: dt.date = TODAY + D(7)):
    service = make_service(ctx, f"Home in {la_code}", local_authority_code=la_code,
                           local_authority_name={BIRMINGHAM: "Birmingham", LEICESTERSHIRE: "Leicestershire",
                                                 LEICESTER: "Leicester"}[la_code])
    referral = make_referral(ctx, case_ref, date_of_birth=dt.date(2011, 3, 1), year_group=year_group,
                             emergency=emergency)
    return add_agreement(ctx, spot(service, case_ref="", referral=str(referral.id), start_date=start), submit=True)


def _states(required) -> dict[str, str]:
    return {i.kind: i.state for i in required.items}


def test_a_distant_placement_needs_the_directors_approval_the_host_council_told_and_out_of_area(ctx) -> None:
    added = _bought(ctx, BIRMINGHAM, year_group=10)
    required = required_approvals(ctx, added.id)
    assert required.matching_known and required.host_council == "Birmingham"
    assert _states(required) == {"out_of_area": "due", "distant": "due", "host_council_told": "due",
                                 "school_years_10_11": "due"}
    assert {i.due_on for i in required.items} == {TODAY + D(7)}
    late = on(ctx, TODAY + D(8))
    assert _states(required_approvals(late, added.id)) == {k: "overdue" for k in _states(required)}
    assert {(o.case_ref, o.kind, o.days_overdue) for o in overdue(late)} == {
        ("LCC-500001", k, 1) for k in ("out_of_area", "distant", "host_council_told", "school_years_10_11")}
    assert overdue(ctx) == ()
    done = record_approval(ctx, added.id, "distant", by="Director of Children's Services (A. Khan)",
                           on=TODAY - D(1))
    assert done.flagged and (done.decision, done.decided_on) == ("approved", TODAY - D(1))
    record_approval(ctx, added.id, "host_council_told", reason="Birmingham's LAC team emailed")
    record_approval(ctx, added.id, "out_of_area", by="Nominated officer (J. Reid)")
    record_approval(ctx, added.id, "school_years_10_11", by="Nominated officer (J. Reid)")
    after = required_approvals(late, added.id)
    assert set(_states(after).values()) == {"recorded"}
    distant = next(i for i in after.items if i.kind == "distant")
    assert (distant.decided_by, distant.decided_on, distant.late) == (
        "Director of Children's Services (A. Khan)", TODAY - D(1), False)
    assert overdue(late) == ()
    with ctx.session() as s:
        told = s.scalars(select(Approval).where(Approval.kind == "host_council_told")).one()
        assert (told.decision, told.decided_by, told.agreement_id) == ("told", "test.broker", added.id)


def test_a_neighbouring_council_is_out_of_area_but_not_distant(ctx) -> None:
    added = _bought(ctx, LEICESTERSHIRE)
    assert _states(required_approvals(ctx, added.id)) == {"out_of_area": "due"}
    home = _bought(ctx, LEICESTER, case_ref="LCC-500002")
    assert required_approvals(ctx, home.id).items == ()


def test_in_an_emergency_the_host_council_may_be_told_within_five_working_days(ctx) -> None:
    start = dt.date(2026, 12, 4)  # a Friday: five working days on is Friday 11/12/2026
    added = _bought(ctx, BIRMINGHAM, emergency=True, start=start)
    for day in (start, dt.date(2026, 12, 10), dt.date(2026, 12, 11)):
        items = {i.kind: i for i in required_approvals(on(ctx, day), added.id).items}
        assert items["host_council_told"].due_on == dt.date(2026, 12, 11)
        assert items["host_council_told"].state == "due"
    items = {i.kind: i for i in required_approvals(on(ctx, dt.date(2026, 12, 12)), added.id).items}
    assert items["host_council_told"].state == "overdue" and items["distant"].state == "overdue"
    late = on(ctx, dt.date(2026, 12, 14))
    record_approval(late, added.id, "host_council_told")
    told = next(i for i in required_approvals(late, added.id).items if i.kind == "host_council_told")
    assert told.state == "recorded" and told.late


def test_bad_approval_records_are_refused_by_field_with_nothing_written(ctx) -> None:
    added = _bought(ctx, BIRMINGHAM)
    for kwargs, field in (({"kind": "cost"}, "kind"), ({"kind": "distant", "decision": "told"}, "decision"),
                          ({"kind": "host_council_told", "decision": "approved"}, "decision"),
                          ({"kind": "distant", "decision": "rejected"}, "reason"),
                          ({"kind": "distant", "on": TODAY + D(1)}, "on"),
                          ({"kind": "distant", "on": "not a date"}, "on")):
        kind = kwargs.pop("kind")
        with pytest.raises(SpotRefused) as refused:
            record_approval(ctx, added.id, kind, **kwargs)
        assert field in refused.value.problems, (kwargs, refused.value.problems)
    with ctx.session() as s:
        assert s.scalars(select(Approval)).all() == []
    record_approval(ctx, added.id, "distant", by="Director")
    with pytest.raises(SpotRefused) as twice:
        record_approval(ctx, added.id, "distant", by="Director")
    assert "already recorded" in twice.value.problems["kind"]


def test_without_a_referral_matching_cannot_tell(ctx) -> None:
    service = make_service(ctx, "Far Away", local_authority_code=BIRMINGHAM)
    added = add_agreement(ctx, spot(service), submit=True)
    required = required_approvals(ctx, added.id)
    assert not required.matching_known and "no referral" in required.note and required.items == ()


def test_home_sees_agreements_and_amendments_awaiting_approval(ctx) -> None:
    service = make_service(ctx)
    dear = add_agreement(ctx, spot(service, weekly_price_pence=800_000, core_weekly_pence=800_000), submit=True)
    cheap = add_agreement(ctx, spot(service, case_ref="LCC-200002", start_date=TODAY - D(10)), submit=True)
    amend(ctx, cheap.id, AmendmentInput(kind="price_change", effective_from=TODAY + D(3), reason="More 1:1 hours",
                                        weekly_price_pence=700_000, core_weekly_pence=700_000))
    waiting = awaiting_approval(ctx)
    assert [(w.case_ref, w.what, w.weekly_pence, w.previous_weekly_pence, w.from_date) for w in waiting] == [
        ("LCC-200002", "amendment", 700_000, 600_000, TODAY + D(3)),
        ("LCC-200001", "agreement", 800_000, None, TODAY + D(7))]
    assert {i.kind: i.state for i in required_approvals(on(ctx, TODAY + D(8)), dear.id).items} == {"cost": "overdue"}
