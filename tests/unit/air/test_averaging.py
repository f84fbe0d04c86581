"""GB 3095 validity and the hour-label/day convention (labels are the END of the averaging hour)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from xietong import standards
from xietong.air import ValidityRules, annual_statistics, city_values, daily_aqi, daily_values, hj663_percentile
from xietong.air.averaging import moving_mean_grid, moving_means

Frame = Callable[..., pd.DataFrame]


def day_rows(day: str, values: dict[str, list[float]], station: str = "A") -> list[dict[str, object]]:
    """24 rows labelled day 01:00 … day+1 00:00 (CST), i.e. one natural day."""
    labels = pd.date_range(pd.Timestamp(day) + pd.Timedelta(hours=1), periods=24, freq="h")
    return [
        {"station": station, "time": t.strftime("%Y-%m-%d %H:%M"), **{k: v[i] for k, v in values.items()}}
        for i, t in enumerate(labels)
    ]


class TestDayConvention:
    def test_a_natural_day_holds_labels_0100_to_next_0000(self, make_frame: Frame) -> None:
        rows = day_rows("2020-05-01", {"pm25": [10.0] * 23 + [130.0]})  # the 24:00 value belongs to May 1
        out = daily_values(make_frame(rows))
        assert out["date"].tolist() == [pd.Timestamp("2020-05-01")]
        assert out["pm25"].iloc[0] == pytest.approx((23 * 10 + 130) / 24)
        assert out["time"].iloc[0] == pd.Timestamp("2020-04-30 16:00", tz="UTC")  # May 1 00:00 CST

    def test_the_0000_label_of_a_day_belongs_to_the_previous_day(self, make_frame: Frame) -> None:
        rows = [
            {"station": "A", "time": "2020-05-02 00:00", "pm25": 50.0},
            {"station": "A", "time": "2020-05-02 01:00", "pm25": 70.0},
        ]
        out = daily_values(make_frame(rows))
        assert out["date"].dt.strftime("%m-%d").tolist() == ["05-01", "05-02"]
        assert out["hours_pm25"].tolist() == [1, 1]


class TestDailyValidity:
    def test_twenty_valid_hours_make_a_daily_mean(self, make_frame: Frame) -> None:
        values = [40.0] * 20 + [np.nan] * 4
        out = daily_values(make_frame(day_rows("2020-05-01", {"no2": values})))
        assert out["no2"].iloc[0] == 40.0
        assert out["hours_no2"].iloc[0] == 20

    def test_nineteen_are_not_enough(self, make_frame: Frame) -> None:
        values = [40.0] * 19 + [np.nan] * 5
        out = daily_values(make_frame(day_rows("2020-05-01", {"no2": values})))
        assert np.isnan(out["no2"].iloc[0])

    def test_invalid_flags_are_excluded(self, make_frame: Frame) -> None:
        frame = make_frame(day_rows("2020-05-01", {"so2": [10.0] * 23 + [1000.0]}))
        frame.loc[23, "flag_bits"] = 1  # SO2 is bit pair 0; code 1 = invalid
        out = daily_values(frame)
        assert out["so2"].iloc[0] == 10.0
        assert out["hours_so2"].iloc[0] == 23

    def test_not_monitored_all_day_keeps_code_2(self, make_frame: Frame) -> None:
        frame = make_frame(day_rows("2020-05-01", {"pm25": [10.0] * 24}))
        frame["flag_bits"] = 2 << (2 * 3)  # CO not monitored
        out = daily_values(frame)
        assert (int(out["flag_bits"].iloc[0]) >> 6) & 3 == 2


class TestEightHourAndMda8:
    def test_eight_hour_mean_needs_six_hours(self, make_frame: Frame) -> None:
        rows = day_rows("2020-07-01", {"o3": [100.0] * 5 + [np.nan] * 2 + [100.0] + [100.0] * 16})
        means = moving_means(make_frame(rows), ["o3"], 8)["o3"]
        assert np.isnan(means[4])  # label 05:00: five hours (the previous day is not in the frame)
        assert np.isnan(means[6])  # label 07:00: still five valid hours
        assert means[7] == 100.0  # label 08:00: six valid of eight

    def test_mda8_uses_windows_ending_0800_to_2400(self, make_frame: Frame) -> None:
        o3 = [50.0] * 24
        o3[3] = 900.0  # label 04:00 is only in windows ending 04:00–11:00
        out = daily_values(make_frame(day_rows("2020-07-01", {"o3": o3})))
        assert out["o3_8h_windows"].iloc[0] == 17
        assert out["o3_mda8"].iloc[0] == pytest.approx((7 * 50 + 900) / 8)
        assert out["o3_1h_max"].iloc[0] == 900.0

    def test_mda8_needs_fourteen_windows(self, make_frame: Frame) -> None:
        # labels 18:00-24:00 missing → only the windows ending 08:00–19:00 keep >= 6 valid hours: 12
        o3 = [120.0] * 17 + [np.nan] * 7
        out = daily_values(make_frame(day_rows("2020-07-01", {"o3": o3})))
        assert out["o3_8h_windows"].iloc[0] == 12
        assert np.isnan(out["o3_mda8"].iloc[0])

    def test_fewer_windows_but_above_the_limit_is_valid_as_a_switch(self, make_frame: Frame) -> None:
        o3 = [200.0] * 17 + [np.nan] * 7
        frame = make_frame(day_rows("2020-07-01", {"o3": o3}))
        assert daily_values(frame)["o3_mda8"].iloc[0] == 200.0  # [R] rule on by default (> 160)
        assert np.isnan(daily_values(frame, mda8_valid_if_exceeds=False)["o3_mda8"].iloc[0])


class TestDailyAqiFromHours:
    def test_2012_daily_o3_takes_the_larger_of_max_1h_and_mda8(self, make_frame: Frame) -> None:
        o3 = [50.0] * 24
        o3[14] = 420.0  # max 1-h 420 → IAQI 205; MDA8 ≈ 96 → IAQI 48
        values = {"so2": [5.0] * 24, "no2": [20.0] * 24, "co": [0.5] * 24, "pm10": [30.0] * 24,
                  "pm25": [20.0] * 24, "o3": o3}  # fmt: skip
        daily = daily_values(make_frame(day_rows("2020-07-01", values)))
        out2012 = daily_aqi(daily)
        assert out2012["aqi"].iloc[0] == 205
        assert out2012["primary_zh"].iloc[0] == "臭氧1小时"
        out2026 = daily_aqi(daily, edition="2026")  # HJ 633-2026: MDA8 only
        assert out2026["aqi"].iloc[0] == 48


class TestCityValues:
    def test_city_mean_excludes_background_sites(self, make_frame: Frame) -> None:
        rows = [
            {"station": "1001A", "time": "2020-01-01 10:00", "pm25": 100.0},
            {"station": "1003A", "time": "2020-01-01 10:00", "pm25": 50.0},
            {"station": "1002A", "time": "2020-01-01 10:00", "pm25": 5.0},  # 定陵 background site
        ]
        stations = pd.DataFrame({"code": ["1001A", "1002A", "1003A"], "city": "北京", "background": ["N", "Y", "N"]})
        out = city_values(make_frame(rows), stations)
        assert out["city"].tolist() == ["北京"]
        assert out["pm25"].iloc[0] == 75.0
        assert out["n_sites"].iloc[0] == 2


class TestAnnual:
    def test_hj663_percentile_formula(self) -> None:
        x = [5.0, 1.0, 3.0, 2.0, 4.0]
        # n = 5, p = 90: k = 1 + 4·0.9 = 4.6 → X4 + 0.6·(X5 − X4) = 4.6
        assert hj663_percentile(x, 90) == pytest.approx(4.6)
        assert hj663_percentile(x, 98) == pytest.approx(np.percentile(x, 98))

    def test_324_days_and_27_per_month(self) -> None:
        dates = pd.date_range("2019-01-01", "2019-12-31", freq="D")
        daily = pd.DataFrame({"station": "A", "date": dates, "so2": 10.0, "no2": 20.0, "pm10": 60.0, "pm25": 30.0,
                              "co": 1.0, "o3_mda8": 100.0})  # fmt: skip
        full = annual_statistics(daily).iloc[0]
        assert bool(full["valid_pm25"])
        assert full["pm25_mean"] == 30.0
        assert full["o3_mda8_p90"] == 100.0
        # February with 24 days (< 25) invalidates the year although 361 days remain
        feb = (daily["date"].dt.month == 2) & (daily["date"].dt.day <= 4)
        daily.loc[feb, "pm25"] = np.nan
        assert not bool(annual_statistics(daily).iloc[0]["valid_pm25"])

    def test_2012_and_2026_validity_tables_agree(self) -> None:
        assert ValidityRules.from_standard("2012") == ValidityRules.from_standard("2026")
        assert standards.load("gb3095", "2026")["validity"]["daily_min_hours"] == 20


def test_moving_mean_equals_a_plain_loop() -> None:
    """Each window: the mean of the valid labels t−hours+1 … t, NaN below the minimum count."""
    rng = np.random.default_rng(5)
    grid = rng.integers(0, 500, (3, 200)).astype(float) / 10
    grid[rng.random(grid.shape) < 0.3] = np.nan
    got = moving_mean_grid(grid, 8, 6)
    for s in range(3):
        for t in range(200):
            window = grid[s, max(0, t - 7) : t + 1]
            ok = window[~np.isnan(window)]
            expected = ok.mean() if len(ok) >= 6 else np.nan
            assert got[s, t] == pytest.approx(expected, rel=0, abs=1e-12, nan_ok=True)
