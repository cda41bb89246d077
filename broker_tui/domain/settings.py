"""The typed settings a council or a broker changes, with defaults and validation (no file I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from broker_tui.domain.sufficiency.forecast_settings import (
    ForecastSettingError,
    ForecastSettings,
    forecast_settings,
)


class SettingsError(ValueError):
    """A bad value: ``str()`` is one line naming the key (and the file, when the loader adds it)."""

    def __init__(self, key: str, message: str, source: str = ""):
        self.key, self.message, self.source = key, message, source
        where = f" in {source}" if source else ""
        super().__init__(f"Setting {key}{where}: {message}")


@dataclass(frozen=True)
class HomeArea:
    """The council's own area: what counts as local, and who borders it."""

    la_name: str = "Leicester"
    la_code: str = "E06000016"  # ONS code of the home authority
    district: str = "LE1"  # postcode district used as the default origin for distances
    bordering: tuple[str, ...] = ("E10000018",)  # Leicestershire: the only council bordering the city
    local_radius_miles: int = 0  # 0: local means inside the authority; n: within n miles of its centre


@dataclass(frozen=True)
class MatchingWeights:
    """How the matching scores are weighted (each score is 0 to 1)."""

    need_fit: float = 0.35
    specialist: float = 0.15
    cost: float = 0.15
    place: float = 0.15
    quality: float = 0.10
    strategy: float = 0.10


@dataclass(frozen=True)
class Settings:
    home: HomeArea = field(default_factory=HomeArea)
    weights: MatchingWeights = field(default_factory=MatchingWeights)
    user_name: str = ""  # a label shown beside the login (the audit trail names the login, never this)
    high_cost_threshold_pence: int = 750_000  # weekly cost above which a manager's approval is needed
    raise_basis_points: int = 500  # an amendment raising the weekly price by more than this needs approval
    approvers: tuple[tuple[str, int], ...] = ()  # (login or database role, highest weekly pence they may approve)
    forecast: ForecastSettings = field(default_factory=ForecastSettings)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"[{key}]", "must be a table of settings")
    return value


def _check_unknown(section: dict[str, Any], allowed: set[str], prefix: str) -> None:
    for k in section:
        if k not in allowed:
            raise SettingsError(f"{prefix}.{k}", f"unknown setting (known: {', '.join(sorted(allowed))})")


def settings_from_mapping(data: dict[str, Any]) -> Settings:
    """Build Settings from a parsed TOML mapping, refusing any bad value with the key named."""
    _check_unknown(data, {"home", "matching", "user", "approvals", "forecast"}, "settings")
    home_raw = _section(data, "home")
    _check_unknown(home_raw, {f.name for f in fields(HomeArea)}, "home")
    home_kw: dict[str, Any] = {}
    for k in ("la_name", "la_code", "district"):
        if k in home_raw:
            v = home_raw[k]
            if not isinstance(v, str) or not v.strip():
                raise SettingsError(f"home.{k}", f"must be non-empty text, got {v!r}")
            home_kw[k] = v.strip().upper() if k == "district" else v.strip()
    if "bordering" in home_raw:
        v = home_raw["bordering"]
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise SettingsError("home.bordering", f"must be a list of ONS authority codes, got {v!r}")
        home_kw["bordering"] = tuple(v)
    if "local_radius_miles" in home_raw:
        v = home_raw["local_radius_miles"]
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 200:
            raise SettingsError("home.local_radius_miles", f"must be a whole number of miles from 0 to 200, got {v!r}")
        home_kw["local_radius_miles"] = v
    weights_raw = _section(_section(data, "matching"), "weights") if "matching" in data else {}
    if "matching" in data:
        _check_unknown(_section(data, "matching"), {"weights"}, "matching")
    allowed_w = {f.name for f in fields(MatchingWeights)}
    _check_unknown(weights_raw, allowed_w, "matching.weights")
    weights_kw: dict[str, float] = {}
    for k, v in weights_raw.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
            raise SettingsError(f"matching.weights.{k}", f"must be a number from 0 to 1, got {v!r}")
        weights_kw[k] = float(v)
    user_raw = _section(data, "user")
    _check_unknown(user_raw, {"name"}, "user")
    user_name = user_raw.get("name", "")
    if not isinstance(user_name, str):
        raise SettingsError("user.name", f"must be text, got {user_name!r}")
    approvals = _section(data, "approvals")
    _check_unknown(approvals, {"high_cost_weekly_pounds", "raise_percent", "approvers"}, "approvals")
    threshold = Settings.high_cost_threshold_pence
    if "high_cost_weekly_pounds" in approvals:
        v = approvals["high_cost_weekly_pounds"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SettingsError("approvals.high_cost_weekly_pounds", f"must be a whole number of pounds, got {v!r}")
        threshold = v * 100
    raise_bp = Settings.raise_basis_points
    if "raise_percent" in approvals:
        v = approvals["raise_percent"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100 or round(v * 100) != v * 100:
            raise SettingsError("approvals.raise_percent",
                                f"must be a percentage from 0 to 100 with at most two decimals, got {v!r}")
        raise_bp = round(v * 100)
    approvers: list[tuple[str, int]] = []
    raw_approvers = approvals.get("approvers", {})
    if not isinstance(raw_approvers, dict):
        raise SettingsError("approvals.approvers",
                            'must be a table of login = highest weekly pounds, e.g. { "jmanager" = 12000 }')
    for who, pounds in raw_approvers.items():
        if not who.strip() or isinstance(pounds, bool) or not isinstance(pounds, int) or pounds < 0:
            raise SettingsError(f"approvals.approvers.{who}",
                                f"must be a whole number of pounds a week, got {pounds!r}")
        approvers.append((who.strip(), pounds * 100))
    try:
        forecast = forecast_settings(_section(data, "forecast"))
    except ForecastSettingError as exc:
        raise SettingsError(exc.key, exc.message) from None
    return Settings(
        forecast=forecast,
        home=HomeArea(**home_kw),
        weights=MatchingWeights(**weights_kw),
        user_name=user_name.strip(),
        high_cost_threshold_pence=threshold,
        raise_basis_points=raise_bp,
        approvers=tuple(approvers),
    )
