"""Revision 0004 gives spot_amendment its approval_reasons. Rows written before it get the reasons the code of
revision 0003 worked out on reading, with the default settings (each later amendment against the price in
force on its date among the versions that counted, not merely the row before it), so an upgraded database
judges every amendment as it did; the downgrade drops the column and the insert-only guard holds throughout.
On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import inspect, select, text

from broker_tui.services.purchases import (
    AmendmentInput,
    add_agreement,
    amend,
    approve_amendment,
    reject_amendment,
)
from broker_tui.store import migrate
from broker_tui.store.errors import RuleBroken
from broker_tui.store.revision import HEAD_REVISION
from broker_tui.store.tables import SpotAmendment
from tests.conftest import TODAY
from tests.services.test_purchases import APPROVERS, as_person, make_service, spot

D = dt.timedelta


def _price(weekly: int, reason: str = "Needs change") -> AmendmentInput:
    return AmendmentInput(kind="price_change", effective_from=TODAY, reason=reason, weekly_price_pence=weekly,
                          core_weekly_pence=weekly)


def _history(ctx) -> dict[uuid.UUID, dict[str, object]]:
    service = make_service(ctx)
    manager = as_person(ctx, "m.manager", APPROVERS)

    def active(case_ref: str, weekly: int, **over: object):
        return add_agreement(ctx, spot(service, case_ref=case_ref, weekly_price_pence=weekly, core_weekly_pence=weekly,
                                       start_date=TODAY - D(30), **over), submit=True)

    waiting = active("LCC-700001", 600_000)
    amend(ctx, waiting.id, _price(660_000))  # +10%: awaits an approver
    after_rejection = active("LCC-700002", 700_000)
    amend(ctx, after_rejection.id, _price(760_000))  # above the threshold: rejected
    reject_amendment(manager, after_rejection.id, "Not agreed")
    amend(ctx, after_rejection.id, _price(740_000))  # +5.7% on the £7,000 in force (a cut on the rejected row)
    approved = active("LCC-700003", 600_000)
    amend(ctx, approved.id, AmendmentInput(kind="uplift", effective_from=TODAY, uplift_bp=350))  # in force
    amend(ctx, approved.id, AmendmentInput(kind="uplift", effective_from=TODAY + D(7), uplift_bp=900))
    approve_amendment(manager, approved.id)
    active("LCC-700004", 900_000)  # the agreement as made is above the threshold: awaits approval
    add_agreement(ctx, spot(service, case_ref="LCC-700005", weekly_price_pence=800_000,
                            core_weekly_pence=800_000))  # a draft above the threshold
    with ctx.session() as s:
        return {row.id: {"reasons": row.approval_reasons, "agreement": row.agreement_id}
                for row in s.scalars(select(SpotAmendment))}


def _reasons(ctx) -> dict[uuid.UUID, list[str]]:
    with ctx.engine.connect() as con:
        rows = con.execute(select(SpotAmendment.__table__.c.id, SpotAmendment.__table__.c.approval_reasons)).all()
    return {uuid.UUID(str(i)): list(r) for i, r in rows}


def test_rows_before_the_revision_get_the_reasons_the_old_code_judged_by(ctx) -> None:
    written = _history(ctx)
    kept = {i: v["reasons"] for i, v in written.items()}
    assert sum(1 for r in kept.values() if r) == 6  # 2 as made + 4 raises (the second +5.7% one among them)
    migrate.downgrade(ctx.engine, "0003_purchases")
    with ctx.engine.connect() as con:
        assert "approval_reasons" not in {c["name"] for c in inspect(con).get_columns("spot_amendment")}
    migrate.upgrade(ctx.engine, ctx.location)
    assert migrate.current_revision(ctx.engine) == HEAD_REVISION
    assert _reasons(ctx) == kept
    with pytest.raises(RuleBroken) as refused, ctx.session() as s:  # the guard came back after the rebuild
        s.execute(text("UPDATE spot_amendment SET reason = 'changed'"))
    assert refused.value.rule == "insert_only_spot_amendment"
