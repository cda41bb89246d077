"""Snapshots of the referral list, the form with errors showing, and a referral's detail with its history.

Deterministic: referrals made through the services on a fixed clock (TODAY, 09:00), a fixed terminal size,
the sub-title fixed (make_app), no blinking cursor (the table has focus, or a focused field's cursor stays shown).
Update with `pytest tests/ui/test_referral_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import datetime as dt

from broker_tui.services.referrals import change_status, create_referral, update_referral
from tests.conftest import TODAY
from tests.ui.conftest import SIZE, make_app
from tests.ui.test_referral_form import settle, tick_type, type_into

# (case ref, initials, age, types sought, received days ago, needed in days, broker, status, needs text)
REFERRALS = [
    ("LCC-400101", "AB", 14, ["childrens_home_external"], 0, 0, "Amira Patel", "new", "autism, anxious in crowds"),
    ("LCC-400102", "CD", 9, ["fostering_in_house", "fostering_ifa"], 2, 3, "Ben Okafor", "searching", ""),
    ("LCC-400103", "EF", 16, ["supported_accommodation"], 9, 12, "Amira Patel", "sent_to_providers", "asthma"),
    ("LCC-400104", "GH", 12, ["childrens_home_external"], 14, 5, "Chloe Hughes", "offers_received", ""),
    ("LCC-400105", "JK", 7, ["fostering_ifa"], 20, 21, "Ben Okafor", "placement_agreed", ""),
    ("LCC-400106", "LM", 15, ["childrens_home_in_house"], 31, 30, "Chloe Hughes", "placed", "epilepsy"),
    ("LCC-400107", "NP", 11, ["fostering_in_house"], 6, 8, "Amira Patel", "withdrawn", ""),
    ("LCC-400108", "RS", 17, ["supported_accommodation", "fostering_ifa"], 40, 45, "Dev Sharma", "closed", ""),
]
# How each status is reached: by hand, or by the act that records it (as the services would).
PATH = {
    "new": [], "searching": [("searching", False)],
    "sent_to_providers": [("searching", False), ("sent_to_providers", True)],
    "offers_received": [("searching", False), ("sent_to_providers", True), ("offers_received", True)],
    "placement_agreed": [("searching", False), ("sent_to_providers", True), ("offers_received", True),
                         ("placement_agreed", True)],
    "placed": [("searching", False), ("sent_to_providers", True), ("offers_received", True),
               ("placement_agreed", True), ("placed", True)],
    "withdrawn": [("withdrawn", False)],
    "closed": [("searching", False), ("sent_to_providers", True), ("offers_received", True),
               ("placement_agreed", True), ("placed", True), ("closed", False)],
}


def make_referrals(ctx) -> dict[str, object]:
    made = {}
    for ref, initials, age, types, received, days, broker, status, needs in REFERRALS:
        v = create_referral(ctx, {
            "case_ref": ref, "initials": initials, "age_years": age, "types_sought": types,
            "date_received": (TODAY - dt.timedelta(days=received)).isoformat(),
            "needed_by": (TODAY + dt.timedelta(days=days)).isoformat(), "assigned_broker": broker,
            "social_worker": "Sam Lee", "social_work_team": "Assessment East", "disability_health": needs,
            "home_district": "LE4", "budget_weekly_pence": 450_000,
        })
        for new, by_act in PATH[status]:
            reason = "family found a place with an aunt" if new == "withdrawn" else ""
            v = change_status(ctx, v, new, reason=reason, by_act=by_act)
        made[ref] = v
    return made


def test_referral_list(snap_compare, sqlite_ctx):
    make_referrals(sqlite_ctx)

    async def open_list(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        pilot.app.screen.query_one("#ref-status").value = "all"  # every status, not only the open ones
        await settle(pilot)
        pilot.app.screen.query_one("#ref-table").focus()  # no blinking cursor in the search box
        await settle(pilot)

    assert snap_compare(make_app(sqlite_ctx), terminal_size=SIZE, run_before=open_list)


def test_referral_form_with_errors(snap_compare, sqlite_ctx):
    async def fill_badly(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await type_into(pilot, "#f-case_ref", "LCC-400201")
        await type_into(pilot, "#f-initials", "TW")
        await type_into(pilot, "#f-age_years", "13")
        await tick_type(pilot, "fostering_ifa")
        await type_into(pilot, "#f-needed_by", "31/02/2027")
        await type_into(pilot, "#f-home_district", "ZZ99")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)  # (the focused field's cursor stays shown: tests/ui/conftest.py, _steady_cursor)

    assert snap_compare(make_app(sqlite_ctx), terminal_size=SIZE, run_before=fill_badly)


def test_referral_detail_with_history(snap_compare, sqlite_ctx):
    made = make_referrals(sqlite_ctx)
    v = made["LCC-400104"]  # new -> searching -> sent -> offers received
    update_referral(sqlite_ctx, v, {**v.form_values(), "school": "Hope Academy", "pets": "a dog"})

    async def open_detail(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"400104")  # the search box has focus when the list opens
        await settle(pilot)
        pilot.app.screen.query_one("#ref-table").focus()
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(sqlite_ctx), terminal_size=SIZE, run_before=open_detail)
