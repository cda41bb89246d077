import uuid

from broker_tui.services.market import DirectoryRow


def row(**over) -> DirectoryRow:
    base = dict(id=uuid.uuid4(), name="X", provider_name="P", service_type="childrens_home_external", ofsted_urn="SC1",
                ofsted_grade=None, sa_outcome=None, in_area=False, distance_miles=12.34, places=4, vacancies=1,
                price_from_pence=500_000, region="East Midlands", local_authority_name="Derby", on_stop=False,
                in_register=True, registration_status="active")
    base.update(over)
    return DirectoryRow(**base)


def test_approximate_locations_are_marked() -> None:
    assert row().distance_label == "12.3"
    approx = row(location_approximate=True)
    assert approx.distance_label == "~12"
    assert approx.to_json()["location_approximate"] is True
    assert "~12 mi" in approx.to_line()


def test_in_house_fostering_is_not_called_uninspected() -> None:
    assert row(service_type="fostering_in_house").judgement == "Not graded (council service)"


def test_a_type_ofsted_must_register_is_marked_when_the_register_does_not_show_it() -> None:
    assert row().registration_note is None
    unregistered = row(ofsted_urn=None, registration_status="not_registered")
    assert unregistered.registration_note == "not on Ofsted's register"
    assert unregistered.to_line().endswith("NOT ON OFSTED'S REGISTER")
    assert unregistered.to_json()["registration_note"] == "not on Ofsted's register"
    assert row(ofsted_urn=None).registration_note == "not on Ofsted's register"  # 'active' without the URN
    assert row(registration_status="pending").registration_note == "registration pending"
    for stype in ("fostering_in_house", "fostering_kinship", "care_leavers_18_plus"):
        assert row(service_type=stype, ofsted_urn=None, registration_status="not_required").registration_note is None
