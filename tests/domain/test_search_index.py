"""The free-text index: typos, typing, AND semantics, ranking and its stability, incremental changes."""

from __future__ import annotations

import random
import uuid

import pytest
from rapidfuzz import fuzz

from broker_tui.domain.search.index import (
    MISSING_PENALTY,
    SearchDoc,
    SearchIndex,
    build,
    fuzzy_cutoff,
    tokens,
)

EM, WM, NW, YH = "East Midlands", "West Midlands", "North West", "Yorkshire and The Humber"
# name, owner, town, local authority, region, service type, specialisms, description
MARKET = [
    ("Ashfield House", "Brightway Care Ltd", "Loughborough", "Leicestershire", EM, "childrens_home_external",
     ("autism", "cse"), "A four-bed home near the town centre."),
    ("Beacon Lodge", "Brightway Care Ltd", "Nottingham", "Nottingham", EM, "childrens_home_external",
     ("cce", "missing"), "Experienced with young people at risk of exploitation."),
    ("Cedar View", "Leicester City Council", "Leicester", "Leicester", EM, "childrens_home_in_house",
     ("emergency",), "The council's own short-notice home."),
    ("Dovecote Fostering", "Dovecote Family Placements", "Derby", "Derby", EM, "fostering_ifa",
     ("sibling_group", "parent_and_child"), "Carers across Derby and the county."),
    ("Elm Court Supported Living", "Northgate Housing Trust", "Leicester", "Leicester", EM,
     "supported_accommodation", ("uasc",), "Flats with staff on site."),
    ("Foxglove Flats", "Northgate Housing Trust", "Coventry", "Coventry", WM, "supported_accommodation",
     ("substance_misuse",), ""),
    ("Greenhill Secure Unit", "Midshire County Council", "Birmingham", "Birmingham", WM,
     "secure_childrens_home", ("deprivation_of_liberty", "remand"), "Eight beds."),
    ("Hillview", "Leicester City Council", "Leicester", "Leicester", EM, "childrens_home_in_house", (), ""),
    ("Ivy Bank", "Horizon Residential", "Manchester", "Manchester", NW, "childrens_home_external",
     ("self_harm", "mental_health"), "Therapy on site."),
    ("Juniper Parent and Child Centre", "Juniper Families", "Hinckley", "Leicestershire", EM, "parent_and_child",
     ("parent_and_child",), "Assessments for young parents."),
    ("Kestrel Lodgings", "Northgate Housing Trust", "Leicester", "Leicester", EM, "supported_accommodation",
     ("missing",), ""),
    ("Leicester In-house Fostering", "Leicester City Council", "Leicester", "Leicester", EM,
     "fostering_in_house", ("sibling_group", "emergency"), ""),
    ("Meadowbank School", "Witherslack Group", "Sheffield", "Sheffield", YH, "residential_special_school",
     ("autism", "learning_disability"), "A 52-week school."),
    ("Orchard House", "Cambian Childcare Ltd", "Mansfield", "Nottinghamshire", EM, "childrens_home_external",
     ("therapeutic_care", "harmful_sexual_behaviour"), ""),
    ("Rowan Lodge", "Hexagon Care Services", "Bradford", "Bradford", YH, "childrens_home_external",
     ("fire_setting", "aggression"), ""),
    ("Sunrise Fostering", "Sunrise Fostering Agency", "Lincoln", "Lincolnshire", EM, "fostering_ifa",
     ("physical_disability", "autism"), ""),
    ("Willow Cottage", "Barnardo's", "Derby", "Derbyshire", EM, "childrens_home_external",
     ("eating_disorder",), ""),
    ("Kingsley Grange", "Keys Group", "Wolverhampton", "Wolverhampton", WM, "childrens_home_external",
     ("solo_placement", "cce"), ""),
    ("Harbour Supported Accommodation", "Sandcastle Care Ltd", "Blackpool", "Blackpool", NW,
     "supported_accommodation", ("uasc", "emergency"), ""),
    ("Stanton Cottage", "Lister Care Group", "Tamworth", "Staffordshire", WM, "childrens_home_external", (), ""),
]


def make_docs() -> list[SearchDoc]:
    return [SearchDoc(uuid.UUID(int=i + 1), name, owner, town, la, region, stype, specs, desc)
            for i, (name, owner, town, la, region, stype, specs, desc) in enumerate(MARKET)]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build(make_docs())


NAMES = {doc.id: doc.name for doc in make_docs()} | {uuid.UUID(int=99): "Zephyr Lodge"}


def names(index: SearchIndex, query: str, limit: int | None = 20, **kwargs) -> list[str]:
    return [NAMES[d] for d, _ in index.search(query, limit, **kwargs)]


