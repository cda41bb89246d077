"""Every table written and read back on SQLite and PostgreSQL: UUIDv7 keys, ISO dates, JSON, pence."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from broker_tui.domain.ids import new_id
from broker_tui.store.errors import RuleBroken
from broker_tui.store.tables import (
    AppMeta,
    Approval,
    AuditEvent,
    BlockContract,
    BlockContractTerm,
    BlockUnit,
    BlockUnitStatus,
    CodeListEntry,
    FosterHousehold,
    LocalAuthority,
    Offer,
    Placement,
    PlacementStop,
    PostcodeDistrict,
    PriceList,
    Provider,
    QAAction,
    QANote,
    Referral,
    ReferralSent,
    Service,
    SpotAgreement,
    SpotAmendment,
    Ssda903Child,
    Ssda903Episode,
    Ssda903File,
    Ssda903Import,
    Ssda903Oc3,
    SufficiencyImport,
    SufficiencyRecord,
    register_all,
)
from tests.conftest import writing_session

BST = dt.timezone(dt.timedelta(hours=1))


def market_rows() -> list[SQLModel]:
    """One realistic row of every table, in an order that satisfies the foreign keys."""
    la = LocalAuthority(ons_code="E06000016", name="Leicester", ofsted_name="Leicester",
                        dfe_code="856", region_code="E12000004", region_name="East Midlands",
                        latitude=52.6369, longitude=-1.1398)
    district = PostcodeDistrict(outcode="LE2", latitude=52.6139, longitude=-1.1171,
                                utla_code="E06000016", utla_share=0.8125)
    code = CodeListEntry(field="PLACE", code="K2", field_name="Placement type",
                         description="Children's Home subject to Children's Homes Regulations",
                         valid_from_year="2016-17", valid_to_year=None)
    meta = AppMeta(key="demo_seeded_on", value="2026-12-01")
    provider = Provider(name="Oakfield Care Ltd", sector="private", referral_contact_name="Priya Shah",
                        referral_email="referrals@oakfield.example", referral_phone="0116 496 0123")
    home = Service(provider_id=provider.id, name="Oakfield House", service_type="childrens_home_external",
                   sector="private", ofsted_urn="SC123456", ofsted_provision_type="Children's home",
                   registration_status="active", registration_date=dt.date(2019, 3, 14),
                   ofsted_grade="good", inspected_on=dt.date(2025, 10, 2), town="Leicester",
                   postcode_district="LE2", latitude=52.6139, longitude=-1.1171, location_approximate=True,
                   local_authority_code="E06000016", local_authority_name="Leicester",
                   region="East Midlands", min_age=11, max_age=17, sexes="mixed", places=4, vacancies=1,
                   vacancies_as_of=dt.date(2026, 11, 28), vacancies_source="phone call",
                   specialisms=["cse", "missing_episodes"], cap_behaviour=3, cap_risk=2,
                   purchasing_route="framework", framework_name="East Midlands Children's Homes",
                   framework_lot="Lot 2", description="Four-bed home near the city centre.",
                   sort_name="oakfield house", distance_miles=1.8, in_area=True,
                   price_from_pence=525_000, judgement_sort=2, search_text="oakfield house leicester")
    agency = Service(provider_id=provider.id, name="Oakfield Fostering", service_type="fostering_ifa",
                     sector="private", ofsted_urn="SC765432", areas_covered=["E06000016", "E10000018"])
    household = FosterHousehold(service_id=agency.id, reference="OF-H-017", places=2, free_places=1)
    prices = PriceList(service_id=home.id, valid_from=dt.date(2026, 4, 1), valid_to=None,
                       core_weekly_pence=525_000, one_to_one_hourly_pence=2_850,
                       two_to_one_hourly_pence=5_700, education_weekly_pence=95_000,
                       therapy_weekly_pence=40_000, solo_premium_weekly_pence=150_000,
                       annual_uplift_bp=350, source="entered", created_by="a.broker")
    stop = PlacementStop(service_id=home.id, imposed_by="J. Patel, Head of Service",
                         reason="Safeguarding concern under investigation", starts_on=dt.date(2026, 11, 3))
    referral = Referral(case_ref="LCC-2026-0412", initials="JB", status="sent_to_providers",
                        date_received=dt.date(2026, 11, 20), social_worker="Sam Okafor",
                        date_of_birth=dt.date(2012, 6, 9), age_years=14, gender="M", ethnicity="WBRI",
                        legal_status="C2", category_of_need="N1", types_sought=["childrens_home_external"],
                        needed_by=dt.date(2026, 12, 5), home_district="LE4", max_distance_miles=30,
                        avoid_areas=[{"kind": "la", "code": "E06000018", "radius_miles": 0}],
                        living_alongside="younger_only",
                        dol_order={"granted_on": "2026-10-01", "court": "High Court", "expires_on": None},
                        one_to_one_hours=10, budget_weekly_pence=600_000, need_behaviour=3, need_risk=2,
                        risks=[{"tag": "cce", "present": True, "level": 3}],
                        specialist_needs=["cse"], free_text_needs=["Needs a quiet bedroom; café visits help"])
    sent = ReferralSent(referral_id=referral.id, service_id=home.id,
                        sent_at=dt.datetime(2026, 11, 21, 10, 15, 30, 123456, tzinfo=BST),
                        sent_by="a.broker", contact="referrals@oakfield.example",
                        reply_due_on=dt.date(2026, 11, 24), provider_text="LCC-2026-0412: boy, 14")
    offer = Offer(referral_id=referral.id, service_id=home.id, referral_sent_id=sent.id,
                  received_on=dt.date(2026, 11, 23), outcome="offered", weekly_price_pence=582_500,
                  core_weekly_pence=525_000, staffing_weekly_pence=57_500, start_date=dt.date(2026, 12, 1),
                  valid_until=dt.date(2026, 12, 7))
    spot = SpotAgreement(referral_id=referral.id, service_id=home.id, offer_id=offer.id,
                         case_ref="LCC-2026-0412", contract_basis="National contract (IPA)",
                         start_date=dt.date(2026, 12, 1), planned_end=dt.date(2027, 11, 30),
                         purchasing_route="framework", framework_name="National contract", cost_centre="CSC-4410",
                         recorded_by="a.broker")
    amendment = SpotAmendment(agreement_id=spot.id, effective_from=dt.date(2026, 12, 1),
                              weekly_price_pence=582_500, core_weekly_pence=525_000,
                              staffing_weekly_pence=57_500, one_to_one_minutes=1_200,
                              one_to_one_hourly_pence=2_875, social_care_pct=80, education_pct=20,
                              reason="agreement as made", created_by="a.broker")
    approval = Approval(agreement_id=spot.id, kind="cost", decision="approved", decided_by="Head of Service",
                        decided_on=dt.date(2026, 11, 30), weekly_pence=582_500)
    block = BlockContract(provider_id=provider.id, service_id=None, reference="BC-16PLUS-2025-01",
                          name="16+ supported flats, north of the city", starts_on=dt.date(2025, 4, 1),
                          ends_on=dt.date(2027, 3, 31), extension_option="1 + 1 years")
    term = BlockContractTerm(contract_id=block.id, effective_from=dt.date(2026, 4, 1), units=12,
                             unit_weekly_pence=98_750, uplift_bp=350, reason="annual uplift 3.5%",
                             created_by="a.broker")
    unit = BlockUnit(contract_id=block.id, label="Flat 3")
    unit_status = BlockUnitStatus(unit_id=unit.id, effective_from=dt.date(2026, 10, 1), status="held",
                                  reason="Held for a young person moving in", created_by="a.broker")
    placement = Placement(referral_id=referral.id, case_ref="LCC-2026-0412", service_id=home.id,
                          spot_agreement_id=spot.id, placement_type="K2", start_date=dt.date(2026, 12, 1))
    block_placement = Placement(case_ref="LCC-2025-0198", service_id=agency.id, block_contract_id=block.id,
                                block_unit_id=unit.id, placement_type="H5", start_date=dt.date(2025, 6, 2),
                                end_date=dt.date(2026, 9, 30), reason_episode_ceased="E4A", ended_by="a.broker")
    note = QANote(service_id=home.id, kind="monitoring_visit", held_on=dt.date(2026, 10, 14), rag="amber",
                  findings="Staffing rota gaps at weekends.", author="QA officer", young_people_involved=True)
    action = QAAction(qa_note_id=note.id, description="Send the weekend rota for Nov", owner="Registered manager",
                      due_on=dt.date(2026, 11, 14))
    correction = QANote(service_id=home.id, kind="monitoring_visit", held_on=dt.date(2026, 10, 14), rag="green",
                        findings="Rota gaps were covered by bank staff.", author="QA officer",
                        supersedes_id=note.id)
    event = AuditEvent(at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), actor="a.broker", entity="offer",
                       entity_id=str(offer.id), action="update", before={"status": "open"},
                       after={"status": "accepted", "weekly_price_pence": 582_500})
    source = SufficiencyImport(standard="placements-v2", source_name="nottingham-2026.json", sha256="ab" * 32,
                               imported_at=dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC), imported_by="analyst",
                               row_count=1)
    record = SufficiencyRecord(import_id=source.id, row_number=1, child_id=2**47 + 5, needed_by="Today",
                               placement_type="foster", total_weekly_cost_pence=95_000,
                               referral_date=dt.date(2026, 11, 2), suitability_foster="preferred",
                               preferred_location={"kind": "la", "code": "E06000018"},
                               fields={"childId": 2**47 + 5, "placementType": "Foster", "totalWeeklyCost": 950})
    return_import = Ssda903Import(imported_at=dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC), imported_by="analyst",
                                  children=1, episodes=1, uasc=0, oc3=1, queries=0)
    return_file = Ssda903File(import_id=return_import.id, source_name="episodes.csv", sha256="cd" * 32,
                              table_name="Episodes", row_count=1, years={"2024-25": 1})
    child = Ssda903Child(import_id=return_import.id, child_id=2**46 + 9, la="856", birth_month="2010-06", sex="F")
    episode = Ssda903Episode(import_id=return_import.id, child_id=2**46 + 9, la="856", return_year="2024-25",
                             decom=dt.date(2024, 5, 2), dec=dt.date(2025, 1, 10), rne="S", ls="C2", cin="N1",
                             place="U1", place_provider="PR1", rec="E13", reason_place_change="CARPL",
                             pl_la="E06000016", pl_district="LE2", home_district="LE4")
    leaver = Ssda903Oc3(import_id=return_import.id, child_id=2**46 + 9, la="856", return_year="2024-25",
                        in_touch="YES", activ="F2", accom="S")
    return [la, district, code, meta, provider, home, agency, household, prices, stop, referral, sent, offer,
            spot, amendment, approval, block, term, unit, unit_status, placement, block_placement, note, action,
            correction, event, source, record, return_import, return_file, child, episode, leaver]


def add_in_order(session: Session, rows: list[SQLModel]) -> None:
    """Add and flush one row at a time. The tables declare foreign keys but no relationship(), so the
    ORM does not order one flush's INSERTs by them (it goes by class name): parents must be flushed first."""
    for row in rows:
        if not hasattr(row, "id"):  # reference data: the start-up may have loaded this very row already
            existing = session.get(type(row), _key(row) if len(_key(row)) > 1 else _key(row)[0])
            if existing is not None:
                session.delete(existing)
                session.flush()
        session.add(row)
        session.flush()


