"""Step 3 of matching: why a result ranks where it does, in a broker's words, and the approvals it needs.

"covers CCE and missing episodes; £5,600 a week, £900 under budget; about 25 miles, out of area;
Outstanding; private". Approvals (Care Planning Regulations): out of area needs the nominated
officer; a distant placement (beyond the home council and the councils bordering it) needs the
Director of Children's Services, and the host council is told before the move; a move in school
year 10 or 11 needs the nominated officer; a weekly cost above the council's threshold needs a
manager; a child under 13 in a secure children's home needs the Secretary of State.
"""

from __future__ import annotations

import math

import numpy as np

from broker_tui.domain.matching.rules import SHORT_DOMAIN, group_size
from broker_tui.domain.matching.types import (
    Facts,
    MarketService,
    MatchConfig,
    MatchRequest,
    RankedService,
    ScoreParts,
)
from broker_tui.domain.money import format_pence
from broker_tui.domain.pricing import PriceEstimate, estimate
from broker_tui.domain.vocabulary import (
    NEED_DOMAIN_CODES,
    NOT_INSPECTED,
    OFSTED_GRADES,
    SA_OUTCOMES,
    SECTORS,
    SETTING_OF_GROUP,
    SETTINGS,
    TAGS,
)
from broker_tui.domain.words import join_and

NUMBER_WORDS = {1: "one level", 2: "two levels", 3: "three levels"}


def tag_words(code: str) -> str:
    """A tag as a broker says it: the abbreviation when there is one (CCE), else the label in lower case."""
    for t in TAGS:
        if t.code == code:
            if "(" in t.label:
                return t.label[t.label.index("(") + 1:t.label.index(")")]
            return t.label[0].lower() + t.label[1:]
    return code.replace("_", " ")


def judgement(s: MarketService) -> tuple[str, str]:
    """The judgement and its scale, each on its own terms."""
    if s.group == "supported":
        return (SA_OUTCOMES[s.sa_outcome] if s.sa_outcome else NOT_INSPECTED), "supported_accommodation"
    if s.ofsted_grade:
        return OFSTED_GRADES[s.ofsted_grade], "ofsted"
    if s.sector == "in_house" and s.group == "fostering":
        return "Not graded (council service)", "council"
    return NOT_INSPECTED, "ofsted"


def miles_words(miles: float | None) -> str:
    if miles is None:
        return "location not known"
    if miles < 1:
        return "under a mile"
    n = round(miles)
    return f"about {n} mile{'s' if n != 1 else ''}"


def cost_words(est: PriceEstimate | None) -> str:
    if est is None:
        return "no price on record"
    text = f"{format_pence(est.weekly_pence, whole=True)} a week"
    over = est.over_budget_pence
    if over is not None:
        if over > 0:
            text += f", {format_pence(over, whole=True)} over budget"
        elif over < 0:
            text += f", {format_pence(-over, whole=True)} under budget"
        else:
            text += ", on budget"
    if est.unpriced:
        text += f" (not priced: {', '.join(est.unpriced)})"
    return text


def shortfalls(s: MarketService, req: MatchRequest) -> dict[str, int]:
    return {d: req.need(d) - s.capabilities.get(d, 1) for d in NEED_DOMAIN_CODES
            if req.need(d) > s.capabilities.get(d, 1)}


def needs_words(covered: list[str], missing: list[str], short: dict[str, int], req: MatchRequest) -> list[str]:
    out = []
    if covered:
        out.append("covers " + join_and([tag_words(t) for t in covered]))
    if missing:
        out.append("does not cover " + join_and([tag_words(t) for t in missing]))
    for amount in sorted(set(short.values())):
        domains = [SHORT_DOMAIN[d] for d, a in short.items() if a == amount]
        out.append(f"{NUMBER_WORDS[amount]} short in {join_and(domains)}")
    if not short and any(req.need(d) for d in NEED_DOMAIN_CODES) and not missing:
        out.append("meets every need level")
    return out


