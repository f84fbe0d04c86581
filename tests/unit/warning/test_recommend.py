"""recommend(): upper bound, rolling windows, episodes and merging, lift, issues, cities, bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.unit.warning.builder import ISSUED, T0, days, hours, level, levels, windows
from xietong.air.warning import LEVEL_DTYPE, WarningLevel, recommend
from xietong.errors import DuplicateRecordError, InputError, UnknownJurisdictionError

RULES = "key-regions-2024"
H = pd.Timedelta(hours=1)


# --- the upper bound of a forecast range decides [C:S12]


def test_upper_bound_of_the_range_decides() -> None:
    assert level(windows((0, 210, 120)), RULES) is WarningLevel.YELLOW  # AQI 120–210
    assert level(windows((0, 200, 120)), RULES) is WarningLevel.NONE  # AQI 120–200
    assert level(windows((0, 210, 120), (24, 240, 140)), RULES) is WarningLevel.ORANGE


def test_lower_bound_may_be_missing() -> None:
    assert level(windows((0, 201, float("nan"))), RULES) is WarningLevel.YELLOW


# --- rolling 24-h windows not aligned to midnight [C:S13]


def test_windows_starting_at_08_00_local() -> None:
    rec = recommend(windows(*hours(8, 32, aqi=151)), RULES)
    assert rec["level"].tolist() == ["yellow"]
    assert rec["start"].iloc[0] == T0 + 8 * H
    assert rec["end"].iloc[0] == T0 + 56 * H
    assert rec["clause"].iloc[0] == "key-regions-2024/yellow/b"


def test_hourly_rolling_means_cover_the_union_of_their_windows() -> None:
    # 25 hourly rolling 24-h means, all > 150, cover 48 h; 24 of them cover 47 h
    assert level(windows(*hours(*range(25), aqi=151)), RULES) is WarningLevel.YELLOW
    assert level(windows(*hours(*range(24), aqi=151)), RULES) is WarningLevel.NONE


def test_a_missing_window_breaks_a_chain() -> None:
    assert level(days(151, float("nan"), 151), RULES) is WarningLevel.NONE
    assert level(windows(*hours(0, 48, aqi=151)), RULES) is WarningLevel.NONE  # a 24-h hole


# --- episodes: a gap too short to clear merges two episodes, warned at the stricter level [C:S13]


def test_short_gap_merges_into_one_episode_at_the_stricter_level() -> None:
    rec = recommend(days(201, 100, 201, 201), RULES)  # yellow, 24 h clean, orange
    assert rec["level"].tolist() == ["orange"]
    assert rec["start"].iloc[0] == T0
    assert rec["end"].iloc[0] == T0 + 96 * H
    assert set(rec["clauses"].iloc[0]) >= {"key-regions-2024/yellow/a", "key-regions-2024/orange/a"}


def test_long_gap_keeps_two_episodes() -> None:
    rec = recommend(days(201, 100, 100, 201, 201), RULES)  # 48 h clean
    assert rec["level"].tolist() == ["yellow", "orange"]
    assert rec["start"].tolist() == [T0, T0 + 72 * H]


def test_merge_gap_boundary_36_vs_37_hours() -> None:
    assert levels(windows((0, 201), (60, 201)), RULES) == ["yellow"]  # gap 36 h: one episode
    assert levels(windows((0, 201), (61, 201)), RULES) == ["yellow", "yellow"]  # gap 37 h: two


# --- lift: below the lowest condition and forecast to stay there for more than 36 h [C:S19]


def test_lift_needs_more_than_36_quiet_hours_in_the_forecast() -> None:
    at_36 = recommend(windows((0, 201), (24, 100), (36, 100)), RULES).iloc[0]
    assert (at_36["quiet_hours"], at_36["lift_confirmed"]) == (36.0, False)
    at_37 = recommend(windows((0, 201), (24, 100), (37, 100)), RULES).iloc[0]
    assert (at_37["quiet_hours"], at_37["lift_confirmed"]) == (37.0, True)


def test_lift_counts_moderate_days_that_fire_no_clause_as_quiet() -> None:
    # 160 for one day alone meets no clause (> 150 needs 48 h): it is below the yellow condition
    rec = recommend(days(201, 100, 160, 100), RULES).iloc[0]
    assert rec["quiet_hours"] == 72.0
    assert bool(rec["lift_confirmed"])


def test_forecast_ending_with_the_episode_cannot_confirm_a_lift() -> None:
    rec = recommend(days(201, 201), RULES).iloc[0]
    assert rec["quiet_hours"] == 0.0
    assert not bool(rec["lift_confirmed"])


# --- issues and cities


def test_latest_issue_per_city_replaces_older_ones() -> None:
    old = days(201, 201)
    new = days(120, 130).assign(issued_at=ISSUED + 24 * H)
    both = pd.concat([old, new])
    assert level(both, RULES) is WarningLevel.NONE
    rec = recommend(both, RULES, as_of=ISSUED + H)
    assert rec["level"].tolist() == ["orange"]
    assert rec["issued_at"].iloc[0] == ISSUED


def test_vectorised_over_cities_with_names_or_codes() -> None:
    frame = pd.concat(
        [
            days(201, 301, 201, city="Beijing"),
            days(151, 151, city="天津"),
            days(100, city="130600"),
            days(201, city="Baoding"),  # same city as 130600, same issue: a second window on the next day
        ]
    )
    frame.loc[frame["city"] == "Baoding", "start"] += pd.Timedelta(days=1)
    frame.loc[frame["city"] == "Baoding", "end"] += pd.Timedelta(days=1)
    rec = recommend(frame, RULES)
    assert rec["city"].tolist() == ["110000", "120000", "130600"]
    assert rec["level"].tolist() == ["red", "yellow", "yellow"]
    assert rec["level"].dtype == LEVEL_DTYPE
    assert rec["rules"].unique().tolist() == [RULES]


def test_city_without_warning_gets_a_none_row() -> None:
    rec = recommend(days(120, 180, city="石家庄"), RULES)
    row = rec.iloc[0]
    assert (row["city"], row["level"]) == ("130100", "none")
    assert pd.isna(row["start"]) and pd.isna(row["clause"])
    assert row["max_aqi_high"] == 180
    assert "no clause of key-regions-2024 fires" in row["reason"]


def test_evidence_names_the_windows_and_values_of_the_deciding_clause() -> None:
    frame = days(201, 301, 250).assign(primary="PM2.5")
    row = recommend(frame, RULES).iloc[0]
    assert row["clause"] == "key-regions-2024/red/a"
    ev = row["evidence"]
    assert [e["aqi_high"] for e in ev] == [201, 301, 250]
    assert [e["meets"] for e in ev] == ["AQI > 200", "AQI > 200 and AQI > 300", "AQI > 200"]
    assert ev[0]["start"] == T0 and ev[0]["primary"] == "PM2.5"
    assert "key-regions-2024/red/a" in row["reason"]
    assert "72 h" in row["reason"] and "2016-12-16 00:00" in row["reason"]
    assert row["max_aqi_high"] == 301


def test_input_is_not_modified() -> None:
    frame = days(201, 201, city="Beijing")
    before = frame.copy()
    recommend(frame, RULES)
    pd.testing.assert_frame_equal(frame, before)


# --- bad input: clear errors (expected, given, where, how to fix)


def test_unknown_city() -> None:
    with pytest.raises(UnknownJurisdictionError, match="Gotham") as info:
        recommend(days(201, city="Gotham"), RULES)
    assert "row 1" in str(info.value)


def test_naive_times_are_refused() -> None:
    frame = days(201)
    frame["start"] = frame["start"].dt.tz_localize(None)
    with pytest.raises(InputError, match="start has no time zone") as info:
        recommend(frame, RULES)
    assert "Asia/Shanghai" in str(info.value)


def test_iso_strings_with_offsets_are_accepted_without_offsets_refused() -> None:
    frame = days(201)
    for col in ("issued_at", "start", "end"):
        frame[col] = frame[col].map(lambda t: t.isoformat())
    assert level(frame, RULES) is WarningLevel.YELLOW
    frame["start"] = "2016-12-16T00:00"
    with pytest.raises(InputError, match="no time zone"):
        recommend(frame, RULES)


def test_window_must_be_24_hours() -> None:
    frame = days(201)
    frame["end"] -= H
    with pytest.raises(InputError, match="not 24 h long") as info:
        recommend(frame, RULES)
    assert "given 23 h" in str(info.value)


def test_range_upside_down() -> None:
    with pytest.raises(InputError, match="aqi_low ≤ aqi_high"):
        recommend(windows((0, 150, 210)), RULES)


def test_negative_aqi() -> None:
    with pytest.raises(InputError, match="negative aqi_low") as info:
        recommend(days(-1), RULES)
    assert "given -1 (forecasts, row 1, field 'aqi_low')" in str(info.value)


def test_missing_column() -> None:
    with pytest.raises(InputError, match="missing column\\(s\\) aqi_low"):
        recommend(days(201).drop(columns="aqi_low"), RULES)


def test_contradictory_duplicate_window() -> None:
    frame = pd.concat([days(201), days(150)])
    with pytest.raises(DuplicateRecordError, match="twice with different values") as info:
        recommend(frame, RULES)
    assert "150–150" in str(info.value) and "201–201" in str(info.value)


def test_identical_duplicate_window_is_harmless() -> None:
    assert levels(pd.concat([days(201, 201), days(201)]), RULES) == ["orange"]


def test_as_of_must_be_aware() -> None:
    with pytest.raises(InputError, match="as_of"):
        recommend(days(201), RULES, as_of=pd.Timestamp("2016-12-16"))


def test_empty_forecast_gives_an_empty_frame_with_the_columns() -> None:
    rec = recommend(days(201).iloc[0:0], RULES)
    assert rec.empty
    assert list(rec.columns)[:4] == ["city", "rules", "issued_at", "level"]
