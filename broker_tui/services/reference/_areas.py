"""Areas a child must be kept away from, as a person types them: "LE1; NG7 2mi; Nottingham"."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select

from broker_tui.services.context import AppContext
from broker_tui.store.tables import LocalAuthority, PostcodeDistrict

_ITEM = re.compile(r"^(?P<name>.+?)(?:\s+(?P<radius>\d{1,3})\s*(?:mi|miles?)?)?$", re.IGNORECASE)
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def areas_to_text(areas: list[dict[str, Any]], la_names: dict[str, str]) -> str:
    parts = []
    for a in areas or []:
        name = la_names.get(a["code"], a["code"]) if a["kind"] == "la" else a["code"]
        parts.append(f"{name} {a['radius_miles']}mi" if a.get("radius_miles") else name)
    return "; ".join(parts)


def parse_areas_text(ctx: AppContext, text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Each item is a postcode district or a local authority (name or ONS code), with an optional radius."""
    items = [p.strip() for p in re.split(r"[;\n]", text or "") if p.strip()]
    if not items:
        return [], None
    with ctx.session() as session:
        las = {la.ons_code: la.name for la in session.scalars(select(LocalAuthority))}
        out: list[dict[str, Any]] = []
        by_name = {name.casefold(): code for code, name in las.items()}
        unknown: list[str] = []  # every place not found is said, not only the first
        for item in items:
            m = _ITEM.match(item)
            assert m is not None  # its name part matches any item, and items are never empty
            name, radius = m.group("name").strip(), m.group("radius")
            radius_miles = int(radius) if radius else None
            key = name.upper().replace(" ", "")
            if _DISTRICT.match(key) and session.get(PostcodeDistrict, key) is not None:
                out.append({"kind": "district", "code": key, "radius_miles": radius_miles})
            elif key in las:
                out.append({"kind": "la", "code": key, "radius_miles": radius_miles})
            elif name.casefold() in by_name:
                out.append({"kind": "la", "code": by_name[name.casefold()], "radius_miles": radius_miles})
            else:
                best = process.extractOne(name.casefold(), list(by_name), scorer=fuzz.WRatio, score_cutoff=88)
                if best is None:
                    unknown.append(repr(name))
                else:
                    out.append({"kind": "la", "code": by_name[best[0]], "radius_miles": radius_miles})
    if len(unknown) == 1:
        return [], f"{unknown[0]} is neither a postcode district nor a local authority"
    if unknown:
        return [], f"{', '.join(unknown[:-1])} and {unknown[-1]} are neither postcode districts nor local authorities"
    return out, None


_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$", re.IGNORECASE)


def place_to_text(place: dict[str, Any] | None, la_names: dict[str, str]) -> str:
    """One place ({kind: la|district, code}) as a person reads it: the council's name or the district."""
    if not place:
        return ""
    return la_names.get(place["code"], place["code"]) if place["kind"] == "la" else str(place["code"])


def parse_place_text(ctx: AppContext, text: str) -> tuple[dict[str, str] | None, str | None]:
    """One place as typed: a postcode district ("LE2") or a local authority by name or ONS code; never a
    full postcode (too near to an address for the standard) and never a radius. Blank is not answered."""
    text = (text or "").strip()
    if not text:
        return None, None
    if _FULL_POSTCODE.match(text):
        district = text.upper().split()[0] if " " in text.strip() else text.upper()[:-3]
        return None, f"a full postcode is too near an address: give its district ({district}) or the council"
    if ";" in text or "\n" in text:
        return None, "is one place: a postcode district or a council"
    areas, problem = parse_areas_text(ctx, text)
    if problem:
        return None, problem
    if areas[0].get("radius_miles"):
        return None, "is one place without a distance: a postcode district or a council"
    return {"kind": areas[0]["kind"], "code": areas[0]["code"]}, None
