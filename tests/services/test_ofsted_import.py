"""The Ofsted importer against the real register (seed/), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import filecmp
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker_tui.resources import SEED_DIR
from broker_tui.services.market.importers import ImportFileError, import_ofsted
from broker_tui.services.reference import ensure_reference_data
from broker_tui.store.tables import AuditEvent, CodeListEntry, LocalAuthority, Provider, Service
from tests.conftest import TODAY

REGISTER = SEED_DIR / "ofsted_childrens_social_care_providers_2025.csv"
HOME_TYPES = {"Children's home", "Children's Home", "Residential special school (registered as a children's home)"}
OTHER_TYPES = {"Secure children's home": "secure_childrens_home", "Supported Accommodation": "supported_accommodation",
               "Independent Fostering Agency": "fostering_ifa", "Residential Family Centre": "parent_and_child",
               "Residential Special School": "residential_special_school"}


def register_rows() -> tuple[list[str], list[dict[str, str]]]:
    with open(REGISTER, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def expected_types(rows: list[dict[str, str]]) -> Counter[str]:
    """The documented mapping, computed here independently of the importer."""
    out: Counter[str] = Counter()
    for r in rows:
        if r["Ofsted Region"] == "Wales":
            continue
        if r["Provision type"] in HOME_TYPES:
            leicester_own = r["Sector"] == "Local Authority" and r["Local authority"] == "Leicester"
            out["childrens_home_in_house" if leicester_own else "childrens_home_external"] += 1
        elif r["Provision type"] in OTHER_TYPES:
            out[OTHER_TYPES[r["Provision type"]]] += 1
    return out


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def subset(n: int = 40) -> tuple[list[str], list[dict[str, str]]]:
    """A small register: the first n rows plus Leicester's own homes and a few agencies."""
    header, rows = register_rows()
    leicester = [r for r in rows if r["Local authority"] == "Leicester" and r["Sector"] == "Local Authority"]
    agencies = [r for r in rows if r["Provision type"] == "Independent Fostering Agency"][:5]
    picked = {r["URN"]: r for r in rows[:n] + leicester + agencies}
    return header, list(picked.values())


def count(ctx, table) -> int:
    with ctx.engine.connect() as con:
        return con.execute(select(func.count()).select_from(table.__table__)).scalar_one()


def versions(ctx) -> dict[str, int]:
    with ctx.engine.connect() as con:
        return {r.ofsted_urn: r.version for r in con.execute(select(Service.ofsted_urn, Service.version))}


def test_seed_files_are_the_shared_data(shared_data: Path) -> None:
    for name in ("ofsted_childrens_social_care_providers_2025.csv", "english_local_authorities_2024.csv"):
        assert filecmp.cmp(SEED_DIR / name, shared_data / name, shallow=False), name
    # the code lists are the shared file's rows with the days each code is valid added (valid_from,
    # valid_to) and SEX M, F, U (from 2024-25, no published wording) after SEX 1 and 2
    with open(shared_data / "ssda903_code_lists.csv", newline="", encoding="utf-8") as fh:
        shared = list(csv.DictReader(fh))
    with open(SEED_DIR / "ssda903_code_lists.csv", newline="", encoding="utf-8") as fh:
        seed = list(csv.DictReader(fh))
    # and the care leavers' (OC3) IN_TOUCH, ACTIV and ACCOM codes (rules 131, 132, 133) at the end
    sex = [r for r in seed if r["field"] == "SEX" and r["code"] in "MFU"]
    oc3 = [r for r in seed if r["field"] in ("IN_TOUCH", "ACTIV", "ACCOM")]
    assert [{k: r[k] for k in shared[0]} for r in seed if r not in sex and r not in oc3] == shared
    assert [(r["code"], r["valid_from"], r["valid_to"]) for r in sex] == [(c, "2024-25", "") for c in "MFU"]
    assert seed[-len(oc3):] == oc3 and not any(r["field"] in ("IN_TOUCH", "ACTIV", "ACCOM") for r in shared)
    assert [len([r for r in oc3 if r["field"] == f]) for f in ("IN_TOUCH", "ACTIV", "ACCOM")] == [6, 12, 31]
    licence = (SEED_DIR / "LICENCE.md").read_text()
    assert licence.count("Open Government Licence v3.0") >= 4 and "BT" in licence


