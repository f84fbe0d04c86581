"""Indicators: values the platform computes from the store, to which agreement tasks (and the dashboard) bind.

An :class:`Indicator` has a key (``"warnings.issued_through_consultation"``), a name, a description, a
unit, a comparator and default target, the parameters it takes, and a compute function
``compute(ctx) -> Reading`` that reads the store (``ctx.store``) with the parameters of one series
(``ctx.params``) and returns the value, the time of the newest data it reflects, and details.

Domains *provide* indicators through the domain contract (``indicators = "package.module:function"`` in
their :class:`xietong.domains.Domain`); the agreements domain and the dashboard *consume* them through
:func:`default_registry`, so a domain's numbers reach every other domain without an import between them::

    # src/xietong/transit/indicators.py
    from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading

    def indicators() -> list[Indicator]:
        return [Indicator(key="transit.rail_travel_time", name="Fastest rail trip", unit="min", …,
                          comparator=Comparator.LE, target=90, params=(…), compute=_travel_time)]

``docs/agreements.md`` ("Indicators") walks through binding a task to one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from xietong import domains, region
from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, NotFoundError
from xietong.exchange.principals import Principal
from xietong.store.session import Store


class Comparator(StrEnum):
    """How a value is compared with its target."""

    GE = "ge"
    LE = "le"
    GT = "gt"
    LT = "lt"
    EQ = "eq"

    @property
    def symbol(self) -> str:
        return {"ge": "≥", "le": "≤", "gt": ">", "lt": "<", "eq": "="}[self.value]

    def met(self, value: float | None, target: float) -> bool | None:
        """Whether ``value`` meets ``target``; ``None`` when there is no value."""
        if value is None or not math.isfinite(value):
            return None
        return {
            Comparator.GE: value >= target,
            Comparator.LE: value <= target,
            Comparator.GT: value > target,
            Comparator.LT: value < target,
            Comparator.EQ: value == target,
        }[self]

    @classmethod
    def parse(cls, text: str) -> Comparator:
        key = str(text).strip().lower()
        for c in cls:
            if key in {c.value, c.symbol, {"ge": ">=", "le": "<=", "eq": "=="}.get(c.value, c.symbol)}:
                return c
        raise InputError(
            "unknown comparator",
            expected=", ".join(f"{c.value} ({c.symbol})" for c in cls),
            given=repr(text),
        )


class ParamKind(StrEnum):
    """Kinds of indicator parameters; each is normalised so that equal series have equal parameters."""

    JURISDICTION = "jurisdiction"  # a code or name -> the GB/T 2260 code
    DAY = "day"  # YYYY-MM-DD (China Standard Time)
    NUMBER = "number"  # a finite number -> its shortest repr ("75", "0.5")
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter of an indicator. Values are strings, normalised by :meth:`normalise`."""

    name: str
    kind: ParamKind
    description: str
    required: bool = False
    default: str | None = None

    def normalise(self, value: object, indicator: str) -> str:
        text = str(value).strip()
        where = f"parameter {self.name!r} of indicator {indicator}"
        if self.kind is ParamKind.JURISDICTION:
            return region.get(text).code
        if self.kind is ParamKind.DAY:
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise InputError(f"invalid {where}", expected="a day YYYY-MM-DD", given=repr(value)) from None
        if self.kind is ParamKind.NUMBER:
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise InputError(f"invalid {where}", expected="a number", given=repr(value))
            return f"{number:g}" if number == int(number) and abs(number) < 1e15 else repr(number)
        if not text:
            raise InputError(f"empty {where}", expected="some text", given="''")
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "description": self.description,
            "required": self.required,
            "default": self.default,
        }


@dataclass(frozen=True, slots=True)
class Reading:
    """A computed value [the indicator's unit]; ``None`` when the store holds nothing to compute it from.

    ``as_of`` is the time of the newest data the value reflects (aware, UTC), ``details`` what a reader
    needs to check it (counts, ids, the period).
    """

    value: float | None
    as_of: dt.datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    """What a compute function gets: the store, the series' normalised parameters, who asked, and when."""

    store: Store
    params: Mapping[str, str]
    principal: Principal
    now: dt.datetime


