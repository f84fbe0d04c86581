"""GB/T 4754-2017 industry codes: sections (门类 A–T), divisions (大类 01–97) and their broad sector.

The table lives in ``xietong/industry/data/gbt4754_2017.toml`` with its sources. Codes are accepted as
a section letter (``C``), a division (``36``), a group (``361``) or a class (``3612``), each optionally
prefixed by its section letter (``C36``, ``C3612``). Xietong holds the standard down to divisions: a
group or class code is validated by its division (its first two digits), and its own name is not known.

>>> from xietong.industry import gbt4754
>>> gbt4754.normalise("C36")
'36'
>>> gbt4754.section_of("3612")
'C'
>>> gbt4754.broad_sector_of("43")  # repair of machinery counts as services (三次产业划分规定 2018)
<BroadSector.TERTIARY: 'tertiary'>
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xietong.errors import InputError, Location, Problem
from xietong.industry.enums import BroadSector

EDITION = "2017"
_CODE = re.compile(r"^(?P<letter>[A-Ta-t])?(?P<digits>\d{2,4})?$")


@dataclass(frozen=True, slots=True)
class Division:
    """One division (大类) of GB/T 4754-2017."""

    code: str
    section: str
    name_zh: str
    name_en: str
    broad_sector: BroadSector


@dataclass(frozen=True, slots=True)
class Section:
    """One section (门类) of GB/T 4754-2017 with its divisions."""

    code: str
    name_zh: str
    name_en: str
    divisions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Table:
    sections: dict[str, Section]
    divisions: dict[str, Division]
    source: str


@cache
def _table() -> _Table:
    text = resources.files("xietong.industry.data").joinpath(f"gbt4754_{EDITION}.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    divisions = {
        d["code"]: Division(d["code"], d["section"], d["name_zh"], d["name_en"], BroadSector(d["broad_sector"]))
        for d in raw["division"]
    }
    sections = {
        s["code"]: Section(
            s["code"], s["name_zh"], s["name_en"], tuple(c for c, d in divisions.items() if d.section == s["code"])
        )
        for s in raw["section"]
    }
    return _Table(sections, divisions, raw["source"])


def sections() -> tuple[Section, ...]:
    """The 20 sections, A to T."""
    return tuple(_table().sections.values())


def divisions() -> tuple[Division, ...]:
    """The 97 divisions, 01 to 97."""
    return tuple(_table().divisions.values())


def _parse(code: str) -> str | None:
    """The normalised code (``C`` or 2–4 digits) or ``None`` when ``code`` is not a known code."""
    text = str(code).strip().upper()
    m = _CODE.match(text)
    if not text or m is None:
        return None
    letter, digits = m.group("letter"), m.group("digits")
    table = _table()
    if digits is None:
        return letter if letter in table.sections else None
    division = table.divisions.get(digits[:2])
    if division is None:
        return None
    if letter is not None and division.section != letter:
        return None
    return digits


def is_valid(code: str) -> bool:
    """``True`` for a known section letter or a code whose division exists (see the module docstring)."""
    return _parse(code) is not None


def _unknown(code: str, where: Location | None) -> Problem:
    return Problem(
        "unknown GB/T 4754-2017 industry code",
        where or Location(),
        expected="a section letter A–T, or a division 01–97 (optionally with more digits for the group or "
        "class, and the section letter in front, e.g. C36 or 3612)",
        given=repr(code),
        hint="see docs/industry.md for the list of sections and divisions",
    )


def normalise(code: str, *, where: Location | None = None) -> str:
    """The code without its section letter (``C3612`` → ``3612``); a section letter stays a letter.

    Raises
    ------
    InputError
        When the code is not a GB/T 4754-2017 section or does not start with a known division, or when
        the letter given does not match the division's section (``A36``).
    """
    parsed = _parse(code)
    if parsed is None:
        p = _unknown(code, where)
        raise InputError(p.message, expected=p.expected, given=p.given, where=p.where, hint=p.hint)
    return parsed


def check_codes(codes: Iterable[str], *, source: str | None, field: str, first_row: int = 1) -> list[Problem]:
    """One :class:`Problem` per unknown code, naming the file, the 1-based row and the field."""
    problems = []
    for i, code in enumerate(codes):
        if _parse(code) is None:
            problems.append(_unknown(code, Location(source, first_row + i, field)))
    return problems


def division(code: str) -> Division:
    """The division a code belongs to (``3612`` → division 36). A section letter has no division."""
    parsed = normalise(code)
    if parsed.isalpha():
        raise InputError(
            "a section has no single division", expected="a division, group or class code", given=repr(code)
        )
    return _table().divisions[parsed[:2]]


def section_of(code: str) -> str:
    """The section letter of a code (``36`` → ``C``; ``C`` → ``C``)."""
    parsed = normalise(code)
    return parsed if parsed.isalpha() else _table().divisions[parsed[:2]].section


def broad_sector_of(code: str) -> BroadSector:
    """The broad sector of a division, group or class under 三次产业划分规定 (2018).

    A section letter maps by its majority rule (A primary; B, C, D, E secondary; F–T tertiary): the
    exceptions (05, 11, 43 are tertiary) need the division code.
    """
    parsed = normalise(code)
    if parsed.isalpha():
        if parsed == "A":
            return BroadSector.PRIMARY
        return BroadSector.SECONDARY if parsed in {"B", "C", "D", "E"} else BroadSector.TERTIARY
    return _table().divisions[parsed[:2]].broad_sector


def name(code: str, lang: str = "zh") -> str:
    """The name of a section or of the division of a code."""
    parsed = normalise(code)
    item: Section | Division = _table().sections[parsed] if parsed.isalpha() else _table().divisions[parsed[:2]]
    return item.name_zh if lang == "zh" else item.name_en


def matches(code: str, pattern: str) -> bool:
    """``True`` when ``code`` lies inside ``pattern``: same section letter, or ``pattern``'s digits are a
    prefix of ``code``'s (``3120`` lies inside ``31`` and ``312``)."""
    c, p = normalise(code), normalise(pattern)
    if p.isalpha():
        return section_of(c) == p
    return not c.isalpha() and c.startswith(p)


__all__ = [
    "EDITION",
    "Division",
    "Section",
    "broad_sector_of",
    "check_codes",
    "division",
    "divisions",
    "is_valid",
    "matches",
    "name",
    "normalise",
    "section_of",
    "sections",
]
