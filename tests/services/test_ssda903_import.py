"""`ssda903 import` as a use case, on SQLite and PostgreSQL: the shared synthetic return imports whole with
counts that match its files; a return with any error writes nothing; a file is read once; nothing kept
holds a CHILD id, a full date of birth or a full postcode (every column of every table, and the audit)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from broker_tui.services.sufficiency import ReturnAlreadyImported, ReturnInvalid, import_ssda903
from broker_tui.store.tables import (
    AuditEvent,
    Ssda903Child,
    Ssda903Episode,
    Ssda903File,
    Ssda903Import,
    Ssda903Oc3,
)

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")
TABLES = (Ssda903Import, Ssda903File, Ssda903Child, Ssda903Episode, Ssda903Oc3)
POSTCODE = re.compile(r"(?<![A-Z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}(?![A-Z0-9])")
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,15/03/2010,WBRI,,,\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,PL_LA\n"


def counts(ctx) -> dict[str, int]:
    with ctx.session() as s:
        out = {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}
        out["audit_event"] = s.scalar(select(func.count()).select_from(AuditEvent))
    return out


def synthetic(shared_data: Path, folder: Path) -> Path:
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    return folder


def test_the_shared_synthetic_return_imports_whole(ctx, shared_data: Path, tmp_path: Path) -> None:
    done = import_ssda903(ctx, [synthetic(shared_data, tmp_path / "return")])
    with open(shared_data / "ssda903_synthetic_episodes.csv", newline="", encoding="utf-8") as fh:
        episodes = list(csv.DictReader(fh))
    assert done.children == len({(r["LA"], r["CHILD"]) for r in episodes}) == 820
    assert done.episodes == len({(r["LA"], r["CHILD"], r["DECOM"]) for r in episodes})
    assert done.uasc == 23 and done.oc3 == 0
    by_name = {f.name: f for f in done.files}
    assert by_name["ssda903_synthetic_episodes.csv"].rows == 3737
    assert by_name["ssda903_synthetic_episodes.csv"].years == {
        "2017-18": 1460, "2018-19": 974, "2019-20": 648, "2020-21": 402, "2021-22": 253}
    assert by_name["ssda903_synthetic_header.csv"].table == "Header"
    assert done.queries and all(q.query for q in done.queries)  # listed, not refusing
    n = counts(ctx)
    assert (n["ssda903_import"], n["ssda903_file"], n["ssda903_child"], n["ssda903_episode"]) == (
        1, 3, 820, done.episodes)
    with ctx.session() as s:
        batch = s.scalars(select(Ssda903Import)).one()
        assert batch.imported_by == ctx.actor and batch.children == 820
        audited = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity.in_([t.__tablename__ for t in TABLES]), AuditEvent.actor == ctx.actor))
        assert audited == sum(n[t.__tablename__] for t in TABLES)  # every row written is audited
        placed = s.scalars(select(Ssda903Episode.place).distinct()).all()
        assert "H5" in placed and {e.place_provider for e in s.scalars(select(Ssda903Episode))} <= {
            "PR0", "PR1", "PR3", "PR4"}


def test_nothing_identifying_is_kept(ctx, shared_data: Path, tmp_path: Path) -> None:
    import_ssda903(ctx, [synthetic(shared_data, tmp_path / "return")])
    children, births, postcodes = set(), set(), set()
    for name in SYNTHETIC:
        with open(shared_data / name, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                children.add(r["CHILD"])
                if r.get("DOB"):
                    day = dt.date.fromisoformat(r["DOB"])
                    births |= {r["DOB"], day.strftime("%d/%m/%Y")}
                for column in ("HOME_POST", "PL_POST"):
                    if r.get(column):
                        postcodes |= {r[column].upper(), r[column].replace(" ", "").upper()}
    with ctx.engine.connect() as con:
        for table in TABLES:
            rows = con.execute(select(table.__table__)).mappings().all()
            assert rows or table is Ssda903Oc3  # the synthetic return has no OC3 table
            for row in rows:
                for column, value in row.items():
                    cell = str(value)
                    assert cell not in children, (table.__tablename__, column)
                    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                        assert column in ("decom", "dec")  # the only dates kept: when episodes began and ended
                    elif isinstance(value, str):
                        assert cell not in births and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell), column
                        assert not set(POSTCODE.findall(cell.upper())) & postcodes, column
        events = con.execute(text("SELECT entity, after FROM audit_event WHERE entity LIKE 'ssda903%'")).all()
    assert events
    for entity, after in events:
        values = after if isinstance(after, dict) else json.loads(after)
        for key, value in values.items():
            assert str(value) not in children, (entity, key)
            if key not in ("decom", "dec", "created_at", "imported_at"):
                assert str(value) not in births, (entity, key)
            assert not set(POSTCODE.findall(str(value).upper())) & postcodes, (entity, key)


def test_birth_is_a_month_and_postcodes_a_district(ctx, tmp_path: Path) -> None:
    (tmp_path / "header_2023-24.csv").write_text("\ufeff" + HEADER, encoding="utf-8")  # as Excel saves CSV UTF-8
    (tmp_path / "episodes_2023-24.csv").write_text(EPISODES + "C1,01/05/2023,S,C2,N1,U4,PR1,,,,LE1 5WW,LE2 7TR,E06000016\n")
    (tmp_path / "oc3_2023-24.csv").write_text("CHILD,IN_TOUCH,ACTIV,ACCOM\nC1,YES,F1,S2\n")
    done = import_ssda903(ctx, [tmp_path])
    assert (done.children, done.episodes, done.oc3) == (1, 1, 1)
    with ctx.session() as s:
        child = s.scalars(select(Ssda903Child)).one()
        episode = s.scalars(select(Ssda903Episode)).one()
        oc3 = s.scalars(select(Ssda903Oc3)).one()
    assert (child.birth_month, child.sex, child.uasc) == ("2010-03", "M", False)
    assert (episode.pl_district, episode.home_district, episode.pl_la, episode.decom) == (
        "LE2", "LE1", "E06000016", dt.date(2023, 5, 1))
    assert child.child_id == episode.child_id == oc3.child_id and child.child_id > 10**6
    assert (oc3.in_touch, oc3.activ, oc3.accom, oc3.return_year) == ("YES", "F1", "S2", "2023-24")


@pytest.mark.parametrize(("start", "ok"), [("2023-10-01", True), ("2023-11-01", False)])
def test_h5_by_the_day_the_episode_started(ctx, tmp_path: Path, start: str, ok: bool) -> None:
    (tmp_path / "header_2023-24.csv").write_text(HEADER)
    (tmp_path / "episodes_2023-24.csv").write_text(EPISODES + f"C1,{start},S,C2,N1,H5,PR4,,,,,,\n")
    before = counts(ctx)
    if ok:
        assert import_ssda903(ctx, [tmp_path]).episodes == 1
        return
    with pytest.raises(ReturnInvalid) as refused:
        import_ssda903(ctx, [tmp_path])
    assert [p.text() for p in refused.value.errors] == [
        "episodes_2023-24.csv:2: PLACE: 'H5' is not a valid PLACE code on 01/11/2023 (valid to 2023-10-28) [146] (error)"]
    assert counts(ctx) == before


def test_an_error_in_any_file_writes_nothing(ctx, shared_data: Path, tmp_path: Path) -> None:
    folder = synthetic(shared_data, tmp_path / "return")
    (folder / "more_episodes_2021-22.csv").write_text(
        EPISODES + "C1,01/05/2021,S,C2,N1,U4,PR1,01/04/2021,E11,,,,\n" + "C2,2021-06-31,S,C2,N1,U4,PR1,,,,,,\n")
    before = counts(ctx)
    with pytest.raises(ReturnInvalid) as refused:
        import_ssda903(ctx, [folder])
    assert [(p.file, p.line, p.field, p.rule) for p in refused.value.errors] == [
        ("more_episodes_2021-22.csv", 2, "DEC", "356"), ("more_episodes_2021-22.csv", 3, "DECOM", "141")]
    assert counts(ctx) == before


def test_strict_refuses_queries_too(ctx, shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ReturnInvalid) as refused:
        import_ssda903(ctx, [synthetic(shared_data, tmp_path / "return")], strict=True)
    assert {p.rule for p in refused.value.errors} == {"148", "INT03", "501", "142", "385", "502", "NoE"}
    assert counts(ctx)["ssda903_import"] == 0


def test_a_file_read_before_is_refused_with_when_and_by_whom(ctx, shared_data: Path, tmp_path: Path) -> None:
    folder = synthetic(shared_data, tmp_path / "return")
    import_ssda903(ctx, [folder])
    before = counts(ctx)
    with pytest.raises(ReturnAlreadyImported) as refused:
        import_ssda903(ctx, [folder / "ssda903_synthetic_uasc.csv"])
    when = ctx.clock.now().strftime("%d/%m/%Y %H:%M")
    assert str(refused.value) == (f"ssda903_synthetic_uasc.csv was imported already, on {when} UTC by {ctx.actor} "
                                  f"(as ssda903_synthetic_uasc.csv, 51 row(s)); nothing was written")
    assert counts(ctx) == before


def test_the_same_file_twice_in_one_return_and_unreadable_files(ctx, tmp_path: Path) -> None:
    (tmp_path / "header_2023-24.csv").write_text(HEADER)
    (tmp_path / "copy_2023-24.csv").write_text(HEADER)
    (tmp_path / "latin_2023-24.csv").write_bytes("CHILD,SEX,DOB,ETHNIC\nC\xe9,1,01/01/2010,WBRI\n".encode("latin-1"))
    with pytest.raises(ReturnInvalid) as refused:
        import_ssda903(ctx, [tmp_path])
    assert [(p.file, p.message) for p in refused.value.errors] == [
        ("header_2023-24.csv", "is the same file as copy_2023-24.csv"),
        ("latin_2023-24.csv", "is not UTF-8 text (byte 23 cannot be read): save it as UTF-8")]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReturnInvalid) as refused:
        import_ssda903(ctx, [tmp_path / "empty"])
    assert [p.message for p in refused.value.errors] == ["holds no CSV file"]
