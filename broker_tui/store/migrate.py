"""Create or upgrade a database to the head revision, copying a SQLite file aside first."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from broker_tui.resources import MIGRATIONS_DIR
from broker_tui.store.errors import DatabaseError
from broker_tui.store.location import DatabaseLocation, backup_sqlite, secure


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


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
    _check_ours(engine, location, current)
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


def _check_ours(engine: Engine, location: DatabaseLocation, current: str | None) -> None:
    """Refuse, before anything is written, a database this code must not migrate."""
    if current is None:
        with engine.connect() as con:
            tables = [t for t in inspect(con).get_table_names() if t != "alembic_version"]
        if tables:
            names = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
            raise DatabaseError(f"{location.display} holds other tables ({names}) and no broker-tui schema "
                                "revision: it is not a broker-tui database (nothing was changed)")
    elif current not in known_revisions():
        raise DatabaseError(f"{location.display} is at schema revision {current!r}, which this version of "
                            "broker-tui does not know (made by a newer version?): nothing was changed")
