import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_tui.domain.geo import centroid, miles_between, outward_code


def test_leicester_to_nottingham_is_about_24_miles() -> None:
    # LE1 and NG1 district centroids (postcode_outcodes_uk_2025.csv)
    d = miles_between(52.63338, -1.13264, 52.95452, -1.14979)
    assert 21 < d < 24


@given(st.floats(49, 61), st.floats(-8, 2), st.floats(49, 61), st.floats(-8, 2))
def test_distance_is_symmetric_and_non_negative(a: float, b: float, c: float, d: float) -> None:
    assert miles_between(a, b, c, d) == pytest.approx(miles_between(c, d, a, b))
    assert miles_between(a, b, c, d) >= 0
    assert miles_between(a, b, a, b) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "out"),
    [("LE1 6ZG", "LE1"), ("le16zg", "LE1"), ("LE1", "LE1"), ("SW1A 1AA", "SW1A"), ("DN4 5HX", "DN4"),
     ("REDACTED", None), ("", None), ("12345", None), ("LE", None)],
)
def test_outward_code(text: str, out: str | None) -> None:
    assert outward_code(text) == out


def test_centroid_is_the_mean() -> None:
    assert centroid([(52.0, -1.0), (54.0, -3.0)]) == (53.0, -2.0)
    with pytest.raises(ValueError):
        centroid([])
