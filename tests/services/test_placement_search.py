"""Find placements as a use case, on SQLite and PostgreSQL: the free text narrows the worked cases'
ranking (typos tolerated, ranks kept, excluded services followed), the preview of a send names each
provider's referral contact and carries the case reference only, and what was sent is known."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_tui.domain.provider_text import leaks
from broker_tui.services.matching import filters_of, load_market, narrow, rank_for
from broker_tui.services.outreach import Shortlist, send_preview, send_referral, sent_service_ids
from broker_tui.services.referrals import get_referral
from broker_tui.store.tables import Provider, Service
from tests.domain import matching_cases as mc


@pytest.fixture
def cases(ctx):
    mc.load_into_store(ctx)
    return ctx


def ranked(ctx, case: str = "MC-R1", text: str = ""):
    view = get_referral(ctx, case)
    market = load_market(ctx)
    return narrow(ctx, market, rank_for(ctx, market, view, filters_of(view)), text)


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["Oakfield House", "Harbour View"]),
    ("oakfeild", ["Oakfield House"]),
    ("harbor veiw", ["Harbour View"]),
    ("nottingam", ["Oakfield House"]),  # its town and authority
    ("coastline", ["Harbour View"]),  # its provider
    ("zzzzqqq", []),
])
def test_text_narrows_the_ranking_and_keeps_ranks(cases, text, expected) -> None:
    shown = ranked(cases, text=text)
    assert [r.service.name for r in shown.results] == expected
    assert shown.count == len(expected) and shown.result.total_candidates == 2
    full = {r.service.name: r.rank for r in ranked(cases).results}
    assert all(r.rank == full[r.service.name] for r in shown.results)
    if text and not expected:
        assert shown.summary.startswith("None of the 2 service(s)")


def test_excluded_follow_the_text(cases) -> None:
    everything = {e.service.name for e in ranked(cases).excluded()}
    assert {"Beaumont Lodge", "Greenway House", "Meadow Farm", "Castle Homes Derby"} <= everything
    assert [e.service.name for e in ranked(cases, text="greenway").excluded()] == ["Greenway House"]


def test_preview_names_contacts_and_leaks_nothing(cases) -> None:
    with cases.session() as s:
        svc = s.get(Service, mc.service_id("S2"))
        provider = s.get(Provider, svc.provider_id)
        provider.referral_contact_name, provider.referral_email = "Jo Placements", "referrals@oakfield.example"
    view = get_referral(cases, "MC-R1")
    ids = [str(mc.service_id("S2")), str(mc.service_id("S3"))]
    preview = send_preview(cases, view, ids, dt.date(2026, 12, 3))
    assert [(r.service_name, r.contact) for r in preview.recipients] == [
        ("Oakfield House", "Jo Placements <referrals@oakfield.example>"), ("Harbour View", "")]
    assert "MC-R1" in preview.text and "03/12/2026" in preview.text
    assert not leaks(preview.text, initials=view.initials, date_of_birth=view.values.get("date_of_birth"))
    assert sent_service_ids(cases, view) == set()
    send_referral(cases, view, ids[:1], dt.date(2026, 12, 3))
    assert sent_service_ids(cases, view) == {ids[0]}


def test_shortlist_picks_drops_and_refuses_what_was_sent() -> None:
    s = Shortlist()
    assert s.toggle("a", "A") is None and s.toggle("b", "B") is None
    assert list(s.chosen) == ["a", "b"] and s.words().startswith("Shortlist: 2")
    assert s.toggle("a", "A") is None and list(s.chosen) == ["b"]
    s.mark_sent({"b"})
    assert s.chosen == {} and s.marks() == {"b": "✓"}
    assert s.toggle("b", "B") == "B: the referral was sent there already"
    s.toggle("c", "C")
    assert s.marks() == {"c": "★", "b": "✓"} and s.words() == "Shortlist: 1 (s: send) · sent to 1"
