"""The 16+ review's year of history (issue 12): 16+ block contracts with their young people, voids and QA.

The commissioner's 16+ review looks back over the last 12 months at the 16+ blocks (supported
accommodation for looked-after 16-17s, and care leavers' 18+ accommodation) and the 16+ spot agreements
(demo.sixteen_plus_spots). So that each of its figures has something to show on a first start:

- BLOCKS_16: six 16+ blocks of different sizes and fill (about 90% down to about 55%), in three supported
  accommodation categories plus one care leavers' 18+ block; one began five months ago (and took on a
  fourth flat since), one ends within 3 months, one within 6, and one within 12 after an extension taken
  six months ago; annual uplifts on each anniversary;
- each unit's young people over the year (stays of 1 to 9 months, emergency beds shorter), each ended
  with an SSDA903 reason for the placement change; the gaps between them are voids, some held for the
  incoming young person; a room out of use for the provider's repairs, another for fire works, and one
  the council kept empty for a while; most units are filled today;
- QA notes on five of the six blocks (latest ratings red, amber and green; open actions, one overdue).

Everything is written through services.contracts, services.placements and services.quality as a broker
or QA officer would (each act audited). Randomness is keyed by the block and unit (Seed.rng).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from broker_tui.domain.dates import add_months, format_date
from broker_tui.services.demo._base import Seed, pick_weighted, pounds
from broker_tui.services.demo._contracts import _next_case_ref
from broker_tui.services.demo._inhouse import _at_home
from broker_tui.services.demo._sixteen_plus_spots import (
    END_WEIGHTS,
    LEAVERS,
    add_sixteen_plus_spots,
    home_region,
    place_type,
)
from broker_tui.store.tables import Provider, Service

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Block16:
    ref: str
    name: str
    category: str  # the services' sa_category, or LEAVERS (care leavers' 18+ accommodation)
    units: int
    price: tuple[int, int]  # unit weekly price range, pounds
    label: str
    months_in: int  # began this many months ago
    months_left: int  # ends this many months from today (before any extension)
    fill: float  # about how full its units are kept
    stay: tuple[int, int] = (30, 270)  # a young person's stay, days
    extended_months_ago: int = 0  # an extension by 12 months taken then (0: none)
    unit_added_months_ago: int = 0  # one more unit added then (0: none)
    option: str = "Option to extend by 12 months"


BLOCKS_16 = (
    Block16("BC-SA-01", "16+ supported accommodation: shared houses (Lot A)", "ring_fenced_shared", 8, (560, 640),
            "Room", 30, 2, 0.92, option="Option to extend by 12 months: decision due"),
    Block16("BC-SA-02", "16+ supported accommodation: single occupancy flats", "single_occupancy", 6, (760, 880),
            "Flat", 26, -2, 0.9, extended_months_ago=6,
            option="Two optional extensions of 12 months (the first taken)"),
    Block16("BC-SA-03", "16+ supported accommodation: shared houses for UASC", "non_ring_fenced_shared", 8,
            (500, 580), "Room", 26, 5, 0.55),
    Block16("BC-SA-04", "16+ supported accommodation: training flats", "single_occupancy", 3, (650, 760), "Flat",
            5, 31, 0.88, unit_added_months_ago=2, option="Option to extend by 24 months"),
    Block16("BC-SA-05", "16+ supported accommodation: emergency beds (staffed 24 hours)", "ring_fenced_shared", 3,
            (950, 1150), "Bed", 14, 22, 0.75, stay=(14, 90)),
    Block16("BC-CL-01", "Care leavers 18+: shared move-on houses", LEAVERS, 6, (260, 320), "Room", 18, 18, 0.9,
            stay=(60, 300)),
)
WINDOWS = {  # (block, unit number): (status, from days ago, back in use days ago, why)
    ("BC-SA-01", 3): ("out_of_use_provider", 200, 172, "Provider repairs after a water leak from the flat above"),
    ("BC-SA-05", 2): ("out_of_use_provider", 115, 94, "Fire alarm and fire door works by the provider"),
    ("BC-SA-03", 5): ("out_of_use_council", 130, 82, "Council decision: not used while a safeguarding concern near "
                                                     "the house is reviewed with the police"),
}
LEAVING_CARE = (  # 18+ accommodation the register lacks (unregulated): provider, sector, service, places, what
    ("Pathways Move-On Homes (synthetic provider)", "private", "Move-on flats for care leavers 18+", 10,
     "Self-contained move-on flats with a weekly visit from a support worker."),
    ("Hearth Lodgings Network (synthetic provider)", "voluntary", "Supported lodgings for care leavers 18+", 8,
     "Rooms with host households; a support worker visits every fortnight."),
    ("Northfield Housing Association (synthetic provider)", "voluntary", "Staying close homes for care leavers 18+",
     6, "Shared homes near the young people's last children's homes, with staff on call."),
)
BLOCK_QA = {  # block: the notes on it, oldest first: (kind, days ago, rating)
    "BC-SA-01": (("contract_review", 210, "green"), ("visit_care_experienced", 45, "green")),
    "BC-SA-02": (("contract_review", 190, "green"), ("visit_unannounced", 28, "amber")),
    "BC-SA-03": (("contract_review", 160, "amber"), ("visit_unannounced", 21, "red")),
    "BC-SA-05": (("desktop_review", 75, "amber"),),
    "BC-CL-01": (("visit_care_experienced", 95, "green"), ("contract_review", 40, "amber")),
}
FINDINGS_16 = {
    "green": "Young people said they feel safe and their key workers help them with college and money; "
             "records and the location risk assessment are up to date.",
    "amber": "Key-work sessions are missed in some weeks and two pathway plans were out of date; staff turnover is "
             "high. Action plan agreed with the provider.",
    "red": "No staff member on site overnight on two nights in the last month against the contract's support "
           "plan; a missing episode was not reported on time. Escalated to the provider's director.",
}
ACTIONS_16 = ("Send the staffing rota showing overnight cover", "Update the out-of-date pathway plans with the "
              "personal advisers", "Evidence the key-work sessions delivered each week",
              "Share the missing-episode log and return interviews", "Confirm the repairs timetable in writing")


def add_leaving_care_services(seed: Seed) -> None:
    """Three more 18+ providers (unregulated, not on Ofsted's register), so the 18+ spots have a choice of
    provider. Run before the market is priced (demo.market.enrich_services gives them prices)."""
    providers = seed.insert(Provider, [{"name": name, "sector": sector} for name, sector, *_ in LEAVING_CARE])
    rows = []
    for p, (_n, sector, name, places, what) in zip(providers, LEAVING_CARE, strict=True):
        seed.providers[p["id"]] = p
        rows.append(_at_home(seed, provider_id=p["id"], sector=sector, name=name, service_type=LEAVERS,
                             places=places, vacancies=1, min_age=18, max_age=24, description=what))
    seed.add_services(seed.insert(Service, rows))


def add_sixteen_plus(seed: Seed) -> None:
    """The 16+ blocks with a year of young people, voids and QA, then the 16+ spot agreements."""
    _add_blocks(seed)
    add_sixteen_plus_spots(seed)
    _add_block_qa(seed)
    seed.session().flush()


def _categories(seed: Seed) -> dict[Any, str]:
    s_t = Service.__table__
    rows = seed.con.execute(select(s_t.c.id, s_t.c.sa_category).where(s_t.c.service_type == "supported_accommodation"))
    return {r.id: r.sa_category for r in rows}


def _service_for(seed: Seed, block: Block16, categories: dict[Any, str], used: set[Any]) -> dict[str, Any]:
    if block.category == LEAVERS:  # the voluntary partner's shared houses: not the council's own flats
        return next(s for s in seed.of_type(LEAVERS) if s["sector"] == "voluntary" and s["name"].startswith("Shared"))
    region = home_region(seed)
    pool = [s for s in seed.of_type("supported_accommodation") if s["ofsted_urn"] and s["region"] == region
            and s["registration_status"] == "active" and categories.get(s["id"]) == block.category
            and (s["places"] or 0) >= block.units and s["id"] not in used and s["provider_id"] not in used]
    pool.sort(key=lambda s: (s["local_authority_code"] != seed.home.la_code, s["ofsted_urn"]))
    return seed.rng("16+ block service", block.ref).choice(pool[:4])


def _terms(seed: Seed, block: Block16, starts: dt.date, ends: dt.date) -> list[tuple[dt.date, dict[str, Any]]]:
    """The block's dated terms after the first, in date order: uplifts, an extension, a unit added."""
    rng = seed.rng("16+ block terms", block.ref)
    uplift_bp = rng.choice([250, 300, 350, 400])
    terms = []
    anniversary = add_months(starts, 12)
    while anniversary <= seed.today:
        terms.append((anniversary, {"kind": "uplift", "uplift_bp": uplift_bp,
                                    "reason": f"Annual uplift {uplift_bp / 100:.1f}%"}))
        anniversary = add_months(anniversary, 12)
    if block.extended_months_ago:
        terms.append((add_months(seed.today, -block.extended_months_ago), {
            "kind": "extension", "ends_on": add_months(ends, 12),
            "reason": "First 12-month extension taken: good outcomes and the flats are well used"}))
    if block.unit_added_months_ago:
        terms.append((add_months(seed.today, -block.unit_added_months_ago), {
            "kind": "units_added", "units": (f"{block.label} {block.units + 1}",),
            "reason": "A fourth training flat added at the same unit price"}))
    return sorted(terms, key=lambda t: t[0])


def _unit_events(seed: Seed, block: Block16, rng: random.Random, first: dt.date, free_since: dt.date,
                 window: tuple[str, int, int, str] | None) -> list[tuple[Any, ...]]:
    """One unit's year in date order: ("stay", start, end or None (there today), held before it) and
    ("status", from, status, why). Gaps between stays are voids; a spell out of use is never lived in."""
    low, high = block.stay
    mean_gap = (low + high) / 2 * (1 - block.fill) / block.fill
    today = seed.today
    events: list[tuple[Any, ...]] = []
    w_from = w_to = today
    if window is not None:
        w_from, w_to = today - window[1] * DAY, today - window[2] * DAY
    pending, cursor = window, first
    while cursor < today or pending is not None:
        if pending is not None and (cursor + low * DAY > w_from or cursor >= today):  # no room before the spell
            events.append(("status", w_from, pending[0], pending[3]))
            events.append(("status", w_to, "available", "Back in use"))
            cursor, free_since, pending = max(cursor, w_to + rng.randint(1, 10) * DAY), w_to + DAY, None
            continue
        end: dt.date | None = cursor + rng.randint(low, high) * DAY
        if pending is not None and end is not None and end > w_from:
            end = w_from - rng.randint(0, 3) * DAY
        held = (cursor - free_since).days >= 4 and rng.random() < 0.4
        if held:
            since = max(free_since, cursor - rng.randint(2, 10) * DAY)
            events.append(("status", since, "held", f"Held for a young person moving in on {format_date(cursor)}"))
        if end is not None and end >= today:
            end = None
        events.append(("stay", cursor, end, held))
        if end is None:
            return events
        gap = round(mean_gap * rng.uniform(0.3, 1.7))
        cursor, free_since = end + max(0, gap) * DAY, end
    if cursor < today + 14 * DAY and rng.random() < 0.6:  # void today, the next young person due soon
        since = max(free_since, today - rng.randint(0, 4) * DAY)
        events.append(("status", since, "held", f"Held for a young person moving in on {format_date(cursor)}"))
    return events


def _add_blocks(seed: Seed) -> None:
    from broker_tui.services.contracts import (
        ContractInput,
        PlaceInput,
        TermInput,
        add_contract_in,
        amend_contract_in,
        place_in_block_in,
        set_unit_status_in,
    )
    from broker_tui.services.placements import end_placement_in

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    categories, used = _categories(seed), set[Any]()
    for block in BLOCKS_16:
        rng = seed.rng("16+ block", block.ref)
        service = _service_for(seed, block, categories, used)
        used |= {service["id"], service["provider_id"]}
        starts, ends = add_months(seed.today, -block.months_in), add_months(seed.today, block.months_left)
        labels = [f"{block.label} {n}" for n in range(1, block.units + 1)]
        add_contract_in(session, ctx, ContractInput(
            service=str(service["id"]), reference=block.ref, name=block.name, for_16_plus=True, starts_on=starts,
            ends_on=ends, extension_option=block.option, units=labels, unit_weekly_pence=pounds(rng, *block.price),
            notes="Demo contract: 16+ accommodation"))
        unit_from = dict.fromkeys(labels, starts)
        for effective, term in _terms(seed, block, starts, ends):
            amend_contract_in(session, ctx, block.ref, TermInput(effective_from=effective, **term))
            unit_from.update(dict.fromkeys(term.get("units", ()), effective))
        for number, (unit, since) in enumerate(unit_from.items(), start=1):
            urng = seed.rng("16+ unit", block.ref, unit)
            if since <= seed.days(-365):  # a young person there when the year began
                first = max(since, seed.days(-365 - urng.randint(0, block.stay[1] - 7)))
            else:  # a new block or unit fills over its first weeks
                first = since + urng.randint(3, 30) * DAY
            free_since = first
            if urng.random() > block.fill:  # void at first
                first += urng.randint(10, 60) * DAY
            for event in _unit_events(seed, block, urng, first, free_since, WINDOWS.get((block.ref, number))):
                if event[0] == "status":
                    set_unit_status_in(session, ctx, unit, event[2], event[1], event[3], contract=block.ref)
                    continue
                _, start, end, held = event
                placed = place_in_block_in(session, ctx, PlaceInput(
                    contract=block.ref, unit=unit, case_ref=_next_case_ref(seed), start_date=start, planned_end=end,
                    placement_type=place_type(block.category, start), take_held=held))
                seed.counts["placement"] += 1
                if end is not None:
                    end_placement_in(session, ctx, placed.id, end_date=end,
                                     reason_place_change=pick_weighted(urng, END_WEIGHTS))
        seed.counts["block_contract"] += 1
        seed.counts["block_unit"] += len(unit_from)
    session.flush()


def _add_block_qa(seed: Seed) -> None:
    """Contract reviews and visits on five of the six blocks (the newest has had none yet): the older
    notes' actions done, the latest notes' actions open (one overdue)."""
    from broker_tui.services.quality import ActionInput, NoteInput, add_note_in, complete_action_in

    assert seed.ctx is not None
    ctx, session = seed.ctx, seed.session()
    for ref, notes in BLOCK_QA.items():
        rng = seed.rng("16+ block qa", ref)
        for n, (kind, days_ago, rag) in enumerate(notes):
            held = seed.days(-days_ago)
            count = {"green": 0, "amber": 2, "red": 3}[rag]
            actions = tuple(ActionInput(what, "Provider registered manager" if k % 2 == 0 else "Contract manager",
                                        held + (14 + 21 * k) * DAY)
                            for k, what in enumerate(rng.sample(ACTIONS_16, count)))
            note = add_note_in(session, ctx, NoteInput(
                subject="block_contract", subject_id=ref, kind=kind, held_on=held, rag=rag,
                findings=FINDINGS_16[rag], author="QA officer (commissioning)",
                young_people_involved=kind == "visit_care_experienced" or rng.random() < 0.3, actions=actions))
            seed.counts["qa_note"] += 1
            seed.counts["qa_action"] += len(note.actions)
            if n < len(notes) - 1:  # an older note: its actions were done
                for action in note.actions:
                    complete_action_in(session, ctx, action.id, min(seed.today, action.due_on - 2 * DAY))