TYPOS = [  # (typed, the record meant, how near the top it must be)
    ("leicster", "Cedar View", 5), ("nottingam", "Beacon Lodge", 1), ("autsim", "Ashfield House", 3),
    ("chldren leicster", "Cedar View", 3), ("fostring", "Dovecote Fostering", 3),
    ("fostring derbby", "Dovecote Fostering", 1), ("brightwya care", "Ashfield House", 2),
    ("northgte", "Elm Court Supported Living", 3), ("kestral lodgings", "Kestrel Lodgings", 1),
    ("greenhil secure", "Greenhill Secure Unit", 1), ("birmingam", "Greenhill Secure Unit", 1),
    ("manchestr", "Ivy Bank", 1), ("horizn residential", "Ivy Bank", 1),
    ("juniper famlies", "Juniper Parent and Child Centre", 1),
    ("parent and chlid", "Juniper Parent and Child Centre", 2), ("witherslak", "Meadowbank School", 1),
    ("sheffeild", "Meadowbank School", 1), ("lerning disability", "Meadowbank School", 1),
    ("cambain", "Orchard House", 1), ("nottinghamshre", "Orchard House", 1), ("therapuetic", "Orchard House", 1),
    ("hexagn care", "Rowan Lodge", 1), ("fire seting", "Rowan Lodge", 1), ("agression", "Rowan Lodge", 1),
    ("bradfrod", "Rowan Lodge", 1), ("wheelchiar", "Sunrise Fostering", 1), ("lincolnshre", "Sunrise Fostering", 1),
    ("barnados", "Willow Cottage", 1), ("derbyshre", "Willow Cottage", 1), ("eating disordr", "Willow Cottage", 1),
    ("anorexa", "Willow Cottage", 1), ("wolverhamton", "Kingsley Grange", 1), ("solo placment", "Kingsley Grange", 1),
    ("sandcastel", "Harbour Supported Accommodation", 1), ("blackpol", "Harbour Supported Accommodation", 1),
    ("asylum seekng", "Elm Court Supported Living", 2),
    ("supprted acommodation leicster", "Elm Court Supported Living", 3), ("sefl harm", "Ivy Bank", 1),
    ("exploitaton", "Ashfield House", 3), ("county lins", "Beacon Lodge", 2), ("coventy", "Foxglove Flats", 1),
    ("midshire councl", "Greenhill Secure Unit", 1), ("deprivaton of liberty", "Greenhill Secure Unit", 1),
    ("emergancy", "Cedar View", 3), ("LEICESTER  In-House fosterng", "Leicester In-house Fostering", 1),
]


@pytest.mark.parametrize(("typed", "meant", "within"), TYPOS)
def test_typos_find_the_record(index, typed, meant, within):
    assert meant in names(index, typed)[:within]


def test_there_are_at_least_thirty_typo_queries():
    assert len(TYPOS) >= 30


def test_a_close_common_word_beats_a_rare_near_miss(index):
    # "leicster" is one edit from Leicester, two from "Lister" (an owner): every Leicester service first
    found = names(index, "leicster")
    leicester = {n for n, _o, town, la, *_ in MARKET if "Leicester" in (town, la)}
    assert set(found[:len(leicester)]) == leicester
    assert found.index("Stanton Cottage") >= len(leicester)


@pytest.mark.parametrize(("typed", "meant"), [
    ("dovec", "Dovecote Fostering"), ("kestrel lod", "Kestrel Lodgings"), ("ashfield h", "Ashfield House"),
    ("wither", "Meadowbank School"), ("leics", "Cedar View"), ("sandcas", "Harbour Supported Accommodation"),
    ("gre", "Greenhill Secure Unit"),
])
def test_the_last_word_is_completed_while_typing(index, typed, meant):
    assert meant in names(index, typed)[:3]


def test_one_letter_completes_nothing(index):
    assert index.search("g") == []


def test_a_finished_word_is_not_completed(index):
    assert "Dovecote Fostering" not in names(index, "dovec ")
    assert names(index, "dovec")[0] == "Dovecote Fostering"


def test_every_word_must_match_before_partial_matches(index):
    assert names(index, "fostering derby", partial=False) == ["Dovecote Fostering"]
    found = names(index, "fostering derby")
    assert found[0] == "Dovecote Fostering"
    assert {"Sunrise Fostering", "Willow Cottage"} <= set(found[1:])  # the best partial matches follow
    hits = index.search("fostering derby")
    assert hits[0][1] > max(s for _, s in hits[1:])


def test_nothing_close_finds_nothing(index):
    assert index.search("zzzzqx") == []
    assert index.search("") == [] and index.search("   ") == []
    assert index.search("the and of") == []  # only words every record could hold


