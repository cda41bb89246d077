import pytest

from broker_tui.domain.settings import Settings, SettingsError, settings_from_mapping


def test_empty_file_gives_the_defaults() -> None:
    s = settings_from_mapping({})
    assert s == Settings()
    assert s.home.la_name == "Leicester" and s.home.bordering == ("E10000018",)


def test_values_are_read_and_typed() -> None:
    s = settings_from_mapping({
        "home": {"local_radius_miles": 20, "district": "le2"},
        "matching": {"weights": {"cost": 0.3}},
        "user": {"name": "A Broker"},
        "approvals": {"high_cost_weekly_pounds": 8000},
    })
    assert s.home.local_radius_miles == 20
    assert s.home.district == "LE2"
    assert s.weights.cost == 0.3 and s.weights.need_fit == Settings().weights.need_fit
    assert s.user_name == "A Broker"
    assert s.high_cost_threshold_pence == 800_000


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"home": {"local_radius_miles": "far"}}, "home.local_radius_miles"),
        ({"home": {"local_radius_miles": True}}, "home.local_radius_miles"),
        ({"home": {"local_radius_miles": -1}}, "home.local_radius_miles"),
        ({"home": {"colour": "red"}}, "home.colour"),
        ({"matching": {"weights": {"cost": 2}}}, "matching.weights.cost"),
        ({"matching": {"weights": {"luck": 0.5}}}, "matching.weights.luck"),
        ({"home": {"bordering": "Leicestershire"}}, "home.bordering"),
        ({"approvals": {"high_cost_weekly_pounds": 12.5}}, "approvals.high_cost_weekly_pounds"),
        ({"home": 3}, "[home]"),
        ({"colour": 1}, "settings.colour"),
    ],
)
def test_bad_values_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping(data)
    assert info.value.key == key
    assert key in str(info.value)
    assert "\n" not in str(info.value)
