"""Every row the spot purchase acts write (record, submit, approve, reject, cancel, amend, decide on an
amendment, record a flagged approval, end) leaves its audit event in the same transaction, naming the person
acting; a placement taken away by a cancellation leaves a 'cancel' event holding it as it was."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from broker_tui.services.placements import end_placement
from broker_tui.services.purchases import (
    AmendmentInput,
    add_agreement,
    amend,
    approve,
    approve_amendment,
    cancel,
    record_approval,
    reject,
    reject_amendment,
    submit,
)
from broker_tui.store.tables import AuditEvent
from tests.conftest import TODAY
from tests.services.test_every_write_audited import watched  # noqa: F401 (the fixture)
from tests.services.test_purchases import APPROVERS, make_service, spot

D = dt.timedelta


def test_every_row_the_spot_purchase_acts_write_has_its_audit_event(ctx, watched) -> None:  # noqa: F811
    service = make_service(ctx)
    manager = dataclasses.replace(ctx, acting_as="m.manager",
                                  settings=dataclasses.replace(ctx.settings, approvers=APPROVERS))
    dear = add_agreement(ctx, spot(service, weekly_price_pence=800_000, core_weekly_pence=800_000,
                                   start_date=TODAY - D(20)))
    submit(ctx, dear.id)
    approve(manager, dear.id)
    amend(ctx, dear.id, AmendmentInput(kind="price_change", effective_from=TODAY, reason="More staff",
                                       weekly_price_pence=900_000, core_weekly_pence=900_000))
    reject_amendment(manager, dear.id, "Not agreed")
    amend(ctx, dear.id, AmendmentInput(kind="extension", effective_from=TODAY, planned_end=TODAY + D(500),
                                       weekly_price_pence=820_000, core_weekly_pence=820_000))
    approve_amendment(manager, dear.id)
    record_approval(ctx, dear.id, "out_of_area", by="Nominated officer")
    second = add_agreement(ctx, spot(service, case_ref="LCC-200002", weekly_price_pence=800_000,
                                     core_weekly_pence=800_000), submit=True)
    reject(manager, second.id, "Too dear")
    third = add_agreement(ctx, spot(service, case_ref="LCC-200003"))
    cancel(ctx, third.id, "Plan changed")
    end_placement(ctx, dear.placement_id, end_date=TODAY + D(10), reason_place_change="CARPL")

    written, audited = watched["written"], watched["audited"]
    assert {table for (table, _id), _txn in written} >= {"spot_agreement", "spot_amendment", "placement", "approval"}
    missing = sorted(key for key, txn in written if txn not in audited.get(key, set()))
    assert not missing, f"rows written without an audit event in the same transaction: {missing}"
    with ctx.session() as s:
        events = list(s.scalars(select(AuditEvent)))
    named = {(e.entity, e.action, e.actor) for e in events}
    assert {("spot_agreement", "submit", "test.broker"), ("spot_agreement", "approve", "m.manager"),
            ("spot_agreement", "reject", "m.manager"), ("spot_agreement", "cancel", "test.broker"),
            ("placement", "cancel", "test.broker"), ("placement", "reject", "m.manager"),
            ("spot_agreement", "amend", "m.manager"), ("placement", "end", "test.broker")} <= named
    removed = [e for e in events if e.entity == "placement" and e.entity_id == str(third.placement_id)]
    assert [e.action for e in removed] == ["create", "cancel"] and removed[1].before["case_ref"] == "LCC-200003"