def test_field_boosts_put_names_and_owners_above_places_and_specialisms():
    docs = [
        SearchDoc(1, "Meadow House", "Oak Care", "Leicester", "Leicester", EM, "childrens_home_external", ("autism",)),
        SearchDoc(2, "Autism Lodge", "Oak Care", "Derby", "Derby", EM, "childrens_home_external"),
        SearchDoc(3, "Brook House", "Derby Homes Ltd", "Leicester", "Leicester", EM, "childrens_home_external"),
        SearchDoc(4, "Hill House", "Oak Care", "Derby", "Derby", EM, "childrens_home_external",
                  description="Ten minutes from Derby."),
    ]
    index = build(docs)  # the index's own order (rerank=0): what the re-rank falls back on in a tie
    assert [d for d, _ in index.search("autsim", rerank=0)] == [2, 1]  # name before specialism
    # owner before place; two places tie (the description adds nothing) and break on name
    assert [d for d, _ in index.search("derby ", rerank=0)] == [3, 2, 4]


def test_ties_break_on_name_then_id_and_the_order_is_stable():
    docs = [SearchDoc(uuid.UUID(int=n), name, "Oak Care", "Leicester", "Leicester", EM, "childrens_home_external")
            for n, name in [(3, "Oak House"), (1, "Oak House"), (2, "Oak House"), (4, "Ash House"), (5, "Elm House")]]
    expected = [uuid.UUID(int=n) for n in (4, 5, 1, 2, 3)]
    for seed in range(5):
        shuffled = docs[:]
        random.Random(seed).shuffle(shuffled)
        hits = build(shuffled).search("leicster")
        assert [d for d, _ in hits] == expected
        assert len({s for _, s in hits}) == 1


def test_the_same_query_always_gives_the_same_order(index):
    first = index.search("care leicster", None)
    assert all(index.search("care leicster", None) == first for _ in range(3))
    scores = [s for _, s in first]
    assert scores == sorted(scores, reverse=True)


def test_limit_allow_and_exclude(index):
    everything = index.search("leicster", None)
    assert index.search("leicster", 2) == everything[:2]
    some = {d for d, _ in everything[1:3]}
    assert {d for d, _ in index.search("leicster", None, allow=some)} == some
    assert not some & {d for d, _ in index.search("leicster", None, exclude=some)}


def test_update_replaces_and_remove_forgets():
    index = build(make_docs())
    size, words = len(index), index.vocabulary_size
    doc = next(d for d in make_docs() if d.id == uuid.UUID(int=9))  # Ivy Bank
    assert index.text(doc.id) == doc.text()
    index.update(SearchDoc(doc.id, "Quillwort Grange", doc.owner, doc.town, doc.local_authority, doc.region,
                           doc.service_type, doc.specialisms))
    assert len(index) == size
    assert [d for d, _ in index.search("quilwort")] == [doc.id]
    assert index.text(doc.id).startswith("Quillwort Grange")
    assert doc.id not in {d for d, _ in index.search("ivy bank", partial=False)}
    index.update(SearchDoc(uuid.UUID(int=99), "Zephyr Lodge", "Northgate Housing Trust", "Leicester"))
    assert len(index) == size + 1 and names(index, "zephir")[0] == "Zephyr Lodge"
    index.remove(uuid.UUID(int=99))
    index.remove(uuid.UUID(int=99))  # removing twice is harmless
    assert index.search("zephyr") == [] and uuid.UUID(int=99) not in index
    index.remove(uuid.UUID(int=9))
    assert index.search("quillwort") == [] and index.vocabulary_size < words


def test_tokens_fold_case_accents_possessives_and_plurals():
    assert tokens("Children's Homes — Café, Barnardo’s") == ["children", "home", "cafe", "barnardo"]
    assert tokens("Witherslack Class Campus") == ["witherslack", "class", "campu"] or \
        tokens("Witherslack Class Campus") == ["witherslack", "class", "campus"]


def test_longer_words_allow_more_edits():
    assert fuzzy_cutoff(4) < fuzzy_cutoff(7)
    assert fuzzy_cutoff(8) < fuzzy_cutoff(7)  # a third edit from eight letters


