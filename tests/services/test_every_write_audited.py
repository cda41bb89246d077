"""Every row the services write leaves its audit event, in the same transaction: a walk through every act
the services offer today (intake, edit, status, send, decline, offer, accept, withdraw), watching each
flush for the rows written and the events that name them. A new act that forgets its event fails here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from broker_tui.services.outreach import OfferInput, accept_offer, record_decline, record_offer, send_referral
from broker_tui.services.referrals import (
    change_status,
    create_referral,
    get_referral,
    update_referral,
    withdraw,
)
from broker_tui.store.tables import AuditEvent
from tests.conftest import TODAY
from tests.services.test_outreach import referral_request, world  # noqa: F401 (the fixture)

D = dt.timedelta
NOT_AUDITED = {"audit_event"}  # the trail itself


@pytest.fixture
def watched() -> Iterator[dict[str, Any]]:
    seen: dict[str, Any] = {"written": set(), "audited": {}, "sessions": [], "txn_ids": set()}

    def before_flush(session: OrmSession, _context: object, _instances: object) -> None:
        txn = session.info.setdefault("watched", len(seen["sessions"]))  # one session, one transaction
        seen["sessions"].append(txn)
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(type(obj), "__tablename__", None)
            if isinstance(obj, AuditEvent):
                seen["audited"].setdefault((obj.entity, obj.entity_id), set()).add(txn)
                seen["txn_ids"].add(obj.txn_id)
            elif table and table not in NOT_AUDITED and (obj in session.new or session.is_modified(obj)):
                seen["written"].add(((table, str(obj.id)), txn))

    event.listen(OrmSession, "before_flush", before_flush)
    try:
        yield seen
    finally:
        event.remove(OrmSession, "before_flush", before_flush)


def test_every_row_every_act_writes_has_its_audit_event(world, watched) -> None:  # noqa: F811
    ctx, view, ids = world
    opened = get_referral(ctx, view.id)
    update_referral(ctx, opened, {**opened.form_values(), "budget_weekly_pence": 700_000})
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
    record_decline(ctx, view.id, ids["Cedar View"], "price")
    reply = record_offer(ctx, view.id, ids["Ashfield House"], OfferInput(
        weekly_price_pence=560_000, core_weekly_pence=560_000, start_date=TODAY + D(7), valid_until=TODAY + D(14)))
    accept_offer(ctx, reply.id)
    other = create_referral(ctx, referral_request(case_ref="LCC-300002"))
    change_status(ctx, other, "searching")
    send_referral(ctx, other.id, [ids["Ashfield House"]], TODAY + D(3))
    record_offer(ctx, other.id, ids["Ashfield House"], OfferInput(
        weekly_price_pence=580_000, core_weekly_pence=580_000, start_date=TODAY + D(7), valid_until=TODAY + D(14)))
    withdraw(ctx, other.case_ref, "the child's plan changed")  # closes its open offer too

    written, audited = watched["written"], watched["audited"]
    assert {table for (table, _id), _txn in written} >= {"referral", "referral_sent", "offer"}
    missing = sorted(key for key, txn in written if txn not in audited.get(key, set()))
    assert not missing, f"rows written without an audit event in the same transaction: {missing}"
    assert "" not in watched["txn_ids"]  # each event names its transaction


def test_every_row_the_purchase_side_writes_has_its_audit_event(world, watched) -> None:  # noqa: F811
    """Block contracts (register, amend, unit status, place, end) and QA (note with actions, action done,
    cancelled, correction, red note's placement stop): each row written leaves its event."""
    from broker_tui.services.contracts import (
        ContractInput,
        PlaceInput,
        TermInput,
        add_contract,
        amend_contract,
        place_in_block,
        set_unit_status,
        show_contract,
    )
    from broker_tui.services.placements import end_placement
    from broker_tui.services.quality import (
        ActionInput,
        NoteInput,
        StopInput,
        add_note,
        cancel_action,
        complete_action,
        supersede,
    )

    ctx, _view, ids = world
    service = str(ids["Ashfield House"])
    add_contract(ctx, ContractInput(service=service, reference="BC-AUD-1", name="Audit block", starts_on=TODAY - D(30),
                                    ends_on=TODAY + D(300), units=2, unit_weekly_pence=90_000))
    amend_contract(ctx, "BC-AUD-1", TermInput(kind="uplift", effective_from=TODAY, uplift_bp=300, reason="annual"))
    placed = place_in_block(ctx, PlaceInput(contract="BC-AUD-1", case_ref="LCC-310001", start_date=TODAY - D(10)))
    free = next(u for u in show_contract(ctx, "BC-AUD-1").units if not u.case_ref)
    set_unit_status(ctx, free.id, "held", TODAY, "for an incoming young person")
    end_placement(ctx, placed.id, end_date=TODAY, reason_place_change="CARPL")
    first = add_note(ctx, NoteInput(subject="service", subject_id=service, kind="visit_unannounced",
                                    held_on=TODAY - D(2), rag="amber", findings="Rota gaps.",
                                    actions=(ActionInput("Send the rota", "Manager", TODAY + D(7)),
                                             ActionInput("Fix the door", "Manager", TODAY + D(7)))))
    complete_action(ctx, first.actions[0].id)
    cancel_action(ctx, first.actions[1].id, "no longer needed")
    supersede(ctx, first.id, NoteInput(subject="service", subject_id=service, kind="visit_unannounced",
                                       held_on=TODAY - D(2), rag="red", findings="Rota gaps; staff asleep."),
              start_placement_stop=StopInput("QA visit found staff asleep", TODAY))

    written, audited = watched["written"], watched["audited"]
    assert {table for (table, _id), _txn in written} >= {
        "block_contract", "block_contract_term", "block_unit", "block_unit_status", "placement", "qa_note",
        "qa_action", "placement_stop"}
    missing = sorted(key for key, txn in written if txn not in audited.get(key, set()))
    assert not missing, f"rows written without an audit event in the same transaction: {missing}"
