"""The forecast's settings: the map from PLACE and PLACE_PROVIDER to categories, and named scenarios.

```toml
[forecast.categories]            # replaces the default map; first match wins, unnamed codes are "other"
kinship = ["U1", "U2", "U3"]
in_house_fostering = ["U4/PR1", "U5/PR1", "U6/PR1"]   # PLACE/PLACE_PROVIDER, or PLACE for any provider

[forecast.scenarios.more_entrants]
entrants_percent = 10            # 10% more children entering care (-10: fewer)
from = "2027-04"                 # from this month (yyyy-mm); the start of the forecast when left out

[forecast.scenarios.new_home]
add_places = { residential = 6 } # the council's own places added (the gap against the market)
foster_households = 20           # in-house foster households added, at today's places a household: children
                                 # who would go to agencies' carers go to them while they have room (fewer
                                 # households, below nought: the other way)
from = "2027-04"

[forecast.scenarios.step_down]   # up to 10 children at a time placed in supported accommodation who would
shift = { from = "residential", to = "supported", places = 10 }   # have gone to children's homes
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from broker_tui.domain.sufficiency.categories import CATEGORIES, DEFAULT_RULES, CategoryMap, CategoryRule

_CODE = re.compile(r"^([A-Z][A-Z0-9]{0,3})(?:/(PR[0-5]))?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ForecastSettingError(ValueError):
    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


@dataclass(frozen=True)
class ScenarioSetting:
    name: str
    entrants_percent: float = 0.0
    from_month: tuple[int, int] | None = None  # (year, month)
    add_places: tuple[tuple[str, int], ...] = ()  # (category, places) the council's own, added
    foster_households: int = 0  # in-house foster households added
    shifts: tuple[tuple[str, str, int], ...] = ()  # (from category, to category, places)

    @property
    def entrant_factor(self) -> float:
        return 1.0 + self.entrants_percent / 100.0


@dataclass(frozen=True)
class ForecastSettings:
    categories: CategoryMap = field(default_factory=CategoryMap)
    scenarios: tuple[ScenarioSetting, ...] = ()

    def scenario(self, name: str) -> ScenarioSetting:
        for s in self.scenarios:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.scenarios) or "none: add [forecast.scenarios.NAME] to the settings"
        raise KeyError(f"no scenario named {name!r} (known: {known})")


def forecast_settings(data: dict[str, Any]) -> ForecastSettings:
    """The ``[forecast]`` table of the settings file, each bad value refused with its key named."""
    unknown = set(data) - {"categories", "scenarios"}
    if unknown:
        raise ForecastSettingError(f"forecast.{sorted(unknown)[0]}", "unknown setting (known: categories, scenarios)")
    cmap = CategoryMap(DEFAULT_RULES)
    if "categories" in data:
        cmap = CategoryMap(tuple(_rules(data["categories"])))
    raw = data.get("scenarios", {})
    if not isinstance(raw, dict):
        raise ForecastSettingError("forecast.scenarios", "must be a table of scenarios ([forecast.scenarios.NAME])")
    return ForecastSettings(cmap, tuple(_scenario(name, value) for name, value in raw.items()))


def _rules(raw: Any) -> list[CategoryRule]:
    if not isinstance(raw, dict):
        raise ForecastSettingError("forecast.categories", "must be a table of category = [codes]")
    rules: list[CategoryRule] = []
    for category, codes in raw.items():
        key = f"forecast.categories.{category}"
        if category not in CATEGORIES:
            raise ForecastSettingError(key, f"not a forecast category (known: {', '.join(CATEGORIES)})")
        if not isinstance(codes, list) or not codes:
            raise ForecastSettingError(key, 'must be a list of PLACE codes, or PLACE/PLACE_PROVIDER ("U4/PR1")')
        for code in codes:
            m = _CODE.match(str(code).strip().upper()) if isinstance(code, str) else None
            if m is None:
                raise ForecastSettingError(key, f'{code!r} is not a PLACE code or PLACE/PLACE_PROVIDER ("U4/PR1")')
            rules.append(CategoryRule(category, (m.group(1),), (m.group(2),) if m.group(2) else ()))
    return rules


def _scenario(name: str, raw: Any) -> ScenarioSetting:
    key = f"forecast.scenarios.{name}"
    if not isinstance(raw, dict):
        raise ForecastSettingError(key, "must be a table (entrants_percent, add_places, foster_households, shift, "
                                        "from)")
    known = ("add_places", "entrants_percent", "foster_households", "from", "shift")
    unknown = set(raw) - set(known)
    if unknown:
        raise ForecastSettingError(f"{key}.{sorted(unknown)[0]}", f"unknown setting (known: {', '.join(known)})")
    pct = raw.get("entrants_percent", 0)
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not -100 < pct <= 500:
        raise ForecastSettingError(f"{key}.entrants_percent", f"must be a percentage above -100, got {pct!r}")
    start = None
    if "from" in raw:
        m = _MONTH.match(str(raw["from"]).strip())
        if m is None or not 1 <= int(m.group(2)) <= 12:
            raise ForecastSettingError(f"{key}.from", f"must be a month as yyyy-mm, got {raw['from']!r}")
        start = (int(m.group(1)), int(m.group(2)))
    places: list[tuple[str, int]] = []
    add = raw.get("add_places", {})
    if not isinstance(add, dict):
        raise ForecastSettingError(f"{key}.add_places", "must be a table of category = places")
    for category, n in add.items():
        if category not in CATEGORIES:
            raise ForecastSettingError(f"{key}.add_places.{category}",
                                       f"not a forecast category (known: {', '.join(CATEGORIES)})")
        if isinstance(n, bool) or not isinstance(n, int) or not -1000 <= n <= 1000:
            raise ForecastSettingError(f"{key}.add_places.{category}", f"must be a whole number of places, got {n!r}")
        places.append((category, n))
    households = raw.get("foster_households", 0)
    if isinstance(households, bool) or not isinstance(households, int) or not -1000 <= households <= 1000:
        raise ForecastSettingError(f"{key}.foster_households", f"must be a whole number, got {households!r}")
    return ScenarioSetting(name, float(pct), start, tuple(places), households, _shifts(f"{key}.shift", raw.get("shift")))


def _shifts(key: str, raw: Any) -> tuple[tuple[str, str, int], ...]:
    """``shift = { from = CATEGORY, to = CATEGORY, places = N }``, or a list of them."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > 10:
        raise ForecastSettingError(key, f"at most 10 shifts in a scenario, got {len(items)}")
    out = []
    for i, item in enumerate(items):
        at = key if not isinstance(raw, list) else f"{key}[{i + 1}]"
        if not isinstance(item, dict) or set(item) != {"from", "to", "places"}:
            raise ForecastSettingError(at, 'must be { from = "CATEGORY", to = "CATEGORY", places = N }')
        for end in ("from", "to"):
            if item[end] not in CATEGORIES:
                raise ForecastSettingError(f"{at}.{end}", f"not a forecast category (known: {', '.join(CATEGORIES)})")
        if item["from"] == item["to"]:
            raise ForecastSettingError(at, "from and to must be different categories")
        n = item["places"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
            raise ForecastSettingError(f"{at}.places", f"must be a whole number of places from 1 to 1000, got {n!r}")
        out.append((item["from"], item["to"], n))
    return tuple(out)
