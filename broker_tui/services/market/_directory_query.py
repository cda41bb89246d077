"""What the directory is asked and what it answers: the query, its cursor, a row and a page.

Plain values with no SQL, shared by the directory (services.market._directory) and its SQL
(_directory_sql), so that neither imports the other's internals.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from broker_tui.domain.money import format_pence
from broker_tui.domain.vocabulary import (
    JUDGEMENT_SORT,
    NOT_INSPECTED,
    NOT_INSPECTED_SORT,
    OFSTED_GRADES,
    SA_OUTCOMES,
    judgement_label,
    registration_note,
    service_type_label,
)

SORTS = {"relevance": "Best match", "name": "Name", "distance": "Distance", "price": "Weekly price",
         "judgement": "Judgement"}
NOT_INSPECTED_CODE = "not_inspected"
JUDGEMENT_CHOICES: tuple[tuple[str, str], ...] = (
    *((f"Ofsted: {label}", code) for code, label in OFSTED_GRADES.items()),
    *((f"Supported: {label}", code) for code, label in SA_OUTCOMES.items()),
    (NOT_INSPECTED, NOT_INSPECTED_CODE),
)
PAGE_SIZE = 50

if TYPE_CHECKING:
    import numpy as np


class DirectoryQueryError(ValueError):
    """A filter value this directory does not know."""


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    service_type: str | None = None  # vocabulary.SERVICE_TYPES code
    judgement: str | None = None  # an Ofsted grade code, a supported accommodation outcome code, "not_inspected"
    region: str | None = None
    in_area: bool | None = None
    sort: str = "relevance"  # relevance (best match to the text; by name without text) | name | distance | ...
    include_gone: bool = False  # include services gone from Ofsted's register

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise DirectoryQueryError(f"unknown sort {self.sort!r}; known: {', '.join(SORTS)}")
        if self.judgement and self.judgement != NOT_INSPECTED_CODE and self.judgement not in JUDGEMENT_SORT:
            raise DirectoryQueryError(f"unknown judgement {self.judgement!r}")


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's sort value (None when unknown), sort name and id."""

    value: Any
    sort_name: str
    id: uuid.UUID


@dataclass(frozen=True)
class DirectoryRow:
    id: uuid.UUID
    name: str
    provider_name: str
    service_type: str
    ofsted_urn: str | None
    ofsted_grade: str | None
    sa_outcome: str | None
    in_area: bool
    distance_miles: float | None
    places: int | None
    vacancies: int | None
    price_from_pence: int | None
    region: str | None
    local_authority_name: str | None
    on_stop: bool
    in_register: bool
    registration_status: str  # vocabulary.REGISTRATION_STATUSES
    sort_name: str = ""
    judgement_sort: int = NOT_INSPECTED_SORT
    location_approximate: bool = False  # placed at its authority's centre: the distance is approximate
    rank: int | None = None  # the place in the search text's best-match order (None: no text search)

    @property
    def type_label(self) -> str:
        return service_type_label(self.service_type)

    @property
    def judgement(self) -> str:
        return judgement_label(self.ofsted_grade, self.sa_outcome, self.service_type)

    @property
    def registration_note(self) -> str | None:
        """Why a type Ofsted must register is not registered ("not on Ofsted's register", "registration
        pending"); None when it is, or needs no registration. Gone from the register: see in_register."""
        return registration_note(self.service_type, self.registration_status, self.ofsted_urn)

    @property
    def area_label(self) -> str:
        return "Local" if self.in_area else "Out of area"

    @property
    def distance_label(self) -> str:
        """Miles from the home area's centre; '~' marks a service placed at its authority's centre."""
        if self.distance_miles is None:
            return ""
        return f"~{self.distance_miles:.0f}" if self.location_approximate else f"{self.distance_miles:.1f}"

    @property
    def price_label(self) -> str:
        return format_pence(self.price_from_pence)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "name": self.name, "provider": self.provider_name,
            "service_type": self.service_type, "service_type_label": self.type_label,
            "ofsted_urn": self.ofsted_urn, "ofsted_grade": self.ofsted_grade, "sa_outcome": self.sa_outcome,
            "judgement": self.judgement, "in_area": self.in_area,
            "distance_miles": None if self.distance_miles is None else round(self.distance_miles, 1),
            "location_approximate": self.location_approximate,
            "places": self.places, "vacancies": self.vacancies,
            "price_from_pence": self.price_from_pence, "price_from": self.price_label or None,
            "region": self.region, "local_authority": self.local_authority_name,
            "placement_stop": self.on_stop, "in_register": self.in_register,
            "registration_status": self.registration_status, "registration_note": self.registration_note,
        }

    def to_line(self) -> str:
        places = "" if self.places is None else f"{self.places} places"
        if self.vacancies is not None:
            places += f", {self.vacancies} free"
        parts = [self.ofsted_urn or "-", self.name, self.provider_name, self.type_label, self.judgement,
                 self.area_label, f"{self.distance_label} mi" if self.distance_label else "", places,
                 f"from {self.price_label}/wk" if self.price_label else "", "PLACEMENT STOP" if self.on_stop else "",
                 (self.registration_note or "").upper()]
        return " | ".join(p for p in parts if p)  # an empty column is left out, not shown as "|  |"


@dataclass(frozen=True)
class DirectoryPage:
    rows: tuple[DirectoryRow, ...]
    after: Cursor | None  # the cursor this page was read after (None: the first page)
    next: Cursor | None  # the cursor for the next page (None: this is the last page)


def judgement_sort_value(code: str) -> int:
    return NOT_INSPECTED_SORT if code == NOT_INSPECTED_CODE else JUDGEMENT_SORT[code]


@dataclass(frozen=True)
class RankedMatches:
    """Every service a search text matches, best first (``search_services(ctx, text, None)``'s order), as
    the index's slots; their ids are read a slice at a time."""

    slots: np.ndarray = field(repr=False)
    slot_ids: list[uuid.UUID | None] = field(repr=False)  # the index's: each slot's id

    def __len__(self) -> int:
        return len(self.slots)

    def ids(self, start: int = 0, stop: int | None = None) -> list[uuid.UUID]:
        """The ids from place ``start`` (0-based) to ``stop`` (None: the end), best first."""
        by_slot = self.slot_ids
        return [i for i in (by_slot[s] for s in self.slots[start:stop].tolist()) if i is not None]
