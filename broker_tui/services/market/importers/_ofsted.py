"""Import or refresh the market from Ofsted's provider-level register (CSV).

The mapping (also in docs/ofsted-import.md):

- Taken: every children's home (both spellings "Children's home" / "Children's Home", and "Residential
  special school (registered as a children's home)"), secure children's home, supported accommodation,
  independent fostering agency, residential family centre and residential special school
  (vocabulary.IMPORTED_PROVISION_TYPES). Every other provision type is skipped and counted by type;
  rows in Wales are skipped and counted (the app's authorities are England's).
- Service type and sector: a children's home run by the home council (Ofsted sector "Local Authority"
  in the home authority, settings.home.la_code: Leicester's seven homes) is childrens_home_in_house with
  sector in_house; any other service of the home council keeps its type with sector in_house; other
  sectors by vocabulary.OFSTED_SECTORS (another council's service is other_council).
- Provider: the owning organisation ("Organisation which owns the provider"; when blank, the service's
  own name), matched by name ignoring case and spacing. Its sector is the one most of its services have.
- Name and place: Ofsted withholds the name and postcode of homes and supported accommodation, so those
  get a clearly synthetic, deterministic name, "<kind> <URN> (<local authority>)", e.g. "Home 2590934
  (Lewisham)", and sit at their local authority's centroid with location_approximate=True. A service
  with a real postcode (agencies, most family centres and schools) keeps its real name and sits at its
  postcode district's centroid (location_approximate=False, postcode_district set).
- Judgements, each on its own scale: "Overall experiences and progress of children and young people" ->
  ofsted_grade; "Supported Accommodation outcome" -> sa_outcome; "Latest full inspection date" ->
  inspected_on. Registration status Active/Suspended -> active/suspended; dates are dd/mm/yyyy.
- Places as published (none for agencies). The register has no age ranges: new services get defaults
  by type (homes 8-17, secure homes 10-17, supported accommodation 16-17, fostering and family centres
  0-17, residential special schools 8-17); a fostering agency's areas_covered starts as its own authority.

Re-import updates only what the register owns: judgements, inspection date, places, registration status
and date, provider (owner) and sector, provision type and service type, short-breaks flag, local
authority and region, and the location of services placed approximately. Never what brokers entered
(name, vacancies, capabilities, prices, placement stops, households, specialisms, ages, areas covered).
A URN gone from the file is marked in_register=False, left_register_on=today (never deleted); one that
comes back is marked in the register again. Each created or changed service and provider writes one
audit event (action "import", actor ctx.actor) in the same transaction. Importing the same file twice
changes nothing the second time: no updates, no version bumps, no audit events.

Speed: the file is parsed with csv and checked in Python (ofsted_file.parse_register), then written in
one transaction with SQLAlchemy Core executemany: a few statements for the whole register.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from broker_tui.domain.ids import new_id
from broker_tui.domain.vocabulary import OFSTED_SECTORS, SERVICE_TYPE_BY_CODE
from broker_tui.services.context import AppContext
from broker_tui.services.market._columns import DIRECTORY_COLUMNS, HomeOrigin, directory_columns, home_origin
from broker_tui.services.market.importers._csv_file import ImportFileError
from broker_tui.services.market.importers._ofsted_file import OfstedRecord, parse_register
from broker_tui.services.reference import load_reference_data
from broker_tui.store.audit import audit_row, insert_audit_rows
from broker_tui.store.bulk import insert_rows, update_versioned
from broker_tui.store.tables import LocalAuthority, PostcodeDistrict, Provider, Service

__all__ = ["ImportFileError", "ImportReport", "import_ofsted", "parse_register"]

SYNTHETIC_PREFIX = {
    "childrens_home": "Home", "secure_childrens_home": "Secure home",
    "supported_accommodation": "Supported accommodation", "fostering_ifa": "Fostering agency",
    "parent_and_child": "Family centre", "residential_special_school": "Residential school",
}
DEFAULT_AGES = {
    "childrens_home": (8, 17), "secure_childrens_home": (10, 17), "supported_accommodation": (16, 17),
    "fostering_ifa": (0, 17), "parent_and_child": (0, 17), "residential_special_school": (8, 17),
}
# What the register owns; re-import compares and updates these only.
REGISTER_FIELDS = (
    "provider_id", "service_type", "sector", "ofsted_provision_type", "registration_status",
    "registration_date", "in_register", "left_register_on", "ofsted_grade", "sa_outcome", "inspected_on",
    "short_breaks_only", "places", "local_authority_code", "local_authority_name", "region",
)
LOCATION_FIELDS = ("postcode_district", "latitude", "longitude", "location_approximate")
BROKER_FIELDS = ("name", "town", "specialisms", "areas_covered", "price_from_pence")


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    taken: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    by_type: Counter[str] = field(default_factory=Counter)  # service type -> services in the file
    skipped_by_type: Counter[str] = field(default_factory=Counter)  # Ofsted provision type -> rows
    outside_england: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.gone or self.providers_created or self.providers_updated)

    def summary_lines(self) -> list[str]:
        kinds = ", ".join(f"{n:,} {SERVICE_TYPE_BY_CODE[t].short}" for t, n in sorted(self.by_type.items()))
        lines = [f"Imported {self.file}: {self.taken:,} of {self.rows:,} rows are services ({kinds})",
                 f"  services: {self.created:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                 f"{self.gone:,} gone from the register",
                 f"  providers: {self.providers_created:,} new, {self.providers_updated:,} updated"]
        if self.skipped_by_type:
            parts = ", ".join(f"{t} {n:,}" for t, n in sorted(self.skipped_by_type.items()))
            lines.append(f"  skipped {sum(self.skipped_by_type.values()):,} rows of other provision types: {parts}")
        if self.outside_england:
            parts = ", ".join(sorted(self.outside_england))
            lines.append(f"  skipped {sum(self.outside_england.values()):,} rows outside England ({parts})")
        lines.append(f"  took {self.seconds:.2f} s")
        return lines


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class _Place:
    la: dict[str, Any]
    districts: dict[str, tuple[float, float]]
    home: HomeOrigin


def read_places(con: Connection, ctx: AppContext) -> _Place:
    la_t, pd_t = LocalAuthority.__table__, PostcodeDistrict.__table__
    las = {r["ofsted_name"]: dict(r) for r in con.execute(select(la_t)).mappings()}
    districts = {r.outcode: (r.latitude, r.longitude)
                 for r in con.execute(select(pd_t.c.outcode, pd_t.c.latitude, pd_t.c.longitude))
                 if r.latitude is not None}
    return _Place(las, districts, home_origin(con, ctx.settings))


def register_values(rec: OfstedRecord, place: _Place) -> dict[str, Any]:
    """The register-owned columns of one record (provider_id excluded), plus its location."""
    la = place.la[rec.la_ofsted_name]
    home_council = rec.ofsted_sector == "Local Authority" and la["ons_code"] == place.home.la_code
    service_type = rec.kind
    if rec.kind == "childrens_home":
        service_type = "childrens_home_in_house" if home_council else "childrens_home_external"
    values: dict[str, Any] = {
        "service_type": service_type,
        "sector": "in_house" if home_council else OFSTED_SECTORS[rec.ofsted_sector],
        "ofsted_provision_type": rec.provision_type, "registration_status": rec.registration_status,
        "registration_date": rec.registration_date, "in_register": True, "left_register_on": None,
        "ofsted_grade": rec.ofsted_grade, "sa_outcome": rec.sa_outcome, "inspected_on": rec.inspected_on,
        "short_breaks_only": rec.short_breaks_only, "places": rec.places,
        "local_authority_code": la["ons_code"], "local_authority_name": la["ofsted_name"],
        "region": la["region_name"],
    }
    if rec.outcode and rec.outcode in place.districts:
        lat, lon = place.districts[rec.outcode]
        values.update(postcode_district=rec.outcode, latitude=lat, longitude=lon, location_approximate=False)
    else:
        values.update(postcode_district=None, latitude=la["latitude"], longitude=la["longitude"],
                      location_approximate=True)
    return values


def service_name(rec: OfstedRecord) -> str:
    if rec.name:
        return rec.name
    return f"{SYNTHETIC_PREFIX[rec.kind]} {rec.urn} ({rec.la_ofsted_name})"


def _provider_sectors(records: list[OfstedRecord], values: dict[str, dict[str, Any]]) -> dict[str, str]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for rec in records:
        votes[_norm(rec.owner or service_name(rec))][values[rec.urn]["sector"]] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in votes.items()}


def import_ofsted(ctx: AppContext, path: Path | str, progress: Callable[[str], None] | None = None, *,
                  con: Connection | None = None) -> ImportReport:
    """Check the whole file, then create or update services and providers in one transaction: its own, or
    the caller's when ``con`` is given (the demo seed's, so that the register and the rest of the demo are
    written or not together); then nothing is committed here."""
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    path = Path(path)
    with _transaction(ctx, con) as read:
        load_reference_data(read)
        place = read_places(read, ctx)
    say(f"Checking {path.name}…")
    parsed = parse_register(path, place.la.keys())
    report = ImportReport(file=path.name, rows=parsed.rows, taken=len(parsed.records),
                          skipped_by_type=parsed.skipped_by_type, outside_england=parsed.outside_england)
    values = {rec.urn: register_values(rec, place) for rec in parsed.records}
    report.by_type = Counter(v["service_type"] for v in values.values())
    say(f"Writing {len(parsed.records):,} services…")
    with _transaction(ctx, con) as write:
        _write(write, ctx, parsed.records, values, place, report)
    report.seconds = time.perf_counter() - started
    say(f"Done in {report.seconds:.2f} s")
    return report


@contextmanager
def _transaction(ctx: AppContext, con: Connection | None) -> Iterator[Connection]:
    """The caller's open transaction, or one of our own (committed at the end of the block)."""
    if con is not None:
        yield con
        return
    with ctx.engine.begin() as own:
        yield own


