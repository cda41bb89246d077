"""Straight-line distances between postcode-district centroids."""

from __future__ import annotations

import math
import re

EARTH_RADIUS_MILES = 3958.7613
_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def miles_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in miles."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def outward_code(postcode: str) -> str | None:
    """'LE1 6ZG' -> 'LE1'; 'le16zg' -> 'LE1'; an outward code alone stays as it is; nonsense -> None."""
    raw = re.sub(r"\s+", "", (postcode or "").upper())
    if not raw or raw == "REDACTED":
        return None
    if _OUTCODE.match(raw):
        return raw
    if len(raw) >= 5 and _OUTCODE.match(raw[:-3]) and re.match(r"^[0-9][A-Z]{2}$", raw[-3:]):
        return raw[:-3]
    return None


def centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The mean of (lat, lon) points: how a local authority's centre is placed."""
    if not points:
        raise ValueError("no points")
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
