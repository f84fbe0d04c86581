"""Jurisdictions and cities of the Beijing–Tianjin–Hebei region (reference data).

The data live in ``xietong/data/regions.toml``: GB/T 2260 codes, Chinese and English names, the parent
jurisdiction and a representative point. Fifteen jurisdictions take part in the exchange: Beijing,
Tianjin, Hebei, Hebei's eleven prefecture-level cities and Xiong'an New Area. The neighbouring
provincial capitals (Taiyuan, Jinan, Zhengzhou) are known as places (transport targets), not as
jurisdictions.

>>> from xietong import region
>>> region.get("石家庄").code
'130100'
>>> region.get("130100").parent
'130000'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xietong.enums import JurisdictionLevel
from xietong.errors import UnknownJurisdictionError


@dataclass(frozen=True, slots=True)
class Region:
    """A jurisdiction or a neighbouring city.

    Attributes
    ----------
    code: GB/T 2260 code, 6 digits.
    name_zh, name_en: names.
    level: province, city or new_area.
    parent: code of the parent jurisdiction (``None`` for province-level ones).
    lon, lat: representative point [degrees, WGS-84].
    aliases: other spellings (CNEMC city names without 市, English …).
    jurisdiction: ``True`` for the 15 members of the exchange.
    """

    code: str
    name_zh: str
    name_en: str
    level: JurisdictionLevel
    parent: str | None
    lon: float
    lat: float
    aliases: tuple[str, ...]
    jurisdiction: bool

    @property
    def short_zh(self) -> str:
        """The name without 市 (北京, 石家庄), as CNEMC and everyday use write it."""
        return self.name_zh.removesuffix("市")

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "level": self.level.value,
            "parent": self.parent,
            "lon": self.lon,
            "lat": self.lat,
            "jurisdiction": self.jurisdiction,
        }


@cache
def _load() -> tuple[Region, ...]:
    text = resources.files("xietong.data").joinpath("regions.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    out: list[Region] = []
    for key, member in (("jurisdiction", True), ("neighbour", False)):
        for item in raw[key]:
            lon, lat = item["point"]
            out.append(
                Region(
                    code=item["code"],
                    name_zh=item["name_zh"],
                    name_en=item["name_en"],
                    level=JurisdictionLevel(item["level"]),
                    parent=item.get("parent"),
                    lon=float(lon),
                    lat=float(lat),
                    aliases=tuple(item.get("aliases", ())),
                    jurisdiction=member,
                )
            )
    return tuple(out)


@cache
def _index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for r in _load():
        for key in (r.code, r.name_zh, r.name_en, *r.aliases):
            index[key.casefold()] = r
    return index


def jurisdictions() -> tuple[Region, ...]:
    """The 15 jurisdictions of the exchange, in code order."""
    return tuple(sorted((r for r in _load() if r.jurisdiction), key=lambda r: r.code))


def places() -> tuple[Region, ...]:
    """All known places: the 15 jurisdictions and the neighbouring provincial capitals."""
    return tuple(sorted(_load(), key=lambda r: r.code))


def get(key: str) -> Region:
    """Look a region up by code, Chinese or English name, or alias (case-insensitive).

    Raises
    ------
    UnknownJurisdictionError
        With the list of accepted names.
    """
    found = _index().get(key.strip().casefold())
    if found is None:
        known = ", ".join(f"{r.code} {r.name_zh}" for r in places())
        raise UnknownJurisdictionError(
            "unknown jurisdiction or city",
            expected=f"a GB/T 2260 code or name, one of: {known}",
            given=repr(key),
            hint="run `xietong region list` to see the codes",
        )
    return found


def find(key: str) -> Region | None:
    """Like :func:`get` but returns ``None`` for an unknown key."""
    return _index().get(key.strip().casefold())


def ancestors(code: str) -> tuple[str, ...]:
    """Codes from ``code`` up to its province-level root, ``code`` first."""
    chain = [code]
    current = get(code)
    while current.parent is not None:
        chain.append(current.parent)
        current = get(current.parent)
    return tuple(chain)


def is_within(code: str, ancestor: str) -> bool:
    """``True`` when ``code`` is ``ancestor`` or lies inside it (Shijiazhuang is within Hebei)."""
    return ancestor in ancestors(code)


def display_name(code: str, lang: str = "zh") -> str:
    r = get(code)
    return r.name_zh if lang == "zh" else r.name_en


__all__ = [
    "Region",
    "ancestors",
    "display_name",
    "find",
    "get",
    "is_within",
    "jurisdictions",
    "places",
]
