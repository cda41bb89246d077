"""Step 1 of matching: the hard constraints. Each rule is one bit; a service is a candidate only when it
breaks none (with show_full, "full" alone does not exclude). Every broken rule is described in words.

The rules (shared/domain.md, "The law on where a child may live" and "Providers and regulation"):
type_not_sought           the service type is not among the types sought
unsuitable_setting        the referral's placement recommendation says its setting (foster care, residential
                          care, supported accommodation: vocabulary.SETTING_OF_GROUP) is unsuitable
under_16_supported        a child under 16 never in supported accommodation (since 9 September 2021)
unregulated_under_18      a child under 18 never in unregulated accommodation (18+ care leavers' homes):
                          under 16 since 9 September 2021, 16-17 only registered since 28 October 2023
supported_unregistered    supported accommodation only when registered (on Ofsted's register: a URN,
                          active) or its application accepted
secure_needs_s25          a secure children's home only with a section 25 order recorded
dol_not_met               a Deprivation of Liberty order only where the home can meet it (the
                          'deprivation_of_liberty' specialism; a secure home holds children lawfully)
registration              registration suspended, cancelled or pending, or gone from Ofsted's register;
                          and a type Ofsted must register (vocabulary.MUST_REGISTER_TYPES) that the register
                          does not show registered: no URN, or a status other than active. Registration
                          is a fact from the register, never a default
placement_stop            a council placement stop in force
age, sex                  outside the ages or sexes of the service's registration
siblings                  a sibling group to live together has no room together (fostering: no single
                          household with enough free places)
too_few_places            a sibling group to live together is larger than the service may ever hold: its
                          registered places (fostering: the largest household's approved places), whatever
                          its vacancies; one whose vacancies are not known stays, its explanation says so
full                      no vacancy and no free unit of a block contract
max_distance              beyond the maximum distance from school or home
outside_home_area         the plan needs a home inside the council's area and this one is not
avoid_area                inside an area the child must be kept away from
high_need_unmet           the child's need is high (3) in a domain where the service meets less
"""

from __future__ import annotations

import numpy as np

from broker_tui.domain.dates import format_date
from broker_tui.domain.geo import miles_between
from broker_tui.domain.matching.arrays import (
    GROUPS,
    MUST_REGISTER_OF_TYPE,
    REG_CODES,
    SEX_CODES,
    TAG_BIT,
    TYPE_INDEX,
    UNREGULATED_OF_TYPE,
    MarketArrays,
    member,
)
from broker_tui.domain.matching.types import Facts, MarketService, MatchConfig, MatchRequest, PlaceFacts
from broker_tui.domain.vocabulary import (
    MUST_REGISTER_NOUNS,
    NEED_DOMAIN_CODES,
    NEED_DOMAINS,
    REGISTRATION_STATUSES,
    SETTING_OF_GROUP,
    SETTINGS,
)
from broker_tui.domain.words import join_and

RULES = ("type_not_sought", "unsuitable_setting", "under_16_supported", "unregulated_under_18", "supported_unregistered",
         "secure_needs_s25", "dol_not_met", "registration", "placement_stop", "age", "sex", "siblings",
         "too_few_places", "full", "max_distance", "outside_home_area", "avoid_area", "high_need_unmet")
BIT = {r: 1 << i for i, r in enumerate(RULES)}
RULE_LABELS = {
    "type_not_sought": "not a type sought",
    "unsuitable_setting": "a setting the referral says is unsuitable",
    "under_16_supported": "a child under 16 may not live in supported accommodation",
    "unregulated_under_18": "a child under 18 may not live in unregulated accommodation",
    "supported_unregistered": "supported accommodation must be registered",
    "secure_needs_s25": "a secure children's home needs a section 25 order",
    "dol_not_met": "the home cannot meet the Deprivation of Liberty order",
    "registration": "not registered with Ofsted (suspended, cancelled, pending or not on the register)",
    "placement_stop": "a council placement stop",
    "age": "the child's age is outside the registration",
    "sex": "the registration takes the other sex only",
    "siblings": "no room for the siblings together",
    "too_few_places": "registered for fewer places than the group",
    "full": "no vacancy",
    "max_distance": "beyond the maximum distance",
    "outside_home_area": "outside the home area",
    "avoid_area": "inside an area to keep away from",
    "high_need_unmet": "a high need it cannot meet",
}
_G = {g: i for i, g in enumerate(GROUPS)}
_R = {r: i for i, r in enumerate(REG_CODES)}
DOMAIN_LABEL = {d.code: d.label for d in NEED_DOMAINS}
SHORT_DOMAIN = {"health": "health", "emotional": "emotional health", "behaviour": "behaviour",
                "education": "education", "identity": "identity", "relationships": "relationships",
                "independence": "independence skills", "risk": "risk"}


