"""Rules of the industry domain as data: one TOML file per edition, chosen explicitly or by date.

The registry is ``xietong/industry/data/rules/index.toml``; an edition's file is
``<rule>_<edition>.toml``. Rows that could not be confirmed against a source carry
``confirmed = false`` and a note; :func:`unconfirmed` lists them so that a caller can refuse them
(``strict=True`` in :mod:`xietong.industry.sharing` and :mod:`xietong.industry.siting`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from xietong.errors import InputError, NotFoundError


@dataclass(frozen=True, slots=True)
class RuleEdition:
    """One edition of a rule: id, title, first day it applies, and where it comes from."""

    rule: str
    edition: str
    title: str
    effective: date
    source: str


@cache
def _index() -> dict[str, tuple[RuleEdition, ...]]:
    text = resources.files("xietong.industry.data.rules").joinpath("index.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    out: dict[str, tuple[RuleEdition, ...]] = {}
    for rule_id, spec in raw["rule"].items():
        eds = [
            RuleEdition(rule_id, str(e["edition"]), e["title"], e["effective"], e["source"]) for e in spec["editions"]
        ]
        out[rule_id] = tuple(sorted(eds, key=lambda e: e.effective))
    return out


def editions(rule: str) -> tuple[RuleEdition, ...]:
    """The registered editions of ``rule``, oldest first."""
    try:
        return _index()[rule]
    except KeyError:
        raise NotFoundError(f"unknown rule {rule!r}", expected="one of " + ", ".join(sorted(_index()))) from None


def in_force(rule: str, on: date) -> str:
    """The edition in force on ``on``.

    Raises
    ------
    InputError
        When ``on`` is before the first edition: the rule did not exist yet.
    """
    eds = editions(rule)
    chosen = [e for e in eds if e.effective <= on]
    if not chosen:
        raise InputError(
            f"no edition of {rule} was in force on {on.isoformat()}",
            expected=f"a date on or after {eds[0].effective.isoformat()}",
            given=on.isoformat(),
        )
    return chosen[-1].edition


@cache
def load(rule: str, edition: str) -> dict[str, Any]:
    """The parsed TOML of one edition (cached; treat it as read-only)."""
    known = [e.edition for e in editions(rule)]
    if edition not in known:
        raise InputError(f"unknown edition of {rule}", expected="one of " + ", ".join(known), given=repr(edition))
    text = resources.files("xietong.industry.data.rules").joinpath(f"{rule}_{edition}.toml").read_text("utf-8")
    return tomllib.loads(text)


def unconfirmed(table: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of every sub-table of ``table`` marked ``confirmed = false``."""
    found = []
    for key, value in table.items():
        if isinstance(value, dict):
            path = f"{prefix}{key}"
            if value.get("confirmed") is False:
                found.append(path)
            found += unconfirmed(value, prefix=f"{path}.")
    return found


__all__ = ["RuleEdition", "editions", "in_force", "load", "unconfirmed"]