def _write(con: Connection, ctx: AppContext, records: list[OfstedRecord], values: dict[str, dict[str, Any]],
           place: _Place, report: ImportReport) -> None:
    now, today, actor = ctx.clock.now(), ctx.clock.today(), ctx.actor
    s_t, p_t = Service.__table__, Provider.__table__
    audits: list[dict[str, Any]] = []

    # Providers: match by name; create the missing, correct the sector of the rest.
    providers = {_norm(r.name): dict(r) for r in con.execute(select(p_t.c.id, p_t.c.name, p_t.c.sector,
                                                                    p_t.c.version)).mappings()}
    sectors = _provider_sectors(records, values)
    new_providers, provider_updates = [], []
    for rec in records:
        owner = rec.owner or service_name(rec)
        key = _norm(owner)
        if key not in providers:
            row = {"id": new_id(), "name": owner, "sector": sectors[key], "version": 1}
            providers[key] = row
            new_providers.append(row)
            audits.append(audit_row(actor=actor, at=now, entity="provider", entity_id=row["id"], action="import",
                                    after={"name": owner, "sector": row["sector"]}))
        elif providers[key]["sector"] != sectors[key] and "updated" not in providers[key]:
            old = providers[key]
            provider_updates.append({"b_id": old["id"], "b_version": old["version"], "sector": sectors[key],
                                     "version": old["version"] + 1, "updated_at": now})
            audits.append(audit_row(actor=actor, at=now, entity="provider", entity_id=old["id"], action="import",
                                    before={"sector": old["sector"]}, after={"sector": sectors[key]}))
            old.update(sector=sectors[key], updated=True)
    insert_rows(con, Provider, new_providers, now)
    update_versioned(con, Provider, provider_updates)
    report.providers_created, report.providers_updated = len(new_providers), len(provider_updates)
    owner_name = {v["id"]: v["name"] for v in providers.values()}

    existing = {r["ofsted_urn"]: dict(r) for r in con.execute(
        select(s_t.c.id, s_t.c.version, s_t.c.ofsted_urn,
               *[s_t.c[c] for c in (*REGISTER_FIELDS, *LOCATION_FIELDS, *BROKER_FIELDS, *DIRECTORY_COLUMNS)])
        .where(s_t.c.ofsted_urn.is_not(None))).mappings()}
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for rec in records:
        want = dict(values[rec.urn])
        want["provider_id"] = providers[_norm(rec.owner or service_name(rec))]["id"]
        found = existing.get(rec.urn)
        if found is None:
            name = service_name(rec)
            min_age, max_age = DEFAULT_AGES[rec.kind]
            areas = [want["local_authority_code"]] if rec.kind == "fostering_ifa" else []
            row = {"id": new_id(), "ofsted_urn": rec.urn, "name": name, "town": rec.town, "min_age": min_age,
                   "max_age": max_age, "areas_covered": areas, "specialisms": [], **want}
            row.update(_columns(row, owner_name[want["provider_id"]], None, place.home))
            creates.append(row)
            audits.append(audit_row(actor=actor, at=now, entity="service", entity_id=row["id"], action="import",
                                    after={"ofsted_urn": rec.urn, "name": name,
                                           **{k: want[k] for k in REGISTER_FIELDS}}))
            continue
        old = found
        if not (old["location_approximate"] or old["latitude"] is None):
            for k in LOCATION_FIELDS:
                want[k] = old[k]
        if all(old[k] == want[k] for k in (*REGISTER_FIELDS, *LOCATION_FIELDS)):
            report.unchanged += 1
            continue
        merged = {**old, **want}
        cols = _columns(merged, owner_name[want["provider_id"]], old["price_from_pence"], place.home)
        updates.append(_update_params(old, {**want, **cols}, now))
        audits.append(audit_row(actor=actor, at=now, entity="service", entity_id=old["id"], action="import",
                                before={k: old[k] for k in (*REGISTER_FIELDS, *LOCATION_FIELDS)},
                                after={k: want[k] for k in (*REGISTER_FIELDS, *LOCATION_FIELDS)}))
    in_file = {rec.urn for rec in records}
    for urn, old in sorted(existing.items()):
        if urn not in in_file and old["in_register"]:
            gone = {"in_register": False, "left_register_on": today}
            updates.append(_update_params(old, {k: old[k] for k in (*REGISTER_FIELDS, *LOCATION_FIELDS,
                                                                     *DIRECTORY_COLUMNS)} | gone, now))
            audits.append(audit_row(actor=actor, at=now, entity="service", entity_id=old["id"], action="import",
                                    before={"in_register": True, "left_register_on": None}, after=gone))
            report.gone += 1
    insert_rows(con, Service, creates, now)
    update_versioned(con, Service, updates)
    insert_audit_rows(con, audits, now)
    report.created, report.updated = len(creates), len(updates) - report.gone


def _columns(row: dict[str, Any], owner: str, price: int | None, home: HomeOrigin) -> dict[str, Any]:
    return directory_columns(
        name=row["name"], owner=owner, town=row["town"], la_code=row["local_authority_code"],
        la_name=row["local_authority_name"], region=row["region"], service_type=row["service_type"],
        specialisms=row["specialisms"], areas_covered=row["areas_covered"], latitude=row["latitude"],
        longitude=row["longitude"], ofsted_grade=row["ofsted_grade"], sa_outcome=row["sa_outcome"],
        price_from_pence=price, home=home)


def _update_params(old: dict[str, Any], new: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    params = {k: new[k] for k in (*REGISTER_FIELDS, *LOCATION_FIELDS, *DIRECTORY_COLUMNS)}
    return {"b_id": old["id"], "b_version": old["version"], "version": old["version"] + 1, "updated_at": now,
            **params}