def group_size(req: MatchRequest) -> int:
    return max(1, req.sibling_group_size) if req.siblings_together else 1


def broken_rules(m: MarketArrays, req: MatchRequest, config: MatchConfig, geo: PlaceFacts) -> np.ndarray:
    """A bit mask per service of the rules it breaks (0: a candidate)."""
    bits = np.zeros(m.n, dtype=np.int64)

    def mark(mask: np.ndarray | np.bool | bool, rule: str) -> None:
        np.bitwise_or(bits, np.asarray(mask, dtype=np.int64) * BIT[rule], out=bits)

    sought = [TYPE_INDEX[t] for t in req.types_sought if t in TYPE_INDEX]
    mark(~member(m.type_idx, sought, len(TYPE_INDEX)), "type_not_sought")
    unsuitable = [_G[g] for g in GROUPS if SETTING_OF_GROUP.get(g) in req.unsuitable_settings]
    if unsuitable:
        mark(member(m.group_idx, unsuitable, len(GROUPS)), "unsuitable_setting")
    supported = m.group_idx == _G["supported"]
    secure = m.group_idx == _G["secure"]
    ages = req.ages
    if min(ages) < 16:
        mark(supported, "under_16_supported")
    if min(ages) < 18:
        mark(UNREGULATED_OF_TYPE[m.type_idx], "unregulated_under_18")
    gone = member(m.reg_idx, [_R["suspended"], _R["cancelled"]], len(REG_CODES)) | ~m.in_register
    on_register = m.has_urn & (m.reg_idx == _R["active"])  # what the register shows, never a default
    mark(supported & ~gone & ~(on_register | (m.reg_idx == _R["application_accepted"])), "supported_unregistered")
    if not req.section25_order:
        mark(secure, "secure_needs_s25")
    if req.dol_order:
        mark(~secure & ((m.tags & TAG_BIT["deprivation_of_liberty"]) == 0), "dol_not_met")
    must = MUST_REGISTER_OF_TYPE[m.type_idx]
    mark(gone | (~supported & (m.reg_idx == _R["pending"])) | (must & ~supported & ~on_register), "registration")
    mark(m.stop, "placement_stop")
    mark((m.min_age > min(ages)) | (m.max_age < max(ages)), "age")
    if req.sex in SEX_CODES[1:]:
        mark((m.sex_idx != 0) & (m.sex_idx != SEX_CODES.index(req.sex)), "sex")
    size = group_size(req)
    by_household = m.hh_max >= 0
    known = by_household | (m.free >= 0)
    free_now = np.where(by_household, m.hh_sum, m.free)
    full = known & (free_now + m.block_free <= 0)
    mark(full, "full")
    if size > 1:
        room = np.where(by_household, m.hh_max, m.free) + m.block_free
        mark(known & ~full & (room < size), "siblings")
        mark((m.most_together >= 0) & (m.most_together < size), "too_few_places")
    if req.max_distance_miles is not None:
        mark(geo.miles > req.max_distance_miles, "max_distance")
    if req.within_home_area:
        mark(~geo.in_area, "outside_home_area")
    mark(geo.avoided, "avoid_area")
    high = [k for k, d in enumerate(NEED_DOMAIN_CODES) if req.need(d) >= 3]
    if high:
        mark((m.caps[:, high] < 3).any(axis=1), "high_need_unmet")
    return bits


def _status(s: MarketService) -> str:
    """The registration as the register shows it, in lower case: 'registration pending', "not on Ofsted's
    register (no URN)" (recorded as registered without the register's key)."""
    if s.registration_status == "active" and not s.ofsted_urn:
        return "not on Ofsted's register (no URN)"
    if s.registration_status == "not_registered" and s.ofsted_urn:
        return f"not on Ofsted's register (URN {s.ofsted_urn} not found in it)"
    label = REGISTRATION_STATUSES.get(s.registration_status, s.registration_status)
    return label[:1].lower() + label[1:]


def _ages(ages: tuple[int, ...]) -> str:
    if len(ages) == 1:
        return f"the child is {ages[0]}"
    return "the children are " + join_and([str(a) for a in sorted(ages)])


