"""A small deterministic market inserted through SQLModel sessions, for service and UI tests.

Names are distinct and every date is relative to the fixed TODAY, so orders and screens are stable.
The directory's stored sort columns are filled here as the importer fills them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from broker_tui.domain.vocabulary import judgement_sort_key

D = dt.timedelta


@dataclass
class Market:
    services: dict[str, object] = field(default_factory=dict)  # name -> Service
    providers: dict[str, object] = field(default_factory=dict)


# name, provider, type, grade, outcome, region, la, in_area, miles, places, vacancies, price (pounds/week)
SERVICES = [
    ("Ashfield House", "Brightway Care Ltd", "childrens_home_external", "good", None, "East Midlands",
     "Leicestershire", False, 8.4, 4, 1, 4850),
    ("Beacon Lodge", "Brightway Care Ltd", "childrens_home_external", "outstanding", None, "East Midlands",
     "Nottingham", False, 24.9, 3, 0, 6200),
    ("Cedar View", "Leicester City Council", "childrens_home_in_house", "requires_improvement", None,
     "East Midlands", "Leicester", True, 1.2, 5, 2, 3900),
    ("Dovecote Fostering", "Dovecote Family Placements", "fostering_ifa", "good", None, "East Midlands",
     "Derby", False, 26.0, 40, 6, 950),
    ("Elm Court Supported Living", "Northgate Housing Trust", "supported_accommodation", None,
     "consistently_strong", "East Midlands", "Leicester", True, 0.8, 6, 1, 1450),
    ("Foxglove Flats", "Northgate Housing Trust", "supported_accommodation", None, "inconsistent",
     "West Midlands", "Coventry", False, 24.9, 8, 3, 980),
    ("Greenhill Secure Unit", "Midshire County Council", "secure_childrens_home", "good", None,
     "West Midlands", "Birmingham", False, 39.5, 8, 0, 9800),
    ("Hillview", "Leicester City Council", "childrens_home_in_house", None, None, "East Midlands",
     "Leicester", True, 2.1, 6, 6, None),
    ("Ivy Bank", "Horizon Residential", "childrens_home_external", "inadequate", None, "North West",
     "Manchester", False, None, 2, 0, 5100),
    ("Juniper Parent and Child Centre", "Juniper Families", "parent_and_child", "good", None,
     "East Midlands", "Leicestershire", False, 12.3, 4, 1, 3300),
    ("Kestrel Lodgings", "Northgate Housing Trust", "supported_accommodation", None, "serious_weaknesses",
     "East Midlands", "Leicester", True, 1.9, 5, 5, 620),
    ("Leicester In-house Fostering", "Leicester City Council", "fostering_in_house", None, None,
     "East Midlands", "Leicester", True, 0.0, 60, 7, 520),
]


def _registration(name: str, stype: str, i: int) -> tuple[str | None, str]:
    """Each service's URN and registration as Ofsted's register gives them: every type Ofsted registers is
    on it (the council's own homes too) except Hillview, whose registration is pending (as in the demo);
    the council's own fostering needs none."""
    if stype == "fostering_in_house":
        return None, "not_required"
    if name == "Hillview":
        return None, "pending"
    return f"SC{100000 + i}", "active"


def _service_row(Service, provider_id, row, i):  # noqa: N803
    name, _prov, stype, grade, outcome, region, la, in_area, miles, places, vacs, price = row
    ofsted_urn, status = _registration(name, stype, i)
    return Service(
        provider_id=provider_id, name=name, service_type=stype, sector="in_house" if "in_house" in stype
        else "private", ofsted_urn=ofsted_urn, registration_status=status, ofsted_grade=grade, sa_outcome=outcome,
        region=region,
        local_authority_name=la, town=la, in_area=in_area, distance_miles=miles, places=places,
        vacancies=vacs, price_from_pence=None if price is None else price * 100,
        judgement_sort=judgement_sort_key(grade, outcome), sort_name=name.lower(),
        search_text=f"{name} {_prov} {la}".lower(), specialisms=["cse", "missing"] if grade == "good" else [],
        cap_behaviour=3 if stype.startswith("childrens_home") else 1, description=f"{name} in {la}.",
    )


def build_market(ctx, today: dt.date) -> Market:
    """Providers, services with price lists, a placement stop, QA notes and actions, referrals in every
    status, replies past their deadline, block contracts ending soon and later."""
    from broker_tui.store.tables import (
        BlockContract,
        FosterHousehold,
        Offer,
        PlacementStop,
        PriceList,
        Provider,
        QAAction,
        QANote,
        Referral,
        ReferralSent,
        Service,
    )

    market = Market()
    with ctx.session() as s:
        for i, row in enumerate(SERVICES):
            prov_name = row[1]
            if prov_name not in market.providers:
                p = Provider(name=prov_name, sector="in_house" if "Leicester" in prov_name else "private",
                             referral_email=f"referrals@{prov_name.split()[0].lower()}.example")
                s.add(p)
                s.flush()
                market.providers[prov_name] = p
            svc = _service_row(Service, market.providers[prov_name].id, row, i)
            s.add(svc)
            market.services[row[0]] = svc
        s.flush()
        sv = market.services
        for name, svc in sv.items():
            if svc.price_from_pence is None:
                continue
            s.add(PriceList(service_id=svc.id, valid_from=today - D(400), valid_to=today - D(60),
                            core_weekly_pence=svc.price_from_pence - 20000 if svc.price_from_pence > 30000 else
                            svc.price_from_pence - 2000, source="demo"))
            s.add(PriceList(service_id=svc.id, valid_from=today - D(59), core_weekly_pence=svc.price_from_pence,
                            one_to_one_hourly_pence=2800, two_to_one_hourly_pence=5600,
                            education_weekly_pence=95000 if "Ashfield" in name else None,
                            annual_uplift_bp=350, source="demo"))
        s.add(PlacementStop(service_id=sv["Ivy Bank"].id, imposed_by="Head of Service",
                            reason="Safeguarding concern under review", starts_on=today - D(20)))
        s.add(PlacementStop(service_id=sv["Ashfield House"].id, imposed_by="Commissioning Manager",
                            reason="Staffing shortfall", starts_on=today - D(300), lifted_on=today - D(250),
                            lifted_by="Commissioning Manager", lifted_reason="Staffing restored"))
        for ref, hh_places, free in (("FH-001", 3, 1), ("FH-002", 2, 0), ("FH-003", 1, 1)):
            s.add(FosterHousehold(service_id=sv["Leicester In-house Fostering"].id, reference=ref,
                                  places=hh_places, free_places=free))
        note = QANote(service_id=sv["Ashfield House"].id, kind="visit_unannounced", held_on=today - D(45),
                      rag="amber", findings="Staffing rota gaps at weekends.", author="QA Officer")
        note2 = QANote(service_id=sv["Ivy Bank"].id, kind="reg44", held_on=today - D(30), rag="red",
                       findings="Missing-from-home procedures not followed.", author="QA Officer")
        s.add_all([note, note2])
        s.flush()
        s.add_all([
            QAAction(qa_note_id=note.id, description="Send revised weekend rota", owner="Registered manager",
                     due_on=today - D(10)),
            QAAction(qa_note_id=note.id, description="Confirm agency staff induction", owner="Registered manager",
                     due_on=today + D(14)),
            QAAction(qa_note_id=note2.id, description="Return missing-from-home action plan", owner="Responsible individual",
                     due_on=today - D(3)),
            QAAction(qa_note_id=note2.id, description="Share staff training records", owner="Responsible individual",
                     due_on=today - D(40), status="done", done_on=today - D(41), done_by="QA Officer"),
        ])
        statuses = ["new", "new", "searching", "searching", "searching", "sent_to_providers", "offers_received",
                    "placement_agreed", "placed", "withdrawn", "closed"]
        referrals = []
        for i, status in enumerate(statuses):
            r = Referral(case_ref=f"CR{2400 + i}", initials=f"{'ABCDEFGHJKL'[i]}{'MNPRSTVWXYZ'[i]}",
                         status=status, date_received=today - D(30 - i), needed_by=today + D(i * 3 - 5),
                         emergency=i == 1)
            s.add(r)
            referrals.append(r)
        s.flush()
        sent_at = dt.datetime.combine(today - D(8), dt.time(10), tzinfo=dt.UTC)
        sent = referrals[5]
        for name, due in (("Ashfield House", -2), ("Beacon Lodge", -1), ("Dovecote Fostering", 3)):
            s.add(ReferralSent(referral_id=sent.id, service_id=sv[name].id, sent_at=sent_at, sent_by="test.broker",
                               reply_due_on=today + D(due)))
        s.add(ReferralSent(referral_id=referrals[6].id, service_id=sv["Cedar View"].id, sent_at=sent_at,
                           sent_by="test.broker", reply_due_on=today - D(4)))
        s.add(Offer(referral_id=referrals[6].id, service_id=sv["Cedar View"].id, received_on=today - D(5),
                    outcome="offered", weekly_price_pence=390000))
        for i, (ref, months_days, svc) in enumerate((("BC-2024-01", 40, "Elm Court Supported Living"),
                                                     ("BC-2024-02", 150, "Kestrel Lodgings"),
                                                     ("BC-2025-03", 400, "Dovecote Fostering"))):
            owner = sv[svc].provider_id
            s.add(BlockContract(provider_id=owner, service_id=sv[svc].id, reference=ref,
                                name=f"16+ block {i + 1}" if i < 2 else "IFA block", starts_on=today - D(700),
                                ends_on=today + D(months_days)))
    return market