def _key(row: SQLModel) -> tuple:
    mapper = row.__mapper__
    return tuple(getattr(row, c.key) for c in mapper.primary_key)


def test_the_fixture_rows_cover_every_table() -> None:
    register_all()
    covered = {type(r).__tablename__ for r in market_rows()}
    assert covered == set(SQLModel.metadata.tables), "add a row for the new table to market_rows()"


def test_every_table_round_trips(ctx) -> None:
    rows = market_rows()
    written = {(type(r), _key(r)): r.model_dump() for r in rows}
    with ctx.session() as s:
        add_in_order(s, rows)
    with writing_session(ctx) as s:  # a new session: everything comes from the database
        for (cls, key), expected in written.items():
            got = s.get(cls, key if len(key) > 1 else key[0])
            assert got is not None, f"{cls.__name__} {key} not found"
            assert got.model_dump() == expected, cls.__name__


def test_keys_are_uuid7_made_by_the_app(ctx) -> None:
    rows = market_rows()
    keyed = [r for r in rows if hasattr(r, "id")]
    assert keyed and all(isinstance(r.id, uuid.UUID) and r.id.version == 7 for r in keyed)
    with ctx.session() as s:
        add_in_order(s, rows)
    with writing_session(ctx) as s:
        got = s.get(Provider, rows[4].id)
        assert got is not None and got.id == rows[4].id and got.id.version == 7


