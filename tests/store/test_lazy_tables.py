"""The store's tables load when first named (issue 14: a command that matches need not build the
purchases', returns' and quality tables), so each table module must bring the tables its foreign keys name,
and what matching asks of the purchases' tables by name must be what the models define."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlmodel import SQLModel

from broker_tui.services.demo import seed_demo
from broker_tui.services.matching import _columns, _market, load_market
from broker_tui.store import tables
from broker_tui.store.tables import register_all


def _fresh(code: str, **env: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("module", tables.MODULES)
def test_a_table_module_alone_resolves_every_foreign_key(module: str) -> None:
    """Imported first and alone, in a new interpreter: every foreign key of every table then registered
    finds its table (else a flush that sorts tables by their keys, or a join, fails in that process)."""
    out = _fresh(f"""
import json
from sqlmodel import SQLModel
import broker_tui.store.tables.{module}
for t in SQLModel.metadata.tables.values():
    for fk in t.foreign_keys:
        fk.column  # raises NoReferencedTableError when the target's module was not imported
print(json.dumps(sorted(SQLModel.metadata.tables)))
""")
    assert json.loads(out)  # its own tables, at least


def test_the_package_names_every_table_and_register_all_registers_them() -> None:
    register_all()
    models = {m.class_.__name__: m.class_ for m in SQLModel._sa_registry.mappers
              if m.class_.__module__.startswith("broker_tui.store.tables.")}
    assert set(tables.__all__) == set(models)
    assert all(getattr(tables, name) is cls for name, cls in models.items())
    assert {cls.__tablename__ for cls in models.values()} == set(SQLModel.metadata.tables)
    with pytest.raises(AttributeError):
        tables.NoSuchTable  # noqa: B018


def test_the_market_version_names_tables_and_columns_the_models_define() -> None:
    register_all()
    meta = SQLModel.metadata.tables
    for name in _market.EDITED_TABLES:
        assert {"updated_at", "version"} <= set(meta[name].c.keys()), name
    for name in _market.INSERTED_TABLES:
        assert "created_at" in meta[name].c, name
    # every table the snapshot reads is in the version (a change there must make a new snapshot)
    read = {"service", "provider", "foster_household", "placement_stop", "price_list", "block_contract",
            "block_contract_term", "placement"}
    assert read == set(_market.EDITED_TABLES) | set(_market.INSERTED_TABLES)


def test_matching_builds_no_purchases_returns_or_quality_tables() -> None:
    out = _fresh("""
import json, sys
import broker_tui.cli.commands, broker_tui.services.matching
print(json.dumps(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("broker_tui.store.tables."))))
""")
    assert set(json.loads(out)) == {"audit", "market", "reference", "referrals"}


def test_reading_the_market_builds_no_purchases_tables(sqlite_ctx) -> None:
    """The market read from the tables (no file kept), in a new interpreter, as `match` does it: the free
    block units come from the purchases tables without their models being built, and are the same; the
    directory's free-text search, which only Find placements uses, is not imported either."""
    seed_demo(sqlite_ctx)
    expected = load_market(sqlite_ctx).arrays.block_free
    assert expected.sum() > 0  # the demo has block units free today
    out = _fresh(f"""
import json, sys
from broker_tui.services.context import AppContext
from broker_tui.services.matching import load_market
import datetime as dt
ctx = AppContext.for_target({str(sqlite_ctx.location.path)!r}, today=dt.date.fromisoformat({sqlite_ctx.today().isoformat()!r}))
free = load_market(ctx).arrays.block_free.tolist()
print(json.dumps([free, sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("broker_tui.store.tables.")),
                  [m for m in ("broker_tui.services.market", "broker_tui.domain.search.index") if m in sys.modules]]))
""", BROKER_TUI_NO_MARKET_CACHE="1")
    free, modules, search = json.loads(out)
    assert free == expected.tolist()
    assert set(modules) == {"audit", "market", "reference", "referrals"}
    assert search == []  # nor the directory's free-text search, which only Find placements uses


def test_the_market_read_of_the_purchases_tables_names_columns_the_models_define() -> None:
    register_all()
    meta = SQLModel.metadata.tables
    for read in _columns.PURCHASES_READ:
        model = meta[read.name]
        for c in read.c:
            assert c.name in model.c, (read.name, c.name)
            assert _kind(c.type) is _kind(model.c[c.name].type), (read.name, c.name)


def _kind(sql_type):  # noqa: ANN001, ANN202
    """The Python type a column's values come back as (a TypeDecorator's, such as SQLModel's AutoString,
    from the type it decorates)."""
    return getattr(sql_type, "impl_instance", sql_type).python_type