Compute = Callable[[Context], Reading]


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator the platform computes.

    Parameters
    ----------
    key:
        Unique, dotted, prefixed by the module: ``air.…``, ``warnings.…``, ``transit.…``, ``water.…``.
    name, description:
        For people: what is counted or measured, from which data, with which rule.
    unit:
        Of the value and the target: ``warnings``, ``days``, ``min``, ``%`` …
    comparator, target:
        The default comparison of a binding (a binding may give its own target, and must when
        ``target`` is ``None``).
    compute:
        ``(Context) -> Reading``; reads the store, never writes.
    params:
        The parameters a series takes (a city, a period, a limit …).
    """

    key: str
    name: str
    description: str
    unit: str
    comparator: Comparator
    target: float | None
    compute: Compute
    params: tuple[Param, ...] = ()
    module: str = ""

    def normalise(self, params: Mapping[str, object] | None) -> dict[str, str]:
        """Parameters checked against :attr:`params`, defaults filled in, values normalised."""
        given = {str(k).strip(): v for k, v in (params or {}).items() if v is not None and str(v).strip() != ""}
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise InputError(
                f"indicator {self.key} has no parameter {', '.join(unknown)}",
                expected=", ".join(known) or "no parameters",
                given=", ".join(unknown),
            )
        out: dict[str, str] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = p.normalise(given[p.name], self.key)
            elif p.default is not None:
                out[p.name] = p.normalise(p.default, self.key)
            elif p.required:
                raise InputError(
                    f"indicator {self.key} needs the parameter {p.name!r}",
                    expected=p.description,
                    given="nothing",
                )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "comparator": self.comparator.value,
            "target": self.target,
            "params": [p.as_dict() for p in self.params],
            "module": self.module,
        }


def parse_params(items: Iterable[str]) -> dict[str, str]:
    """``["city=北京", "from=2026-01-01"]`` (CLI ``--param``, API ``param=``) as a mapping."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError("invalid indicator parameter", expected="name=value, e.g. city=北京", given=repr(item))
        out[name.strip()] = value.strip()
    return out


def params_key(params: Mapping[str, str]) -> str:
    """The canonical JSON of normalised parameters: the identity of a series in the store."""
    return json.dumps(dict(params), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Registry:
    """A fixed set of indicators, looked up by key."""

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self._by_key: dict[str, Indicator] = {}
        for ind in indicators:
            if ind.key in self._by_key:
                raise InputError(
                    f"two indicators share the key {ind.key!r}",
                    expected="one indicator per key",
                    given=f"{self._by_key[ind.key].module or '?'} and {ind.module or '?'}",
                    hint="prefix keys with the domain name: air., warnings., transit., water.",
                )
            self._by_key[ind.key] = ind

    def get(self, key: str) -> Indicator:
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(
                f"no indicator {key!r}",
                expected="one of " + ", ".join(sorted(self._by_key)),
                given=repr(key),
                hint="list them with `xietong agreements indicators list`",
            ) from None

    def __iter__(self) -> Iterator[Indicator]:
        return iter(sorted(self._by_key.values(), key=lambda i: i.key))

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __len__(self) -> int:
        return len(self._by_key)


def day_bounds(params: Mapping[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from``/``to`` days (CST, both inclusive) as [start, end) instants in UTC."""
    start = end = None
    if "from" in params:
        start = dt.datetime.combine(dt.date.fromisoformat(params["from"]), dt.time(0), DISPLAY_TZ).astimezone(dt.UTC)
    if "to" in params:
        end = dt.datetime.combine(
            dt.date.fromisoformat(params["to"]) + dt.timedelta(days=1), dt.time(0), DISPLAY_TZ
        ).astimezone(dt.UTC)
    return start, end


#: the ``from``/``to`` parameters of a series over a period of days
PERIOD_PARAMS = (
    Param("from", ParamKind.DAY, "first day counted (China Standard Time); default: from the start"),
    Param("to", ParamKind.DAY, "last day counted, inclusive; default: up to now"),
)


def load_providers(providers: Iterable[tuple[str, Callable[[], Iterable[Indicator]]]]) -> Registry:
    """A registry of the indicators of ``providers`` (``(domain name, provider function)`` each)."""
    found: list[Indicator] = []
    for name, provider in providers:
        try:
            found.extend(provider())
        except TypeError as exc:  # not callable, needs arguments, or returned no list
            raise InputError(
                f"the indicator provider of domain {name!r} cannot be called",
                expected="a function without arguments returning a list of Indicator",
                given=repr(provider),
                hint=str(exc),
            ) from exc
    return Registry(found)


@cache
def default_registry() -> Registry:
    """The indicators of every installed domain (built once per process)."""
    return load_providers(domains.indicator_providers())


__all__ = [
    "PERIOD_PARAMS",
    "Comparator",
    "Compute",
    "Context",
    "Indicator",
    "Param",
    "ParamKind",
    "Reading",
    "Registry",
    "day_bounds",
    "default_registry",
    "load_providers",
    "params_key",
    "parse_params",
]
