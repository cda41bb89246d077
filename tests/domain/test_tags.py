import pytest

from broker_tui.domain.tags import TAGS, resolve_tag, suggest_tags


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("autsim", "autism"),
        ("CCE", "cce"),
        ("child criminal explotation", "cce"),
        ("county lines", "cce"),
        ("cse", "cse"),
        ("harmful sexual behavior", "harmful_sexual_behaviour"),
        ("selfharm", "self_harm"),
        ("ASD", "autism"),
        ("wheelchair user", "physical_disability"),
        ("fire setting", "fire_setting"),
        ("lerning disability", "learning_disability"),
        ("Missing", "missing"),
    ],
)
def test_typos_and_abbreviations_reach_the_tag(typed: str, tag: str) -> None:
    assert resolve_tag(typed) == tag
    assert suggest_tags(typed)[0].code == tag


@pytest.mark.parametrize("typed", ["likes football", "zzzz", "", "   ", "Loves dragons and parents",
                                   "dragons and child", "child", "parenting"])
def test_unknown_phrases_stay_free_text(typed: str) -> None:
    assert resolve_tag(typed) is None


def test_suggestions_are_one_per_tag_best_first() -> None:
    found = suggest_tags("exploitation", limit=10)
    codes = [s.code for s in found]
    assert len(codes) == len(set(codes))
    assert {"cse", "cce"} <= set(codes)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_kinds_filter() -> None:
    assert all(TAGS[[t.code for t in TAGS].index(s.code)].kind == "specialist"
               for s in suggest_tags("a", kinds=("specialist",), cutoff=0, limit=50))
    assert resolve_tag("CCE", kinds=("specialist",)) is None
