"""Write a checked council provider list: Core bulk inserts and updates in the caller's transaction.

Providers, then services (created, or their changed columns updated under a version check), price lists
(insert only), fostering households (the import's own, referenced LIST-0001 ...), audit events, and at
the end the directory columns of every touched service (market_columns.refresh_directory_columns).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from broker_tui.domain.ids import new_id
from broker_tui.domain.vocabulary import registration_on_entry
from broker_tui.services.context import AppContext
from broker_tui.services.market._columns import refresh_directory_columns
from broker_tui.services.market.importers._council_csv_rows import CONTACTS, DEFAULT_AGES, Market, RowPlan
from broker_tui.store.audit import audit_row, insert_audit_rows
from broker_tui.store.bulk import insert_rows, update_versioned
from broker_tui.store.tables import FosterHousehold, PriceList, Provider, Service

HOUSEHOLD_PREFIX = "LIST-"


class _Writer:
    def __init__(self, con: Connection, ctx: AppContext, market: Market, report: Any, source: str):
        self.con, self.market, self.report, self.source = con, market, report, source
        self.now, self.today, self.actor = ctx.clock.now(), ctx.clock.today(), ctx.actor
        self.audits: list[dict[str, Any]] = []
        self.touched: set[Any] = set()

    def audit(self, entity: str, entity_id: Any, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        self.audits.append(audit_row(actor=self.actor, at=self.now, entity=entity, entity_id=entity_id,
                                     action="import", before=before, after=after))

    def providers(self, plans: list[RowPlan]) -> dict[str, dict[str, Any]]:
        """Provider rows by normalised name, the new ones inserted and changed contacts updated."""
        wanted: dict[str, dict[str, Any]] = defaultdict(dict)
        for plan in plans:
            wanted[plan.provider_key].update(plan.contacts)
        out: dict[str, dict[str, Any]] = {}
        creates, updates = [], []
        for plan in plans:
            key = plan.provider_key
            if key in out:
                continue
            old = self.market.providers.get(key)
            if plan.existing is not None:
                old = self.market.providers_by_id[plan.existing["provider_id"]]
            if old is None:
                row = {"id": new_id(), "name": plan.provider_name, "sector": plan.sector, **wanted[key]}
                creates.append(row)
                self.audit("provider", row["id"], None, {k: v for k, v in row.items() if k != "id"})
                out[key] = row
                continue
            out[key] = old
            change = {k: v for k, v in wanted[key].items() if old[k] != v}
            if change:
                updates.append({"b_id": old["id"], "b_version": old["version"], "version": old["version"] + 1,
                                "updated_at": self.now, **{c: change.get(c, old[c]) for c in CONTACTS}})
                self.audit("provider", old["id"], {k: old[k] for k in change}, change)
        insert_rows(self.con, Provider, creates, self.now)
        update_versioned(self.con, Provider, updates)
        self.report.providers_created, self.report.providers_updated = len(creates), len(updates)
        return out

    def services(self, plans: list[RowPlan], providers: dict[str, dict[str, Any]]) -> dict[int, Any]:
        """Each plan's service id (by line): new services inserted, changed columns of the others updated."""
        ids: dict[int, Any] = {}
        creates: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for plan in plans:
            values = dict(plan.values)
            old = plan.existing
            if old is None:
                provider = providers[plan.provider_key]
                stype = values["service_type"]
                low, high = DEFAULT_AGES.get(stype, (0, 17))
                row = {"id": new_id(), "provider_id": provider["id"], "sector": provider["sector"],
                       # registration is the register's to say: not_registered until it brings the service
                       "registration_status": registration_on_entry(stype), "min_age": low, "max_age": high,
                       "in_register": True, **values}
                if "vacancies" in values:
                    row.update(vacancies_as_of=self.today, vacancies_source=self.source)
                creates.append(row)
                ids[plan.line] = row["id"]
                self.audit("service", row["id"], None, {k: v for k, v in row.items() if k != "id"})
                continue
            ids[plan.line] = old["id"]
            change = {k: v for k, v in values.items() if old[k] != v}
            if "vacancies" in change:
                change.update(vacancies_as_of=self.today, vacancies_source=self.source)
            if change:
                params = {"b_id": old["id"], "b_version": old["version"], "version": old["version"] + 1,
                          "updated_at": self.now, **change}
                updates[tuple(sorted(params))].append(params)
                self.audit("service", old["id"], {k: old[k] for k in change}, change)
                self.touched.add(old["id"])
        insert_rows(self.con, Service, creates, self.now)
        for group in updates.values():
            update_versioned(self.con, Service, group)
        self.touched.update(r["id"] for r in creates)
        self.report.created = len(creates)
        return ids

    def prices(self, plans: list[RowPlan], ids: dict[int, Any]) -> None:
        rows = []
        for plan in plans:
            if plan.prices is None:
                continue
            row = {"id": new_id(), "service_id": ids[plan.line], **plan.prices, "source": "import",
                   "created_by": self.actor}
            rows.append(row)
            self.touched.add(row["service_id"])
            self.audit("price_list", row["id"], None, {k: v for k, v in row.items() if k != "id"})
        insert_rows(self.con, PriceList, rows, self.now)
        self.report.price_lists = len(rows)

    def households(self, plans: list[RowPlan], ids: dict[int, Any]) -> None:
        wanted = {ids[p.line]: p.households for p in plans if p.households is not None}
        if not wanted:
            return
        fh = FosterHousehold.__table__
        mine: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        numbers: dict[Any, int] = defaultdict(int)
        for r in self.con.execute(select(fh).where(fh.c.service_id.in_(list(wanted)),
                                                   fh.c.reference.startswith(HOUSEHOLD_PREFIX))).mappings():
            tail = r["reference"][len(HOUSEHOLD_PREFIX):]
            numbers[r["service_id"]] = max(numbers[r["service_id"]], int(tail) if tail.isdigit() else 0)
            if r["archived_on"] is None:
                mine[r["service_id"]].append(dict(r))
        creates: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for sid, (count, each, free) in wanted.items():
            have = sorted(mine[sid], key=lambda r: r["reference"])
            for i in range(max(count, len(have))):
                target: dict[str, Any] | None = None
                if i < count:
                    target = {"places": each, "free_places": min(each, max(0, free - i * each)), "archived_on": None}
                if i >= len(have):
                    assert target is not None  # i is past the households it has, so below the count wanted
                    numbers[sid] += 1
                    row = {"id": new_id(), "service_id": sid, "reference": f"{HOUSEHOLD_PREFIX}{numbers[sid]:04d}",
                           **target}
                    creates.append(row)
                    self.audit("foster_household", row["id"], None, {k: v for k, v in row.items() if k != "id"})
                    continue
                old = have[i]
                target = target or {"places": old["places"], "free_places": 0, "archived_on": self.today}
                if any(old[k] != v for k, v in target.items()):
                    updates.append({"b_id": old["id"], "b_version": old["version"], "version": old["version"] + 1,
                                    "updated_at": self.now, **target})
                    self.audit("foster_household", old["id"], {k: old[k] for k in target}, target)
            if creates or updates:
                self.touched.add(sid)
        insert_rows(self.con, FosterHousehold, creates, self.now)
        update_versioned(self.con, FosterHousehold, updates)
        self.report.households_created, self.report.households_changed = len(creates), len(updates)


def write_plans(con: Connection, ctx: AppContext, plans: list[RowPlan], market: Market, report: Any,
                *, source: str) -> None:
    w = _Writer(con, ctx, market, report, source)
    providers = w.providers(plans)
    ids = w.services(plans, providers)
    w.prices(plans, ids)
    w.households(plans, ids)
    existing = {p.existing["id"] for p in plans if p.existing is not None}
    report.updated = len(w.touched & existing)
    report.unchanged = len(existing - w.touched)
    refresh_directory_columns(con, ctx.settings, w.today, sorted(w.touched, key=str))
    insert_audit_rows(con, w.audits, w.now)

