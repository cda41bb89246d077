"""Spot agreements (IPAs): recording, submitting, approving, rejecting, cancelling and amending, with costs
to the penny; every bad request refused by field with nothing written. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, select

from broker_tui.services.purchases import (
    AmendmentInput,
    SpotInput,
    SpotRefused,
    add_agreement,
    amend,
    approve,
    approve_amendment,
    cancel,
    list_agreements,
    reject,
    reject_amendment,
    show_agreement,
    submit,
)
from broker_tui.store.tables import (
    Approval,
    AuditEvent,
    Placement,
    PriceList,
    Provider,
    Referral,
    Service,
    SpotAgreement,
    SpotAmendment,
)
from tests.conftest import TODAY

D = dt.timedelta
TABLES = (SpotAgreement, SpotAmendment, Placement, Approval)


def make_service(ctx, name: str = "Oakfield House", **more: Any) -> Service:
    with ctx.session() as s:
        provider = Provider(name=f"{name} Ltd", sector="private")
        s.add(provider)
        s.flush()
        service = Service(provider_id=provider.id, name=name, service_type="childrens_home_external",
                          sector="private", sort_name=name.lower(), search_text=name.lower(), **more)
        s.add(service)
    return service


def make_referral(ctx, case_ref: str = "LCC-200001", *, date_of_birth: dt.date | None = dt.date(2010, 6, 15),
                  **more: Any) -> Referral:
    with ctx.session() as s:
        row = Referral(case_ref=case_ref, initials="AB", date_received=TODAY - D(20), needed_by=TODAY + D(5),
                       date_of_birth=date_of_birth, status="placement_agreed", **more)
        s.add(row)
    return row


def counts(ctx) -> dict[str, int]:
    with ctx.session() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in (*TABLES, AuditEvent)}


def spot(svc: Service, /, **over: Any) -> SpotInput:
    values: dict[str, Any] = {"case_ref": "LCC-200001", "service": str(svc.id), "start_date": TODAY + D(7),
                              "planned_end": TODAY + D(372), "weekly_price_pence": 600_000, "core_weekly_pence": 600_000,
                              "cost_centre": "CC-4410", "purchasing_route": "spot",
                              "route_reason": "No framework provider could meet the child's needs"}
    values.update(over)
    return SpotInput(**values)


def as_person(ctx, who: str, approvers: tuple[tuple[str, int], ...] | None = None):
    settings = ctx.settings if approvers is None else dataclasses.replace(ctx.settings, approvers=approvers)
    return dataclasses.replace(ctx, acting_as=who, settings=settings)


APPROVERS = (("m.manager", 1_500_000), ("j.junior", 800_000), ("test.broker", 9_000_000))


@pytest.fixture
def service(ctx) -> Service:
    return make_service(ctx)


# ------------------------------------------------------------------------------------------------ recording

def test_an_agreement_is_written_with_its_first_amendment_and_its_placement_in_one_go(ctx, service) -> None:
    added = add_agreement(ctx, spot(service, one_to_one_hours="10.5", one_to_one_hourly_pence=2_501,
                                    weekly_price_pence=626_261, core_weekly_pence=600_000,
                                    social_care_pct=70, education_pct=20, health_pct=10))
    assert added.status == "draft" and added.weekly_pence == 626_261 and added.approval_reasons == ()
    with ctx.session() as s:
        agreement = s.get_one(SpotAgreement, added.id)
        assert (agreement.status, agreement.recorded_by, agreement.cost_centre) == ("draft", "test.broker", "CC-4410")
        (first,) = s.scalars(select(SpotAmendment).where(SpotAmendment.agreement_id == added.id)).all()
        # 10.5 hours (630 minutes) at £25.01 = £262.605, rounded half up once to £262.61
        assert (first.kind, first.effective_from, first.one_to_one_minutes, first.staffing_weekly_pence) == (
            "as_made", TODAY + D(7), 630, 26_261)
        assert (first.social_care_pct, first.education_pct, first.health_pct, first.created_by) == (70, 20, 10,
                                                                                                   "test.broker")
        placement = s.get_one(Placement, added.placement_id)
        assert (placement.spot_agreement_id, placement.case_ref, placement.start_date, placement.end_date) == (
            added.id, "LCC-200001", TODAY + D(7), TODAY + D(372))
        events = {(e.entity, e.action, e.actor) for e in s.scalars(select(AuditEvent))}
    assert {("spot_agreement", "create", "test.broker"), ("spot_amendment", "create", "test.broker"),
            ("placement", "create", "test.broker")} <= events


def test_submitting_makes_it_active_below_the_threshold_and_awaiting_approval_above(ctx, service) -> None:
    cheap = add_agreement(ctx, spot(service))
    assert submit(ctx, cheap.id).status == "active"
    dear = add_agreement(ctx, spot(service, case_ref="LCC-200002", weekly_price_pence=900_000,
                                   core_weekly_pence=900_000))
    changed = submit(ctx, dear.id)
    assert changed.status == "awaiting_approval" and "above the £7,500.00 threshold" in changed.message
    with pytest.raises(SpotRefused) as refused:
        submit(ctx, dear.id)
    assert "only a draft" in refused.value.problems["status"]
    direct = add_agreement(ctx, spot(service, case_ref="LCC-200003", weekly_price_pence=750_000,
                                     core_weekly_pence=750_000), submit=True)
    assert direct.status == "active"  # equal to the threshold is not above it


# ------------------------------------------------------------------------------------------------ bad input

@pytest.mark.parametrize(("over", "fields"), [
    ({"weekly_price_pence": -5}, {"weekly_price_pence"}),
    ({"core_weekly_pence": "-£10"}, {"core_weekly_pence"}),
    ({"planned_end": TODAY + D(7)}, {"planned_end"}),
    ({"planned_end": TODAY}, {"planned_end"}),
    ({"social_care_pct": 70, "education_pct": 20}, {"funding"}),
    ({"social_care_pct": 101, "education_pct": 0}, {"social_care_pct"}),
    ({"core_weekly_pence": 590_000}, {"weekly_price_pence"}),
    ({"other_weekly_pence": 10_000, "core_weekly_pence": 590_000}, {"other_text"}),
    ({"one_to_one_hours": "10", "one_to_one_hourly_pence": 0}, {"one_to_one_hourly_pence"}),
    ({"one_to_one_hours": "-3"}, {"one_to_one_hours"}),
    ({"purchasing_route": "framework", "route_reason": ""}, {"framework_name", "framework_lot"}),
    ({"purchasing_route": "block"}, {"purchasing_route"}),
    ({"route_reason": ""}, {"route_reason"}),
    ({"cost_centre": ""}, {"cost_centre"}),
    ({"start_date": "31/02/2027"}, {"start_date"}),
    ({"overlap_kind": "retainer"}, {"overlap_reason"}),
    ({"service": "no-such-urn"}, {"service"}),
    ({"case_ref": ""}, {"case_ref"}),
])
def test_bad_input_is_refused_by_field_with_nothing_written(ctx, service, over, fields) -> None:
    before = counts(ctx)
    with pytest.raises(SpotRefused) as refused:
        add_agreement(ctx, spot(service, **over))
    assert fields <= set(refused.value.problems), refused.value.problems
    assert counts(ctx) == before


def test_every_problem_is_reported_at_once(ctx, service) -> None:
    with pytest.raises(SpotRefused) as refused:
        add_agreement(ctx, spot(service, weekly_price_pence=-1, planned_end=TODAY, social_care_pct=50,
                                cost_centre="", route_reason=""))
    assert {"weekly_price_pence", "planned_end", "funding", "cost_centre", "route_reason"} <= set(refused.value.problems)


def test_a_child_cannot_hold_two_placements_a_night_unless_a_retainer_with_a_reason(ctx, service) -> None:
    add_agreement(ctx, spot(service), submit=True)
    other = make_service(ctx, "Beech Lodge")
    before = counts(ctx)
    with pytest.raises(SpotRefused) as refused:
        add_agreement(ctx, spot(other, start_date=TODAY + D(100), planned_end=None))
    assert "two placements at once" in refused.value.problems["start_date"]
    assert counts(ctx) == before
    # the night the first one ends is free (half-open nights)
    add_agreement(ctx, spot(other, start_date=TODAY + D(372), planned_end=None))
    retainer = add_agreement(ctx, spot(other, start_date=TODAY + D(30), planned_end=TODAY + D(60),
                                       overlap_kind="retainer", overlap_reason="In hospital; the home keeps her room"))
    assert retainer.status == "draft"


def test_a_price_above_the_service_list_rate_asks_why(ctx, service) -> None:
    with ctx.session() as s:
        s.add(PriceList(service_id=service.id, valid_from=TODAY - D(400), core_weekly_pence=500_000,
                        annual_uplift_bp=300))
    framework = {"purchasing_route": "framework", "framework_name": "East Midlands Residential", "framework_lot": "2",
                 "route_reason": ""}
    with pytest.raises(SpotRefused) as refused:
        add_agreement(ctx, spot(service, **framework))
    # the list's £5,000.00 a year on (3% uplift) is £5,150.00: £6,000.00 is above it
    assert "above the service's rate of £5,150.00" in refused.value.problems["route_reason"]
    add_agreement(ctx, spot(service, **{**framework, "route_reason": "Solo placement negotiated"}))
    add_agreement(ctx, spot(service, case_ref="LCC-200009", weekly_price_pence=515_000, core_weekly_pence=515_000,
                            **framework))


# --------------------------------------------------------------------------------------------------- approval

def test_the_recorder_cannot_approve_their_own_and_an_approver_above_their_limit_is_refused(ctx, service) -> None:
    added = add_agreement(ctx, spot(service, weekly_price_pence=900_000, core_weekly_pence=900_000), submit=True)
    before = counts(ctx)
    with pytest.raises(SpotRefused) as own:
        approve(as_person(ctx, "test.broker", APPROVERS), added.id)
    assert "cannot approve their own" in own.value.problems["approver"]
    with pytest.raises(SpotRefused) as over:
        approve(as_person(ctx, "J.Junior", APPROVERS), added.id)
    assert "up to £8,000.00 a week" in over.value.problems["approver"]
    with pytest.raises(SpotRefused) as stranger:
        approve(as_person(ctx, "someone.else", APPROVERS), added.id)
    assert "not on the list of approvers" in stranger.value.problems["approver"]
    assert counts(ctx) == before
    done = approve(as_person(ctx, "m.manager", APPROVERS), added.id, note="Solo placement agreed at panel")
    assert done.status == "active"
    with ctx.session() as s:
        (row,) = s.scalars(select(Approval)).all()
        assert (row.kind, row.decision, row.decided_by, row.decided_on, row.weekly_pence, row.amendment_id) == (
            "cost", "approved", "m.manager", TODAY, 900_000, None)
        assert s.get_one(SpotAgreement, added.id).status == "active"
        actions = {(e.entity, e.action, e.actor) for e in s.scalars(select(AuditEvent))}
    assert ("spot_agreement", "approve", "m.manager") in actions
    detail = show_agreement(ctx, added.id)
    assert (detail.versions[0].state, detail.versions[0].decided_by) == ("approved", "m.manager")


def test_only_an_agreement_awaiting_approval_is_approved(ctx, service) -> None:
    draft = add_agreement(ctx, spot(service, weekly_price_pence=900_000, core_weekly_pence=900_000))
    with pytest.raises(SpotRefused) as refused:
        approve(as_person(ctx, "m.manager", APPROVERS), draft.id)
    assert "submit it first" in refused.value.problems["status"]


def test_rejecting_needs_a_reason_and_frees_the_childs_nights(ctx, service) -> None:
    added = add_agreement(ctx, spot(service, weekly_price_pence=900_000, core_weekly_pence=900_000), submit=True)
    manager = as_person(ctx, "m.manager", APPROVERS)
    before = counts(ctx)
    with pytest.raises(SpotRefused) as refused:
        reject(manager, added.id, "  ")
    assert "say why" in refused.value.problems["reason"]
    assert counts(ctx) == before
    done = reject(manager, added.id, "Too dear: look for a framework home")
    assert done.status == "rejected" and "nights are free" in done.message
    with ctx.session() as s:
        row = s.get_one(SpotAgreement, added.id)
        assert (row.status, row.status_reason) == ("rejected", "Too dear: look for a framework home")
        assert s.get(Placement, added.placement_id) is None
        (decision,) = s.scalars(select(Approval)).all()
        assert (decision.decision, decision.reason) == ("rejected", "Too dear: look for a framework home")
        removed = s.scalars(select(AuditEvent).where(AuditEvent.entity == "placement",
                                                     AuditEvent.action == "reject")).one()
        assert removed.before["case_ref"] == "LCC-200001" and "case_ref" not in (removed.after or {})
    add_agreement(ctx, spot(make_service(ctx, "Elm House")))  # the same nights, bought elsewhere


def test_cancel_needs_a_reason_and_only_before_the_start(ctx, service) -> None:
    added = add_agreement(ctx, spot(service), submit=True)
    with pytest.raises(SpotRefused) as refused:
        cancel(ctx, added.id, "")
    assert "say why" in refused.value.problems["reason"]
    done = cancel(ctx, added.id, "The child's plan changed: staying with family")
    assert done.status == "cancelled"
    with ctx.session() as s:
        assert s.get(Placement, added.placement_id) is None
        actions = {(e.entity, e.action) for e in s.scalars(select(AuditEvent))}
    assert {("placement", "cancel"), ("spot_agreement", "cancel")} <= actions
    with pytest.raises(SpotRefused) as again:
        cancel(ctx, added.id, "twice")
    assert "nothing to cancel" in again.value.problems["status"]
    started = add_agreement(ctx, spot(service, case_ref="LCC-200002", start_date=TODAY - D(3)), submit=True)
    with pytest.raises(SpotRefused) as late:
        cancel(ctx, started.id, "changed our minds")
    assert "end the placement instead" in late.value.problems["status"]


# ------------------------------------------------------------------------------------------------- amendments

def _active(ctx, service, weekly: int = 600_000, **over: Any):
    return add_agreement(ctx, spot(service, weekly_price_pence=weekly, core_weekly_pence=weekly,
                                   start_date=TODAY - D(30), **over), submit=True)


def test_a_raise_within_the_allowed_percentage_counts_from_its_date(ctx, service) -> None:
    added = _active(ctx, service)
    made = amend(ctx, added.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(10), uplift_bp=350))
    assert (made.state, made.weekly_pence, made.previous_weekly_pence) == ("in_force", 621_000, 600_000)
    detail = show_agreement(ctx, added.id, on=TODAY + D(10))
    assert detail.projections is not None and detail.projections.weekly["total"] == 621_000
    assert [v.state for v in detail.versions] == ["in_force", "in_force"]
    assert detail.versions[1].reason == "Annual uplift 3.5%"


def test_a_raise_above_five_percent_waits_for_approval_and_the_old_price_holds(ctx, service) -> None:
    added = _active(ctx, service)
    made = amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="2:1 at night",
                                               weekly_price_pence=660_000, core_weekly_pence=600_000,
                                               two_to_one_minutes=1_200, two_to_one_hourly_pence=3_000))
    assert made.state == "awaiting_approval" and "by 10%" in made.reasons[0]
    detail = show_agreement(ctx, added.id)
    assert detail.projections is not None and detail.projections.weekly["total"] == 600_000
    assert detail.pending_amendment_id == made.id and detail.versions[1].state == "awaiting_approval"
    listed = list_agreements(ctx, awaiting_approval=True)
    assert [r.id for r in listed.rows] == [added.id] and listed.rows[0].weekly_now_pence == 600_000
    with pytest.raises(SpotRefused) as blocked:
        amend(ctx, added.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(5), uplift_bp=100))
    assert "awaits approval" in blocked.value.problems["status"]
    with pytest.raises(SpotRefused) as own:
        approve_amendment(as_person(ctx, "test.broker", APPROVERS), added.id)
    assert "cannot approve their own" in own.value.problems["approver"]
    approve_amendment(as_person(ctx, "m.manager", APPROVERS), added.id, amendment=made.id)
    detail = show_agreement(ctx, added.id)
    assert detail.projections is not None and detail.projections.weekly["total"] == 660_000
    assert (detail.versions[1].state, detail.versions[1].decided_by) == ("approved", "m.manager")
    assert list_agreements(ctx, awaiting_approval=True).rows == ()
    with ctx.session() as s:
        row = s.scalars(select(Approval).where(Approval.amendment_id == made.id)).one()
        assert (row.decision, row.weekly_pence, row.agreement_id) == ("approved", 660_000, added.id)


def test_a_rejected_amendment_never_counts(ctx, service) -> None:
    added = _active(ctx, service, weekly=700_000)
    made = amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="More staff",
                                               weekly_price_pence=760_000, core_weekly_pence=760_000))
    assert "above the £7,500.00 threshold" in made.reasons[0]
    manager = as_person(ctx, "m.manager", APPROVERS)
    with pytest.raises(SpotRefused) as refused:
        reject_amendment(manager, added.id, "")
    assert "reason" in refused.value.problems
    reject_amendment(manager, added.id, "Not agreed with the provider")
    detail = show_agreement(ctx, added.id)
    assert detail.versions[1].state == "rejected" and detail.pending_amendment_id is None
    assert detail.projections is not None and detail.projections.weekly["total"] == 700_000
    amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="Less staff",
                                        weekly_price_pence=650_000, core_weekly_pence=650_000))
    assert show_agreement(ctx, added.id).projections.weekly["total"] == 650_000  # type: ignore[union-attr]


def test_an_extension_moves_the_planned_end_and_the_placement_and_checks_the_nights(ctx, service) -> None:
    added = _active(ctx, service, planned_end=TODAY + D(60))
    next_home = add_agreement(ctx, spot(make_service(ctx, "Ash Court"), start_date=TODAY + D(90), planned_end=None))
    with pytest.raises(SpotRefused) as clash:
        amend(ctx, added.id, AmendmentInput(kind="extension", effective_from=TODAY + D(1), planned_end=TODAY + D(120)))
    assert "two placements at once" in clash.value.problems["planned_end"]
    made = amend(ctx, added.id, AmendmentInput(kind="extension", effective_from=TODAY + D(1), planned_end=TODAY + D(90),
                                               reason="Until the move to Ash Court"))
    assert made.state == "in_force"
    with ctx.session() as s:
        assert s.get_one(SpotAgreement, added.id).planned_end == TODAY + D(90)
        assert s.get_one(Placement, added.placement_id).end_date == TODAY + D(90)
    assert next_home.status == "draft"


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "price_change", "effective_from": TODAY - D(31), "weekly_price_pence": 610_000,
      "core_weekly_pence": 610_000, "reason": "x"}, "effective_from"),
    ({"kind": "price_change", "effective_from": TODAY, "weekly_price_pence": 610_000, "core_weekly_pence": 600_000,
      "reason": "x"}, "weekly_price_pence"),
    ({"kind": "price_change", "effective_from": TODAY, "weekly_price_pence": -1, "core_weekly_pence": 0,
      "reason": "x"}, "weekly_price_pence"),
    ({"kind": "price_change", "effective_from": TODAY, "weekly_price_pence": 610_000, "core_weekly_pence": 610_000},
     "reason"),
    ({"kind": "price_change", "effective_from": TODAY, "social_care_pct": 60, "education_pct": 30, "reason": "x"},
     "funding"),
    ({"kind": "uplift", "effective_from": TODAY, "uplift_bp": 0}, "uplift_bp"),
    ({"kind": "extension", "effective_from": TODAY, "planned_end": TODAY + D(100)}, "planned_end"),
    ({"kind": "planned_end", "effective_from": TODAY, "planned_end": TODAY}, "planned_end"),
    ({"kind": "price_change", "effective_from": TODAY + D(400), "weekly_price_pence": 610_000,
      "core_weekly_pence": 610_000, "reason": "x"}, "effective_from"),
    ({"kind": "renegotiate", "effective_from": TODAY}, "kind"),
])
def test_a_bad_amendment_is_refused_by_field_with_nothing_written(ctx, service, data, field) -> None:
    added = _active(ctx, service, planned_end=TODAY + D(200))
    before = counts(ctx)
    with pytest.raises(SpotRefused) as refused:
        amend(ctx, added.id, data)
    assert field in refused.value.problems, refused.value.problems
    assert counts(ctx) == before


def test_an_ended_cancelled_or_rejected_agreement_is_not_amended(ctx, service) -> None:
    from broker_tui.services.placements import end_placement

    added = _active(ctx, service)
    end_placement(ctx, added.placement_id, end_date=TODAY + D(2), reason_place_change="CARPL")
    before = counts(ctx)
    with pytest.raises(SpotRefused) as refused:
        amend(ctx, added.id, AmendmentInput(kind="uplift", effective_from=TODAY, uplift_bp=200))
    assert "ended: it cannot be amended" in refused.value.problems["status"]
    assert counts(ctx) == before
    draft = add_agreement(ctx, spot(service, case_ref="LCC-200005"))
    cancel(ctx, draft.id, "Not needed")
    with pytest.raises(SpotRefused) as cancelled:
        amend(ctx, draft.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(8), uplift_bp=200))
    assert "cancelled" in cancelled.value.problems["status"]


# ---------------------------------------------------------------------------------------------- costs, known answers

def _exact(nights_and_weekly: list[tuple[int, int]]) -> int:
    """The cost rule, independently: the sum over nights of weekly / 7, exact, rounded half up once."""
    exact = sum(Fraction(n * w, 7) for n, w in nights_and_weekly)
    whole, rest = divmod(exact.numerator, exact.denominator)
    return whole + (1 if Fraction(rest, exact.denominator) >= Fraction(1, 2) else 0)


def test_costs_across_an_uplift_and_a_financial_year_end(ctx, service) -> None:
    referral = make_referral(ctx, date_of_birth=dt.date(2008, 3, 1))  # 18 on 01/03/2026: already past
    referral_2 = make_referral(ctx, "LCC-200077", date_of_birth=dt.date(2011, 1, 10))
    added = add_agreement(ctx, spot(service, case_ref="", referral=str(referral_2.id), start_date=dt.date(2026, 10, 1),
                                    planned_end=dt.date(2027, 10, 1), weekly_price_pence=700_001,
                                    core_weekly_pence=700_001), submit=True)
    amend(ctx, added.id, AmendmentInput(kind="uplift", effective_from=dt.date(2027, 4, 1), uplift_bp=350))
    detail = show_agreement(ctx, added.id)  # on 01/12/2026
    p = detail.projections
    assert p is not None
    uplifted = 724_501  # 700,001 x 1.035 = 724,501.035, half up
    assert p.weekly["total"] == 700_001
    # FY 2026-27: 182 nights from 01/10/2026 to 01/04/2027, all at the first price
    assert (p.financial_year.start, p.financial_year.end, p.financial_year.nights) == (
        dt.date(2026, 10, 1), dt.date(2027, 4, 1), 182)
    assert p.financial_year.pence == _exact([(182, 700_001)]) == 18_200_026
    # a full year from today: 121 nights at the first price, 244 after the uplift (2027 has 365 nights)
    assert p.full_year.nights == 365 and p.full_year.pence == _exact([(121, 700_001), (244, uplifted)]) == 37_354_052
    # to the planned end: 121 + 183 nights
    assert p.to_end is not None and p.to_end.until == "planned end"
    assert p.to_end.pence == _exact([(121, 700_001), (183, uplifted)]) == 31_040_543
    assert p.financial_year.social_care + p.financial_year.education + p.financial_year.health == 18_200_026
    assert referral.case_ref == "LCC-200001"


def test_a_leap_year_counts_366_nights_and_the_18th_birthday_ends_the_cost(ctx, service) -> None:
    referral = make_referral(ctx, "LCC-200088", date_of_birth=dt.date(2010, 6, 15))  # 18 on 15/06/2028
    added = add_agreement(ctx, spot(service, case_ref="", referral=str(referral.id), start_date=dt.date(2027, 9, 1),
                                    planned_end=dt.date(2028, 9, 1), weekly_price_pence=100_000,
                                    core_weekly_pence=100_000, social_care_pct=70, education_pct=20, health_pct=10),
                          submit=True)
    p = show_agreement(ctx, added.id, on=dt.date(2028, 2, 1)).projections
    assert p is not None
    assert p.financial_year.nights == 213 and p.financial_year.pence == 3_042_857  # 21,300,000 / 7 = 3,042,857.14
    assert p.full_year.nights == 366 and p.full_year.pence == 5_228_571  # 36,600,000 / 7 = 5,228,571.43
    assert p.to_end is not None and (p.to_end.until, p.to_end.end, p.to_end.nights) == (
        "18th birthday", dt.date(2028, 6, 15), 135)
    assert p.to_end.pence == 1_928_571
    # split by largest remainder: 70/20/10 of 3,042,857 is 2,129,999.9 / 608,571.4 / 304,285.7
    f = p.financial_year
    assert (f.social_care, f.education, f.health) == (2_130_000, 608_571, 304_286)
    assert p.weekly == {"total": 100_000, "social_care": 70_000, "education": 20_000, "health": 10_000}


def test_without_a_referral_the_projection_says_the_birthday_is_unknown(ctx, service) -> None:
    added = add_agreement(ctx, spot(service, planned_end=None), submit=True)
    p = show_agreement(ctx, added.id).projections
    assert p is not None and p.to_end is None
    assert any("no referral" in n for n in p.notes)


# -------------------------------------------------------------------------------------------------- the list

def test_the_list_filters_and_pages(ctx, service) -> None:
    other = make_service(ctx, "Willow Court")
    a = add_agreement(ctx, spot(service, case_ref="LCC-300001", start_date=TODAY - D(10), planned_end=TODAY + D(20)),
                      submit=True)
    b = add_agreement(ctx, spot(other, case_ref="LCC-300002", weekly_price_pence=800_000,
                                core_weekly_pence=800_000), submit=True)
    c = add_agreement(ctx, spot(other, case_ref="LCC-300003", start_date=TODAY + D(1)))
    page = list_agreements(ctx)
    assert page.total == 3 and [r.id for r in page.rows] == [b.id, c.id, a.id]
    first = page.rows[2]
    assert (first.case_ref, first.service_name, first.provider_name, first.status, first.weekly_now_pence) == (
        "LCC-300001", "Oakfield House", "Oakfield House Ltd", "active", 600_000)
    assert page.rows[0].weekly_now_pence == 0 and page.rows[0].weekly_price_pence == 800_000  # not started yet
    assert [r.id for r in list_agreements(ctx, status="draft").rows] == [c.id]
    assert [r.id for r in list_agreements(ctx, awaiting_approval=True).rows] == [b.id]
    assert [r.id for r in list_agreements(ctx, ending_within_days=30).rows] == [a.id]
    assert [r.id for r in list_agreements(ctx, text="willow").rows] == [b.id, c.id]
    assert [r.id for r in list_agreements(ctx, text="300001").rows] == [a.id]
    second = list_agreements(ctx, page=1, page_size=2)
    assert second.total == 3 and second.pages == 2 and [r.id for r in second.rows] == [a.id]


def test_after_a_rejection_the_next_raise_is_judged_against_the_price_still_in_force(ctx, service) -> None:
    added = _active(ctx, service, weekly=700_000)
    amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="More staff",
                                        weekly_price_pence=800_000, core_weekly_pence=800_000))
    reject_amendment(as_person(ctx, "m.manager", APPROVERS), added.id, "No")
    # £7,400 is 5.72% over the £7,000 still in force (not a cut from the rejected £8,000): it waits
    made = amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="Some more staff",
                                               weekly_price_pence=740_000, core_weekly_pence=740_000))
    assert made.state == "awaiting_approval" and made.previous_weekly_pence == 700_000
    assert [r.id for r in list_agreements(ctx, awaiting_approval=True).rows] == [added.id]
    backdated = _active(ctx, make_service(ctx, "Yew House"), case_ref="LCC-200010", weekly=700_000)
    amend(ctx, backdated.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(30), uplift_bp=400))
    # dated before the uplift, this 5% raise is judged against the £7,000 in force then: no approval needed
    early = amend(ctx, backdated.id, AmendmentInput(kind="price_change", effective_from=TODAY - D(5), reason="x",
                                                    weekly_price_pence=735_000, core_weekly_pence=735_000))
    assert early.state == "in_force"
    assert [r.id for r in list_agreements(ctx, awaiting_approval=True).rows] == [added.id]
