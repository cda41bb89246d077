"""Load the settings TOML file into the typed Settings object."""

from __future__ import annotations

import getpass
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from broker_tui.domain.settings import Settings, SettingsError, settings_from_mapping
from broker_tui.services.locations import config_path


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (a missing file means the defaults). A bad value raises SettingsError."""
    path = path or config_path()
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError("(file)", f"is not valid TOML: {exc}", str(path)) from None
        except OSError as exc:
            raise SettingsError("(file)", f"cannot be read: {exc.strerror}", str(path)) from None
    try:
        settings = settings_from_mapping(data)
    except SettingsError as exc:
        raise SettingsError(exc.key, exc.message, str(path)) from None
    if not settings.user_name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001  (no login name in some containers)
            name = "unknown"
        settings = replace(settings, user_name=name)
    return settings