def test_reference_data_is_loaded_once(ctx) -> None:
    assert count(ctx, LocalAuthority) == 153
    assert not ensure_reference_data(ctx).loaded_anything


def test_codes_a_newer_seed_adds_reach_an_older_database(ctx) -> None:
    table = CodeListEntry.__table__
    with ctx.engine.begin() as con:  # a database seeded before the care leavers' codes were in seed/
        con.execute(table.delete().where(table.c.field.in_(("IN_TOUCH", "ACTIV", "ACCOM"))))
        con.execute(table.update().where((table.c.field == "PLACE") & (table.c.code == "K2"))
                    .values(description="kept as it was"))
    report = ensure_reference_data(ctx)
    assert report.codes == 49 and report.local_authorities == 0 and report.postcode_districts == 0
    with ctx.session() as s:
        assert s.get(CodeListEntry, ("ACCOM", "Z1")).description == "With former foster carers: suitable"
        assert s.get(CodeListEntry, ("PLACE", "K2")).description == "kept as it was"  # a code held is left alone
    assert not ensure_reference_data(ctx).loaded_anything
    with ctx.session() as s:
        leicester = s.get(LocalAuthority, "E06000016")
        assert abs(leicester.latitude - 52.63) < 0.05 and abs(leicester.longitude + 1.13) < 0.05
        barnsley = s.get(LocalAuthority, "E08000016")
        assert barnsley.latitude is not None  # re-coded districts joined by hand
        assert all(la.latitude is not None for la in s.scalars(select(LocalAuthority)))
        h5 = s.get(CodeListEntry, ("PLACE", "H5"))
        assert h5.valid_to_year == "2023-24"  # the year of its last day, 28/10/2023 (domain.sufficiency.codes)
        assert s.get(CodeListEntry, ("PLACE", "K3")).valid_from_year == "2024-25"
        assert s.get(CodeListEntry, ("PLACE", "K2")).valid_to_year is None


def test_full_register_import_then_again_changes_nothing(ctx) -> None:
    _, rows = register_rows()
    report = import_ofsted(ctx, REGISTER)
    expected = expected_types(rows)
    assert report.created == sum(expected.values())
    with ctx.engine.connect() as con:
        got = Counter(dict(con.execute(select(Service.service_type, func.count()).group_by(Service.service_type)).all()))
        assert got == expected
        urns = [u for (u,) in con.execute(select(Service.ofsted_urn))]
        assert len(urns) == len(set(urns))
        assert con.execute(select(func.count()).where(Service.latitude.is_(None) | Service.longitude.is_(None))
                           ).scalar_one() == 0
        own = con.execute(select(Service.ofsted_urn, Service.sector, Service.local_authority_name, Provider.name)
                          .join(Provider).where(Service.service_type == "childrens_home_in_house")).all()
        assert len(own) == 7 and {(o.sector, o.local_authority_name, o.name) for o in own} == {
            ("in_house", "Leicester", "Leicester City Council")}
        names = dict(con.execute(select(Service.ofsted_urn, Service.name)).all())
        withheld = {r["URN"] for r in rows if r["Name"] == "REDACTED"} & set(names)
        assert len(withheld) > 3900
        assert all(re.fullmatch(rf"[A-Z][a-z ]+ {u} \(.+\)", names[u]) for u in withheld)
        assert all(names[r["URN"]] == r["Name"] for r in rows if r["URN"] in names and r["URN"] not in withheld)
        approx = set(con.execute(select(Service.ofsted_urn).where(Service.location_approximate)).scalars())
        assert approx == {r["URN"] for r in rows if r["Postcode"] == "REDACTED"} & set(names)
        agencies = con.execute(select(Service.postcode_district, Service.location_approximate)
                               .where(Service.service_type == "fostering_ifa")).all()
        assert all(d and not a for d, a in agencies)
        other_council = con.execute(select(func.count()).where(Service.sector == "other_council")).scalar_one()
        assert other_council > 400
    audit_before, versions_before = count(ctx, AuditEvent), versions(ctx)
    again = import_ofsted(ctx, REGISTER)
    assert (again.created, again.updated, again.gone, again.providers_created, again.providers_updated) == (0, 0, 0, 0, 0)
    assert again.unchanged == report.created
    assert count(ctx, AuditEvent) == audit_before
    assert versions(ctx) == versions_before


