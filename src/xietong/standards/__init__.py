"""Standards as data: one TOML file per edition, chosen explicitly or by the date in force.

Every standard Xietong implements lives in ``xietong/standards/<id>_<edition>.toml`` and is registered
in ``xietong/standards/index.toml`` with the date each edition took effect. Tables never change in
place: a new edition is a new file, and data of a date keep being computed under the edition that was in
force on that date.

>>> from datetime import date
>>> from xietong import standards
>>> standards.in_force("hj633", date(2026, 2, 28))
'2012'
>>> standards.in_force("hj633", date(2026, 3, 1))
'2026'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from xietong.errors import InputError, NotFoundError


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition of a standard: its id (``"2012"``), title and the first day it applies."""

    standard: str
    edition: str
    title: str
    effective: date
    source: str


@cache
def _index() -> dict[str, tuple[Edition, ...]]:
    raw = tomllib.loads(resources.files("xietong.standards").joinpath("index.toml").read_text("utf-8"))
    out: dict[str, tuple[Edition, ...]] = {}
    for std_id, spec in raw["standard"].items():
        editions = [
            Edition(std_id, str(e["edition"]), e["title"], e["effective"], e.get("source", ""))
            for e in spec["editions"]
        ]
        out[std_id] = tuple(sorted(editions, key=lambda e: e.effective))
    return out


def editions(standard: str) -> tuple[Edition, ...]:
    """All registered editions of ``standard``, oldest first."""
    try:
        return _index()[standard]
    except KeyError:
        raise NotFoundError(
            f"unknown standard {standard!r}", expected="one of " + ", ".join(sorted(_index()))
        ) from None


def edition_ids(standard: str) -> tuple[str, ...]:
    return tuple(e.edition for e in editions(standard))


def in_force(standard: str, on: date) -> str:
    """The edition of ``standard`` in force on the date ``on``.

    Dates before the first registered edition take the first edition (and are documented as such by
    the module that uses it).
    """
    chosen = editions(standard)[0]
    for e in editions(standard):
        if e.effective <= on:
            chosen = e
    return chosen.edition


def in_force_array(standard: str, days: np.ndarray) -> np.ndarray:
    """Vectorised :func:`in_force` over ``datetime64[D]`` days; returns an object array of edition ids."""
    eds = editions(standard)
    starts = np.array([np.datetime64(e.effective, "D") for e in eds])
    idx = np.searchsorted(starts, days.astype("datetime64[D]"), side="right") - 1
    idx = np.clip(idx, 0, len(eds) - 1)
    ids = np.array([e.edition for e in eds], dtype=object)
    return ids[idx]


def check_edition(standard: str, edition: str) -> str:
    """Validate an edition id (``"auto"`` is the caller's business); returns it unchanged."""
    known = edition_ids(standard)
    if edition not in known:
        raise InputError(f"unknown edition of {standard}", expected="one of " + ", ".join(known), given=repr(edition))
    return edition


@cache
def load(standard: str, edition: str) -> dict[str, Any]:
    """The parsed TOML table of one edition (cached; treat it as read-only)."""
    check_edition(standard, edition)
    name = f"{standard}_{edition}.toml"
    text = resources.files("xietong.standards").joinpath(name).read_text("utf-8")
    return tomllib.loads(text)


__all__ = ["Edition", "check_edition", "edition_ids", "editions", "in_force", "in_force_array", "load"]
