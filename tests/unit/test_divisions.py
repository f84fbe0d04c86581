"""The national reference data: every province, prefecture and county-level city of China with its GB/T 2260
code, and the city names sources such as CNEMC use resolved to them."""

from __future__ import annotations

import pytest

from xietong import region
from xietong.enums import DivisionLevel


def test_the_list_has_every_province_and_prefecture() -> None:
    levels = [d.level for d in region.divisions()]
    assert levels.count(DivisionLevel.PROVINCE) == 31  # 22 provinces, 5 autonomous regions, 4 municipalities
    assert (
        levels.count(DivisionLevel.PREFECTURE) == 333
    )  # NBS 2023: 293 cities, 7 prefectures, 30 aut. pref., 3 leagues
    codes = [d.code for d in region.divisions()]
    assert len(codes) == len(set(codes)) and all(len(c) == 6 and c.isdigit() for c in codes)


def test_dingzhou_and_xinji_are_hebei_cities_counted_in_their_prefectures() -> None:
    dingzhou = region.locate("定州市")
    xinji = region.locate("辛集")
    assert dingzhou is not None and xinji is not None
    assert (dingzhou.code, dingzhou.province_code, dingzhou.city_code) == ("130682", "130000", "130600")
    assert (xinji.code, xinji.province_code, xinji.city_code) == ("130181", "130000", "130100")
    assert dingzhou.level is DivisionLevel.COUNTY_CITY


@pytest.mark.parametrize(
    ("name", "code", "city"),
    [
        ("济源市", "419001", "419001"),  # province-managed (Henan): its own city
        ("五家渠市", "659004", "659004"),  # Xinjiang, administered by the region
        ("北京市", "110000", "110000"),  # a municipality is its own city
        ("阿克苏地区", "652900", "652900"),
        ("阿克苏", "652900", "652900"),
        ("嘉峪关市", "620200", "620200"),  # the prefecture wins over its namesake county-level unit
        ("巢湖市", "340181", "340100"),  # a prefecture until 2011, now a county-level city of Hefei
        ("130682", "130682", "130600"),
    ],
)
def test_source_city_names_resolve(name: str, code: str, city: str) -> None:
    found = region.locate(name)
    assert found is not None
    assert (found.code, found.city_code) == (code, city)


def test_unknown_names_do_not_resolve() -> None:
    assert region.locate("雄安") is None  # a jurisdiction of the exchange, not a division of the national list
    assert region.locate("Gotham") is None


def test_display_name_falls_back_to_the_national_list() -> None:
    assert region.display_name("510100") == "成都市"
    assert region.display_name("130600") == "保定市"
