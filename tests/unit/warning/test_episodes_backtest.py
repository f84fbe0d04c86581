"""episodes() and backtest(): observed daily AQI as a perfect forecast, one level per city and day."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from xietong.air.warning import LEVEL_DTYPE, backtest, daily_windows, episodes, recommend
from xietong.errors import DuplicateRecordError, InputError

CODE = {"none": ".", "blue": "B", "yellow": "Y", "orange": "O", "red": "R"}


def daily(aqi: list[float], city: str = "Beijing", first: str = "2016-12-10") -> pd.DataFrame:
    return pd.DataFrame({"city": city, "date": pd.date_range(first, periods=len(aqi)).date, "aqi": aqi})


def timeline(frame: pd.DataFrame) -> str:
    return "".join(frame["level"].map(CODE))


def test_one_level_per_day_from_the_episode_level() -> None:
    tl = episodes(daily([100, 160, 230, 320, 310, 260, 180, 90]), "key-regions-2024")
    assert timeline(tl) == ".RRRRRR."
    assert tl["clause"].iloc[1] == "key-regions-2024/red/a"
    assert tl["episode"].tolist()[:3] == [pd.NA, 1, 1]
    assert tl["level"].dtype == LEVEL_DTYPE
    assert tl["city"].unique().tolist() == ["110000"]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("jjj-2016", "..RRRR.."),  # > 200 for 96 h with 48 h > 300; the 150s have no clause
        ("national-2018", "..RRRR.."),
        ("key-regions-2019", ".RRRRRR."),
        ("key-regions-2024", ".RRRRRR."),
    ],
)
def test_same_days_under_each_rule_set(rules: str, expected: str) -> None:
    assert timeline(episodes(daily([100, 160, 230, 320, 310, 260, 180, 90]), rules)) == expected


def test_merged_gap_day_is_inside_the_warning() -> None:
    tl = episodes(daily([100, 230, 240, 120, 230, 240, 100, 100]), "key-regions-2024")
    assert timeline(tl) == ".OOOOO.."
    assert tl["episode"].dropna().unique().tolist() == [1]


def test_long_gap_gives_two_numbered_episodes() -> None:
    tl = episodes(daily([230, 240, 100, 100, 230, 100]), "key-regions-2024")
    assert timeline(tl) == "OO..Y."
    assert tl["episode"].tolist() == [1, 1, pd.NA, pd.NA, 2, pd.NA]


def test_missing_day_breaks_a_chain() -> None:
    assert timeline(episodes(daily([160, np.nan, 160]), "key-regions-2024")) == "..."
    assert timeline(episodes(daily([160, 160, 160]), "key-regions-2024")) == "OOO"


def test_blue_only_in_jjj_2016() -> None:
    series = daily([100, 210, 100, 100])
    assert timeline(episodes(series, "jjj-2016")) == ".B.."
    assert timeline(episodes(series, "national-2018")) == "...."
    assert timeline(episodes(series, "key-regions-2024")) == ".Y.."


def test_cities_are_independent() -> None:
    frame = pd.concat([daily([230, 240, 250]), daily([100, 100, 100], city="Tianjin")])
    tl = episodes(frame, "key-regions-2024")
    assert tl.groupby("city")["level"].apply(lambda s: "".join(s.map(CODE))).to_dict() == {
        "110000": "OOO",
        "120000": "...",
    }


def test_backtest_stacks_rule_sets_and_clips_after_finding_episodes() -> None:
    frame = daily([230, 240, 320, 100, 100], first="2016-11-29")
    bt = backtest(frame, ["national-2018", "key-regions-2024"], start=date(2016, 12, 1), end="2016-12-02")
    assert bt["rules"].tolist() == ["national-2018"] * 2 + ["key-regions-2024"] * 2
    # the episode began on 2016-11-29, before the window: its level is kept on 2016-12-01
    assert bt["level"].tolist() == ["orange", "none", "red", "none"]
    assert bt["date"].min() == pd.Timestamp("2016-12-01")


def test_backtest_defaults_to_every_rule_set() -> None:
    assert backtest(daily([100]))["rules"].tolist() == [
        "jjj-2016",
        "national-2018",
        "key-regions-2019",
        "key-regions-2024",
    ]


def test_daily_windows_are_natural_days_in_china_standard_time() -> None:
    w = daily_windows(daily([230, 240]))
    assert w["start"].iloc[0] == pd.Timestamp("2016-12-10T00:00+08:00")
    assert (w["end"] - w["start"]).unique().tolist() == [pd.Timedelta(hours=24)]
    assert recommend(w, "jjj-2016")["level"].tolist() == ["yellow"]


def test_contradictory_days_are_refused() -> None:
    frame = pd.concat([daily([230]), daily([240])])
    with pytest.raises(DuplicateRecordError, match="AQI 230 and 240"):
        episodes(frame)


def test_date_with_a_time_is_refused() -> None:
    frame = daily([230]).assign(date="2016-12-10T08:00")
    with pytest.raises(InputError, match="calendar day"):
        episodes(frame)


def test_empty_daily_frame_gives_an_empty_timeline() -> None:
    tl = episodes(daily([]))
    assert tl.empty
    assert list(tl.columns) == ["city", "date", "aqi", "level", "clause", "episode", "rules"]
