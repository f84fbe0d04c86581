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

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xietong.enums import DivisionLevel, JurisdictionLevel
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
    """The name of a jurisdiction or neighbour, or (Chinese only) of any division of China by its code."""
    r = find(code)
    if r is None:
        d = division(code)
        if d is not None:
            return d.name_zh
        r = get(code)  # raises with the list of known codes
    return r.name_zh if lang == "zh" else r.name_en


# -- every division of China (national reference data) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Division:
    """A province, prefecture or county-level city of China (``xietong/data/divisions_cn.csv``).

    Attributes
    ----------
    code: GB/T 2260 code, 6 digits.
    name_zh: official name (定州市, 阿坝藏族羌族自治州).
    level: :class:`~xietong.enums.DivisionLevel`.
    province_code: the province-level division it lies in (its own code for a province).
    prefecture_code: the prefecture the reference data places it in (``None`` for a province-managed unit
        and a province); a municipality's own code for a county-level city inside it.
    """

    code: str
    name_zh: str
    level: DivisionLevel
    province_code: str
    prefecture_code: str | None

    @property
    def city_code(self) -> str:
        """The city this division counts in for city statistics: its prefecture, else itself.

        定州市 (130682) → 保定市 (130600), the prefecture the national list assigns it to; 济源市 (419001), a
        province-managed city, → itself; 北京市 → itself.
        """
        return self.prefecture_code or self.code


_LEVEL_PREFERENCE = {
    DivisionLevel.PROVINCE: 0,
    DivisionLevel.PREFECTURE: 1,
    DivisionLevel.PROVINCE_MANAGED: 2,
    DivisionLevel.COUNTY_CITY: 3,
}
#: suffixes of prefecture-level names that sources drop (阿坝州, 大兴安岭, 定州)
_SUFFIXES = ("市", "地区", "盟")


@cache
def _divisions() -> tuple[Division, ...]:
    text = resources.files("xietong.data").joinpath("divisions_cn.csv").read_text(encoding="utf-8")
    body = io.StringIO("".join(line for line in text.splitlines(keepends=True) if not line.startswith("#")))
    return tuple(
        Division(
            code=row["code"],
            name_zh=row["name_zh"],
            level=DivisionLevel(row["level"]),
            province_code=row["province_code"],
            prefecture_code=row["prefecture_code"] or None,
        )
        for row in csv.DictReader(body)
    )


@cache
def _division_index() -> tuple[dict[str, Division], dict[str, Division]]:
    by_code = {d.code: d for d in _divisions()}
    by_name: dict[str, Division] = {}
    for d in sorted(_divisions(), key=lambda d: (_LEVEL_PREFERENCE[d.level], d.code)):
        keys = {
            d.name_zh,
            *(d.name_zh.removesuffix(s) for s in _SUFFIXES if d.name_zh.endswith(s) and len(d.name_zh) > 2),
        }
        for key in keys:
            by_name.setdefault(key, d)  # the higher level wins a shared name (嘉峪关市 the prefecture)
    return by_code, by_name


def divisions() -> tuple[Division, ...]:
    """Every division of the national reference data, in code order."""
    return _divisions()


def division(code: str) -> Division | None:
    """The division with this GB/T 2260 code, or ``None``."""
    return _division_index()[0].get(code.strip())


def locate(name: str) -> Division | None:
    """The division a source's city name means, or ``None`` when the reference data has no such name.

    Accepts the official name (定州市, 湘西土家族苗族自治州), a GB/T 2260 code, and the short forms sources
    use without 市/地区/盟 (定州, 阿克苏). A jurisdiction's alias (雄安) resolves through :func:`find` first:
    Xiong'an New Area is a jurisdiction of the exchange but not a division of the national list.
    """
    key = name.strip()
    by_code, by_name = _division_index()
    found = by_code.get(key) or by_name.get(key)
    if found is None:
        r = find(key)
        if r is not None:
            found = by_code.get(r.code)
    return found


__all__ = [
    "Division",
    "Region",
    "ancestors",
    "display_name",
    "division",
    "divisions",
    "find",
    "get",
    "is_within",
    "jurisdictions",
    "locate",
    "places",
]
