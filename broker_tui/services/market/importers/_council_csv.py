"""Import a council's own provider list (CSV): providers, services, prices and fostering households.

One row is one service. Headers are matched ignoring case, spaces and punctuation ("Core weekly fee"
is core_weekly_fee); an unknown or repeated header refuses the file. Only provider, service and
service_type must be present as columns; every other column is optional and so is every blank cell
(on a new service a blank takes the default, on an existing one it keeps what is there).
The columns (docs/provider-import.md has the full table and an example):

- provider, provider_sector (in_house, private, voluntary, other_council, other_public or their labels;
  needed for a provider the app does not know yet; an existing provider's sector is not changed),
  referral_contact_name, referral_email, referral_phone (set on the provider when given);
- service (name), service_type (app code, label or short label: `broker-tui providers list --help-types`),
  ofsted_urn (optional: when the URN is in the market, the row updates that service);
- town, postcode (full postcode or district), local_authority (name or ONS code; from the postcode's
  district when blank), areas_covered (fostering only: ';'-separated authority names or ONS codes);
- age_from, age_to (0-25), sexes (mixed/female/male), places, vacancies, households and
  places_per_household (fostering: that many households, vacancies spread over them as free places);
- sa_category (supported accommodation), specialisms (';'-separated tag codes or phrases, typos resolved
  by domain.tags.resolve_tag: "autsim" is autism), cap_health, cap_emotional, cap_behaviour,
  cap_education, cap_identity, cap_relationships, cap_independence, cap_risk (0-3);
- purchasing_route (spot, framework, open_framework, dynamic_purchasing_system, block or their labels),
  framework_name, framework_lot, description;
- core_weekly_fee, one_to_one_hourly, two_to_one_hourly, education_weekly, therapy_weekly,
  solo_premium_weekly (money as £1,234.50 or 1234.5, stored as pence), price_valid_from (dd/mm/yyyy or
  yyyy-mm-dd, today when blank), annual_uplift (a percentage, 3.5 or 3.5%).

Matching: a provider by name ignoring case and spacing (created when new); a service by its URN, else by
provider and service name. A service from Ofsted's register keeps what the register owns (type, sector,
places, registration, judgements, location, owner): only broker-owned fields change (name, ages, sexes,
vacancies, specialisms, capabilities, category, route, framework, description, areas covered, households,
prices). Prices are history: a changed price list is a new dated PriceList row, never an update; the
same list again adds nothing; a different list on the same date as an existing one is refused.

The whole file is checked before anything is written, in the import's one transaction: every bad row
is reported by line with its reasons, and then nothing is written unless skip_bad, which writes the good
rows (still in one transaction). Writes are SQLAlchemy Core executemany (services.bulk); the directory
columns of the touched services are refreshed at the end and every change writes an audit event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from broker_tui.services.context import AppContext
from broker_tui.services.market.importers._council_csv_rows import (
    COLUMNS,
    CONTACTS,
    REQUIRED_COLUMNS,
    Market,
    RowPlan,
    check_row,
    header_key,
    norm,
)
from broker_tui.services.market.importers._council_csv_write import write_plans
from broker_tui.services.market.importers._csv_file import ImportFileError, csv_file
from broker_tui.services.reference import load_reference_data
from broker_tui.store.tables import LocalAuthority, PostcodeDistrict, PriceList, Provider, Service

__all__ = ["COLUMNS", "CouncilImportReport", "ImportFileError", "import_council_csv"]


@dataclass
class CouncilImportReport:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    price_lists: int = 0
    households_created: int = 0
    households_changed: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), line 1 is the header
    written: bool = False
    seconds: float = 0.0

    @property
    def skipped_lines(self) -> list[int]:
        return sorted({line for line, _ in self.refused})

    def problem_lines(self) -> list[str]:
        return [f"line {n}: {reason}" for n, reason in self.refused]

    def summary_lines(self) -> list[str]:
        if not self.written:
            return [f"{self.file}: nothing was written ({len(self.skipped_lines)} of {self.rows} rows refused)"]
        lines = [f"Imported {self.file}: {self.rows - len(self.skipped_lines)} of {self.rows} rows",
                 f"  services: {self.created} new, {self.updated} updated, {self.unchanged} unchanged",
                 f"  providers: {self.providers_created} new, {self.providers_updated} updated",
                 f"  price lists: {self.price_lists} new; fostering households: {self.households_created} new, "
                 f"{self.households_changed} changed"]
        if self.refused:
            lines.append(f"  skipped {len(self.skipped_lines)} bad row(s): lines "
                         + ", ".join(str(n) for n in self.skipped_lines))
        return lines


def read_rows(path: Path) -> list[tuple[int, dict[str, str] | str]]:
    """(line, cells by column) for each non-blank row; a problem instead when it has the wrong length."""
    with csv_file(path, "the file is empty: expected a header row of column names") as (header, lines):
        keys = [header_key(h) for h in header]
        unknown = [h for h, k in zip(header, keys, strict=True) if k and k not in COLUMNS]
        repeated = sorted({k for k in keys if k and keys.count(k) > 1})
        missing = [c for c in REQUIRED_COLUMNS if c not in keys]
        problems = [(1, f"unknown column {h!r} (see docs/provider-import.md)") for h in unknown]
        problems += [(1, f"column {i + 1} has no name in the header: name it or delete the column")
                     for i, k in enumerate(keys) if not k]
        problems += [(1, f"column {k!r} appears more than once") for k in repeated]
        if missing:
            problems.append((1, "missing column(s): " + ", ".join(missing)))
        if problems:
            raise ImportFileError(path, problems)
        rows: list[tuple[int, dict[str, str] | str]] = [
            (line, dict(zip(keys, cells, strict=True)) if len(cells) == len(keys) else
             f"{len(cells)} cells where the header has {len(keys)}") for line, cells in lines]
    if not rows:
        raise ImportFileError(path, [(2, "the file has a header but no rows")])
    return rows


def read_market(con: Connection) -> Market:
    la_t, pd_t, p_t = LocalAuthority.__table__, PostcodeDistrict.__table__, Provider.__table__
    s_t, pl_t = Service.__table__, PriceList.__table__
    las = {r["ons_code"]: dict(r) for r in con.execute(select(la_t)).mappings()}
    districts = {r["outcode"]: dict(r) for r in con.execute(select(pd_t)).mappings()}
    providers_by_id = {r["id"]: dict(r) for r in con.execute(
        select(p_t.c.id, p_t.c.name, p_t.c.sector, p_t.c.version, *[p_t.c[c] for c in CONTACTS])).mappings()}
    providers = {norm(p["name"]): p for p in sorted(providers_by_id.values(), key=lambda p: str(p["id"]))[::-1]}
    by_urn: dict[str, dict[str, Any]] = {}
    by_name: dict[tuple[Any, str], dict[str, Any]] = {}
    for r in con.execute(select(s_t)).mappings():
        row = dict(r)
        if row["ofsted_urn"]:
            by_urn[row["ofsted_urn"]] = row
        if row["archived_on"] is None:
            by_name.setdefault((row["provider_id"], norm(row["name"])), row)
    prices: dict[Any, list[dict[str, Any]]] = {}
    for r in con.execute(select(pl_t)).mappings():
        prices.setdefault(r["service_id"], []).append(dict(r))
    return Market(las, districts, providers, providers_by_id, by_urn, by_name, prices)


def check_all(rows: list[tuple[int, dict[str, str] | str]], market: Market, today: Any
              ) -> tuple[list[RowPlan], list[tuple[int, str]]]:
    """Every row checked; duplicates and disagreeing provider details refused with the line of the first."""
    plans: list[RowPlan] = []
    problems: list[tuple[int, str]] = []
    seen: dict[Any, int] = {}
    provider_facts: dict[tuple[str, str], tuple[str, int]] = {}
    for line, cells in rows:
        if isinstance(cells, str):
            problems.append((line, cells))
            continue
        plan, reasons = check_row(line, cells, market, today)
        if plan is None:
            problems += [(line, reason) for reason in reasons]
            continue
        keys = [plan.existing["id"] if plan.existing else ("new", plan.provider_key, norm(plan.values["name"]))]
        if plan.values.get("ofsted_urn"):
            keys.append(("urn", plan.values["ofsted_urn"]))
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            what = plan.values.get("name") or plan.existing and plan.existing["name"]
            problems.append((line, f"service {what!r} of {plan.provider_name!r} appears twice (also on line {first})"))
            continue
        facts = dict(plan.contacts)
        if plan.sector and plan.provider_key not in market.providers:
            facts["provider_sector"] = plan.sector
        clash = [(col, value, provider_facts[(plan.provider_key, col)]) for col, value in facts.items()
                 if provider_facts.get((plan.provider_key, col), (value,))[0] != value]
        if clash:
            problems += [(line, f"{col} {value!r} differs from {was!r} given for {plan.provider_name!r} on line {at}")
                         for col, value, (was, at) in clash]
            continue
        for col, value in facts.items():
            provider_facts.setdefault((plan.provider_key, col), (value, line))
        for k in keys:
            seen[k] = line
        plans.append(plan)
    sectors = {key: value for (key, col), (value, _) in provider_facts.items() if col == "provider_sector"}
    for plan in [p for p in plans if p.provider_key not in market.providers and p.existing is None]:
        plan.sector = sectors.get(plan.provider_key)
        if plan.sector is None:
            problems.append((plan.line, f"provider_sector is needed for the new provider {plan.provider_name!r}"))
            plans.remove(plan)
    return plans, sorted(problems)


def import_council_csv(ctx: AppContext, path: Path | str, *, skip_bad: bool = False,
                       progress: Callable[[str], None] | None = None) -> CouncilImportReport:
    """Check the whole file, then (when every row is good, or skip_bad) write in one transaction.

    Raises ImportFileError when the file itself cannot be read (no header, unknown columns ...).
    """
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    path = Path(path)
    say(f"Checking {path.name}…")
    rows = read_rows(path)
    report = CouncilImportReport(file=path.name, rows=len(rows))
    with ctx.engine.begin() as con:
        load_reference_data(con)
        market = read_market(con)
        plans, report.refused = check_all(rows, market, ctx.clock.today())
        if plans and (skip_bad or not report.refused):
            say(f"Writing {len(plans)} services…")
            write_plans(con, ctx, plans, market, report, source=f"council provider list ({path.name})")
            report.written = True
    report.seconds = time.perf_counter() - started
    return report
