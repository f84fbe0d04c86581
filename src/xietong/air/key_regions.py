"""The cities of the air-pollution key regions that the key-region warning rule sets cover (reference data).

``xietong/standards/key_regions.toml`` holds each list with its document and confirmation tag; this module
resolves the names to GB/T 2260 codes with the national reference data (:func:`xietong.region.locate`), so
that the warning recommendation and backtest can run read-only for the neighbours of the 15 jurisdictions
(Jinan, Zhengzhou, Taiyuan …) from their stations' data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xietong import region
from xietong.errors import InputError


@dataclass(frozen=True, slots=True)
class KeyRegion:
    """One list of key-region cities from one document.

    ``cities``: GB/T 2260 codes of the prefecture-level cities named; ``areas``: units named by the document
    that are not prefectures of the national list (雄安新区, 辛集市 …), kept as written; ``confirmed``:
    whether the list was checked against its source (see the TOML file's header).
    """

    id: str
    name_zh: str
    name_en: str
    source: str
    confirmed: bool
    cities: tuple[str, ...]
    areas: tuple[str, ...]


@cache
def _raw() -> dict[str, object]:
    text = resources.files("xietong.standards").joinpath("key_regions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def key_regions() -> tuple[KeyRegion, ...]:
    """Every list of the reference file, in file order."""
    out = []
    for item in _raw()["region"]:  # type: ignore[attr-defined]
        codes = []
        for name in item["cities"]:
            found = region.locate(name)
            if found is None:  # a typo in the data file: fail loudly, never drop a city silently
                raise InputError(
                    f"key region {item['id']}: city {name!r} is not in the national reference data",
                    expected="an official name of xietong/data/divisions_cn.csv",
                    given=repr(name),
                )
            codes.append(found.code)
        out.append(
            KeyRegion(
                id=item["id"],
                name_zh=item["name_zh"],
                name_en=item["name_en"],
                source=item["source"],
                confirmed=bool(item["confirmed"]),
                cities=tuple(codes),
                areas=tuple(item.get("areas", ())),
            )
        )
    return tuple(out)


def regions_of_rules(rule_set: str) -> tuple[KeyRegion, ...]:
    """The key-region lists a warning rule set covers (empty for a rule set without such a list)."""
    wanted = _raw().get("rules", {}).get(rule_set, {}).get("regions", [])  # type: ignore[attr-defined]
    by_id = {r.id: r for r in key_regions()}
    return tuple(by_id[i] for i in wanted)


def cities_of_rules(rule_set: str) -> tuple[str, ...]:
    """GB/T 2260 codes of every city a rule set covers, sorted (the 15 jurisdictions' cities included)."""
    return tuple(sorted({c for r in regions_of_rules(rule_set) for c in r.cities}))


def neighbours_of_rules(rule_set: str) -> tuple[str, ...]:
    """The cities a rule set covers that are not jurisdictions of the exchange: read-only for the exchange."""
    return tuple(c for c in cities_of_rules(rule_set) if not _is_jurisdiction(c))


def _is_jurisdiction(code: str) -> bool:
    r = region.find(code)
    return r is not None and r.jurisdiction


__all__ = ["KeyRegion", "cities_of_rules", "key_regions", "neighbours_of_rules", "regions_of_rules"]
