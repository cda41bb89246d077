"""Files written for the broker are owner-only and whole or nothing: written beside the name, flushed, then
renamed over it, so a reader (or a crash) never meets half a file and a failure leaves what was there."""

from __future__ import annotations

import os
import stat

import pytest

from broker_tui.services.private_files import FileRefused, write_atomically, write_private


def test_a_file_there_before_is_replaced_whole_and_made_owner_only(tmp_path) -> None:
    target = tmp_path / "searchlog.csv"
    target.write_text("old\n")
    os.chmod(target, 0o644)
    before = target.stat().st_ino
    write_private(target, "case_ref\nLCC-1\n")
    assert target.read_text() == "case_ref\nLCC-1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.stat().st_ino != before  # a new file renamed over the old: never rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["searchlog.csv"]


def test_a_failure_halfway_leaves_the_old_file_and_no_temporary_file(tmp_path) -> None:
    target = tmp_path / "review.json"
    write_private(target, "whole\n")

    def half(out) -> None:
        out.write(b"half")
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError):
        write_atomically(target, half)
    assert target.read_text() == "whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["review.json"]


@pytest.mark.parametrize("name, words", [("", "give a file name"), ("no-such-folder/x.csv", "there is no folder")])
def test_a_bad_name_is_one_line(tmp_path, name, words) -> None:
    with pytest.raises(FileRefused, match=words):
        write_private(str(tmp_path / name) if name else "  ", "x")
