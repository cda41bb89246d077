"""The words of the field (shared/domain.md) as the app's own codes.

DfE SSDA903 codes are *data* (the code_list table, loaded from seed/ssda903_code_lists.csv with the
years they are valid); what lives here are the app's own vocabularies: service types, sectors, the
two Ofsted judgement scales, need domains and specialist-need tags.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceType:
    code: str
    label: str
    short: str
    group: str  # fostering | residential | supported | secure | family | school | leaving_care | other
    ofsted_provision_types: tuple[str, ...]
    dfe_placement_codes: tuple[str, ...]
    regulated: bool = True


SERVICE_TYPES: tuple[ServiceType, ...] = (
    ServiceType("fostering_in_house", "In-house fostering", "Fostering (in-house)", "fostering",
                (), ("U4", "U5", "U6")),
    ServiceType("fostering_ifa", "Independent fostering agency (IFA)", "Fostering (IFA)", "fostering",
                ("Independent Fostering Agency",), ("U4", "U5", "U6")),
    ServiceType("fostering_kinship", "Kinship (connected person) fostering", "Kinship fostering", "fostering",
                (), ("U1", "U2", "U3")),
    ServiceType("childrens_home_in_house", "In-house children's home", "Children's home (in-house)", "residential",
                ("Children's home", "Children's Home"), ("K2",)),
    ServiceType("childrens_home_external", "External children's home", "Children's home (external)", "residential",
                ("Children's home", "Children's Home",
                 "Residential special school (registered as a children's home)"), ("K2",)),
    ServiceType("secure_childrens_home", "Secure children's home", "Secure children's home", "secure",
                ("Secure children's home",), ("K1",)),
    ServiceType("supported_accommodation", "16+ supported accommodation", "Supported accommodation", "supported",
                ("Supported Accommodation",), ("K3",)),
    ServiceType("parent_and_child", "Parent and child (residential family centre)", "Parent and child", "family",
                ("Residential Family Centre",), ("R3",)),
    ServiceType("residential_special_school", "Residential special school", "Residential special school", "school",
                ("Residential Special School",), ("S1",)),
    ServiceType("care_leavers_18_plus", "Accommodation for care leavers 18+", "Care leavers 18+", "leaving_care",
                (), (), regulated=False),
    ServiceType("other", "Other", "Other", "other", (), ()),
)
SERVICE_TYPE_BY_CODE = {t.code: t for t in SERVICE_TYPES}

# Ofsted provision types the market importer takes, and the ones it leaves out (they are not
# placements a broker buys: adoption agencies, boarding schools, FE colleges, holiday schemes, STC).
IMPORTED_PROVISION_TYPES = {
    "Children's home": "childrens_home",
    "Children's Home": "childrens_home",
    "Residential special school (registered as a children's home)": "childrens_home",
    "Secure children's home": "secure_childrens_home",
    "Supported Accommodation": "supported_accommodation",
    "Independent Fostering Agency": "fostering_ifa",
    "Residential Family Centre": "parent_and_child",
    "Residential Special School": "residential_special_school",
}

SECTORS = {
    "in_house": "In-house",
    "private": "Private",
    "voluntary": "Voluntary",
    "other_council": "Other council",
    "other_public": "Other public",
}
# Ofsted sector -> the app's sector; "Local Authority" is in-house when the authority is the home council.
OFSTED_SECTORS = {
    "Private": "private",
    "Voluntary": "voluntary",
    "Local Authority": "other_council",
    "Academy": "other_public",
    "Health Authority": "other_public",
}
SECTOR_PLACEMENT_PROVIDER = {  # SSDA903 PLACE_PROVIDER code for each sector
    "in_house": "PR1", "other_council": "PR2", "other_public": "PR3", "private": "PR4", "voluntary": "PR5",
}

# Two judgement scales, each on its own terms: never mapped onto each other.
OFSTED_GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
OFSTED_GRADE_FROM_TEXT = {v: k for k, v in OFSTED_GRADES.items()}
SA_OUTCOMES = {
    "consistently_strong": "Consistently strong service delivery",
    "inconsistent": "Inconsistent quality of service delivery",
    "serious_weaknesses": "Serious or widespread weaknesses",
}
SA_OUTCOME_FROM_TEXT = {v: k for k, v in SA_OUTCOMES.items()}
SA_CATEGORIES = {
    "single_occupancy": "Single occupancy / self-contained",
    "ring_fenced_shared": "Ring-fenced shared",
    "non_ring_fenced_shared": "Non-ring-fenced shared",
    "private_residence": "Private residence (supported lodgings)",
}
NOT_INSPECTED = "Not yet inspected"

REGISTRATION_STATUSES = {
    "active": "Registered",
    "suspended": "Registration suspended",
    "pending": "Registration pending",
    "application_accepted": "Application accepted",
    "cancelled": "Registration cancelled",
    "not_required": "No registration needed",
    "not_registered": "Not on Ofsted's register",
}

PURCHASING_ROUTES = {
    "spot": "Spot purchase",
    "framework": "Framework",
    "open_framework": "Open framework",
    "dynamic_purchasing_system": "Dynamic purchasing system",
    "block": "Block contract",
}


@dataclass(frozen=True)
class NeedDomain:
    code: str
    label: str


NEED_DOMAINS: tuple[NeedDomain, ...] = (
    NeedDomain("health", "Health (physical)"),
    NeedDomain("emotional", "Emotional and mental health"),
    NeedDomain("behaviour", "Behaviour"),
    NeedDomain("education", "Education and learning"),
    NeedDomain("identity", "Identity and culture"),
    NeedDomain("relationships", "Family and social relationships"),
    NeedDomain("independence", "Self-care and independence skills"),
    NeedDomain("risk", "Risk (exploitation, missing, offending)"),
)
NEED_DOMAIN_CODES = tuple(d.code for d in NEED_DOMAINS)
NEED_LEVELS = {0: "None", 1: "Low", 2: "Medium", 3: "High"}

# Risks and specialist needs: one vocabulary for referrals (what the child needs) and services (what
# they cover). Each tag has the phrases people use, for fuzzy entry (domain/tags.py).
@dataclass(frozen=True)
class Tag:
    code: str
    label: str
    kind: str  # risk_to_child | risk_to_others | specialist
    phrases: tuple[str, ...] = ()


TAGS: tuple[Tag, ...] = (
    Tag("cse", "Child sexual exploitation (CSE)", "risk_to_child", ("CSE", "sexual exploitation")),
    Tag("cce", "Child criminal exploitation (CCE)", "risk_to_child",
        ("CCE", "criminal exploitation", "county lines")),
    Tag("missing", "Missing episodes", "risk_to_child", ("missing", "goes missing", "absconding", "runaway")),
    Tag("self_harm", "Self-harm", "risk_to_child", ("self harm", "self-injury", "cutting")),
    Tag("substance_misuse", "Substance misuse", "risk_to_child",
        ("substance misuse", "drugs", "alcohol", "drug use")),
    Tag("eating_disorder", "Eating disorder", "risk_to_child", ("eating disorder", "anorexia", "bulimia")),
    Tag("aggression", "Aggression", "risk_to_others", ("aggression", "violence", "violent", "assault")),
    Tag("harmful_sexual_behaviour", "Harmful sexual behaviour", "risk_to_others", ("HSB", "harmful sexual")),
    Tag("fire_setting", "Fire-setting", "risk_to_others", ("fire setting", "arson")),
    Tag("harm_to_animals", "Harm to animals", "risk_to_others", ("animal cruelty", "hurts animals")),
    Tag("offending", "Offending", "risk_to_others", ("offending", "crime", "youth offending")),
    Tag("exploiting_others", "Criminal exploitation of others", "risk_to_others",
        ("exploiting others", "recruiting others", "grooming others into crime", "exploits other children")),
    Tag("autism", "Autism", "specialist", ("autism", "autistic", "ASD", "ASC", "autistic spectrum")),
    Tag("learning_disability", "Learning disability", "specialist", ("learning disability", "LD")),
    Tag("physical_disability", "Physical disability", "specialist",
        ("physical disability", "wheelchair", "wheelchair user")),
    Tag("mental_health", "Mental health", "specialist", ("mental health", "CAMHS", "anxiety", "depression")),
    Tag("therapeutic_care", "Therapeutic care", "specialist", ("therapeutic", "therapy", "trauma informed")),
    Tag("parent_and_child", "Parent and child", "specialist", ("parent and child", "mother and baby")),
    Tag("uasc", "Unaccompanied asylum-seeking child (UASC)", "specialist",
        ("UASC", "asylum seeking", "unaccompanied", "seeking safety")),
    Tag("remand", "Remand", "specialist", ("remand", "remanded")),
    Tag("solo_placement", "Solo placement", "specialist", ("solo", "single occupancy", "on their own")),
    Tag("sibling_group", "Sibling group", "specialist", ("siblings", "sibling group")),
    Tag("deprivation_of_liberty", "Deprivation of Liberty", "specialist", ("DoL", "DoLS", "deprivation of liberty")),
    Tag("emergency", "Emergency", "specialist", ("emergency", "same day")),
)
SPECIALIST_TAGS = {t.code: t.label for t in TAGS}
RISK_TO_CHILD = tuple(t.code for t in TAGS if t.kind == "risk_to_child")
RISK_TO_OTHERS = tuple(t.code for t in TAGS if t.kind == "risk_to_others")

REFERRAL_STATUSES = {
    "new": "New",
    "searching": "Searching",
    "sent_to_providers": "Sent to providers",
    "offers_received": "Offers received",
    "placement_agreed": "Placement agreed",
    "placed": "Placed",
    "withdrawn": "Withdrawn",
    "closed": "Closed",
}
OPEN_REFERRAL_STATUSES = ("new", "searching", "sent_to_providers", "offers_received", "placement_agreed")
# while a referral waits on providers' replies (an unanswered one past its deadline is overdue; once a
# placement is agreed, or the referral withdrawn or closed, a missing reply no longer matters)
AWAITING_REPLY_STATUSES = ("searching", "sent_to_providers", "offers_received")

DECLINE_REASONS = {
    "no_vacancy": "No vacancy",
    "cannot_meet_needs": "Cannot meet needs",
    "location": "Location",
    "price": "Price",
    "impact": "Impact on the children already there",
    "other": "Other",
}

# The parts of an offered (or agreed) weekly price, by column, with the word for each: one list for the
# offer form's checks, the compare screen, the command line's "parts" keys (the word, spaces as _) and the store
WEEKLY_PRICE_PARTS = {
    "core_weekly_pence": "core",
    "staffing_weekly_pence": "staffing",
    "education_weekly_pence": "education",
    "therapy_weekly_pence": "therapy",
    "solo_premium_weekly_pence": "solo premium",
}

# The kinds of QA note (the council's strategy asks for visits with care-experienced young people). The
# Regulation 40, 44 and 45 kinds belong to the Children's Homes (England) Regulations 2015: children's
# homes only (services.quality refuses them elsewhere); other services' notifications are "notification".
QA_KINDS = {
    "visit_announced": "Visit (announced)",
    "visit_unannounced": "Visit (unannounced)",
    "visit_care_experienced": "Visit with care-experienced young people",
    "desktop_review": "Desktop review",
    "ofsted_report": "Ofsted report",
    "reg44": "Regulation 44 report",
    "reg45": "Regulation 45 review",
    "reg40": "Regulation 40 notification",
    "notification": "Notification of a serious event",
    "complaint": "Complaint",
    "young_people_feedback": "Young people's feedback",
    "contract_review": "Contract review meeting",
}
CHILDRENS_HOMES_REGULATION_KINDS = ("reg40", "reg44", "reg45")
RAG_RATINGS = {"red": "Red", "amber": "Amber", "green": "Green"}


def service_type_label(code: str) -> str:
    t = SERVICE_TYPE_BY_CODE.get(code)
    return t.short if t else code


NOT_GRADED_COUNCIL = "Not graded (council service)"
NOT_REGULATED = "Not regulated"
# Services Ofsted does not grade on their own: the council's fostering is inspected with the council.
UNGRADED_TYPES = {"fostering_in_house": NOT_GRADED_COUNCIL, "fostering_kinship": NOT_GRADED_COUNCIL,
                  "care_leavers_18_plus": NOT_REGULATED}


# The types Ofsted registers (children's homes, fostering agencies, supported accommodation, residential
# family centres, secure homes, residential special schools: those with an Ofsted provision type). One of
# these counts as registered only when the register shows it: never by default (see registration_note).
MUST_REGISTER_TYPES = frozenset(t.code for t in SERVICE_TYPES if t.ofsted_provision_types)
# A type in a reason: "a children's home must be registered with Ofsted".
# The three settings of the Placements Data Standard (a suitability per setting; its placementType) and the
# service type groups in each; 'other' is in none (docs/placements-standard.md).
SETTINGS = {"foster": "foster care", "residential": "residential care", "supported_accommodation": "supported accommodation"}
SETTING_OF_GROUP = {"fostering": "foster", "residential": "residential", "secure": "residential",
                    "school": "residential", "family": "residential", "supported": "supported_accommodation",
                    "leaving_care": "supported_accommodation"}
MUST_REGISTER_NOUNS = {"fostering": "a fostering agency", "residential": "a children's home",
                       "supported": "supported accommodation", "secure": "a secure children's home",
                       "family": "a residential family centre", "school": "a residential special school"}


def registration_on_entry(service_type: str) -> str:
    """The registration status of a service entered without Ofsted's register (a council's list, a form):
    'not_required' for the types that need none, else 'not_registered' until the register brings it."""
    return "not_required" if service_type in UNGRADED_TYPES else "not_registered"


def registration_note(service_type: str, registration_status: str, ofsted_urn: str | None) -> str | None:
    """Why a service of a type Ofsted must register cannot count as registered, in a few words ("not on
    Ofsted's register", "registration pending"); None when it can (a URN and active; supported accommodation
    also with its application accepted) or its type needs no registration. Gone from the register
    (in_register False) is the caller's to say."""
    if service_type not in MUST_REGISTER_TYPES:
        return None
    if registration_status == "application_accepted" and service_type == "supported_accommodation":
        return None
    if registration_status == "active":
        return None if ofsted_urn else "not on Ofsted's register"
    label = REGISTRATION_STATUSES.get(registration_status, registration_status)
    return label[:1].lower() + label[1:]


def judgement_label(ofsted_grade: str | None, sa_outcome: str | None, service_type: str | None = None) -> str:
    """The service's judgement on its own scale; 'Not yet inspected'; or why it has no grade of its own."""
    if sa_outcome:
        return SA_OUTCOMES[sa_outcome]
    if ofsted_grade:
        return OFSTED_GRADES[ofsted_grade]
    return UNGRADED_TYPES.get(service_type or "", NOT_INSPECTED)


# A stored sort key for the directory column: the Ofsted grades best first, then the supported
# accommodation outcomes best first, then not yet inspected. Each scale sorts as its own block, so
# the two are never put on one footing.
JUDGEMENT_SORT = {
    "outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4,
    "consistently_strong": 11, "inconsistent": 12, "serious_weaknesses": 13,
}
NOT_INSPECTED_SORT = 20


def judgement_sort_key(ofsted_grade: str | None, sa_outcome: str | None) -> int:
    code = sa_outcome or ofsted_grade
    return JUDGEMENT_SORT[code] if code else NOT_INSPECTED_SORT
