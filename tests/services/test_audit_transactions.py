"""Every audit event of one transaction carries one transaction id; two transactions never share one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from broker_tui.services.outreach import OfferInput, record_offer, send_referral
from broker_tui.services.referrals import withdraw
from broker_tui.store.tables import AuditEvent
from tests.conftest import TODAY
from tests.services.test_outreach import world  # noqa: F401 (the fixture)

D = dt.timedelta


def _events(ctx) -> list[AuditEvent]:
    with ctx.session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)))


def test_one_act_is_one_transaction_id_and_the_next_act_another(world) -> None:  # noqa: F811
    ctx, view, ids = world
    setup = {e.id for e in _events(ctx)}  # the fixture's own writes (audited too, in their own transaction)
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(3))
    record_offer(ctx, view.id, ids["Ashfield House"], OfferInput(weekly_price_pence=560_000, core_weekly_pence=560_000,
                                                                  start_date=TODAY + D(7), valid_until=TODAY + D(14)))
    before = {e.id for e in _events(ctx)}
    withdraw(ctx, view.case_ref, "the child's plan changed")  # the referral, and its open offer closed
    made = [e for e in _events(ctx) if e.id not in before]
    assert {(e.entity, e.action) for e in made} == {("referral", "status"), ("offer", "status")}
    assert len({e.txn_id for e in made}) == 1 and made[0].txn_id
    by_txn: dict[str, set[str]] = {}
    for e in _events(ctx):
        if e.id in setup:
            continue
        by_txn.setdefault(e.txn_id, set()).add(e.entity)
    assert "" not in by_txn  # every event says which transaction it was part of
    sent = [t for t, entities in by_txn.items() if "referral_sent" in entities]
    assert len(sent) == 1 and by_txn[sent[0]] == {"referral", "referral_sent"}  # the send and its status moves


def test_a_bulk_import_is_one_transaction_id(ctx, shared_data) -> None:
    from broker_tui.services.market.importers import import_ofsted
    from broker_tui.services.reference import ensure_reference_data

    ensure_reference_data(ctx)
    import_ofsted(ctx, shared_data / "ofsted_childrens_social_care_providers_2025.csv")
    ids = {e.txn_id for e in _events(ctx) if e.action == "import"}
    assert len(ids) == 1 and "" not in ids
