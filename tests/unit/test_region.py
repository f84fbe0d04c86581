"""Region reference data: the 15 jurisdictions of the exchange."""

from __future__ import annotations

import pytest

from xietong import region
from xietong.errors import UnknownJurisdictionError


def test_fifteen_jurisdictions_with_both_names() -> None:
    items = region.jurisdictions()
    assert len(items) == 15
    assert [r.code for r in items][:3] == ["110000", "120000", "130000"]
    hebei_cities = [r for r in items if r.parent == "130000"]
    assert len(hebei_cities) == 12  # 11 prefecture-level cities and Xiong'an New Area
    assert {r.code for r in hebei_cities} >= {f"13{n:02d}00" for n in range(1, 12)}
    assert all(r.name_zh and r.name_en for r in items)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("石家庄", "130100"),
        ("石家庄市", "130100"),
        ("shijiazhuang", "130100"),
        ("130100", "130100"),
        ("北京", "110000"),
        ("雄安新区", "133100"),
    ],
)
def test_lookup_by_code_name_or_alias(key: str, code: str) -> None:
    assert region.get(key).code == code


def test_unknown_names_say_what_is_accepted() -> None:
    with pytest.raises(UnknownJurisdictionError, match="130100 石家庄市") as caught:
        region.get("Gotham")
    assert isinstance(caught.value, KeyError)


def test_containment() -> None:
    assert region.is_within("130100", "130000")
    assert region.is_within("133100", "130000")
    assert not region.is_within("110000", "130000")
    assert region.ancestors("130600") == ("130600", "130000")


def test_points_lie_in_the_region() -> None:
    for r in region.places():
        assert 110 < r.lon < 121 and 34 < r.lat < 42, r


def test_neighbouring_capitals_are_places_not_jurisdictions() -> None:
    codes = {r.code for r in region.places()} - {r.code for r in region.jurisdictions()}
    assert codes == {"140100", "370100", "410100"}