def test_stored_values_are_iso_dates_json_and_integer_pence(ctx) -> None:
    with ctx.session() as s:
        add_in_order(s, market_rows())
    with ctx.engine.connect() as con:
        pence, valid_from = con.execute(text("SELECT core_weekly_pence, valid_from FROM price_list")).one()
        risks = con.execute(text("SELECT risks FROM referral")).scalar_one()
        sent_at = con.execute(text("SELECT sent_at FROM referral_sent")).scalar_one()
    assert type(pence) is int and pence == 525_000
    assert str(valid_from) == "2026-04-01"  # SQLite keeps the ISO text, PostgreSQL a DATE
    if ctx.location.is_sqlite:
        assert valid_from == "2026-04-01"
        assert sent_at.startswith("2026-11-21 09:15:30.123456")  # stored in UTC
        assert '"tag": "cce"' in risks
    else:
        assert valid_from == dt.date(2026, 4, 1)
        assert sent_at == dt.datetime(2026, 11, 21, 9, 15, 30, 123456, tzinfo=dt.UTC)
        assert risks == [{"tag": "cce", "present": True, "level": 3}]


def test_moments_come_back_as_the_same_utc_instant_on_both_backends(ctx) -> None:
    rows = market_rows()
    sent = next(r for r in rows if isinstance(r, ReferralSent))
    with ctx.session() as s:
        add_in_order(s, rows)
    with writing_session(ctx) as s:
        got = s.get(ReferralSent, sent.id)
        audit = s.exec(select(AuditEvent).where(AuditEvent.actor == "a.broker")).one()
    assert got.sent_at == dt.datetime(2026, 11, 21, 9, 15, 30, 123456, tzinfo=dt.UTC)
    assert got.sent_at.utcoffset() == dt.timedelta(0)
    assert audit.created_at.tzinfo is not None and audit.at.utcoffset() == dt.timedelta(0)


def test_foreign_keys_are_enforced(ctx) -> None:
    with pytest.raises(RuleBroken), ctx.session() as s:
        s.add(Service(provider_id=new_id(), name="Nowhere House", service_type="childrens_home_external",
                      sector="private"))
    with pytest.raises(RuleBroken), ctx.session() as s:
        s.add(PriceList(service_id=new_id(), valid_from=dt.date(2026, 4, 1), core_weekly_pence=450_000))
    with ctx.engine.connect() as con:
        assert con.execute(text("SELECT count(*) FROM service")).scalar_one() == 0
        assert con.execute(text("SELECT count(*) FROM price_list")).scalar_one() == 0


def test_a_failed_transaction_writes_nothing(ctx) -> None:
    provider = Provider(name="Half Written Ltd", sector="private")
    with pytest.raises(RuleBroken), ctx.session() as s:
        s.add(provider)
        s.flush()
        s.add(Service(provider_id=new_id(), name="Orphan", service_type="other", sector="private"))
    with writing_session(ctx) as s:
        assert s.get(Provider, provider.id) is None