def room_words(s: MarketService, req: MatchRequest) -> str | None:
    """For a group to live together where the vacancies are not known (and no free block unit holds it):
    that its room for them is not known, never said as certain."""
    size = group_size(req)
    if size < 2 or s.free_places is not None or s.household_free_places or s.free_block_units >= size:
        return None
    held = "approved for" if s.group == "fostering" else "registered for"
    registered = f"{held} {s.places} places; " if s.places else ""
    return f"{registered}vacancies not known: ask whether it has room for {size} together"


def approvals(s: MarketService, req: MatchRequest, config: MatchConfig, *, in_area: bool, distant: bool,
              host: str, est: PriceEstimate | None) -> tuple[str, ...]:
    out = []
    home = config.home.la_name
    if not in_area:
        out.append("Out of area: the nominated officer's approval")
    if distant:
        out.append(f"Distant placement (beyond {home} and the councils bordering it): the Director of "
                   f"Children's Services' approval; tell {host} before the move")
    if req.year_group in (10, 11):
        out.append(f"A move in school year {req.year_group}: the nominated officer's approval")
    if est is not None and est.weekly_pence > config.high_cost_threshold_pence:
        out.append(f"Over {format_pence(config.high_cost_threshold_pence, whole=True)} a week: "
                   "a manager's approval")
    if s.group == "secure" and min(req.ages) < 13:
        out.append("Secure accommodation for a child under 13: the Secretary of State's approval")
    return tuple(out)


def ranked_service(rank: int, s: MarketService, i: int, total: float, parts: ScoreParts,
                   facts: Facts, req: MatchRequest, config: MatchConfig) -> RankedService:
    """One result, explained."""
    geo = facts.geo
    est = estimate(sorted(s.prices, key=lambda p: p.valid_from), req.price_needs, req.start_date,
                   end=req.end_date, end_is_18th=req.end_is_18th,
                   budget_weekly_pence=req.budget_weekly_pence)
    raw_miles = float(geo.miles[i])
    miles = None if math.isnan(raw_miles) else round(raw_miles, 1)
    via = int(geo.via_area[i])
    area = None
    if via >= 0:
        area = s.areas_covered[via - int(np.searchsorted(facts.pair_service, i))]
    in_area, distant = bool(geo.in_area[i]), bool(geo.distant[i])
    host = (area.name or area.code) if area else (s.local_authority_name or s.local_authority_code or "the host council")
    measured_to = (f"{area.name or area.code} (area covered)" if area else (s.postcode_district or host))
    wanted = list(req.tags)
    covered = [t for t in wanted if t in s.specialisms]
    missing = [t for t in wanted if t not in s.specialisms]
    short = shortfalls(s, req)
    label, scale = judgement(s)
    free = (s.free_places if s.free_places is not None else 0) + sum(s.household_free_places)
    full = (s.free_places is not None or bool(s.household_free_places)) and free + s.free_block_units <= 0
    room = room_words(s, req)
    words = [room] if room else []
    words += needs_words(covered, missing, short, req)
    words.append(cost_words(est))
    place = miles_words(miles)
    if area is not None:
        place = f"carers in {area.name or area.code}, {place}"
    if s.location_approximate and area is None and miles is not None:
        place += " (approximate position)"
    place += f", in {config.home.la_name}" if in_area else ", out of area"
    words.append(place)
    words.append(label if scale != "supported_accommodation" or s.sa_outcome else
                 f"{NOT_INSPECTED.lower()} (supported accommodation)")
    words.append("in-house" if s.sector == "in_house" else SECTORS.get(s.sector, s.sector).lower())
    if SETTING_OF_GROUP.get(s.group) in req.preferred_settings:
        words.append(f"{SETTINGS[SETTING_OF_GROUP[s.group]]}: the setting preferred")
    if s.free_block_units > 0:
        words.append("free block unit")
    if full:
        words.append("full: no vacancy now")
    return RankedService(
        rank=rank, service=s, score=round(total, 6), parts=parts, estimate=est, miles=miles,
        measured_to=measured_to, approximate=bool(s.location_approximate and area is None), in_area=in_area,
        distant=distant, host_council=host, full=full, judgement=label, judgement_scale=scale,
        covered=tuple(covered), not_covered=tuple(missing), shortfalls=short, explanation="; ".join(words),
        approvals=approvals(s, req, config, in_area=in_area, distant=distant, host=host, est=est))

