"""What Ofsted's register lacks: the home council's own fostering, kinship care, Hillview, and 18+ homes.

Figures from shared/domain.md: about 600 children looked after, 68% fostered, two thirds of those with
in-house carers (about 270 children), so 180 in-house households with 1-3 places each; Hillview adds 6
places with registration pending; kinship (connected person) carers are approved for the child they
already know, so their households have no free places. The register's seven Leicester homes are
already imported (and marked in-house) by the Ofsted importer, so no home is added twice.
"""

from __future__ import annotations

from typing import Any

from broker_tui.domain.ids import new_id
from broker_tui.services.demo._base import Seed
from broker_tui.store.tables import FosterHousehold, Provider, Service

IN_HOUSE_HOUSEHOLDS = 180
KINSHIP_HOUSEHOLDS = 45
HILLVIEW_PLACES = 6
DEMO_PROVIDER = "Demo Housing Partnership (synthetic provider)"


def _home_council_provider(seed: Seed) -> dict[str, Any]:
    for p in seed.providers.values():
        if p["sector"] == "in_house":
            return p
    name = f"{seed.settings.home.la_name} City Council"
    row = seed.insert(Provider, [{"name": name, "sector": "in_house"}])[0]
    seed.providers[row["id"]] = row
    return row


def _at_home(seed: Seed, **values: Any) -> dict[str, Any]:
    la = seed.authorities.get(seed.home.la_code, {})
    base = {
        "id": new_id(), "sector": "in_house", "registration_status": "not_required", "in_register": True,
        "local_authority_code": seed.home.la_code, "local_authority_name": la.get("ofsted_name"),
        "region": la.get("region_name"), "latitude": seed.home.latitude, "longitude": seed.home.longitude,
        "location_approximate": True, "town": la.get("name"), "areas_covered": [seed.home.la_code],
        "vacancies_as_of": seed.days(-2), "vacancies_source": "in-house placements team",
    }
    base.update(values)
    return base


def _households(seed: Seed, service_id: Any, prefix: str, n: int, *, kinship: bool) -> list[dict[str, Any]]:
    rng = seed.rng("households", prefix)
    rows = []
    for i in range(1, n + 1):
        places = 1 if kinship and rng.random() < 0.7 else rng.choices([1, 2, 3], weights=[35, 45, 20])[0]
        free = 0 if kinship or rng.random() < 0.82 else rng.randint(1, places)
        rows.append({"service_id": service_id, "reference": f"{prefix}-{i:04d}", "places": places,
                     "free_places": free})
    return rows


def add_in_house(seed: Seed) -> None:
    council = _home_council_provider(seed)
    la_name = seed.authorities.get(seed.home.la_code, {}).get("ofsted_name", seed.settings.home.la_name)
    fostering = _at_home(seed, provider_id=council["id"], name=f"{la_name} in-house fostering",
                         service_type="fostering_in_house", min_age=0, max_age=17,
                         description="The council's own foster carers: mainstream, enhanced and specialist.")
    kinship = _at_home(seed, provider_id=council["id"], name=f"{la_name} kinship (connected person) care",
                       service_type="fostering_kinship", min_age=0, max_age=17,
                       description="Family and friends carers assessed and approved as connected persons.")
    hillview = _at_home(seed, provider_id=council["id"], name="Hillview (in-house children's home)",
                        service_type="childrens_home_in_house", registration_status="pending",
                        places=HILLVIEW_PLACES, vacancies=None, min_age=12, max_age=17,
                        description="New in-house home: 6 places including training flats for care leavers; "
                                    "registration with Ofsted pending.")
    leavers = _at_home(seed, provider_id=council["id"], name=f"{la_name} care leavers' flats (18+)",
                       service_type="care_leavers_18_plus", places=12, vacancies=2, min_age=18, max_age=24,
                       description="Council flats with floating support for care leavers on a pathway plan.")
    partner = seed.insert(Provider, [{"name": DEMO_PROVIDER, "sector": "voluntary"}])[0]
    seed.providers[partner["id"]] = partner
    shared = _at_home(seed, provider_id=partner["id"], sector="voluntary", name="Shared housing for care leavers 18+",
                      service_type="care_leavers_18_plus", places=16, vacancies=3, min_age=18, max_age=24,
                      description="Shared houses with a visiting support worker (not regulated by Ofsted).")
    foster_households = _households(seed, fostering["id"], "FH", IN_HOUSE_HOUSEHOLDS, kinship=False)
    kin_households = _households(seed, kinship["id"], "KH", KINSHIP_HOUSEHOLDS, kinship=True)
    for service, households in ((fostering, foster_households), (kinship, kin_households)):
        service["places"] = sum(h["places"] for h in households)
        service["vacancies"] = sum(h["free_places"] for h in households)
    added = seed.insert(Service, [fostering, kinship, hillview, leavers, shared])
    seed.insert(FosterHousehold, foster_households + kin_households, audit=False)
    seed.audit_bulk("foster_household", len(foster_households) + len(kin_households),
                    "demo in-house and kinship fostering households")
    seed.add_services(added)
