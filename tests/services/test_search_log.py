"""The search log per child: every service approached, the answer and the reason, the days to placement
agreed, and the CSV export (case reference only, owner-only)."""

from __future__ import annotations

import csv
import datetime as dt
import stat

from broker_tui.domain.provider_text import date_forms, leaks
from broker_tui.services.outreach import (
    CSV_COLUMNS,
    accept_offer,
    compare_offers,
    export_csv,
    record_decline,
    record_offer,
    search_log,
    send_referral,
)
from tests.conftest import TODAY
from tests.services.test_outreach import DOB, offer, world  # noqa: F401 (the fixture)

D = dt.timedelta


def test_answers_reasons_and_days_to_placement_agreed(world) -> None:  # noqa: F811
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY)
    send_referral(ctx, view.id, [ids["Beacon Lodge"], ids["Dovecote Fostering"]], TODAY + D(5))
    record_decline(ctx, view.id, ids["Beacon Lodge"], "other", "Registered for girls only")
    record_offer(ctx, view.id, ids["Ashfield House"], offer())
    log = search_log(ctx, view.id)
    assert log.case_ref == "LCC-300001" and log.days_to_placement_agreed is None
    by_name = {e.service_name: e for e in log.entries}
    assert [e.service_name for e in log.entries] == ["Ashfield House", "Cedar View", "Beacon Lodge",
                                                     "Dovecote Fostering"]
    assert by_name["Beacon Lodge"].answer == "decline" and by_name["Beacon Lodge"].reason == \
        "Other: Registered for girls only"
    assert by_name["Ashfield House"].answer == "offer" and by_name["Ashfield House"].weekly_price_pence == 560_000
    assert by_name["Ashfield House"].reason.startswith("£5,600.00 a week from ")
    assert by_name["Cedar View"].answer == "no reply yet" and by_name["Dovecote Fostering"].answer == "no reply yet"

    ctx.clock = ctx.clock.__class__(TODAY + D(2))  # Cedar View's deadline (TODAY) has passed
    by_name = {e.service_name: e for e in search_log(ctx, view.id).entries}
    assert by_name["Cedar View"].answer == "overdue" and by_name["Dovecote Fostering"].answer == "no reply yet"
    accept_offer(ctx, compare_offers(ctx, view.id)[0])
    log = search_log(ctx, view)  # the view opened before: the log reads the referral as it stands now
    by_name = {e.service_name: e for e in log.entries}
    # placement agreed: a missing reply is no longer awaited, nor overdue
    assert by_name["Cedar View"].answer == "no reply" and by_name["Dovecote Fostering"].answer == "no reply"
    assert log.status == "placement_agreed"
    assert by_name["Ashfield House"].offer_status == "accepted"
    assert log.placement_agreed_on == TODAY + D(2)
    assert log.days_to_placement_agreed == 12  # received TODAY - 10


def test_csv_export_has_case_reference_only_and_is_private(world, tmp_path) -> None:  # noqa: F811
    ctx, view, ids = world
    send_referral(ctx, view.id, [ids["Ashfield House"], ids["Cedar View"]], TODAY + D(2))
    record_offer(ctx, view.id, ids["Ashfield House"], offer())
    accept_offer(ctx, compare_offers(ctx, view.id)[0].offer_id)
    path = tmp_path / "log.csv"
    path.write_text("old")
    path.chmod(0o644)
    assert export_csv(ctx, view.case_ref, path) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r["case_ref"] for r in rows} == {"LCC-300001"}
    assert [r["answer"] for r in rows] == ["offer", "no reply"]  # none awaited once placement is agreed
    assert rows[0]["weekly_price_pence"] == "560000" and rows[0]["days_to_placement_agreed"] == "10"
    assert rows[0]["placement_agreed_on"] == TODAY.isoformat() and rows[0]["reply_due_on"] == (TODAY + D(2)).isoformat()
    eighteenth = dt.date(2030, 5, 17)
    assert leaks(text, initials="QZ", date_of_birth=DOB, eighteenth_birthday=eighteenth) == []
    for form in (*date_forms(DOB), *date_forms(eighteenth)):
        assert form not in text
    assert "initials" not in text and "date_of_birth" not in text


def test_provider_text_as_sent_holds_no_initials_or_date_of_birth(world) -> None:  # noqa: F811
    ctx, view, ids = world
    assert view.values["initials"] == "QZ" and view.values["date_of_birth"] == DOB
    sent = send_referral(ctx, view.id, [ids["Ashfield House"]], TODAY + D(2))
    text = sent[0].provider_text
    for form in (*date_forms(DOB), *date_forms(dt.date(2030, 5, 17))):
        assert form not in text
    assert "QZ" not in text
    assert "Age: 14 years" in text and "Gender: Female" in text
    assert "Areas to avoid: Nottingham; LE3 and within 2 miles of it" in text
