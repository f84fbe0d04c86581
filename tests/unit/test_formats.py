"""Reading the air-quality formats: detection, units, flags, errors with file/row/field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA
from xietong.air.formats import (
    AirFormat,
    SourceInfo,
    detect_format,
    read_observations,
    read_station_list,
)
from xietong.errors import FormatDetectionError

UCI = DATA / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv"
HOURLY = DATA / "air" / "cnemc_hourly_2026-03-10T14_sample.csv"


def _read(path: Path, fmt: AirFormat):  # type: ignore[no-untyped-def]
    chunks = list(read_observations(path, fmt, SourceInfo(path.name, None)))
    assert len(chunks) == 1
    return chunks[0]


def test_detection_by_header(tmp_path: Path) -> None:
    assert detect_format(UCI) is AirFormat.UCI
    assert detect_format(HOURLY) is AirFormat.CNEMC_HOURLY
    wide = tmp_path / "china_sites_20160101.csv"
    wide.write_text("date,hour,type,1001A,1002A\n")
    assert detect_format(wide) is AirFormat.CNEMC_WIDE
    canon = tmp_path / "x.csv"
    canon.write_text("station,time,pollutant,value,unit\n")
    assert detect_format(canon) is AirFormat.CANONICAL
    bom = tmp_path / "list.csv"
    bom.write_text("\ufeff监测点编码,监测点名称,城市,经度,纬度,对照点\n", encoding="utf-8")
    assert detect_format(bom) is AirFormat.CNEMC_STATIONS
    with pytest.raises(FormatDetectionError, match="row 1"):
        detect_format(_write(tmp_path / "y.csv", "a,b\n"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_uci_co_is_converted_and_hours_are_labels() -> None:
    chunk = _read(UCI, AirFormat.UCI)
    v = chunk.values
    assert len(v) == 14 * 24
    first = v.iloc[0]
    assert first["station"] == "1003A"
    # 2016-12-10 hour 0 -> label 2016-12-10 00:00 CST -> 2016-12-09 16:00 UTC
    assert first["time_s"] == int(np.datetime64("2016-12-09T16:00", "s").astype("int64"))
    assert first["co"] == pytest.approx(1.3)
    assert first["pm25"] == 71.0


def test_cnemc_hourly_flags_not_monitored_and_keeps_published() -> None:
    chunk = _read(HOURLY, AirFormat.CNEMC_HOURLY)
    v = chunk.values.set_index("station")
    # 2475A publishes CO as "/" (not in its programme): flag 2 in the CO bits (index 3)
    assert np.isnan(v.loc["2475A", "co"])
    assert (int(v.loc["2475A", "flag_bits"]) >> 6) & 3 == 2
    # 1854A: NO2 "NA" is simply missing
    assert np.isnan(v.loc["1854A", "no2"])
    assert int(v.loc["1854A", "flag_bits"]) == 0
    pub = chunk.published
    aqi = pub[(pub["station"] == "1854A") & (pub["variable"] == "AQI")]
    assert aqi.empty  # published AQI NA -> nothing to keep
    assert set(pub["variable"]) >= {"AQI", "primary_pollutant", "PM2.5_24h", "O3_8h"}


def test_cnemc_wide_splits_observations_from_published(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "china_sites_20161216.csv",
        "date,hour,type,1001A,1002A\n"
        "20161216,0,AQI,320,\n"
        "20161216,0,PM2.5,270,180\n"
        "20161216,0,PM2.5_24h,250,170\n"
        "20161216,0,CO,3.4,/\n"
        "20161216,1,PM2.5,280,\n",
    )
    chunk = _read(path, AirFormat.CNEMC_WIDE)
    v = chunk.values.set_index(["station", "time_s"]).sort_index()
    assert len(v) == 3  # 1001A at 0 and 1, 1002A at 0
    assert v["pm25"].tolist() == [270.0, 280.0, 180.0]
    assert (int(v.loc[("1002A",)].iloc[0]["flag_bits"]) >> 6) & 3 == 2
    assert sorted(chunk.published["variable"].unique()) == ["AQI", "PM2.5_24h"]


def test_non_numbers_and_negatives_name_row_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "w.csv",
        "date,hour,type,1001A\n20161216,0,PM2.5,12x\n20161216,1,SO2,-2\n20161216,2,CO,800\n",
    )
    chunk = _read(path, AirFormat.CNEMC_WIDE)
    described = [p.describe() for p in chunk.problems]
    assert any("not a number" in d and "row 2" in d and "'1001A'" in d for d in described)
    assert any("negative SO2" in d and "row 3" in d for d in described)
    assert any("looks like µg/m³" in d and "row 4" in d for d in described)
    assert chunk.values.empty


def test_station_list() -> None:
    path = Path(__file__).parents[2] / "src" / "xietong" / "data" / "cnemc_station_list_jjj.csv"
    records = read_station_list(path, SourceInfo(path.name, None))
    assert len(records) == 136
    dingling = next(r for r in records if r.code == "1002A")
    assert dingling.background and dingling.city == "北京"
    no_coords = next(r for r in records if r.code == "1045A")
    assert no_coords.lon is None and no_coords.lat is None
