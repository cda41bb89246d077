"""Where the database and the settings file live (platformdirs), and the overrides that move them."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "broker-tui"
DB_ENV = "BROKER_TUI_DB"
CONFIG_ENV = "BROKER_TUI_CONFIG"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "broker-tui.sqlite3"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "settings.toml"


def database_target(cli_value: str | None) -> tuple[str, bool]:
    """The database path or URL to use, and whether it is the default location."""
    if cli_value:
        return cli_value, False
    env = os.environ.get(DB_ENV)
    if env:
        return env, False
    return str(default_db_path()), True
