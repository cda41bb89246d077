import datetime as dt

import pytest

from broker_tui.services.referrals import (
    DuplicateOpenCase,
    ReferralInvalid,
    ReferralQuery,
    TransitionRefused,
    change_status,
    create_referral,
    draft_from_previous,
    get_referral,
    history,
    list_referrals,
    update_referral,
    withdraw,
)
from broker_tui.store.errors import StaleEdit
from tests.conftest import TODAY


def request(**over) -> dict:
    raw = {
        "case_ref": "LCC-100001", "initials": "JS", "date_received": "2026-11-30", "needed_by": "2026-12-04",
        "age_years": 14, "types_sought": ["childrens_home_external"], "home_district": "LE2",
        "budget_weekly_pence": 650_000, "needs": {"risk": 3, "behaviour": 2, "emotional": 2},
        "risks": [{"tag": "cce", "present": True, "level": 3}], "assigned_broker": "A Broker",
    }
    raw.update(over)
    return raw


def test_create_stores_and_audits(ctx) -> None:
    view = create_referral(ctx, request())
    assert view.status == "new" and view.version == 1
    assert view.urgency == "urgent" and view.days_open == 1
    again = get_referral(ctx, "LCC-100001")
    assert again.id == view.id and again.values["needs"]["risk"] == 3
    assert again.values["budget_weekly_pence"] == 650_000
    assert [h.action for h in history(ctx, view.id)] == ["create"]


def test_invalid_request_writes_nothing(ctx) -> None:
    with pytest.raises(ReferralInvalid) as info:
        create_referral(ctx, request(home_district="QQ99", budget_weekly_pence="lots"))
    assert set(info.value.problems) == {"home_district", "budget_weekly_pence"}
    assert list_referrals(ctx, ReferralQuery()).rows == []


def test_unknown_field_is_named(ctx) -> None:
    with pytest.raises(ReferralInvalid) as info:
        create_referral(ctx, request(full_name="Someone"))
    assert "full_name" in info.value.problems


def test_case_already_open_is_refused_and_points_to_it(ctx) -> None:
    first = create_referral(ctx, request())
    with pytest.raises(DuplicateOpenCase) as info:
        create_referral(ctx, request(initials="JS"))
    assert info.value.existing.id == first.id
    withdraw(ctx, "LCC-100001", "Family found a kinship carer")
    second = create_referral(ctx, request())
    assert second.id != first.id


def test_stale_save_is_refused_with_what_changed(ctx) -> None:
    opened = create_referral(ctx, request())
    theirs = update_referral(ctx, opened, {**opened.form_values(), "budget_weekly_pence": 700_000})
    assert theirs.version == 2
    with pytest.raises(StaleEdit) as info:
        update_referral(ctx, opened, {**opened.form_values(), "school": "Hope Academy"})
    assert "budget_weekly_pence" in info.value.changed
    assert get_referral(ctx, opened.id).values["school"] == ""


def test_edit_audits_before_and_after(ctx) -> None:
    opened = create_referral(ctx, request())
    update_referral(ctx, opened, {**opened.form_values(), "budget_weekly_pence": 700_000})
    entries = history(ctx, opened.id)
    assert entries[-1].action == "update"
    assert entries[-1].changes["budget_weekly_pence"] == (650_000, 700_000)
    assert entries[-1].actor == "test.broker"


def test_workflow_transitions(ctx) -> None:
    v = create_referral(ctx, request())
    with pytest.raises(TransitionRefused, match="reached by"):
        change_status(ctx, v, "sent_to_providers")
    with pytest.raises(TransitionRefused, match="cannot become"):
        change_status(ctx, v, "closed")
    with pytest.raises(TransitionRefused, match="say why"):
        change_status(ctx, v, "withdrawn")
    v = change_status(ctx, v, "searching")
    v = change_status(ctx, v, "sent_to_providers", by_act=True)
    assert v.status == "sent_to_providers"
    v = withdraw(ctx, "LCC-100001", "Returned home")
    assert v.status == "withdrawn" and v.withdrawn_reason == "Returned home" and v.closed_on == TODAY
    assert [h.action for h in history(ctx, v.id)] == ["create", "status", "status", "status"]


def test_list_orders_by_urgency_then_needed_by_and_pages(ctx) -> None:
    for i, days in enumerate([30, 0, 3, 10, 1, 60, 2]):
        create_referral(ctx, request(case_ref=f"LCC-2000{i}", needed_by=(TODAY + dt.timedelta(days=days)).isoformat()))
    seen, after = [], None
    while True:
        page = list_referrals(ctx, ReferralQuery(), after=after, size=3)
        seen += page.rows
        if page.next_after is None:
            break
        after = page.next_after
    assert [r.values["needed_by"] for r in seen] == sorted(r.values["needed_by"] for r in seen)
    assert [r.urgency for r in seen][:1] == ["emergency"]
    assert len({r.id for r in seen}) == 7


def test_filters(ctx) -> None:
    create_referral(ctx, request(case_ref="LCC-1", assigned_broker="Amy"))
    b = create_referral(ctx, request(case_ref="LCC-2", initials="QX", assigned_broker="Ben",
                                     disability_health="Type 1 diabetes"))
    change_status(ctx, b, "searching")
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(status="searching")).rows] == ["LCC-2"]
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(broker="Amy")).rows] == ["LCC-1"]
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(text="qx")).rows] == ["LCC-2"]
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(text="diabetes")).rows] == ["LCC-2"]
    c = create_referral(ctx, request(case_ref="LCC-3", specialist_needs=["autism"], free_text_needs=["Loves horses"]))
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(text="horses")).rows] == [c.case_ref]
    assert [r.case_ref for r in list_referrals(ctx, ReferralQuery(text="autism")).rows] == [c.case_ref]


def test_start_from_previous_referral(ctx) -> None:
    old = create_referral(ctx, request())
    change_status(ctx, old, "withdrawn", reason="Plan changed")
    values = draft_from_previous(ctx, get_referral(ctx, old.id))
    values["needed_by"] = "2026-12-20"
    new = create_referral(ctx, values, previous_referral_id=old.id)
    assert new.previous_referral_id == old.id
    assert new.values["needs"] == old.values["needs"]
