"""Whether an amendment (or an agreement as made) needs an approver is a fact of the moment it was written:
the reasons are kept in its row (spot_amendment.approval_reasons), and changing the settings later (the
high-cost threshold, the raise percentage) neither makes a waiting raise count with nobody deciding nor
pulls back one long in force. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from broker_tui.services.purchases import (
    AmendmentInput,
    add_agreement,
    amend,
    approve_amendment,
    awaiting_approval,
    list_agreements,
    required_approvals,
    show_agreement,
    submit,
)
from broker_tui.store.tables import SpotAmendment
from tests.conftest import TODAY
from tests.services.test_purchases import APPROVERS, as_person, make_service, spot

D = dt.timedelta


def lenient(ctx):
    """The settings changed after the fact: no raise and no price needs an approver any more."""
    return dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, raise_basis_points=5000,
                                                                 high_cost_threshold_pence=10**9))


def strict(ctx):
    """The settings changed after the fact: any raise of more than 1%, or any price above £1,000, needs one."""
    return dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, raise_basis_points=100,
                                                                 high_cost_threshold_pence=100_000))


def _active(ctx, weekly: int = 600_000):
    service = make_service(ctx)
    return add_agreement(ctx, spot(service, weekly_price_pence=weekly, core_weekly_pence=weekly,
                                   start_date=TODAY - D(30)), submit=True)


def _kept(ctx, amendment_id) -> list[str]:
    with ctx.session() as s:
        return s.get_one(SpotAmendment, amendment_id).approval_reasons


def test_a_raise_waiting_for_an_approver_still_waits_when_the_settings_stop_asking(ctx) -> None:
    added = _active(ctx)
    made = amend(ctx, added.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="More staff",
                                               weekly_price_pence=660_000, core_weekly_pence=660_000))
    assert made.state == "awaiting_approval" and "by 10%" in made.reasons[0]
    assert _kept(ctx, made.id) == list(made.reasons)
    later = lenient(ctx)  # nobody approved anything; the settings no longer ask for approval
    detail = show_agreement(later, added.id)
    assert detail.pending_amendment_id == made.id and detail.versions[1].state == "awaiting_approval"
    assert detail.projections is not None and detail.projections.weekly["total"] == 600_000  # the old price holds
    assert [r.id for r in list_agreements(later, awaiting_approval=True).rows] == [added.id]
    assert [(w.agreement_id, w.amendment_id) for w in awaiting_approval(later)] == [(added.id, made.id)]
    # an approver still decides it, and only then does the new price count
    approve_amendment(as_person(later, "m.manager", APPROVERS), added.id, amendment=made.id)
    after = show_agreement(later, added.id)
    assert after.versions[1].state == "approved" and after.pending_amendment_id is None
    assert after.projections is not None and after.projections.weekly["total"] == 660_000


def test_a_raise_in_force_is_not_pulled_back_when_the_settings_ask_more(ctx) -> None:
    added = _active(ctx)
    made = amend(ctx, added.id, AmendmentInput(kind="uplift", effective_from=TODAY, uplift_bp=350))
    assert (made.state, made.reasons, made.weekly_pence) == ("in_force", (), 621_000)
    assert _kept(ctx, made.id) == []
    later = strict(ctx)  # 3.5% is now above the allowed 1%, and £6,210 above a £1,000 threshold
    detail = show_agreement(later, added.id)
    assert detail.pending_amendment_id is None and detail.versions[1].state == "in_force"
    assert detail.projections is not None and detail.projections.weekly["total"] == 621_000
    assert list_agreements(later, awaiting_approval=True).rows == ()
    assert awaiting_approval(later) == ()
    # and the next amendment is judged by the settings of its own moment (no "awaits approval" block)
    nxt = amend(later, added.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(7), uplift_bp=200))
    assert nxt.state == "awaiting_approval" and any("1%" in r for r in nxt.reasons)


def test_an_agreement_as_made_keeps_its_judgement_for_submitting_and_for_its_approvals(ctx) -> None:
    service = make_service(ctx)
    cheap = add_agreement(ctx, spot(service, case_ref="LCC-200011"))  # £6,000: under the £7,500 threshold
    dear = add_agreement(ctx, spot(service, case_ref="LCC-200012", weekly_price_pence=900_000,
                                   core_weekly_pence=900_000))
    with ctx.session() as s:
        firsts = {row.agreement_id: row.approval_reasons for row in s.scalars(select(SpotAmendment))}
    assert firsts[cheap.id] == [] and "above the £7,500.00 threshold" in firsts[dear.id][0]
    assert submit(strict(ctx), cheap.id).status == "active"
    assert required_approvals(strict(ctx), cheap.id).items == ()
    submitted = submit(lenient(ctx), dear.id)
    assert submitted.status == "awaiting_approval" and "£7,500.00" in submitted.message
    cost = {i.kind: i for i in required_approvals(lenient(ctx), dear.id).items}["cost"]
    assert cost.needed and cost.state == "due" and "£7,500.00" in cost.why
    shown = show_agreement(lenient(ctx), dear.id).versions[0]  # what the approver is asked to approve, and why
    assert shown.state == "awaiting_approval" and shown.approval_reasons == tuple(firsts[dear.id])
