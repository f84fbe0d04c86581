"""Station registry: 12306 list + coordinates + cities, on trimmed real samples (tests/data/NOTICE.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xietong import region
from xietong.errors import InputError
from xietong.transit.stations import (
    LocationSource,
    haversine_km,
    name_stop_id,
    normalise_name,
    read_station_registry,
)

DATA = Path(__file__).parents[2] / "data" / "transit" / "rail" / "stations"
STATIONS = DATA / "12306_stations_2026-01_sample.csv"
COORDS = DATA / "station_coords_heywhale_2021_sample.csv"


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return read_station_registry(STATIONS, COORDS)


def test_suffix_variants_resolve_to_one_station(registry) -> None:  # type: ignore[no-untyped-def]
    assert normalise_name(" 北京西站 ") == "北京西"
    assert registry.lookup("北京西站")["stop_id"] == "BXP"
    assert registry.lookup("北京西")["stop_id"] == "BXP"
    assert registry.lookup("石家庄")["stop_id"] == "SJP"
    assert registry.lookup("石家庄站")["stop_id"] == "SJP"


def test_stations_carry_their_city_code(registry) -> None:  # type: ignore[no-untyped-def]
    row = registry.lookup("正定机场")
    assert (row["city_name"], row["city_code"]) == ("石家庄", "130100")
    assert registry.lookup("涿州东")["city_code"] == "130600"  # 12306 groups Zhuozhou under Baoding
    assert registry.lookup("郑州东")["city_code"] == "410100"
    assert registry.lookup("济南西")["city_code"] == "370100"
    # outside the region and without the prefecture table: the 12306 grouping, no code
    assert (registry.lookup("南京南")["city_name"], registry.lookup("南京南")["city_code"]) == ("南京", "")


def test_coordinates_from_the_coordinate_file(registry) -> None:  # type: ignore[no-untyped-def]
    row = registry.lookup("北京西")
    assert row["location_source"] == LocationSource.COORDINATES
    # the WGS-84 columns of station_coords_heywhale_2021.csv for 北京西
    assert (round(row["stop_lat"], 6), round(row["stop_lon"], 6)) == (39.893457, 116.315031)


def test_missing_coordinates_fall_back_to_the_flagged_city_point(registry) -> None:  # type: ignore[no-untyped-def]
    row = registry.lookup("保定东")  # left out of the coordinate sample on purpose
    assert row["location_source"] == LocationSource.CITY_POINT
    assert row["location_note"] == "not in the coordinate file"
    baoding = region.get("130600")
    assert (row["stop_lat"], row["stop_lon"]) == (baoding.lat, baoding.lon)
    # not in the coordinate file and a city outside the region (no point without the prefecture table)
    wz = registry.lookup("万州北")
    assert wz["location_source"] == LocationSource.NONE
    assert pd.isna(wz["stop_lat"])


def test_unknown_names_get_a_stable_name_derived_id(registry) -> None:  # type: ignore[no-untyped-def]
    resolved = registry.resolve(pd.Series(["徐水东", "徐水东站", "北京西站"]))
    assert len(resolved) == 2
    xs = resolved.set_index("stop_name").loc["徐水东"]
    assert xs["stop_id"] == name_stop_id("徐水东") == name_stop_id("徐水东站")
    assert xs["stop_id"].startswith("XT")
    assert not xs["known"]
    assert xs["location_source"] == LocationSource.NONE


def test_wrong_geocode_far_from_the_city_is_replaced(tmp_path: Path) -> None:
    coords = tmp_path / "coords.csv"
    text = COORDS.read_text(encoding="utf-8-sig")
    # move 石家庄's point to Xinjiang (as the coordinate file does for 北屯 in Baoding)
    lines = [
        line.replace(line.split(",")[10] + "," + line.split(",")[11], "87.7585,47.3220")
        if line.split(",")[1] == "石家庄"
        else line
        for line in text.splitlines()
    ]
    coords.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = read_station_registry(STATIONS, coords)
    row = reg.lookup("石家庄")
    assert row["location_source"] == LocationSource.CITY_POINT
    assert "km from the 石家庄 city point" in row["location_note"]


def test_prefecture_table_gives_codes_outside_the_region(tmp_path: Path) -> None:
    # three rows of malin84_cityinfo_279_prefectures.csv (tests/data/NOTICE.md)
    pref = tmp_path / "pref.csv"
    pref.write_text(
        "id,dzcode,coord_long,coord_lat,pos_x,pos_y,cityname_chn,cityname_eng,cpop2000,cpop2010,upop2000,"
        "upop2010,cityclass\n"
        "71,3205,120.58,31.299999,8908,5531,苏州市,Suzhou1,679.22388,1046.6,387.72809,732.95142,6\n"
        "135,3709,117.08,36.200001,8186,4508,泰安市,Taian,533.46307,549.41998,208.5047,276.62091,4\n",
        encoding="utf-8",
    )
    reg = read_station_registry(STATIONS, COORDS, prefectures_csv=pref)
    assert reg.lookup("苏州北")["city_code"] == "320500"
    assert reg.lookup("泰山")["city_code"] == "370900"


def test_bad_station_file_names_file_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "stations.csv"
    bad.write_text("station_name,telecode,city\n北京西,BXP,北京\n石家庄,,石家庄\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_station_registry(bad)
    assert err.value.problem.where.row == 3
    assert err.value.problem.where.field == "telecode"
    assert str(bad) in str(err.value)
    missing = tmp_path / "nocity.csv"
    missing.write_text("station_name,telecode\n北京西,BXP\n", encoding="utf-8")
    with pytest.raises(InputError, match="city"):
        read_station_registry(missing)
    coords = tmp_path / "coords.csv"
    coords.write_text("站名,WGS84_Lng,WGS84_Lat\n北京西,east,39.9\n", encoding="utf-8")
    with pytest.raises(InputError) as err2:
        read_station_registry(STATIONS, coords)
    assert (err2.value.problem.where.row, err2.value.problem.where.field) == (2, "WGS84_Lng")


def test_haversine_one_degree_of_latitude() -> None:
    # one degree along a meridian on the mean-radius sphere: 2πR/360 = 111.195 km
    assert haversine_km(39.0, 116.0, 40.0, 116.0) == pytest.approx(111.195, abs=0.001)
