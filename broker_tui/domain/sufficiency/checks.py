"""The SSDA903 rules across rows and tables (after each file's rows are read, domain.sufficiency.ssda903).

Errors (the return is refused): a child's header twice in one year with different values (INT32; the same
row twice is read once), UASC and OC3 likewise (INT36, INT34); sex or date of birth that disagree between
years (202, 203) or with the UASC or OC3 table (INT21, INT18, INT15); an episode that starts before the
child was born (302); a child starting to be looked after at 18 or over (352); two episodes of one child
starting the same day in one year's return.

Between one year's return and the next of the same council (the rules that need last year's return),
listed as queries: DfE refuses them in a return being made, but the returns imported here were made and
accepted years ago, cannot be mended now, and the forecast reconciles them (the later return's account of
an episode wins), so a handful must not refuse years of history (``--strict`` refuses them): where last
year ended with an episode open, this year's first episode must start that day (502) and carry its reason
for new episode, legal status, category of need, placement provider and placement's council (503A, 503B,
503C, 503E, 503H; a first episode that fails 502 is not compared again, and a blank PL_LA on either side
is not a difference); care leaver answers for a child whose episode was open at last year's end but who has
no episode in this year's episodes (1010). The shared synthetic set has eleven 502s.

Queries (listed, the return still read, as DfE's own queries): overlapping episodes of one child in one
year's return (501), an open episode followed by another (142), a child with episodes but no header in
any year (INT03), a first episode that began before the year while last year's return (held) has no
episode of the child (NoE).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from broker_tui.domain.sufficiency.codes import year_start
from broker_tui.domain.sufficiency.ssda903 import (
    EPISODES,
    HEADER,
    OC3,
    UASC,
    EpisodeRow,
    HeaderRow,
    Oc3Row,
    Problem,
    Row,
    TableFile,
    UascRow,
    birthday,
)

ChildKey = tuple[str, str]  # (LA, CHILD)


@dataclass
class ReturnRows:
    """Every file's rows once checked: a table's rows with duplicates read once, and every problem."""

    headers: list[HeaderRow] = field(default_factory=list)
    episodes: list[EpisodeRow] = field(default_factory=list)
    uasc: list[UascRow] = field(default_factory=list)
    oc3: list[Oc3Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.query]

    @property
    def queries(self) -> list[Problem]:
        return [p for p in self.problems if p.query]


def _problem(row: Row, column: str, rule: str, message: str, *, query: bool = False) -> Problem:
    return Problem(row.file, row.line, column, rule, message, query)


def _fields(row: Row) -> tuple[object, ...]:
    skip = {"file", "line"}
    return tuple(v for k, v in vars(row).items() if k not in skip)


def _once_a_year(rows: Sequence[Row], rule: str, table: str, problems: list[Problem]) -> list[Row]:
    seen: dict[tuple[str, str, str], Row] = {}
    kept = []
    for row in rows:
        key = (row.la, row.child, row.year)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
        elif _fields(first) != _fields(row):
            problems.append(_problem(row, "CHILD", rule, f"the child is in the {table} table twice in {row.year} "
                                     f"with different values (first at {first.file}:{first.line})"))
    return kept


def _same_child(headers: Sequence[HeaderRow], problems: list[Problem]) -> dict[ChildKey, HeaderRow]:
    first: dict[ChildKey, HeaderRow] = {}
    for h in sorted(headers, key=lambda h: h.year):
        earlier = first.setdefault((h.la, h.child), h)
        if earlier is h:
            continue
        where = f"{earlier.year} ({earlier.file}:{earlier.line})"
        if h.sex != earlier.sex:
            problems.append(_problem(h, "SEX", "202", f"sex {h.sex} disagrees with {earlier.sex} recorded in {where}"))
        if h.dob != earlier.dob:
            problems.append(_problem(h, "DOB", "203", f"the date of birth disagrees with the one recorded in {where}"))
    return first


def _against_header(rows: Iterable[UascRow | Oc3Row], header: dict[ChildKey, HeaderRow], table: str,
                    problems: list[Problem]) -> None:
    dob_rule, sex_rule = ("INT18", "INT21") if table == UASC else ("INT15", "")
    for row in rows:
        h = header.get((row.la, row.child))
        if h is None:
            continue
        if row.dob is not None and row.dob != h.dob:
            problems.append(_problem(row, "DOB", dob_rule, f"the date of birth differs from the Header's "
                                                           f"({h.file}:{h.line})"))
        if row.sex and row.sex != h.sex and (sex_rule or table == OC3):
            problems.append(_problem(row, "SEX", sex_rule, f"sex {row.sex} differs from the Header's {h.sex} "
                                                           f"({h.file}:{h.line})"))


def _episodes(episodes: Sequence[EpisodeRow], header: dict[ChildKey, HeaderRow], problems: list[Problem]) -> None:
    by_year: dict[tuple[str, str, str], list[EpisodeRow]] = defaultdict(list)
    no_header: set[ChildKey] = set()
    for e in episodes:
        by_year[(e.la, e.child, e.year)].append(e)
        h = header.get((e.la, e.child))
        if h is None:
            if (e.la, e.child) not in no_header:
                no_header.add((e.la, e.child))
                problems.append(_problem(e, "CHILD", "INT03", "the child has episodes but no Header row in any year",
                                         query=True))
            continue
        if e.decom < h.dob:
            problems.append(_problem(e, "DECOM", "302", f"the episode starts ({e.decom:%d/%m/%Y}) before the child "
                                                        f"was born ({h.file}:{h.line})"))
        elif e.rne == "S" and e.decom >= birthday(h.dob, 18):
            problems.append(_problem(e, "RNE", "352", "the child started to be looked after aged 18 or over"))
    for rows in by_year.values():
        rows.sort(key=lambda e: (e.decom, e.line))
        for before, after in zip(rows, rows[1:], strict=False):
            if after.decom == before.decom:
                problems.append(_problem(after, "DECOM", "", f"a second episode of the child starts on "
                                         f"{after.decom:%d/%m/%Y} in {after.year} ({before.file}:{before.line})"))
            elif before.dec is None:
                problems.append(_problem(after, "DECOM", "142", f"a new episode starts but the previous one "
                                         f"({before.file}:{before.line}) has not ended", query=True))
            elif after.decom < before.dec:
                problems.append(_problem(after, "DECOM", "501", f"the episode starts ({after.decom:%d/%m/%Y}) before "
                                         f"the previous one ({before.file}:{before.line}) ended "
                                         f"({before.dec:%d/%m/%Y})", query=True))


_SAME_AS_LAST_YEAR = (("rne", "RNE", "503A", "reason for new episode"), ("ls", "LS", "503B", "legal status"),
                      ("cin", "CIN", "503C", "category of need"),
                      ("place_provider", "PLACE_PROVIDER", "503E", "placement provider"),
                      ("pl_la", "PL_LA", "503H", "placement's council"))


def _across_years(episodes: Sequence[EpisodeRow], oc3: Sequence[Oc3Row], problems: list[Problem]) -> None:
    """The rules between a council's return for one year and its next (only where both are in the import)."""
    by_child: dict[tuple[str, str, str], list[EpisodeRow]] = defaultdict(list)
    years: set[tuple[str, str]] = set()  # (LA, year) with any episode: that year's return is held
    for e in episodes:
        by_child[(e.la, e.child, e.year)].append(e)
        years.add((e.la, e.year))
    for (la, child, year), rows in by_child.items():
        last_year = (la, child, _previous_year(year))
        first = min(rows, key=lambda e: (e.decom, e.line))
        before = by_child.get(last_year)
        if before is None:
            if first.decom < year_start(year) and (la, last_year[2]) in years:
                problems.append(_problem(first, "DECOM", "NoE", f"the episode began before {year} but the "
                                         f"{last_year[2]} return has no episode of the child", query=True))
            continue
        open_at_end = max(before, key=lambda e: (e.decom, e.line))
        if open_at_end.dec is not None:
            continue
        where = f"{open_at_end.file}:{open_at_end.line}"
        if first.decom != open_at_end.decom:
            problems.append(_problem(first, "DECOM", "502", f"last year's return ended with an episode open from "
                                     f"{open_at_end.decom:%d/%m/%Y} ({where}); this year's first starts "
                                     f"{first.decom:%d/%m/%Y}", query=True))
            continue
        for attr, column, rule, words in _SAME_AS_LAST_YEAR:
            now, then = getattr(first, attr), getattr(open_at_end, attr)
            if now != then and (attr != "pl_la" or (now and then)):
                problems.append(_problem(first, column, rule, f"the {words} ({now or 'blank'}) differs from the "
                                         f"episode open at last year's end ({then or 'blank'}, {where})",
                                         query=True))
    for row in oc3:  # 1010 needs this year's episodes in the import, and the child has none in them
        if (not (row.in_touch or row.activ or row.accom) or (row.la, row.child, row.year) in by_child
                or (row.la, row.year) not in years):
            continue
        before = by_child.get((row.la, row.child, _previous_year(row.year)))
        if before and max(before, key=lambda e: (e.decom, e.line)).dec is None:
            problems.append(_problem(row, "IN_TOUCH", "1010", "care leaver answers for a child whose episode was "
                                     "open at the end of last year's return but who has no episode this year",
                                     query=True))


def _previous_year(year: str) -> str:
    start = year_start(year).year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def check_return(files: Sequence[TableFile]) -> ReturnRows:
    """Every file's rows together, with the rules across rows and tables applied."""
    out = ReturnRows()
    tables: dict[str, list[Row]] = defaultdict(list)
    for f in files:
        out.problems.extend(f.problems)
        tables[f.table].extend(f.rows)
    out.headers = [r for r in _once_a_year(tables[HEADER], "INT32", HEADER, out.problems) if isinstance(r, HeaderRow)]
    out.uasc = [r for r in _once_a_year(tables[UASC], "INT36", UASC, out.problems) if isinstance(r, UascRow)]
    out.oc3 = [r for r in _once_a_year(tables[OC3], "INT34", OC3, out.problems) if isinstance(r, Oc3Row)]
    out.episodes = [r for r in tables[EPISODES] if isinstance(r, EpisodeRow)]
    header = _same_child(out.headers, out.problems)
    _against_header(out.uasc, header, UASC, out.problems)
    _against_header(out.oc3, header, OC3, out.problems)
    _episodes(out.episodes, header, out.problems)
    _across_years(out.episodes, out.oc3, out.problems)
    out.problems.sort(key=lambda p: (p.file, p.line, p.field))
    return out

