"""Modelled road times (malin84): mapping to region codes, symmetry, missing pairs said, not dropped."""

from __future__ import annotations

import math

import pytest

from xietong.errors import InputError, UnknownJurisdictionError
from xietong.transit.road import ROAD_SOURCE, road_time, road_time_min, road_times

JJJ_13 = {"110000", "120000", *(f"13{i:02d}00" for i in range(1, 12))}


def test_table_has_every_pair_both_ways_and_says_modelled() -> None:
    t = road_times(2024)
    assert len(t) == 2 * 89  # 78 JJJ pairs + 11 Taiyuan pairs in the file, both directions
    assert set(t["origin_code"]) == JJJ_13 | {"140100"}
    assert (t["source"] == ROAD_SOURCE).all() and "modelled" in ROAD_SOURCE
    assert (t["road_min"] > 0).all()
    back = t.set_index(["destination_code", "origin_code"])["road_min"]
    fwd = t.set_index(["origin_code", "destination_code"])["road_min"]
    assert (fwd.sort_index().to_numpy() == back.sort_index().to_numpy()).all()


def test_value_from_the_file_in_minutes() -> None:
    # row "1101,1201,1.22869162480532,1.17229666807434" of the malin84 file [h]
    assert road_time_min("北京", "天津", 2024)[0] == pytest.approx(1.17229666807434 * 60)
    assert road_time_min("120000", "110000", 1994)[0] == pytest.approx(1.22869162480532 * 60)
    # "1301,1401,...,2.05080825162729": Shijiazhuang–Taiyuan
    assert road_time_min("太原", "石家庄")[0] == pytest.approx(2.05080825162729 * 60)


@pytest.mark.parametrize("city", ["济南", "郑州", "雄安新区"])
def test_places_outside_the_table_give_nan_with_a_reason(city: str) -> None:
    minutes, note = road_time_min("石家庄", city)
    assert math.isnan(minutes)
    assert note.startswith("no road data") and "malin84" in note
    assert not road_time("石家庄", city).available


def test_pair_absent_between_covered_cities_is_named() -> None:
    minutes, note = road_time_min("太原", "廊坊")
    assert math.isnan(minutes)
    assert "太原–廊坊" in note


def test_same_city_is_zero_and_errors() -> None:
    assert road_time_min("石家庄", "130100") == (0.0, "")
    with pytest.raises(InputError, match="1994, 2024"):
        road_times(2010)
    with pytest.raises(UnknownJurisdictionError):
        road_time_min("石家庄", "上海")
