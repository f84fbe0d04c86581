"""Indicators the platform computes, to which agreement tasks bind (issue 7 §4).

An :class:`Indicator` has a key (``"warnings.issued_through_consultation"``), a name, a description, a
unit, a comparator and default target, the parameters it takes, and a compute function
``compute(ctx) -> Reading`` that reads the store (``ctx.store``) with the parameters of one series
(``ctx.params``) and returns the value, the time of the newest data it reflects, and details.

A task binds to an indicator with parameters and a target ("at least 3 warnings issued through
consultation in 2026"); the service recomputes the bound series on demand, stores every value with the
time it was computed (``indicator_value``), and shows each task the latest value and whether the target
is met.

Modules add indicators by exposing a provider function and naming it in :data:`PROVIDERS`::

    # src/xietong/transit/indicators.py
    from xietong.agreements.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading

    def indicators() -> list[Indicator]:
        return [Indicator(key="transit.rail_travel_time", name="Fastest rail trip", unit="min", …,
                          comparator=Comparator.LE, target=90, params=(…), compute=_travel_time)]

    # here:
    PROVIDERS = (..., "xietong.transit.indicators:indicators")

``docs/agreements.md`` ("Indicators") walks through it for transit and water.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.config import DISPLAY_TZ
from xietong.enums import FLAG_CODE, POLLUTANTS, Pollutant, QualityFlag, WarningStatus
from xietong.errors import InputError, NotFoundError
from xietong.exchange.principals import Principal
from xietong.store.session import Store
from xietong.store.tables import air_station, warning, warning_city, warning_event


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
                    hint="prefix keys with the module name: air., warnings., transit., water.",
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


# ------------------------------------------------------------------------------- built-in indicators
def _day_bounds(params: Mapping[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from``/``to`` days (CST, both inclusive) as [start, end) instants in UTC."""
    start = end = None
    if "from" in params:
        start = dt.datetime.combine(dt.date.fromisoformat(params["from"]), dt.time(0), DISPLAY_TZ).astimezone(dt.UTC)
    if "to" in params:
        end = dt.datetime.combine(
            dt.date.fromisoformat(params["to"]) + dt.timedelta(days=1), dt.time(0), DISPLAY_TZ
        ).astimezone(dt.UTC)
    return start, end


_PERIOD = (
    Param("from", ParamKind.DAY, "first day counted (China Standard Time); default: from the start"),
    Param("to", ParamKind.DAY, "last day counted, inclusive; default: up to now"),
)


def _warnings_issued(ctx: Context) -> Reading:
    """Warnings that reached issue through the consultation (an ``issued`` event), by first issue time."""
    start, end = _day_bounds(ctx.params)
    e = warning_event.c
    first_issue = (
        sa.select(e.warning_id, sa.func.min(e.at).label("issued_at"))
        .where(e.kind == "issued")
        .group_by(e.warning_id)
        .subquery()
    )
    q = (
        sa.select(warning.c.id, first_issue.c.issued_at)
        .join(first_issue, first_issue.c.warning_id == warning.c.id)
        .where(warning.c.status.in_([WarningStatus.ISSUED.value, WarningStatus.CLOSED.value]))
        .order_by(warning.c.id)
    )
    city = ctx.params.get("city")
    with ctx.store.read() as conn:
        rows = [(int(r.id), r.issued_at) for r in conn.execute(q)]
        if city is not None:
            in_city = {
                int(r[0])
                for r in conn.execute(sa.select(e.warning_id).where(e.kind == "issued", e.city_code == city).distinct())
            }
            rows = [r for r in rows if r[0] in in_city]
        last_event = conn.execute(sa.select(sa.func.max(e.at))).scalar_one_or_none()
        cities: dict[str, int] = {}
        ids = [i for i, at in rows if (start is None or at >= start) and (end is None or at < end)]
        if ids:
            for code, n in conn.execute(
                sa.select(warning_city.c.city_code, sa.func.count())
                .where(warning_city.c.warning_id.in_(ids), warning_city.c.status.in_(["issued", "lifted"]))
                .group_by(warning_city.c.city_code)
                .order_by(warning_city.c.city_code)
            ):
                cities[str(code)] = int(n)
    return Reading(
        value=float(len(ids)),
        as_of=last_event,
        details={"warnings": ids, "issued_in_cities": cities, "period": dict(ctx.params)},
    )


#: GB 3095-2012 Table 1, grade II, PM2.5 24-h limit [µg/m³]
PM25_24H_GRADE_II_UG_M3 = 75
#: GB 3095-2012 and -2026 Table 4: a daily mean needs at least 20 hourly values
MIN_HOURS_PER_DAY = 20


