"""One service in full, for the directory's detail view: prices, capabilities, QA, stops, households."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from broker_tui.domain.vocabulary import (
    NEED_DOMAINS,
    NEED_LEVELS,
    PURCHASING_ROUTES,
    QA_KINDS,
    RAG_RATINGS,
    REGISTRATION_STATUSES,
    SA_CATEGORIES,
    SECTORS,
    SERVICE_TYPE_BY_CODE,
    SPECIALIST_TAGS,
    judgement_label,
    registration_note,
    service_type_label,
)
from broker_tui.services.context import AppContext


class ServiceNotFound(LookupError):
    pass


@dataclass(frozen=True)
class PriceLine:
    valid_from: dt.date
    valid_to: dt.date | None
    core_weekly_pence: int
    one_to_one_hourly_pence: int | None
    two_to_one_hourly_pence: int | None
    education_weekly_pence: int | None
    therapy_weekly_pence: int | None
    solo_premium_weekly_pence: int | None
    annual_uplift_bp: int
    source: str


@dataclass(frozen=True)
class Capability:
    domain: str
    label: str
    level: int

    @property
    def level_label(self) -> str:
        return NEED_LEVELS.get(self.level, str(self.level))


@dataclass(frozen=True)
class QAActionView:
    description: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool
    status: str = "open"  # open | done | cancelled


@dataclass(frozen=True)
class QANoteView:
    held_on: dt.date
    kind_label: str
    rag: str
    findings: str
    author: str
    actions: tuple[QAActionView, ...]

    @property
    def rag_label(self) -> str:
        return RAG_RATINGS.get(self.rag, self.rag)


@dataclass(frozen=True)
class StopView:
    imposed_by: str
    reason: str
    starts_on: dt.date
    lifted_on: dt.date | None
    lifted_by: str | None
    lifted_reason: str | None


@dataclass(frozen=True)
class HouseholdView:
    reference: str
    places: int
    free_places: int


@dataclass(frozen=True)
class ServiceDetail:
    id: uuid.UUID
    name: str
    provider_name: str
    provider_contact: str  # the referral contact: name, email, phone as far as known
    service_type: str
    type_label: str
    sector_label: str
    ofsted_urn: str | None
    registration_label: str
    registration_date: dt.date | None
    in_register: bool
    left_register_on: dt.date | None
    judgement: str
    inspected_on: dt.date | None
    sa_category_label: str | None
    town: str | None
    postcode_district: str | None
    local_authority_name: str | None
    region: str | None
    location_approximate: bool
    distance_miles: float | None
    in_area: bool
    ages: str
    sexes: str
    places: int | None
    vacancies: int | None
    vacancies_as_of: dt.date | None
    vacancies_source: str | None
    purchasing_label: str
    framework: str
    description: str
    price_in_force: PriceLine | None
    price_history: tuple[PriceLine, ...]  # every other price list, newest first
    capabilities: tuple[Capability, ...]
    specialisms: tuple[str, ...]
    qa_notes: tuple[QANoteView, ...]  # newest first
    stop_in_force: StopView | None
    past_stops: tuple[StopView, ...]
    households: tuple[HouseholdView, ...]
    is_fostering: bool

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _json(dataclasses.asdict(self))
        return out


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _in_force(valid_from: dt.date, valid_to: dt.date | None, today: dt.date) -> bool:
    return valid_from <= today and (valid_to is None or valid_to >= today)


def _registration_label(service_type: str, status: str, urn: str | None) -> str:
    """The registration as recorded, or, for a type Ofsted must register that the register does not show
    registered, why not and that it must be ("Not on Ofsted's register: this type must be registered")."""
    note = registration_note(service_type, status, urn)
    if note is None:
        return REGISTRATION_STATUSES.get(status, status)
    return f"{note[:1].upper()}{note[1:]}: this type must be registered with Ofsted"


def service_detail(ctx: AppContext, service_id: uuid.UUID | str) -> ServiceDetail:
    """Everything the detail view shows about one service. Raises ServiceNotFound."""
    from sqlmodel import col, select

    from broker_tui.services.quality import note_is_about, note_is_current
    from broker_tui.store.tables import (
        FosterHousehold,
        PlacementStop,
        PriceList,
        Provider,
        QAAction,
        QANote,
        Service,
    )

    sid = service_id if isinstance(service_id, uuid.UUID) else uuid.UUID(str(service_id))
    today = ctx.today()
    with ctx.session() as s:
        svc = s.get(Service, sid)
        if svc is None:
            raise ServiceNotFound(f"No service with id {sid}")
        provider = s.get(Provider, svc.provider_id)
        prices = s.exec(select(PriceList).where(PriceList.service_id == sid)
                        .order_by(col(PriceList.valid_from).desc(), col(PriceList.created_at).desc())).all()
        stops = s.exec(select(PlacementStop).where(PlacementStop.service_id == sid)
                       .order_by(col(PlacementStop.starts_on).desc())).all()
        # the current notes about the service or anything inside it (its agreements' and placements'): a
        # superseded note is history, shown by its correction
        notes = s.exec(select(QANote).where(note_is_about("service", sid), note_is_current())
                       .order_by(col(QANote.held_on).desc(), col(QANote.kind))).all()
        actions = s.exec(select(QAAction).where(col(QAAction.qa_note_id).in_([n.id for n in notes]))
                         .order_by(col(QAAction.due_on), col(QAAction.description))).all() if notes else []
        households = s.exec(select(FosterHousehold).where(FosterHousehold.service_id == sid,
                                                          col(FosterHousehold.archived_on).is_(None))
                            .order_by(col(FosterHousehold.reference))).all()

    lines = [PriceLine(p.valid_from, p.valid_to, p.core_weekly_pence, p.one_to_one_hourly_pence,
                       p.two_to_one_hourly_pence, p.education_weekly_pence, p.therapy_weekly_pence,
                       p.solo_premium_weekly_pence, p.annual_uplift_bp, p.source) for p in prices]
    in_force = next((p for p in lines if _in_force(p.valid_from, p.valid_to, today)), None)
    stop_views = [StopView(x.imposed_by, x.reason, x.starts_on, x.lifted_on, x.lifted_by, x.lifted_reason)
                  for x in stops]
    current_stop = next((x for x in stop_views if x.starts_on <= today
                         and (x.lifted_on is None or x.lifted_on > today)), None)
    by_note: dict[uuid.UUID, list[QAActionView]] = {}
    for a in actions:
        by_note.setdefault(a.qa_note_id, []).append(
            QAActionView(a.description, a.owner, a.due_on, a.done_on, a.status == "open" and a.due_on < today,
                         a.status))
    contact = ", ".join(x for x in (provider.referral_contact_name, provider.referral_email,
                                    provider.referral_phone) if x) if provider else ""
    stype = SERVICE_TYPE_BY_CODE.get(svc.service_type)
    framework = " — ".join(x for x in (svc.framework_name, svc.framework_lot) if x)
    return ServiceDetail(
        id=svc.id, name=svc.name, provider_name=provider.name if provider else "", provider_contact=contact,
        service_type=svc.service_type, type_label=service_type_label(svc.service_type),
        sector_label=SECTORS.get(svc.sector, svc.sector), ofsted_urn=svc.ofsted_urn,
        registration_label=_registration_label(svc.service_type, svc.registration_status, svc.ofsted_urn),
        registration_date=svc.registration_date, in_register=svc.in_register,
        left_register_on=svc.left_register_on, judgement=judgement_label(svc.ofsted_grade, svc.sa_outcome, svc.service_type),
        inspected_on=svc.inspected_on,
        sa_category_label=SA_CATEGORIES.get(svc.sa_category) if svc.sa_category else None,
        town=svc.town, postcode_district=svc.postcode_district, local_authority_name=svc.local_authority_name,
        region=svc.region, location_approximate=svc.location_approximate, distance_miles=svc.distance_miles,
        in_area=svc.in_area, ages=f"{svc.min_age}–{svc.max_age}", sexes=svc.sexes.capitalize(),
        places=svc.places, vacancies=svc.vacancies, vacancies_as_of=svc.vacancies_as_of,
        vacancies_source=svc.vacancies_source,
        purchasing_label=PURCHASING_ROUTES.get(svc.purchasing_route, svc.purchasing_route), framework=framework,
        description=svc.description, price_in_force=in_force,
        price_history=tuple(p for p in lines if p is not in_force),
        capabilities=tuple(Capability(d.code, d.label, int(getattr(svc, f"cap_{d.code}"))) for d in NEED_DOMAINS),
        specialisms=tuple(SPECIALIST_TAGS.get(t, t) for t in svc.specialisms),
        qa_notes=tuple(QANoteView(n.held_on, QA_KINDS.get(n.kind, n.kind), n.rag, n.findings, n.author,
                                  tuple(by_note.get(n.id, ()))) for n in notes),
        stop_in_force=current_stop, past_stops=tuple(x for x in stop_views if x is not current_stop),
        households=tuple(HouseholdView(h.reference, h.places, h.free_places) for h in households),
        is_fostering=bool(stype and stype.group == "fostering"),
    )