def describe(bits: int, s: MarketService, i: int, facts: Facts, req: MatchRequest, config: MatchConfig
             ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules a service breaks, as codes and as reasons in a broker's words."""
    geo = facts.geo
    rules = tuple(r for r in RULES if bits & BIT[r])
    reasons = []
    for r in rules:
        reasons.append(_reason(r, s, i, geo, req, config))
    return rules, tuple(reasons)


def _reason(rule: str, s: MarketService, i: int, geo: PlaceFacts, req: MatchRequest, config: MatchConfig) -> str:
    la = s.local_authority_name or s.local_authority_code or "its area"
    size = group_size(req)
    if rule == "type_not_sought":
        return f"not a type sought ({s.type_label})"
    if rule == "unsuitable_setting":
        setting = SETTINGS[SETTING_OF_GROUP[s.group]]
        return f"{setting} is unsuitable for this child (the referral's placement recommendation)"
    if rule == "under_16_supported":
        return "a child under 16 may not live in supported accommodation (since 9 September 2021)"
    if rule == "unregulated_under_18":
        return ("a child under 18 may not live in unregulated accommodation (under 16 since 9 September 2021; "
                "16 and 17 only with a registered provider since 28 October 2023)")
    if rule == "supported_unregistered":
        return f"supported accommodation must be registered or have its application accepted: {_status(s)}"
    if rule == "secure_needs_s25":
        return "a secure children's home on welfare grounds needs a section 25 order"
    if rule == "dol_not_met":
        return "cannot meet the conditions of the Deprivation of Liberty order"
    if rule == "registration":
        if not s.in_register:
            return "no longer on Ofsted's register"
        if s.registration_status in ("suspended", "cancelled", "pending"):
            return f"Ofsted {_status(s)}"
        must = f"{MUST_REGISTER_NOUNS.get(s.group, 'this type')} must be registered with Ofsted"
        if s.registration_status in ("active", "not_registered"):
            return f"{_status(s)}: {must}"
        return f"recorded as '{REGISTRATION_STATUSES.get(s.registration_status, s.registration_status)}', but {must}"
    if rule == "placement_stop":
        since = f" since {format_date(s.stop_since)}" if s.stop_since else ""
        why = f": {s.stop_reason}" if s.stop_reason else ""
        return f"council placement stop{since}{why}"
    if rule == "age":
        return f"takes ages {s.min_age}-{s.max_age}; {_ages(req.ages)}"
    if rule == "sex":
        return "takes girls only" if s.sexes == "female" else "takes boys only"
    if rule == "siblings":
        if s.household_free_places:
            return f"no household with {size} free places (most in one household: {max(s.household_free_places)})"
        return f"room for {max(0, (s.free_places or 0) + s.free_block_units)}, not a group of {size}"
    if rule == "too_few_places":
        if s.household_places:
            return (f"no household approved for {size} children "
                    f"(the most in one household: {max(s.household_places)})")
        n = s.places or 0
        places = f"{n} place{'' if n == 1 else 's'}"
        held = f"approved for {places} in all its households" if s.group == "fostering" else f"registered for {places}"
        return f"{held}: can never hold a group of {size}"
    if rule == "full":
        if s.household_free_places:
            return "full: no household has a free place"
        places = f" (0 of {s.places} places free)" if s.places else ""
        return f"full{places}"
    if rule == "max_distance":
        return f"about {round(float(geo.miles[i]))} miles away, beyond the {req.max_distance_miles}-mile limit"
    if rule == "outside_home_area":
        return f"outside {config.home.la_name}: the plan needs a home in the area"
    if rule == "avoid_area":
        if s.areas_covered:
            return "every area its carers live in is an area to keep away from"
        if s.local_authority_code in req.avoid_las:
            return f"inside {la}, an area to keep away from"
        for c in req.avoid_circles:
            near = s.latitude is not None and s.longitude is not None and miles_between(
                c.latitude, c.longitude, s.latitude, s.longitude) <= c.radius_miles
            if c.radius_miles and near:
                return f"within {c.radius_miles} miles of {c.district}, an area to keep away from"
            if near or s.postcode_district == c.district:
                return f"inside {c.district}, an area to keep away from"
        return "inside an area to keep away from"
    if rule == "high_need_unmet":
        short = [(d, s.capabilities.get(d, 1)) for d in NEED_DOMAIN_CODES
                 if req.need(d) >= 3 and s.capabilities.get(d, 1) < 3]
        return "cannot meet high " + join_and([f"{SHORT_DOMAIN[d]} needs (meets level {c})" for d, c in short])
    raise AssertionError(rule)
