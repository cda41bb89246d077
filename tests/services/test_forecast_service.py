"""The demand forecast over imported SSDA903 returns (issue 15), on SQLite and PostgreSQL: the history read
from the store is the return's; the forecast and backtest come out as counts only (no CHILD id, date of
birth or postcode in the JSON); scenarios come from the settings; the category map is a setting."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from broker_tui.domain.settings import Settings, settings_from_mapping
from broker_tui.domain.sufficiency.categories import CATEGORIES
from broker_tui.domain.sufficiency.panel import month_label
from broker_tui.services.sufficiency import (
    NoReturn,
    backtest,
    forecast_panel,
    import_ssda903,
    run_forecast,
    write_forecast_json,
)

SYNTHETIC = ("ssda903_synthetic_header.csv", "ssda903_synthetic_episodes.csv", "ssda903_synthetic_uasc.csv")


@pytest.fixture
def imported(ctx, shared_data: Path, tmp_path: Path):
    folder = tmp_path / "return"
    folder.mkdir()
    for name in SYNTHETIC:
        shutil.copy(shared_data / name, folder / name)
    import_ssda903(ctx, [folder])
    return ctx


def test_no_return_no_forecast(ctx) -> None:
    with pytest.raises(NoReturn, match="ssda903 import"):
        run_forecast(ctx, years=1, sims=100)


def test_the_history_comes_back_from_the_store(imported) -> None:
    p = forecast_panel(imported)
    assert (month_label(p.observed_from), month_label(p.last)) == ("2017-03", "2022-03")
    assert p.stock(p.observed_from + 12).sum() == 550 and p.stock(p.last).sum() == 86
    assert p.unreturned == 24


def test_the_forecast_is_counts_only(imported, shared_data: Path, tmp_path: Path) -> None:
    run = run_forecast(imported, years=2, sims=200)
    assert run.cutoff == "2022-03" and run.months[0] == "2022-04" and len(run.months) == 24
    assert run.history[-1] == tuple(forecast_panel(imported).stock(forecast_panel(imported).last))
    for i in range(24):
        assert run.total_low[i] <= run.total_mean[i] <= run.total_high[i]
        assert abs(sum(run.mean[i]) - run.total_mean[i]) < 1e-6
        assert all(0 <= lo <= mu <= hi for lo, mu, hi in zip(run.low[i], run.mean[i], run.high[i], strict=True))
    assert run.total_mean[-1] < run.total_mean[0] < 86  # a closed cohort with hardly any entrants shrinks
    path = write_forecast_json(run, tmp_path / "forecast.json")
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    data = json.loads(text)
    assert [c["code"] for c in data["categories"]] == list(CATEGORIES)
    assert data["forecast"][0]["month"] == "2022-04" and data["history"][-1]["total"] == 86
    assert {r["month"] for r in data["by_age_band"]} == {"2023-03", "2024-03"}
    with open(shared_data / "ssda903_synthetic_header.csv", newline="", encoding="utf-8") as fh:
        header = list(csv.DictReader(fh))
    for row in header:  # no child id, date of birth or UPN anywhere in the export
        assert f'"{row["CHILD"]}"' not in text and row["DOB"] not in text and row["UPN"] not in text
    assert all(not k.lower().startswith(("child", "dob", "upn", "postcode")) for k in _keys(data))


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_a_scenario_from_the_settings(imported) -> None:
    imported.settings = settings_from_mapping(
        {"forecast": {"scenarios": {"double": {"entrants_percent": 100}, "later": {"entrants_percent": 100,
                                                                               "from": "2023-04"},
                                  "never": {"entrants_percent": 10, "from": "2099-01"}}}})
    base = run_forecast(imported, years=2, sims=300, seed=4)
    double = run_forecast(imported, years=2, sims=300, seed=4, scenario="double")
    later = run_forecast(imported, years=2, sims=300, seed=4, scenario="later")
    assert double.scenario == "double" and double.entrants_percent == 100
    assert double.total_mean[-1] > base.total_mean[-1]
    assert later.total_mean[11] == pytest.approx(base.total_mean[11])  # the same until it starts (same draws)
    assert later.total_mean[-1] > base.total_mean[-1]
    with pytest.raises(KeyError, match="known: double, later, never"):
        run_forecast(imported, years=1, sims=100, scenario="nope")
    with pytest.raises(ValueError, match="starts in 2099-01, after the forecast ends .2024-03.: it would change nothing"):
        run_forecast(imported, years=2, sims=100, scenario="never")


def test_the_category_map_is_a_setting(imported) -> None:
    before = forecast_panel(imported).stock(forecast_panel(imported).last)
    imported.settings = settings_from_mapping({"forecast": {"categories": {"residential": ["U4", "U5", "U6"]}}})
    after = forecast_panel(imported).stock(forecast_panel(imported).last)
    res = CATEGORIES.index("residential")
    assert after[res] == before[CATEGORIES.index("in_house_fostering")] + before[CATEGORIES.index("external_fostering")]
    assert after.sum() == before.sum() and after[CATEGORIES.index("kinship")] == 0  # U1-U3 now "other"
    imported.settings = Settings()


def test_a_return_too_short_to_backtest(ctx, tmp_path: Path) -> None:
    (tmp_path / "header_2023-24.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,15/03/2010,WBRI,,,\n")
    (tmp_path / "episodes_2023-24.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,PL_LA\n"
        "C1,01/05/2022,S,C2,N1,U4,PR1,,,,,,\n")
    import_ssda903(ctx, [tmp_path])
    with pytest.raises(ValueError, match="covers 12 months from the start of its first collection year .to "
                                         "31/03/2024.; a backtest needs 30 or more"):
        backtest(ctx)


def test_the_backtest(imported) -> None:
    report = backtest(imported, cutoffs=3, sims=200)
    assert report.cutoffs == ("2020-03", "2020-09", "2021-03")
    at12 = report.scores[1]
    assert at12.horizon == 12 and at12.wape["model"] < at12.wape["flat"] and at12.mape["model"] < at12.mape["flat"]
    assert json.loads(json.dumps(report.as_json()))["horizons"][1]["months"] == 12


def test_turning_18_and_the_care_leavers_oc3(ctx, tmp_path: Path) -> None:
    header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,15/03/2010,WBRI,,,\nC2,2,10/06/2006,WBRI,,,\n"
    episodes = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,PL_LA\n"
                "C1,01/05/2022,S,C2,N1,U4,PR1,,,,,,\nC2,01/05/2022,S,C2,N1,K2,PR4,,,,,,\n")
    (tmp_path / "header_2023-24.csv").write_text(header)
    (tmp_path / "episodes_2023-24.csv").write_text(episodes)
    (tmp_path / "oc3_2023-24.csv").write_text("CHILD,IN_TOUCH,ACTIV,ACCOM\nC1,YES,F1,S2\nC2,YES,F1,S2\n")
    import_ssda903(ctx, [tmp_path])
    run = run_forecast(ctx, years=2, sims=200)
    assert run.cutoff == "2024-03" and (run.oc3_year, run.oc3_accommodation) == (
        "2023-24", (("S2", "No fixed abode or homeless: not suitable", 2),))
    assert [m for m, *_ in run.turning_18] == ["2025-03", "2026-03"]
    first, second = run.turning_18
    assert 0.5 < first[1] <= 1 and first[3] == 1  # C2 is 18 in June 2024, unless she left before
    assert second == ("2026-03", 0.0, 0.0, 0.0)  # C1 is 16 then
    assert run.history[-1] == (1, 0, 0, 1, 0, 0)  # C1 in in-house foster care, C2 in a children's home
    data = run.as_json()
    assert data["care_leavers_oc3"] == {"return_year": "2023-24", "accommodation": {"S2": 2},
                                        "accommodation_words": {"S2": "No fixed abode or homeless: not suitable"}}
