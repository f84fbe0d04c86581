"""Siting in the store: rank the registered parks for a relocating enterprise, with the values of each
criterion read through the platform's indicators (this domain imports neither transit, air nor water).

For each candidate park, in the park's jurisdiction (its city, or Beijing/Tianjin):

==========================  ===================================================================================
criterion                   indicator (owner domain) and parameters
==========================  ===================================================================================
``time_to_beijing_min``     ``transit.rail_travel_time_min`` (fastest scheduled rail journey, regional feed)
                            and ``transit.road_travel_time_min`` (malin84 modelled road time, 2024 network):
                            the faster of the two that have a value; 0 in Beijing itself
``time_to_origin_min``      the same, to the enterprise's origin
``pm25_annual_ug_m3``       ``air.pm25_annual_mean_ug_m3`` (city, year)
``warning_days``            ``warnings.recommended_days`` (city, year)
``water_class``             ``water.latest_class`` (jurisdiction, to = the siting day): the worst latest class
                            of the sections the city owns, as the class of the river receiving its discharges
==========================  ===================================================================================

A value an indicator cannot give (no feed, no data for the year, domain not installed) is missing: the
criterion scores 0 for that park and the ``why`` says so, with the indicator's reason in ``sources``. The
ranking itself is :func:`xietong.industry.siting.rank_parks`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from xietong import region
from xietong.errors import NotFoundError, XietongError
from xietong.exchange.principals import Principal
from xietong.indicators import Context, Registry, default_registry
from xietong.industry import siting
from xietong.industry.service import list_parks
from xietong.store.clock import utcnow
from xietong.store.session import Store

BEIJING = "110000"
RAIL = "transit.rail_travel_time_min"
ROAD = "transit.road_travel_time_min"
PM25 = "air.pm25_annual_mean_ug_m3"
WARNING_DAYS = "warnings.recommended_days"
WATER = "water.latest_class"


@dataclass(slots=True)
class SiteRequest:
    """What the siting needs besides the enterprise: candidates (park codes; all parks when empty), the
    day that selects the rules, the year of the air values, weights and the hard constraints to apply."""

    enterprise: siting.Enterprise
    on: date
    year: int
    parks: Sequence[str] = ()
    weights: Mapping[str, float] | None = None
    constraints: Iterable[str] = siting.HARD_CONSTRAINTS
    available_land_ha: Mapping[str, float] = field(default_factory=dict)
    strict: bool = False


@dataclass(slots=True)
class Reader:
    """Reads indicator values once per parameter set and remembers where each came from."""

    store: Store
    principal: Principal
    registry: Registry
    cache: dict[tuple[str, str], tuple[float | None, dict[str, Any]]] = field(default_factory=dict)

    def value(self, key: str, **params: object) -> tuple[float | None, dict[str, Any]]:
        """``(value, details)``; a missing indicator or a refused parameter gives ``None`` and the reason."""
        ident = (key, json.dumps(params, sort_keys=True, default=str))
        if ident in self.cache:
            return self.cache[ident]
        if key not in self.registry:
            out: tuple[float | None, dict[str, Any]] = (None, {"reason": f"indicator {key} is not installed"})
        else:
            indicator = self.registry.get(key)
            try:
                ctx = Context(self.store, indicator.normalise(params), self.principal, utcnow())
                reading = indicator.compute(ctx)
                value = reading.value if reading.value is None or math.isfinite(reading.value) else None
                out = (value, dict(reading.details))
            except XietongError as exc:
                out = (None, {"reason": exc.message})
        self.cache[ident] = out
        return out


def _travel(reader: Reader, city: str, to: str) -> tuple[float | None, str]:
    """The faster of rail and modelled road between two places [min], and where it came from."""
    if region.is_within(city, to) or region.is_within(to, city):
        return 0.0, "same jurisdiction"
    rail, rail_d = reader.value(RAIL, origin=city, destination=to)
    road, road_d = reader.value(ROAD, origin=city, destination=to, year=2024)
    said = [
        f"{name} {v:.0f} min" if v is not None else f"{name}: none ({d.get('reason') or d.get('note') or 'no value'})"
        for v, d, name in ((rail, rail_d, "rail"), (road, road_d, "road (modelled, 2024 network)"))
    ]
    values = [v for v in (rail, road) if v is not None]
    return (round(min(values), 1) if values else None), "; ".join(said)


def candidates(reader: Reader, request: SiteRequest) -> pd.DataFrame:
    """The candidate parks with their criteria values and a ``sources`` column saying where each came from."""
    all_parks = list_parks(reader.store, reader.principal)
    by_code = {p["code"]: p for p in all_parks}
    codes = list(request.parks) or list(by_code)
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise NotFoundError(
            f"no park {', '.join(unknown)}",
            expected="codes of registered parks",
            given=", ".join(unknown),
            hint="list them with `xietong industry parks list`",
        )
    rows = []
    origin = region.get(request.enterprise.origin).code
    for code in codes:
        p = by_code[code]
        city = p["jurisdiction"]
        t_bj, s_bj = _travel(reader, city, BEIJING)
        t_or, s_or = _travel(reader, city, origin)
        pm, pm_d = reader.value(PM25, city=city, year=request.year)
        wd, wd_d = reader.value(WARNING_DAYS, city=city, year=request.year)
        wc, wc_d = reader.value(WATER, jurisdiction=city, to=request.on.isoformat())
        rows.append(
            {
                "park": code,
                "name_en": p["name_en"],
                "city": city,
                "leading_industries": ";".join(p["leading_industries"]),
                "time_to_beijing_min": t_bj,
                "time_to_origin_min": t_or,
                "pm25_annual_ug_m3": None if pm is None else round(pm, 1),
                "warning_days": wd,
                "water_class": None if wc is None else int(wc),
                "available_land_ha": request.available_land_ha.get(code),
                "sources": {
                    "time_to_beijing_min": s_bj,
                    "time_to_origin_min": s_or,
                    "pm25_annual_ug_m3": _said(PM25, pm_d),
                    "warning_days": _said(WARNING_DAYS, wd_d),
                    "water_class": _said(WATER, wc_d),
                },
            }
        )
    return pd.DataFrame(rows)


def _said(key: str, details: Mapping[str, Any]) -> str:
    if "reason" in details:
        return f"{key}: missing ({details['reason']})"
    keep = {k: details[k] for k in ("source", "year", "rules", "class", "worst_section", "river") if k in details}
    return f"{key} {json.dumps(keep, ensure_ascii=False, default=str)}"


def rank(store: Store, principal: Principal, request: SiteRequest) -> dict[str, Any]:
    """The siting result: ranking (best first, with ``why`` per criterion), parks removed and why,
    where every value came from, the rule edition, and the rule rows used unconfirmed."""
    reader = Reader(store, principal, default_registry())
    frame = candidates(reader, request)
    result = siting.rank_parks(
        request.enterprise,
        frame.drop(columns=["sources"]),
        on=request.on,
        weights=request.weights,
        constraints=request.constraints,
        strict=request.strict,
    )
    sources = dict(zip(frame["park"], frame["sources"], strict=True))
    ranking = [
        {**_clean(r), "sources": sources[str(r["park"])], "explain": result.explain(str(r["park"]))}
        for r in result.ranking.to_dict("records")
    ]
    removed = [{**_clean(r), "sources": sources[str(r["park"])]} for r in result.removed.to_dict("records")]
    return {
        "enterprise": {
            "industry_code": request.enterprise.industry_code,
            "origin": request.enterprise.origin,
            "emission_category": request.enterprise.emission_category.value,
            "land_ha": request.enterprise.land_ha,
            "new_capacity": request.enterprise.new_capacity,
        },
        "on": request.on.isoformat(),
        "year": request.year,
        "edition": result.edition,
        "weights": dict(request.weights or siting.DEFAULT_WEIGHTS),
        "ranking": ranking,
        "removed": removed,
        "unconfirmed": result.unconfirmed,
    }


def _clean(rec: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, float) and math.isnan(v):
            out[str(k)] = None
        elif hasattr(v, "item"):
            out[str(k)] = v.item()
        else:
            out[str(k)] = v
    return out


__all__ = ["SiteRequest", "candidates", "rank"]
