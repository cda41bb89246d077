"""Create or upgrade a database to the head revision, copying a SQLite file aside first."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from broker_tui.resources import MIGRATIONS_DIR
from broker_tui.store.location import DatabaseLocation, backup_sqlite, secure


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as con:
        if not inspect(con).has_table("alembic_version"):
            return None
        from sqlalchemy import text

        row = con.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def upgrade(engine: Engine, location: DatabaseLocation, target: str = "head") -> Path | None:
    """Bring the database to ``target``. Returns the backup's path when an existing SQLite file was copied."""
    backup = None
    current = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    if location.path is not None and current is not None:
        backup = backup_sqlite(location.path, f"before-{wanted}")
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, target)
    if location.path is not None:
        secure(location.path)
    return backup


def downgrade(engine: Engine, target: str) -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, target)