@pytest.mark.parametrize("query", ["leicster", "autsim", "care leicster", "fostring derbby", "hexagn care", "derby "])
def test_the_best_matches_are_ordered_by_wratio_against_the_whole_text(index, query):
    hits = index.search(query, None)
    everything = {d for d, _ in index.search(query, None, rerank=0)}
    assert {d for d, _ in hits} == everything  # the re-rank reorders the matches, it adds and drops none
    full = {d for d, _ in index.search(query, None, partial=False, rerank=0)}
    n = len(tokens(query))
    for d, score in hits:
        wratio = fuzz.WRatio(" ".join(query.split()), index.text(d))
        if d in full:  # matches every word: the score is WRatio itself
            assert score == pytest.approx(wratio, abs=1e-5)
        else:  # a partial match loses points for the share of words it lacks
            lost = {round(MISSING_PENALTY * (n - k) / n, 4) for k in range(1, n)}
            assert round(wratio - score, 4) in lost
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_where_wratio_ties_the_index_score_decides(index):
    hits = index.search("autsim", None)
    own = dict(index.search("autsim", None, rerank=0))
    for (a, sa), (b, sb) in zip(hits, hits[1:], strict=False):
        if sa == sb:
            assert own[a] >= own[b]


def test_rerank_zero_keeps_the_index_order_and_a_small_head_keeps_the_rest_in_it(index):
    own = index.search("care leicster", None, rerank=0)
    head = index.search("care leicster", None, rerank=3)
    assert {d for d, _ in head[:3]} <= {d for d, _ in own}
    rest = [d for d, _ in head[3:]]
    assert rest == [d for d, _ in own if d in set(rest)]
    assert index.search("care leicster", 5, rerank=3) == head[:5]


@pytest.mark.parametrize("query", ["leicster", "nottingam fostring", "autsim", "child", "childrens hom",
                                   "the", "zzzqqq", "oak house ", "leic"])
def test_match_mask_is_every_document_holding_every_word(index: SearchIndex, query: str) -> None:
    """The unscored mask (for narrowing a list as the broker types) holds exactly the documents that the
    scored search finds holding every word."""
    mask = index.match_mask(query)
    ids = index.slot_ids()
    masked = {ids[slot] for slot in mask.nonzero()[0]}
    assert masked == {doc_id for doc_id, _score in index.search(query, None, partial=False, rerank=0)}


def test_match_mask_follows_changes() -> None:
    idx = build([SearchDoc(id=1, name="Oak House"), SearchDoc(id=2, name="Ash Lodge")])
    assert idx.match_mask("oak")[0] and not idx.match_mask("oak")[1]
    idx.update(SearchDoc(id=2, name="Oak Lodge"))  # renamed: its slot changes
    ids = idx.slot_ids()
    assert sorted(ids[s] for s in idx.match_mask("oak").nonzero()[0]) == [1, 2]
    idx.remove(1)
    assert [idx.slot_ids()[s] for s in idx.match_mask("oak").nonzero()[0]] == [2]


def random_index(n: int, seed: int = 5) -> SearchIndex:
    rnd = random.Random(seed)
    words = ("oak", "ash", "cedar", "maple", "willow", "rowan", "hazel", "house", "lodge", "care", "leicester")
    return build(SearchDoc(id=uuid.UUID(int=rnd.getrandbits(128)),
                           name=f"{rnd.choice(words)} {rnd.choice(words)} {i:05}",
                           owner=f"{rnd.choice(words)} care {i % 50}", town=rnd.choice(words),
                           urn=f"SC{i:06}") for i in range(n))


@pytest.mark.parametrize("query", ["oak", "oak hous", "cedr lodg", "mapel zzqx", "leicster care", "00012", "sc0001"])
@pytest.mark.parametrize("partial", [False, True])
def test_ranked_is_the_order_search_gives_every_match(query: str, partial: bool) -> None:
    index = random_index(1500)
    slot_of = {doc_id: slot for slot, doc_id in enumerate(index.slot_ids())}
    gone = [d for i, d in enumerate(index.slot_ids()) if i % 7 == 0]
    expected = [slot_of[d] for d, _ in index.search(query, None, partial=partial, exclude=gone)]
    assert index.ranked(query, partial=partial, exclude=gone).tolist() == expected


def test_nearest_is_what_process_extract_gives() -> None:
    from rapidfuzz import process

    from broker_tui.domain.search.nearest import Nearest

    index = random_index(1500)
    index.refresh()
    vocab = index._vocab
    nearest = Nearest(vocab)
    rnd = random.Random(3)
    for _ in range(200):
        word = list(rnd.choice(vocab))
        word.insert(rnd.randrange(len(word) + 1), rnd.choice("aeiou0123"))
        typed = "".join(word)
        for cutoff in (fuzzy_cutoff(len(typed)), 88.0, 40.0):
            expected = [tuple(h) for h in process.extract(typed, vocab, scorer=fuzz.ratio, limit=12,
                                                          score_cutoff=cutoff)]
            assert nearest.extract(typed, 12, cutoff) == expected
