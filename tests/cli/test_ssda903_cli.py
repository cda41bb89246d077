"""`broker-tui ssda903 import DIR|FILES`: counts per file and year, or every error by file:line with a
non-zero exit and "nothing was written"; a file read before is refused saying when and by whom."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.cli.test_referrals_cli import cli  # noqa: F401 (a fixture)

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\n"


def test_import_the_synthetic_return_then_refuse_it_again(cli, shared_data: Path, tmp_path: Path) -> None:  # noqa: F811
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, tmp_path / name)
    done = cli("ssda903", "import", str(tmp_path))
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == ("Read the SSDA903 return: 820 children, 2827 episodes (an episode in several years' returns "
                        "once), 23 UASC, 0 OC3 row(s)")
    assert ("  ssda903_synthetic_episodes.csv (Episodes): 3737 row(s); 2017-18: 1460, 2018-19: 974, 2019-20: 648, "
            "2020-21: 402, 2021-22: 253") in lines
    assert "  ssda903_synthetic_uasc.csv (UASC): 51 row(s); 2017-18: 10, 2018-19: 5, 2019-20: 8, 2020-21: 16, " \
           "2021-22: 12" in lines
    assert lines[4] == ("1559 DfE queries (read, not refused): 142 x9, 148 x996, 385 x3, 501 x32, 502 x11, INT03 x248, "
                        "NoE x260")
    assert lines[-1] == "  and 1539 more (--queries lists every one)"
    again = cli("ssda903", "import", str(tmp_path / "ssda903_synthetic_header.csv"))
    assert again.exit_code == 1
    assert "ssda903_synthetic_header.csv was imported already, on " in again.stderr
    assert again.stderr.rstrip().endswith("nothing was written")


def test_every_error_by_file_and_line_and_nothing_written(cli, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "header_2023-24.csv").write_text("CHILD,SEX,DOB,ETHNIC\nC1,1,15/03/2010,WBRI\nC2,1,31/04/2011,WBRI\n")
    (tmp_path / "episodes_2023-24.csv").write_text(
        EPISODES + "C1,01/11/2023,S,C2,N1,H5,PR4,,,,,\n" + "C1,01/05/2023,S,C2,N1,K3,PR4,01/04/2023,E11,,,\n")
    result = cli("ssda903", "import", str(tmp_path / "header_2023-24.csv"), str(tmp_path / "episodes_2023-24.csv"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "episodes_2023-24.csv:2: PLACE: 'H5' is not a valid PLACE code on 01/11/2023 (valid to 2023-10-28) [146] (error)",
        "episodes_2023-24.csv:3: DEC: the episode ceased (01/04/2023) before it started (01/05/2023) [356] (error)",
        "episodes_2023-24.csv:3: PLACE: 'K3' is not a valid PLACE code on 01/05/2023 (valid from 2024-25) [146] (error)",
        "header_2023-24.csv:3: DOB: is not a valid date: '31/04/2011' is not a real date [102] (error)",
        "broker-tui: the return has 4 error(s); nothing was written"]
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    (fixed / "header_2023-24.csv").write_text("CHILD,SEX,DOB,ETHNIC\nC1,1,15/03/2010,WBRI\n")
    (fixed / "episodes_2023-24.csv").write_text(EPISODES + "C1,01/10/2023,S,C2,N1,H5,PR4,,,,,\n")
    done = cli("ssda903", "import", str(fixed))
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0].startswith("Read the SSDA903 return: 1 children, 1 episodes")
    assert cli("ssda903", "import").exit_code == 2  # a folder or files are required


def test_a_path_that_is_not_there_is_named_as_missing(cli, tmp_path: Path) -> None:  # noqa: F811
    done = cli("ssda903", "import", str(tmp_path / "episodes_2024-25.csv"))
    assert done.exit_code == 1
    assert "episodes_2024-25.csv: (file): no such file or folder (error)" in done.output
    assert "nothing was written" in done.output
