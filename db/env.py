"""Alembic environment: the app passes its own connection, already in the one transaction of the whole
upgrade, in config.attributes["connection"] (store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from broker_tui.store.migrate import migration_engine
from broker_tui.store.tables import register_all

register_all()  # autogenerate compares the whole schema
config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    """Our column types (UTCDateTime ...) are written into revisions as the plain type they store."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url") or ""
        # SQLite: the migrations' own engine, whose transactions hold DDL too (store.migrate explains)
        engine = migration_engine(url) if url.startswith("sqlite") else create_engine(url, hide_parameters=True)
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
