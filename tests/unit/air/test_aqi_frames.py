"""Hourly (real-time) and daily AQI frames: primary pollutants, levels, missing data, edition switch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from xietong.air import aqi_arrays, daily_aqi, daily_values, hourly_aqi
from xietong.errors import InputError

Frame = Callable[..., pd.DataFrame]
CLEAN = {"so2": 5.0, "no2": 20.0, "o3": 60.0, "co": 0.5, "pm10": 30.0, "pm25": 20.0}


def one(make_frame: Frame, time: str = "2026-03-10 14:00", **values: float) -> pd.DataFrame:
    return make_frame([{"station": "1001A", "time": time, **CLEAN, **values}])


class TestPrimaryAndLevels:
    def test_primary_is_the_highest_iaqi_when_aqi_above_50(self, make_frame: Frame) -> None:
        out = hourly_aqi(one(make_frame, pm25=76))
        row = out.iloc[0]
        assert row["aqi"] == 115
        assert row["primary"] == "PM2.5"
        assert row["primary_zh"] == "细颗粒物(PM2.5)"
        assert row["level"] == 3
        assert row["category_zh"] == "轻度污染"
        assert row["category_en"] == "Lightly polluted"
        assert row["colour"] == "#FF7E00"

    def test_ties_list_every_pollutant(self, make_frame: Frame) -> None:
        # PM10 64 and PM2.5 40 both give IAQI 60 (2026): CNEMC publishes "颗粒物(PM10),细颗粒物(PM2.5)"
        row = hourly_aqi(one(make_frame, pm10=64, pm25=40)).iloc[0]
        assert row["aqi"] == 60
        assert row["primary"] == "PM10,PM2.5"
        assert row["primary_zh"] == "颗粒物(PM10),细颗粒物(PM2.5)"

    def test_no_primary_at_or_below_50(self, make_frame: Frame) -> None:
        row = hourly_aqi(one(make_frame, pm25=35)).iloc[0]
        assert row["aqi"] == 50
        assert pd.isna(row["primary"])
        assert row["level"] == 1

    def test_exceedance_pollutants_only_in_2012(self, make_frame: Frame) -> None:
        frame = make_frame(
            [
                {"station": "A", "time": "2025-06-01 15:00", **CLEAN, "o3": 230.0, "pm25": 80.0},
                {"station": "A", "time": "2026-06-01 15:00", **CLEAN, "o3": 230.0, "pm25": 80.0},
            ]
        )
        out = hourly_aqi(frame)
        assert out["edition"].tolist() == ["2012", "2026"]
        assert out["exceedance"].iloc[0] == "O3,PM2.5"  # HJ 633-2012 §3.4: IAQI > 100
        assert pd.isna(out["exceedance"].iloc[1])  # deleted in HJ 633-2026

    def test_aqi_range_starts_at_1_in_2026(self, make_frame: Frame) -> None:
        zeros = dict.fromkeys(CLEAN, 0.0)
        assert hourly_aqi(one(make_frame, **zeros)).iloc[0]["aqi"] == 1
        assert hourly_aqi(one(make_frame, time="2025-01-01 10:00", **zeros)).iloc[0]["aqi"] == 0

    def test_beyond_table_is_flagged(self, make_frame: Frame) -> None:
        row = hourly_aqi(one(make_frame, pm10=700)).iloc[0]
        assert row["aqi"] == 500
        assert bool(row["beyond_table"])
        na = hourly_aqi(one(make_frame, pm10=700), above_table="na").iloc[0]
        assert pd.isna(na["iaqi_pm10"])


class TestMissingData:
    """HJ 633-2026 §5.3."""

    def test_missing_pollutant_and_aqi_of_the_rest_at_most_100_gives_na(self, make_frame: Frame) -> None:
        row = hourly_aqi(one(make_frame, no2=np.nan, pm25=60)).iloc[0]
        assert pd.isna(row["aqi"])
        assert row["aqi_available"] == 100
        assert pd.isna(row["level"])
        assert pd.isna(row["primary"])
        assert row["iaqi_pm25"] == 100  # the individual IAQIs are still published
        assert bool(row["incomplete"])

    def test_missing_pollutant_and_aqi_of_the_rest_above_100_is_published(self, make_frame: Frame) -> None:
        row = hourly_aqi(one(make_frame, no2=np.nan, pm25=61)).iloc[0]
        assert row["aqi"] == 101
        assert row["primary"] == "PM2.5"

    def test_invalid_flag_counts_as_missing(self, make_frame: Frame) -> None:
        frame = one(make_frame, pm25=50)
        frame["flag_bits"] = 1 << (2 * 1)  # NO2 invalid
        row = hourly_aqi(frame).iloc[0]
        assert pd.isna(row["no2"])
        assert pd.isna(row["aqi"])

    def test_not_monitored_is_exempt_by_default(self, make_frame: Frame) -> None:
        frame = one(make_frame, co=np.nan, pm25=50)
        frame["flag_bits"] = 2 << (2 * 3)  # CO "/" (HJ 633-2026 §5.3.2)
        assert hourly_aqi(frame).iloc[0]["aqi"] == 80
        assert pd.isna(hourly_aqi(frame, not_monitored="missing").iloc[0]["aqi"])

    def test_other_rules(self, make_frame: Frame) -> None:
        frame = one(make_frame, no2=np.nan, pm25=50)
        assert hourly_aqi(frame, missing_rule="from_available").iloc[0]["aqi"] == 80
        assert pd.isna(hourly_aqi(one(make_frame, no2=np.nan, pm25=200), missing_rule="na").iloc[0]["aqi"])

    def test_all_missing_is_na(self, make_frame: Frame) -> None:
        nan = dict.fromkeys(CLEAN, np.nan)
        row = hourly_aqi(one(make_frame, **nan), missing_rule="from_available").iloc[0]
        assert pd.isna(row["aqi"])


class TestEditionSwitch:
    """edition='auto': HJ 633-2026 from 2026-03-01 00:00 Asia/Shanghai."""

    def test_hourly_switches_at_the_label_2026_03_01_0000_cst(self, make_frame: Frame) -> None:
        frame = make_frame(
            [
                {"station": "A", "time": "2026-02-28 23:00", **CLEAN, "pm25": 70.0},
                {"station": "A", "time": "2026-03-01 00:00", **CLEAN, "pm25": 70.0},
            ]
        )
        out = hourly_aqi(frame)
        assert out["edition"].tolist() == ["2012", "2026"]
        assert out["aqi"].tolist() == [94, 110]  # PM2.5 70: 2012 table 75→100, 2026 table 60→100
        # the same instants in UTC
        assert out["time"].dt.strftime("%Y-%m-%dT%H:%MZ").tolist() == ["2026-02-28T15:00Z", "2026-02-28T16:00Z"]

    def test_explicit_edition_overrides(self, make_frame: Frame) -> None:
        frame = one(make_frame, time="2026-02-28 23:00", pm25=70)
        assert hourly_aqi(frame, edition="2026").iloc[0]["aqi"] == 110

    def test_daily_switches_with_the_natural_day(self) -> None:
        daily = pd.DataFrame(
            {
                "station": ["A", "A"],
                "date": pd.to_datetime(["2026-02-28", "2026-03-01"]),
                "so2": 5.0,
                "no2": 20.0,
                "co": 0.5,
                "pm10": 30.0,
                "pm25": 70.0,
                "o3_1h_max": 100.0,
                "o3_mda8": 80.0,
            }
        )
        out = daily_aqi(daily)
        assert out["edition"].tolist() == ["2012", "2026"]
        assert out["aqi"].tolist() == [94, 110]


class TestRealtime2012:
    def _series(self, make_frame: Frame, end: str, pm25_now: float) -> pd.DataFrame:
        times = pd.date_range(end=end, periods=24, freq="h").strftime("%Y-%m-%d %H:%M")
        rows = [{"station": "A", "time": t, **CLEAN, "pm25": 20.0} for t in times]
        rows[-1]["pm25"] = pm25_now
        return make_frame(rows)

    def test_pm_one_hour_from_2014(self, make_frame: Frame) -> None:
        out = hourly_aqi(self._series(make_frame, "2014-01-01 05:00", 300.0))
        assert out["aqi"].iloc[-1] == 350  # the 1-h PM2.5 300 on the 24-h table

    def test_pm_24h_moving_before_2014(self, make_frame: Frame) -> None:
        out = hourly_aqi(self._series(make_frame, "2013-12-31 20:00", 300.0))
        row = out.iloc[-1]
        assert row["pm25_24h"] == pytest.approx((23 * 20 + 300) / 24)
        assert row["iaqi_pm25"] == 46  # the 24-h mean 31.67 µg/m³: ceil(45.24), not the 1-h 300 (350)
        assert row["aqi"] == 46

    def test_switch_overrides_the_date(self, make_frame: Frame) -> None:
        out = hourly_aqi(self._series(make_frame, "2015-01-01 05:00", 300.0), pm_realtime="24h_moving")
        assert out["aqi"].iloc[-1] == 46
        assert pd.isna(out["aqi"].iloc[0])  # first hour: fewer than 20 hours in the window → missing

    def test_so2_above_800_reports_the_24h_iaqi(self, make_frame: Frame) -> None:
        times = pd.date_range(end="2020-01-02 05:00", periods=24, freq="h").strftime("%Y-%m-%d %H:%M")
        rows = [{"station": "A", "time": t, **CLEAN, "so2": 100.0} for t in times]
        rows[-1]["so2"] = 900.0
        out = hourly_aqi(make_frame(rows))
        row = out.iloc[-1]
        assert row["so2_24h"] == pytest.approx((23 * 100 + 900) / 24)
        assert row["iaqi_so2"] == 92  # 24-h table at 133.3 µg/m³: ceil(91.67) (Table 1 note 2)
        out26 = hourly_aqi(make_frame(rows), edition="2026")
        assert out26["iaqi_so2"].iloc[-1] == 200  # HJ 633-2026 Table 3 note 2

    def test_o3_8h_switch(self, make_frame: Frame) -> None:
        times = pd.date_range(end="2022-06-15 16:00", periods=8, freq="h").strftime("%Y-%m-%d %H:%M")
        rows = [{"station": "A", "time": t, **CLEAN, "o3": 180.0} for t in times]
        default = hourly_aqi(make_frame(rows)).iloc[-1]
        assert default["aqi"] == 75  # O3 1-h 180 only
        with_8h = hourly_aqi(make_frame(rows), o3_8h_realtime=True).iloc[-1]
        assert with_8h["iaqi_o3_8h"] == 119  # O3 8-h 180 on the 8-h table: ceil(118.18)
        assert with_8h["aqi"] == 119


class TestArraysAndInputs:
    def test_aqi_is_the_max_of_the_iaqis(self) -> None:
        res = aqi_arrays(
            {"SO2_1h": [5, 900], "NO2_1h": [300, 20], "O3_1h": [60, 60], "CO_1h": [1, 1], "PM10_1h": [20, 20],
             "PM2.5_1h": [10, 10]},
            edition="2026",
        )  # fmt: skip
        assert res.aqi.tolist() == [110, 200]
        assert res.primary.tolist() == [1 << 1, 1 << 0]  # NO2, SO2

    def test_naive_times_are_refused(self) -> None:
        frame = pd.DataFrame({"station": ["A"], "time": [pd.Timestamp("2020-01-01 10:00")], **CLEAN})
        with pytest.raises(InputError, match="no time zone"):
            hourly_aqi(frame)

    def test_duplicate_station_hours_are_refused(self, make_frame: Frame) -> None:
        frame = make_frame([{"station": "A", "time": "2013-06-01 10:00", **CLEAN}] * 2)
        with pytest.raises(InputError, match="twice"):
            hourly_aqi(frame, pm_realtime="24h_moving")

    def test_rows_come_back_sorted_by_series_and_time(self, make_frame: Frame) -> None:
        frame = make_frame(
            [
                {"station": "B", "time": "2026-03-10 02:00", **CLEAN},
                {"station": "A", "time": "2026-03-10 03:00", **CLEAN},
                {"station": "A", "time": "2026-03-10 01:00", **CLEAN},
            ]
        )
        out = hourly_aqi(frame)
        assert list(zip(out["station"], out["time"].dt.hour, strict=True)) == [("A", 17), ("A", 19), ("B", 18)]


def test_empty_frames_keep_their_columns(make_frame: Frame) -> None:
    frame = make_frame([{"station": "A", "time": "2026-03-10 14:00", **CLEAN}]).iloc[:0]
    hourly = hourly_aqi(frame)
    assert len(hourly) == 0
    assert {"aqi", "level", "primary", "iaqi_pm25"} <= set(hourly.columns)
    daily = daily_aqi(daily_values(frame))
    assert len(daily) == 0
    assert {"aqi", "level", "primary", "iaqi_o3_8h"} <= set(daily.columns)