def _pm25_days(ctx: Context) -> Reading:
    """Days on which the city's PM2.5 daily mean is at or below the limit.

    Per non-background station, a day (China Standard Time; hour labels 01:00 … 24:00) has a daily
    mean when at least 20 valid hourly values exist (GB 3095 Table 4); the city's daily mean is the
    arithmetic mean of its stations' daily means (the site mean, STANDARDS.md §3.3). Means are compared
    unrounded.
    """
    from xietong.air import service  # noqa: PLC0415 - the air service imports much; load it when used

    city = ctx.params["city"]
    limit = float(ctx.params["limit_ug_m3"])
    start, end = _day_bounds(ctx.params)
    with ctx.store.read() as conn:
        codes = [
            str(r[0])
            for r in conn.execute(
                sa.select(air_station.c.code)
                .where(air_station.c.city_code == city, air_station.c.background.is_(False))
                .order_by(air_station.c.code)
            )
        ]
    if not codes:
        return Reading(None, None, {"stations_in_city": 0, "reason": f"no monitoring station in {city}"})
    query = service.ObservationQuery(
        stations=tuple(codes),
        start=start + dt.timedelta(hours=1) if start else None,
        end=end,
    )
    frame = service.read_observations_frame(ctx.store, ctx.principal, query)
    shift = 2 * POLLUTANTS.index(Pollutant.PM25)
    flags = (frame["flag_bits"].to_numpy(dtype="int64") >> shift) & 3
    valid = frame["pm25"].notna().to_numpy() & (flags == FLAG_CODE[QualityFlag.VALID])
    frame = frame[valid]
    if frame.empty:
        return Reading(None, None, {"stations_in_city": len(codes), "days_valid": 0, "limit_ug_m3": limit})
    day = (frame["time"].dt.tz_convert(DISPLAY_TZ) - pd.Timedelta(hours=1)).dt.date
    per_station = frame.assign(day=day).groupby(["station", "day"])["pm25"].agg(["mean", "count"])
    per_station = per_station[per_station["count"] >= MIN_HOURS_PER_DAY]
    city_daily = per_station.groupby(level="day")["mean"].mean()
    at_or_below = int((city_daily <= limit).sum())
    days = len(city_daily)
    return Reading(
        value=float(at_or_below),
        as_of=frame["time"].max().to_pydatetime(),
        details={
            "stations_in_city": len(codes),
            "stations_with_daily_means": sorted({str(k[0]) for k in per_station.index}),
            "limit_ug_m3": limit,
            "days_valid": days,
            "days_above": days - at_or_below,
            "share_at_or_below": at_or_below / days if days else None,
            "first_day": min(city_daily.index).isoformat() if days else None,
            "last_day": max(city_daily.index).isoformat() if days else None,
        },
    )


def builtin_indicators() -> list[Indicator]:
    """The indicators this package computes today."""
    return [
        Indicator(
            key="warnings.issued_through_consultation",
            name="Regional warnings issued through consultation",
            description=(
                "Heavy-pollution warnings that reached issue through the regional consultation (proposed, "
                "answered by the named jurisdictions, issued in at least one city), counted by the time of "
                "their first issue; closed warnings count, warnings issued nowhere do not."
            ),
            unit="warnings",
            comparator=Comparator.GE,
            target=1,
            compute=_warnings_issued,
            params=(*_PERIOD, Param("city", ParamKind.JURISDICTION, "count only warnings issued in this city")),
            module="warnings",
        ),
        Indicator(
            key="air.pm25_days_at_or_below",
            name="Days with city PM2.5 at or below a limit",
            description=(
                "Days on which the city's PM2.5 daily mean (mean of its non-background stations' daily "
                "means, each from at least 20 valid hours) is at or below the limit; default limit "
                "75 µg/m³, the GB 3095-2012 grade II 24-h limit."
            ),
            unit="days",
            comparator=Comparator.GE,
            target=None,
            compute=_pm25_days,
            params=(
                Param("city", ParamKind.JURISDICTION, "city code or name (Beijing, Tianjin, a Hebei city)", True),
                Param(
                    "limit_ug_m3", ParamKind.NUMBER, "daily-mean limit [µg/m³]", default=str(PM25_24H_GRADE_II_UG_M3)
                ),
                *_PERIOD,
            ),
            module="air",
        ),
    ]


#: ``module:function`` providers whose indicators make the default registry; add a line to plug a
#: module's indicators in (see the module docstring and docs/agreements.md)
PROVIDERS: tuple[str, ...] = (
    "xietong.agreements.indicators:builtin_indicators",
    "xietong.air.indicators:indicators",
    "xietong.transit.indicators:indicators",
    "xietong.water.indicators:indicators",
)


def load_providers(providers: Iterable[str]) -> Registry:
    """A registry of the indicators of ``providers`` (``"package.module:function"`` each)."""
    found: list[Indicator] = []
    for spec in providers:
        module_name, _, func_name = spec.partition(":")
        try:
            provider = getattr(importlib.import_module(module_name), func_name or "indicators")
        except (ImportError, AttributeError) as exc:
            raise InputError(
                "cannot load an indicator provider",
                expected="'package.module:function' returning a list of Indicator",
                given=repr(spec),
                hint=str(exc),
            ) from exc
        found.extend(provider())
    return Registry(found)


@cache
def default_registry() -> Registry:
    """The indicators of every provider in :data:`PROVIDERS` (built once)."""
    return load_providers(PROVIDERS)


__all__ = [
    "MIN_HOURS_PER_DAY",
    "PM25_24H_GRADE_II_UG_M3",
    "PROVIDERS",
    "Comparator",
    "Compute",
    "Context",
    "Indicator",
    "Param",
    "ParamKind",
    "Reading",
    "Registry",
    "builtin_indicators",
    "default_registry",
    "load_providers",
    "params_key",
    "parse_params",
]
