"""Where a station belongs: its city, province and the jurisdiction that publishes it, anywhere in China.

A station's city (as a source names it: a CNEMC ``area`` such as 保定市, 定州市, 阿坝藏族羌族自治州, or a GB/T
2260 code) resolves in two steps:

1. one of the 15 jurisdictions of the exchange (:func:`xietong.region.find`): that jurisdiction owns it;
2. otherwise a division of the national reference data (:func:`xietong.region.locate`): the station counts in
   the city the reference data assigns (定州市 130682 → 保定市 130600), and is owned by its province when the
   province is a jurisdiction (定州 and 辛集, county-level cities CNEMC lists as cities of their own, belong to
   Hebei); anywhere else it is an **external** station (``jurisdiction_code = None``), read by everyone and
   written only by a principal holding ``publish:external`` (a national-feed importer).
"""

from __future__ import annotations

from dataclasses import dataclass

from xietong import region
from xietong.air.domain import AirScope
from xietong.exchange.principals import Principal


@dataclass(frozen=True, slots=True)
class StationPlace:
    """GB/T 2260 codes of a station's city (for city statistics), source division and province, and its owner."""

    city_code: str
    division_code: str
    province_code: str
    jurisdiction_code: str | None

    @property
    def external(self) -> bool:
        return self.jurisdiction_code is None


def place_of(city: str) -> StationPlace | None:
    """Resolve a source's city name or code (``None`` when neither the exchange nor the national list knows it)."""
    key = (city or "").strip()
    if not key:
        return None
    member = region.find(key)
    if member is not None and member.jurisdiction:
        province = region.ancestors(member.code)[-1]
        return StationPlace(member.code, member.code, province, member.code)
    division = region.locate(key)
    if division is None:
        return None
    root = region.find(division.province_code)
    owner = root.code if root is not None and root.jurisdiction else None
    return StationPlace(division.city_code, division.code, division.province_code, owner)


def may_publish(principal: Principal, jurisdiction_code: str | None) -> bool:
    """Whether ``principal`` may write a station owned by ``jurisdiction_code`` (``None``: external)."""
    if jurisdiction_code is None:
        return principal.has(AirScope.PUBLISH_EXTERNAL)
    return principal.may_act_for(jurisdiction_code)


def owner_text(jurisdiction_code: str | None) -> str:
    """Who publishes a station, for messages."""
    if jurisdiction_code is None:
        return "a national-feed importer (scope publish:external): the station is outside the 15 jurisdictions"
    return f"a principal of {region.display_name(jurisdiction_code)}"


__all__ = ["StationPlace", "may_publish", "owner_text", "place_of"]
