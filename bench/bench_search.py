"""Free-text search at 10,000 services: the index against a rapidfuzz scan and a difflib scan.

The market is synthetic from a fixed seed but built on real material: owners, local authorities,
regions and provision types come from the rows of seed/ofsted_childrens_social_care_providers_2025.csv
(sampled with replacement up to the size asked for); service names are made from common house-name
words; specialisms and descriptions follow the demo seed's habits. Every query is a typo.

  (a) broker_tui.domain.search.index: build once, then index.search(query, limit=20): the inverted index
      retrieves, then its best 200 candidates are re-ranked by WRatio against the same whole text
  (a0) the same index in its own order, no re-rank (index.search(query, limit=20, rerank=0))
  (b) rapidfuzz.process.extract(query, strings, scorer=WRatio, limit=20) over each service's whole text
  (c) difflib: SequenceMatcher(query, string).ratio() over every string (a sample of the queries)

(a) and (b) read the same strings (SearchDoc.text()); every query is a typo. Printed: per-query medians
(median over the queries of each query's median of --repeat runs) and the speed ratio (b)/(a), and:

- strict recall: for each query, |top20(a) & top20(b)| / |top20(b)|, averaged. (b) breaks ties in list
  order, so the strings are listed in the index's own tie order (name, then id).
- tie-aware recall: (b)'s items scoring above its 20th score must be in top20(a); the seats left are
  filled by any of (a)'s items that tie with (b)'s 20th score (the scan has no reason to prefer one
  tied record to another): (|top20(a) & above| + min(seats, |top20(a) & tied|)) / 20, averaged.
- precision@20: each query names what was meant; the share of the top-20 whose words hold every meant
  word, for (a), (a0) and (b): recall against (b) is only as good as (b)'s own top-20.
- ties: how many of (b)'s 20 seats are decided by list order among tied records, and the strict recall
  to expect from a ranking that picks the tied seats at random from the tied pool (what strict recall
  can be without copying the scan's alphabetical tie-break).

    .venv/bin/python bench/bench_search.py [--size 10000] [--repeat 5] [--difflib-queries 6] [--db] [--verbose]

--db also times the service path on a SQLite file of the same size (bench_directory's generator): the
index built from the database, the market-version check made before each search, and search_services.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from broker_tui.domain.search.index import SearchDoc, build, tokens  # noqa: E402
from broker_tui.domain.vocabulary import IMPORTED_PROVISION_TYPES  # noqa: E402

OFSTED = ROOT / "seed" / "ofsted_childrens_social_care_providers_2025.csv"
AUTHORITIES = ROOT / "seed" / "english_local_authorities_2024.csv"
TYPE_OF = {"childrens_home": "childrens_home_external"}  # the importer's kinds -> service type codes
FIRST = ("Oak", "Ash", "Birch", "Cedar", "Elm", "Hazel", "Maple", "Rowan", "Willow", "Yew", "Holly", "Alder",
         "Beech", "Juniper", "Laurel", "Meadow", "Brook", "River", "Hill", "Park", "Orchard", "Heather",
         "Primrose", "Bluebell", "Foxglove", "Kestrel", "Robin", "Wren", "Swallow", "Heron", "Falcon", "Badger",
         "Fern", "Ivy", "Moss", "Bramble", "Thistle", "Acorn", "Sycamore", "Chestnut", "Lime", "Poplar",
         "Hawthorn", "Larch", "Spruce", "Linden", "Clover", "Daisy", "Sunrise", "Horizon", "Harbour",
         "Lighthouse", "Beacon", "Haven", "Sanctuary", "Meadowbank", "Ashgrove", "Fairview", "Greenacres",
         "Highfield", "Longmead", "Brookside", "Riverside", "Woodlands", "Westfield", "Northgate", "Southview",
         "Eastwood", "Kingsley", "Queensway", "Stanton", "Radcliffe", "Ashby", "Melton", "Oadby", "Wigston")
SECOND = ("House", "Lodge", "Cottage", "View", "Court", "Grange", "Farm", "Close", "Place", "Gardens",
          "Manor", "Hall", "Barn", "Mews", "Rise", "Villa", "Croft")
TOWNS = ("Loughborough", "Hinckley", "Market Harborough", "Coalville", "Lutterworth", "Mansfield", "Newark",
         "Chesterfield", "Ilkeston", "Kettering", "Corby", "Wellingborough", "Grantham", "Boston", "Stamford",
         "Nuneaton", "Rugby", "Tamworth", "Burton upon Trent", "Stoke-on-Trent", "Shrewsbury", "Telford",
         "Doncaster", "Rotherham", "Barnsley", "Wakefield", "Huddersfield", "Halifax", "Blackpool", "Preston",
         "Bolton", "Wigan", "Stockport", "Oldham", "Rochdale", "Sunderland", "Gateshead", "Darlington",
         "Middlesbrough", "Scarborough", "Harrogate", "Colchester", "Chelmsford", "Ipswich", "Norwich",
         "Cambridge", "Peterborough", "Reading", "Slough", "Maidstone", "Canterbury", "Brighton", "Exeter",
         "Plymouth", "Taunton", "Swindon", "Gloucester", "Cheltenham", "Worcester", "Hereford")
SPECIALISMS = {
    "childrens_home_external": ["cse", "cce", "missing", "self_harm", "harmful_sexual_behaviour", "autism",
                                "learning_disability", "therapeutic_care", "emergency", "mental_health",
                                "substance_misuse", "sibling_group"],
    "fostering_ifa": ["sibling_group", "parent_and_child", "uasc", "therapeutic_care", "emergency", "autism",
                      "learning_disability", "physical_disability"],
    "supported_accommodation": ["uasc", "cce", "missing", "emergency", "substance_misuse", "parent_and_child"],
    "parent_and_child": ["parent_and_child"],
    "residential_special_school": ["autism", "learning_disability", "physical_disability"],
    "secure_childrens_home": ["deprivation_of_liberty", "remand", "self_harm", "mental_health"],
}
BLURBS = ("A small home with a stable staff team.", "Therapeutic care led by a clinical psychologist.",
          "Close to schools, shops and good transport links.", "Experienced carers across the region.",
          "Young people are supported towards independence.", "Outstanding outcomes for children with complex needs.",
          "A rural setting with outdoor activities.", "Trauma informed practice and family time supported.")

# Typos a broker makes (places, specialisms, types, owners and names, alone and together), each with
# what was meant: a record is relevant when its words include every meant word.
QUERIES = (
    ("leicster", "leicester"), ("nottingam", "nottingham"), ("autsim", "autism"), ("chldren", "children"),
    ("fostring", "fostering"), ("derbyshre", "derbyshire"), ("manchestr", "manchester"),
    ("birmingam", "birmingham"), ("lincolnshre", "lincolnshire"), ("leicestershre", "leicestershire"),
    ("nottinghamshre", "nottinghamshire"), ("therapuetic", "therapeutic"), ("exploitaton", "exploitation"),
    ("supprted accomodation", "supported accommodation"), ("sibling gruop", "sibling group"),
    ("learnng disability", "learning disability"), ("emergancy", "emergency"), ("cambain", "cambian"),
    ("hexagn care", "hexagon care"), ("homes2inspir", "homes2inspire"), ("witherslak", "witherslack"),
    ("barnados", "barnardo"), ("meadows car", "meadows care"), ("horizn care educaton", "horizon care education"),
    ("sandcastel", "sandcastle"), ("compas childrens homes", "compass childrens homes"), ("kestral", "kestrel"),
    ("hawthron lodge", "hawthorn lodge"), ("juniper cotage", "juniper cottage"),
    ("autsim leicster", "autism leicester"), ("fostring nottingam", "fostering nottingham"),
    ("chldrens home derby", "children home derby"), ("uasc kent", "uasc kent"), ("sefl harm", "self harm"),
    ("parent and chlid", "parent child"), ("secure childrens hom", "secure children home"),
)


def load_sources(rnd: random.Random) -> tuple[list[dict[str, str]], dict[str, str]]:
    with AUTHORITIES.open(encoding="utf-8-sig") as f:
        regions = {r["ofsted_la_name"]: r["region_name"] for r in csv.DictReader(f)}
    with OFSTED.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["Provision type"] in IMPORTED_PROVISION_TYPES
                and r["Organisation which owns the provider"]]
    return rows, regions


def synthetic_market(n: int, seed: int = 11) -> list[SearchDoc]:
    rnd = random.Random(seed)
    rows, regions = load_sources(rnd)
    docs = []
    for _ in range(n):
        r = rnd.choice(rows)
        kind = IMPORTED_PROVISION_TYPES[r["Provision type"]]
        stype = TYPE_OF.get(kind, kind)
        la = r["Local authority"]
        second = "Fostering" if stype == "fostering_ifa" else "Supported Living" \
            if stype == "supported_accommodation" and rnd.random() < 0.5 else rnd.choice(SECOND)
        pool = SPECIALISMS.get(stype, [])
        docs.append(SearchDoc(
            id=uuid.UUID(int=rnd.getrandbits(128)), name=f"{rnd.choice(FIRST)} {second}",
            owner=r["Organisation which owns the provider"],
            town=la if rnd.random() < 0.5 else rnd.choice(TOWNS), local_authority=la,
            region=regions.get(la, r["Ofsted Region"]), service_type=stype,
            specialisms=tuple(sorted(rnd.sample(pool, k=min(len(pool), rnd.randint(1, 3))))) if pool else (),
            description=rnd.choice(BLURBS) if rnd.random() < 0.7 else "",
        ))
    return docs


def timed(fn, repeat: int) -> tuple[float, object]:
    best = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best.append(time.perf_counter() - start)
    return statistics.median(best), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--difflib-queries", type=int, default=6)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--db", action="store_true")
    args = parser.parse_args()

    docs = synthetic_market(args.size)
    start = time.perf_counter()
    index = build(docs)
    build_s = time.perf_counter() - start
    ordered = sorted(docs, key=lambda d: index.sort_key(d.id))  # (b) breaks ties in list order
    ids = [d.id for d in ordered]
    strings = [d.text() for d in ordered]
    print(f"{args.size} services, {index.vocabulary_size} distinct words; index built in {build_s * 1000:.0f} ms")

    words = {d.id: set(tokens(d.text())) | {w.removesuffix("s") for w in tokens(d.text())} for d in docs}

    def relevant(doc_id, meant: str) -> bool:
        return all(w in words[doc_id] for w in tokens(meant))

    a_times, a0_times, b_times, strict, aware, a_rel, a0_rel, b_rel = [], [], [], [], [], [], [], []
    a0_strict, a0_aware, seats, chance = [], [], [], []

    def recalls(a_hits, b_ids, above, tied_pool):
        a_set = {h[0] for h in a_hits}
        got = len(a_set & set(above)) + min(len(b_ids) - len(above), len(a_set & tied_pool))
        return (len(a_set & set(b_ids)) / len(b_ids), got / len(b_ids)) if b_ids else (1.0, 1.0)

    for q, meant in QUERIES:
        ta, a_hits = timed(lambda q=q: index.search(q, limit=20), args.repeat)
        ta0, a0_hits = timed(lambda q=q: index.search(q, limit=20, rerank=0), args.repeat)
        tb, b_hits = timed(lambda q=q: process.extract(q, strings, scorer=fuzz.WRatio, limit=20), args.repeat)
        a_times.append(ta)
        a0_times.append(ta0)
        b_times.append(tb)
        b_ids = [ids[h[2]] for h in b_hits]
        last = b_hits[-1][1] if b_hits else 0
        above = [ids[h[2]] for h in b_hits if h[1] > last]
        tied_pool = {ids[i] for i, s in enumerate(process.cdist([q], strings, scorer=fuzz.WRatio)[0]) if s == last}
        for (st, aw), (st_list, aw_list) in ((recalls(a_hits, b_ids, above, tied_pool), (strict, aware)),
                                             (recalls(a0_hits, b_ids, above, tied_pool), (a0_strict, a0_aware))):
            st_list.append(st)
            aw_list.append(aw)
        free = len(b_ids) - len(above)
        seats.append(free)
        chance.append((len(above) + free * free / max(len(tied_pool), 1)) / max(len(b_ids), 1))
        a_rel.append(sum(relevant(h[0], meant) for h in a_hits) / 20)
        a0_rel.append(sum(relevant(h[0], meant) for h in a0_hits) / 20)
        b_rel.append(sum(relevant(i, meant) for i in b_ids) / 20)
        if args.verbose:
            print(f"  {q!r:28} a {ta * 1000:5.2f} ms  a0 {ta0 * 1000:5.2f}  b {tb * 1000:6.1f} ms  recall {strict[-1]:.2f} "
                  f"(tie-aware {aware[-1]:.2f}; {free} seats among {len(tied_pool)} tied at {last:.1f})  "
                  f"precision a {a_rel[-1]:.2f} a0 {a0_rel[-1]:.2f} b {b_rel[-1]:.2f}")

    c_queries = [q for q, _ in QUERIES][:: max(1, len(QUERIES) // args.difflib_queries)][: args.difflib_queries]
    c_times = []
    for q in c_queries:
        def scan(q=q):
            m = difflib.SequenceMatcher()
            m.set_seq2(q)
            scores = []
            for i, s in enumerate(strings):
                m.set_seq1(s)
                scores.append((m.ratio(), i))
            return sorted(scores, reverse=True)[:20]
        tc, _ = timed(scan, 1)
        c_times.append(tc)

    ma, ma0, mb, mc = (statistics.median(t) * 1000 for t in (a_times, a0_times, b_times, c_times))
    mean = statistics.mean
    print(f"queries: {len(QUERIES)} typo queries (difflib: {len(c_queries)} of them, one run each)")
    print(f"(a)  index + re-rank   median {ma:8.3f} ms/query   (repeat {args.repeat}, median of medians)")
    print(f"(a0) index alone       median {ma0:8.3f} ms/query")
    print(f"(b)  rapidfuzz WRatio  median {mb:8.3f} ms/query")
    print(f"(c)  difflib scan      median {mc:8.1f} ms/query")
    print(f"speed ratio (b)/(a): {mb / ma:.1f}x   (b)/(a0): {mb / ma0:.1f}x   (c)/(a): {mc / ma:.0f}x")
    print(f"top-20 recall against (b): (a) {mean(strict):.3f} strict, {mean(aware):.3f} tie-aware; "
          f"(a0) {mean(a0_strict):.3f} strict, {mean(a0_aware):.3f} tie-aware")
    print(f"precision@20 against what was meant (records holding every meant word): "
          f"(a) {mean(a_rel):.3f}, (a0) {mean(a0_rel):.3f}, (b) {mean(b_rel):.3f}")
    print(f"ties in (b): {mean(seats):.1f} of its 20 seats a query go to records tied at its 20th score "
          f"({sum(s == 20 for s in seats)} of {len(QUERIES)} queries: all 20); strict recall of a random pick "
          f"among the tied: {mean(chance):.3f}")
    if args.db:
        service_path(args.size, args.repeat)


def service_path(size: int, repeat: int) -> None:
    import tempfile

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_directory import make_database

    from broker_tui.services.market import _search as market_search

    with tempfile.TemporaryDirectory() as tmp:
        ctx = make_database(Path(tmp) / "bench.sqlite3", size)
        start = time.perf_counter()
        market_search.warm_up(ctx)
        built = time.perf_counter() - start
        check = statistics.median(timed(lambda: market_search.market_version(ctx), repeat)[0] for _ in range(5))
        results = market_search._cache(ctx).results  # recent searches are remembered: time each afresh

        def fresh(q: str) -> list:
            results.clear()
            return market_search.search_services(ctx, q)

        whole = statistics.median(timed(lambda q=q: fresh(q), repeat)[0] for q, _ in QUERIES)
        ctx.close()
    print(f"service path on SQLite at {size}: index from the database {built * 1000:.0f} ms; version check "
          f"{check * 1000:.2f} ms; search_services (check + search) median {whole * 1000:.2f} ms/query")


if __name__ == "__main__":
    main()
