from broker_tui.domain.vocabulary import (
    IMPORTED_PROVISION_TYPES,
    SERVICE_TYPE_BY_CODE,
    judgement_label,
    judgement_sort_key,
)


def test_each_scale_is_shown_on_its_own_terms() -> None:
    assert judgement_label("good", None) == "Good"
    assert judgement_label(None, "consistently_strong") == "Consistently strong service delivery"
    assert judgement_label(None, None) == "Not yet inspected"
    assert judgement_label(None, None, "supported_accommodation") == "Not yet inspected"


def test_council_services_are_not_called_uninspected() -> None:
    assert judgement_label(None, None, "fostering_in_house") == "Not graded (council service)"
    assert judgement_label(None, None, "care_leavers_18_plus") == "Not regulated"


def test_sort_keeps_the_scales_apart() -> None:
    ofsted = [judgement_sort_key(g, None) for g in ("outstanding", "good", "requires_improvement", "inadequate")]
    sa = [judgement_sort_key(None, o) for o in ("consistently_strong", "inconsistent", "serious_weaknesses")]
    assert ofsted == sorted(ofsted) and sa == sorted(sa)
    assert max(ofsted) < min(sa) < max(sa) < judgement_sort_key(None, None)


def test_every_imported_provision_type_maps_to_service_types_that_name_it() -> None:
    for provision in IMPORTED_PROVISION_TYPES:
        assert any(provision in t.ofsted_provision_types for t in SERVICE_TYPE_BY_CODE.values()), provision