def test_changed_home_updates_only_that_home_and_keeps_vacancies(ctx, tmp_path: Path) -> None:
    header, rows = subset()
    import_ofsted(ctx, write_csv(tmp_path / "a.csv", header, rows))
    target = next(r for r in rows if r["Provision type"] == "Children's home"
                  and r["Overall experiences and progress of children and young people"] == "Good")
    with ctx.session() as s:
        home = s.scalars(select(Service).where(Service.ofsted_urn == target["URN"])).one()
        home.vacancies, home.vacancies_as_of, home.vacancies_source = 1, TODAY, "phone call"
    before, audit_before = versions(ctx), count(ctx, AuditEvent)
    changed = [dict(r) for r in rows]
    row = next(r for r in changed if r["URN"] == target["URN"])
    row["Overall experiences and progress of children and young people"] = "Inadequate"
    row["Places"] = str(int(row["Places"]) + 2)
    report = import_ofsted(ctx, write_csv(tmp_path / "b.csv", header, changed))
    assert (report.created, report.updated, report.gone) == (0, 1, 0)
    after = versions(ctx)
    assert {u for u in after if after[u] != before[u]} == {target["URN"]}
    assert after[target["URN"]] == before[target["URN"]] + 1
    with ctx.session() as s:
        home = s.scalars(select(Service).where(Service.ofsted_urn == target["URN"])).one()
        assert home.ofsted_grade == "inadequate" and home.places == int(target["Places"]) + 2
        assert (home.vacancies, home.vacancies_as_of, home.vacancies_source) == (1, TODAY, "phone call")
        assert home.judgement_sort == 4
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(home.id),
                                                    AuditEvent.action == "import")).all()
    assert count(ctx, AuditEvent) == audit_before + 1
    latest = max(events, key=lambda e: e.at if e.before else e.at.replace(year=1))
    assert latest.before == {"ofsted_grade": "good", "places": int(target["Places"])}
    assert latest.actor == "test.broker"


def test_urn_gone_from_the_register_is_marked_not_deleted(ctx, tmp_path: Path) -> None:
    header, rows = subset()
    first = import_ofsted(ctx, write_csv(tmp_path / "a.csv", header, rows))
    gone = rows[3]["URN"]
    report = import_ofsted(ctx, write_csv(tmp_path / "b.csv", header, [r for r in rows if r["URN"] != gone]))
    assert (report.gone, report.updated, report.created) == (1, 0, 0)
    assert count(ctx, Service) == first.created
    with ctx.session() as s:
        service = s.scalars(select(Service).where(Service.ofsted_urn == gone)).one()
        assert service.in_register is False and service.left_register_on == TODAY
    back = import_ofsted(ctx, write_csv(tmp_path / "c.csv", header, rows))
    assert (back.updated, back.gone) == (1, 0)


def test_broken_file_writes_nothing_and_names_the_lines(ctx, tmp_path: Path) -> None:
    header, rows = subset()
    broken = [dict(r) for r in rows]
    broken[4]["Registration date"] = "31/02/2020"  # line 6
    broken[9]["URN"] = broken[2]["URN"]  # line 11 repeats line 4
    broken[12]["Places"] = "six"  # line 14
    broken[15]["Local authority"] = "Atlantis"  # line 17
    with pytest.raises(ImportFileError) as err:
        import_ofsted(ctx, write_csv(tmp_path / "bad.csv", header, broken))
    lines = {n for n, _ in err.value.problems}
    assert {6, 11, 14} <= lines
    text = "\n".join(err.value.lines())
    assert "line 6" in text and "31/02/2020" in text and "also on line 4" in text
    if broken[15]["Ofsted Region"] != "Wales":
        assert 17 in lines
    assert count(ctx, Service) == 0 and count(ctx, Provider) == 0 and count(ctx, AuditEvent) == 0


def test_missing_column_is_refused(ctx, tmp_path: Path) -> None:
    header, rows = subset(5)
    short = [h for h in header if h != "Places"]
    path = write_csv(tmp_path / "short.csv", short, [{k: v for k, v in r.items() if k != "Places"} for r in rows])
    with pytest.raises(ImportFileError) as err:
        import_ofsted(ctx, path)
    assert err.value.problems[0][0] == 1 and "'Places'" in err.value.problems[0][1]
    assert count(ctx, Service) == 0
