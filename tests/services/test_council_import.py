"""A council's own provider list (CSV) imported into the market, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker_tui.services.market.importers import ImportFileError, import_council_csv, import_ofsted
from broker_tui.services.market.importers import _council_csv_write as council_csv_write
from broker_tui.store.tables import AuditEvent, FosterHousehold, PriceList, Provider, Service
from tests.conftest import TODAY
from tests.services.test_ofsted_import import subset, write_csv

HEADER = ["Provider", "Provider sector", "Referral contact name", "Referral email", "Referral phone", "Service",
          "Service type", "Ofsted URN", "Postcode", "Local authority", "Areas covered", "Age from", "Age to",
          "Sexes", "Places", "Vacancies", "Households", "Places per household", "SA category", "Specialisms",
          "cap_health", "cap_risk", "Purchasing route", "Framework name", "Framework lot", "Core weekly fee",
          "1:1 hourly", "2:1 hourly", "Education weekly", "Therapy weekly", "Solo premium weekly",
          "Price valid from", "Annual uplift %"]
MAPLE = {"Provider": "Acme Care Ltd", "Provider sector": "private", "Referral contact name": "Referrals team",
         "Referral email": "referrals@acme.example.org", "Referral phone": "0116 496 0123", "Service": "Maple House",
         "Service type": "childrens_home_external", "Postcode": "LE2 1AA", "Age from": "10", "Age to": "17",
         "Sexes": "female", "Places": "4", "Vacancies": "1", "Specialisms": "autsim; county lines",
         "cap_risk": "3", "Purchasing route": "Framework", "Framework name": "East Midlands Children's Framework",
         "Framework lot": "Lot 1", "Core weekly fee": "£5,250.00", "1:1 hourly": "28.50", "2:1 hourly": "£57",
         "Education weekly": "£900", "Price valid from": "01/04/2026", "Annual uplift %": "3.5%"}
OAK = {"Provider": "ACME care  ltd", "Service": "Oak Fostering", "Service type": "Independent fostering agency (IFA)",
       "Local authority": "Nottingham", "Areas covered": "Nottingham; leicester; E06000016", "Vacancies": "3",
       "Households": "3", "Places per household": "2", "Specialisms": "sibling_group", "Core weekly fee": "1050"}
LODGE = {"Provider": "Hope Housing", "Provider sector": "Voluntary", "Service": "Hope Lodge",
         "Service type": "Supported accommodation", "Postcode": "NG7", "SA category": "ring_fenced_shared",
         "Places": "6", "Core weekly fee": "£620", "Annual uplift %": "2"}


def council_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def services(ctx) -> dict[str, dict]:
    with ctx.engine.connect() as con:
        return {r["name"]: dict(r) for r in con.execute(select(Service.__table__)).mappings()}


def rows_of(ctx, model, **where) -> list[dict]:
    t = model.__table__
    with ctx.engine.connect() as con:
        q = select(t)
        for k, v in where.items():
            q = q.where(t.c[k] == v)
        return [dict(r) for r in con.execute(q).mappings()]


def count(ctx, model) -> int:
    with ctx.engine.connect() as con:
        return con.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def test_good_file_creates_providers_services_prices_and_households(ctx, tmp_path: Path) -> None:
    report = import_council_csv(ctx, council_csv(tmp_path / "list.csv", [MAPLE, OAK, LODGE]))
    assert report.written and not report.refused
    assert (report.created, report.updated, report.providers_created, report.price_lists) == (3, 0, 2, 3)
    assert report.households_created == 3
    (acme,) = rows_of(ctx, Provider, name="Acme Care Ltd")
    assert (acme["sector"], acme["referral_email"], acme["referral_phone"]) == (
        "private", "referrals@acme.example.org", "0116 496 0123")
    s = services(ctx)
    maple, oak, lodge = s["Maple House"], s["Oak Fostering"], s["Hope Lodge"]
    assert maple["provider_id"] == oak["provider_id"] == acme["id"]
    assert (maple["service_type"], maple["sector"], maple["min_age"], maple["max_age"], maple["sexes"]) == (
        "childrens_home_external", "private", 10, 17, "female")
    assert (maple["places"], maple["vacancies"], maple["vacancies_as_of"]) == (4, 1, TODAY)
    assert maple["specialisms"] == ["autism", "cce"] and maple["cap_risk"] == 3 and maple["cap_health"] == 1
    assert (maple["purchasing_route"], maple["framework_lot"]) == ("framework", "Lot 1")
    assert (maple["postcode_district"], maple["local_authority_code"], maple["location_approximate"]) == (
        "LE2", "E06000016", False)
    assert maple["in_area"] is True and 0 < maple["distance_miles"] < 5 and maple["price_from_pence"] == 525_000
    assert "autism" in maple["search_text"] and maple["sort_name"] == "maple house"
    (price,) = rows_of(ctx, PriceList, service_id=maple["id"])
    assert (price["core_weekly_pence"], price["one_to_one_hourly_pence"], price["two_to_one_hourly_pence"],
            price["education_weekly_pence"], price["therapy_weekly_pence"]) == (525_000, 2850, 5700, 90_000, None)
    assert (price["valid_from"], price["annual_uplift_bp"], price["source"]) == (dt.date(2026, 4, 1), 350, "import")
    assert oak["areas_covered"] == ["E06000016", "E06000018"] and oak["location_approximate"] is True
    assert oak["local_authority_code"] == "E06000018" and oak["in_area"] is True and oak["distance_miles"] > 15
    assert (oak["places"], oak["vacancies"], oak["price_from_pence"]) == (6, 3, 105_000)
    households = sorted(rows_of(ctx, FosterHousehold, service_id=oak["id"]), key=lambda h: h["reference"])
    assert [(h["reference"], h["places"], h["free_places"]) for h in households] == [
        ("LIST-0001", 2, 2), ("LIST-0002", 2, 1), ("LIST-0003", 2, 0)]
    assert (lodge["sa_category"], lodge["min_age"], lodge["max_age"], lodge["sector"]) == (
        "ring_fenced_shared", 16, 17, "voluntary")
    assert lodge["in_area"] is False and lodge["postcode_district"] == "NG7"
    assert rows_of(ctx, PriceList, service_id=lodge["id"])[0]["valid_from"] == TODAY
    with ctx.engine.connect() as con:
        actions = set(con.execute(select(AuditEvent.entity).where(AuditEvent.action == "import")).scalars())
    assert actions == {"provider", "service", "price_list", "foster_household"}


BAD_ROWS = [
    (MAPLE, None),
    ({**LODGE, "Service": "A", "Service type": "castle"}, "service_type 'castle' is not a known service type"),
    ({**LODGE, "Service": "B", "Core weekly fee": "£12.345"}, "core_weekly_fee:"),
    ({**LODGE, "Service": "C", "Places": "-2"}, "places -2 is negative"),
    ({**LODGE, "Service": "D", "Age from": "17", "Age to": "16"}, "ages are out of order: from 17 to 16"),
    ({**LODGE, "Service": "E", "Postcode": "ZZ99 9ZZ"}, "postcode district 'ZZ99' is not one the app knows"),
    ({**LODGE, "Service": "F", "Postcode": "", "Local authority": "Leicster"}, "did you mean Leicester?"),
    ({**LODGE, "Service": "G", "Specialisms": "autism; zqxj wibble"}, "specialism 'zqxj wibble'"),
    ({**MAPLE, "Service": "maple  HOUSE"}, "appears twice (also on line 2)"),
    ({**LODGE, "Provider": "New Co", "Provider sector": ""}, "provider_sector is needed"),
    ({**OAK, "Service": "H", "Vacancies": "9"}, "vacancies 9 is more than the households' 6 places"),
    ({**LODGE, "Service": "I", "Service type": ""}, "service_type is empty"),
]


def test_bad_rows_write_nothing_and_each_is_reported_by_line(ctx, tmp_path: Path) -> None:
    report = import_council_csv(ctx, council_csv(tmp_path / "bad.csv", [r for r, _ in BAD_ROWS]))
    assert not report.written
    assert report.skipped_lines == list(range(3, len(BAD_ROWS) + 2))
    for line, (_row, reason) in enumerate(BAD_ROWS, start=2):
        if reason:
            found = [m for n, m in report.refused if n == line]
            assert any(reason in m for m in found), (line, reason, found)
    assert count(ctx, Provider) == count(ctx, Service) == count(ctx, PriceList) == count(ctx, AuditEvent) == 0


def test_skip_bad_imports_the_good_rows_in_one_transaction(ctx, tmp_path: Path, monkeypatch) -> None:
    path = council_csv(tmp_path / "bad.csv", [r for r, _ in BAD_ROWS] + [OAK])

    def boom(*_a, **_k):
        raise RuntimeError("refresh failed")

    monkeypatch.setattr(council_csv_write, "refresh_directory_columns", boom)
    with pytest.raises(RuntimeError):
        import_council_csv(ctx, path, skip_bad=True)
    assert count(ctx, Provider) == count(ctx, Service) == count(ctx, FosterHousehold) == 0  # all rolled back
    monkeypatch.undo()
    report = import_council_csv(ctx, path, skip_bad=True)
    assert report.written and report.created == 2 and len(report.skipped_lines) == len(BAD_ROWS) - 1
    assert set(services(ctx)) == {"Maple House", "Oak Fostering"}


def test_reimport_with_a_changed_price_adds_a_price_list_and_keeps_the_old(ctx, tmp_path: Path) -> None:
    import_council_csv(ctx, council_csv(tmp_path / "a.csv", [MAPLE]))
    same = import_council_csv(ctx, council_csv(tmp_path / "b.csv", [MAPLE]))
    assert (same.created, same.updated, same.unchanged, same.price_lists) == (0, 0, 1, 0)
    clash = import_council_csv(ctx, council_csv(tmp_path / "c.csv", [{**MAPLE, "Core weekly fee": "5500"}]))
    assert not clash.written and "price lists are history" in clash.refused[0][1]
    newer = {**MAPLE, "Core weekly fee": "£5,500", "Price valid from": "2026-11-01", "Vacancies": "0"}
    report = import_council_csv(ctx, council_csv(tmp_path / "d.csv", [newer]))
    assert (report.created, report.updated, report.price_lists) == (0, 1, 1)
    maple = services(ctx)["Maple House"]
    lists = sorted(rows_of(ctx, PriceList, service_id=maple["id"]), key=lambda p: p["valid_from"])
    assert [(p["valid_from"], p["core_weekly_pence"]) for p in lists] == [
        (dt.date(2026, 4, 1), 525_000), (dt.date(2026, 11, 1), 550_000)]
    assert maple["price_from_pence"] == 550_000 and maple["vacancies"] == 0 and maple["version"] == 2
    assert count(ctx, Service) == 1


def test_urn_row_updates_the_register_service_broker_fields_only(ctx, tmp_path: Path) -> None:
    header, rows = subset(12)
    import_ofsted(ctx, write_csv(tmp_path / "register.csv", header, rows))
    home = next(r for r in services(ctx).values() if r["service_type"] == "childrens_home_external")
    owner = rows_of(ctx, Provider, id=home["provider_id"])[0]
    row = {"Provider": "Someone Else Ltd", "Service": "Rosewood House", "Service type": "supported_accommodation",
           "Ofsted URN": home["ofsted_urn"], "Postcode": "LE1 1AA", "Places": "9", "Vacancies": "1",
           "Age from": "12", "Specialisms": "autsim", "cap_risk": "3", "Core weekly fee": "£6,000",
           "Referral email": "homes@owner.example.org"}
    ifa = next(r for r in services(ctx).values() if r["service_type"] == "fostering_ifa")
    agency = {"Service": "", "Service type": "", "Ofsted URN": ifa["ofsted_urn"], "Areas covered": "Leicester; Rutland",
              "Households": "2", "Places per household": "1", "Vacancies": "1", "Places": "40"}
    report = import_council_csv(ctx, council_csv(tmp_path / "list.csv", [row, agency]))
    assert report.written and (report.created, report.updated, report.providers_created) == (0, 2, 0)
    ifa_after = services(ctx)[ifa["name"]]
    assert ifa_after["areas_covered"] == ["E06000016", "E06000017"] and ifa_after["in_area"] is True
    assert (ifa_after["places"], ifa_after["vacancies"]) == (ifa["places"], 1)
    assert sorted(h["free_places"] for h in rows_of(ctx, FosterHousehold, service_id=ifa["id"])) == [0, 1]
    after = services(ctx)["Rosewood House"]
    assert after["id"] == home["id"] and after["version"] == home["version"] + 1
    for k in ("provider_id", "service_type", "sector", "places", "local_authority_code", "postcode_district",
              "latitude", "longitude", "ofsted_grade", "registration_status", "ofsted_provision_type"):
        assert after[k] == home[k], k
    assert (after["vacancies"], after["min_age"], after["specialisms"], after["cap_risk"]) == (1, 12, ["autism"], 3)
    assert after["price_from_pence"] == 600_000 and after["search_text"].startswith("rosewood house")
    assert rows_of(ctx, Provider, id=owner["id"])[0]["referral_email"] == "homes@owner.example.org"
    assert not rows_of(ctx, Provider, name="Someone Else Ltd")
    again = import_ofsted(ctx, write_csv(tmp_path / "register.csv", header, rows))
    assert again.updated == 0 and services(ctx)["Rosewood House"]["vacancies"] == 1


def test_specialism_typos_and_phrases_resolve_to_tags(sqlite_ctx, tmp_path: Path) -> None:
    row = {**LODGE, "Specialisms": "autsim;Child criminal explotation;UASC;self harm;missing"}
    report = import_council_csv(sqlite_ctx, council_csv(tmp_path / "t.csv", [row]))
    assert report.written
    assert services(sqlite_ctx)["Hope Lodge"]["specialisms"] == ["autism", "cce", "missing", "self_harm", "uasc"]


def test_unknown_or_missing_columns_refuse_the_file(sqlite_ctx, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as err:
        import_council_csv(sqlite_ctx, council_csv(tmp_path / "h.csv", [{"Provider": "X"}],
                                                   header=["Provider", "Sevice", "cap_helth"]))
    text = "\n".join(err.value.lines())
    assert "unknown column 'Sevice'" in text and "unknown column 'cap_helth'" in text
    assert "missing column(s): service, service_type" in text and count(sqlite_ctx, Provider) == 0


def test_reimport_with_fewer_households_archives_the_rest(ctx, tmp_path: Path) -> None:
    import_council_csv(ctx, council_csv(tmp_path / "a.csv", [{**OAK, "Provider sector": "private"}]))
    fewer = {**OAK, "Households": "2", "Places per household": "3", "Vacancies": "4"}
    report = import_council_csv(ctx, council_csv(tmp_path / "b.csv", [fewer]))
    assert (report.updated, report.households_created, report.households_changed) == (1, 0, 3)
    oak = services(ctx)["Oak Fostering"]
    households = sorted(rows_of(ctx, FosterHousehold, service_id=oak["id"]), key=lambda h: h["reference"])
    assert [(h["places"], h["free_places"], h["archived_on"]) for h in households] == [
        (3, 3, None), (3, 1, None), (2, 0, TODAY)]
    assert (oak["places"], oak["vacancies"], oak["version"]) == (6, 4, 2)
    more = import_council_csv(ctx, council_csv(tmp_path / "c.csv", [{**fewer, "Households": "3"}]))
    assert more.households_created == 1
    refs = sorted(h["reference"] for h in rows_of(ctx, FosterHousehold, service_id=oak["id"]) if not h["archived_on"])
    assert refs == ["LIST-0001", "LIST-0002", "LIST-0004"]


def test_registration_comes_from_the_register_never_a_default(ctx, tmp_path: Path) -> None:
    """A new service of a type Ofsted must register is 'not on Ofsted's register' (with or without a URN)
    until the register import brings it; the council's own fostering, kinship care and 18+ accommodation
    need no registration. Matching never ranks the unregistered one."""
    header, register = subset(12)
    home = next(r for r in register if r["Provision type"] == "Children's home" and r["Registration status"] == "Active")
    own = {"Provider": "Leicester City Council", "Provider sector": "in_house", "Local authority": "Leicester"}
    rows = [MAPLE, OAK, LODGE, {**MAPLE, "Service": "Birch House", "Ofsted URN": home["URN"]},
            {**own, "Service": "Our Carers", "Service type": "fostering_in_house"},
            {**own, "Service": "Family and Friends", "Service type": "fostering_kinship"},
            {**own, "Service": "Leavers' Flats", "Service type": "care_leavers_18_plus", "Places": "4"}]
    assert import_council_csv(ctx, council_csv(tmp_path / "list.csv", rows)).written
    s = services(ctx)
    for name in ("Maple House", "Oak Fostering", "Hope Lodge", "Birch House"):
        assert s[name]["registration_status"] == "not_registered", name
    for name in ("Our Carers", "Family and Friends", "Leavers' Flats"):
        assert s[name]["registration_status"] == "not_required", name
    from broker_tui.services.market import service_detail

    assert service_detail(ctx, s["Maple House"]["id"]).registration_label == (
        "Not on Ofsted's register: this type must be registered with Ofsted")
    assert service_detail(ctx, s["Our Carers"]["id"]).registration_label == "No registration needed"
    import_ofsted(ctx, write_csv(tmp_path / "register.csv", header, register))
    assert services(ctx)["Birch House"]["registration_status"] == "active"  # the register took it over
    assert services(ctx)["Maple House"]["registration_status"] == "not_registered"
