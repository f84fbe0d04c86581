"""The registry of air-quality stations, owned by their jurisdictions.

A station belongs to the jurisdiction of its city (Beijing, Tianjin, a Hebei city, Xiong'an). Only
that jurisdiction (or the province above it, or a region-level administrator) may publish for it.
Changing a station's attributes keeps the earlier version in ``air_station_history``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.air.station_places import may_publish, owner_text, place_of
from xietong.air.tables import air_station, air_station_history
from xietong.errors import InputError, Location, PermissionDeniedError, Problem
from xietong.exchange.counts import WriteCounts
from xietong.exchange.principals import Principal

_CODE_RE = re.compile(r"^[0-9A-Za-z_-]{1,16}$")


@dataclass(frozen=True, slots=True)
class StationRecord:
    """One station as published. ``city``: a jurisdiction, or any city of China by name or GB/T 2260 code."""

    code: str
    name_zh: str
    city: str
    lon: float | None
    lat: float | None
    background: bool = False
    name_en: str | None = None
    restricted: bool = False
    row: int | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class StationInfo:
    """What ingestion needs to know about a station."""

    code: str
    city_code: str
    jurisdiction_code: str | None  # None: an external station
    background: bool
    restricted: bool


#: Counts of station records written (the same fields as observation values).
StationCounts = WriteCounts


def station_index(conn: Connection, codes: Iterable[str] | None = None) -> dict[str, StationInfo]:
    """Ownership and flags of stations (all of them, or the given codes)."""
    q = sa.select(
        air_station.c.code,
        air_station.c.city_code,
        air_station.c.jurisdiction_code,
        air_station.c.background,
        air_station.c.restricted,
    )
    if codes is not None:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        q = q.where(air_station.c.code.in_(wanted))
    return {
        r.code: StationInfo(r.code, r.city_code, r.jurisdiction_code, bool(r.background), bool(r.restricted))
        for r in conn.execute(q)
    }


def _resolve(rec: StationRecord) -> tuple[dict[str, object] | None, Problem | None]:
    where = Location(rec.source, rec.row)
    if not _CODE_RE.fullmatch(rec.code or ""):
        return None, Problem(
            "invalid station code",
            Location(rec.source, rec.row, "code"),
            "1–16 letters or digits",
            repr(rec.code),
        )
    place = place_of(rec.city or "")
    if place is None:
        return None, Problem(
            f"station {rec.code}: unknown city",
            Location(rec.source, rec.row, "city"),
            "a jurisdiction (xietong region list) or a city of China by name or GB/T 2260 code",
            repr(rec.city),
            hint="the national list is xietong/data/divisions_cn.csv (NBS 2023)",
        )
    for name, value, lo, hi in (("lon", rec.lon, 73.0, 136.0), ("lat", rec.lat, 3.0, 54.0)):
        if value is not None and not (lo <= value <= hi):
            return None, Problem(
                f"station {rec.code}: {name} outside China",
                Location(rec.source, rec.row, name),
                f"{lo}..{hi} degrees (WGS-84)",
                repr(value),
            )
    if not rec.name_zh:
        return None, Problem(f"station {rec.code}: empty name", where, "a station name", "''")
    return {
        "code": rec.code,
        "name_zh": rec.name_zh,
        "name_en": rec.name_en,
        "city_code": place.city_code,
        "jurisdiction_code": place.jurisdiction_code,
        "province_code": place.province_code,
        "division_code": place.division_code,
        "lon": rec.lon,
        "lat": rec.lat,
        "background": bool(rec.background),
        "restricted": bool(rec.restricted),
    }, None


_ATTRS = (
    "name_zh", "name_en", "city_code", "jurisdiction_code", "province_code", "division_code", "lon", "lat",
    "background", "restricted",
)  # fmt: skip


def upsert_stations(
    conn: Connection,
    principal: Principal,
    records: Iterable[StationRecord],
    *,
    batch_id: int | None,
    recorded_at: datetime,
    skip_invalid: bool = False,
) -> tuple[StationCounts, list[Problem]]:
    """Register new stations and revise changed ones, all inside the caller's transaction.

    Raises :class:`InputError` listing every invalid record (unless ``skip_invalid``), and
    :class:`PermissionDeniedError` when a record belongs to a jurisdiction the principal may not act for.
    """
    counts = StationCounts()
    problems: list[Problem] = []
    resolved: list[dict[str, object]] = []
    for rec in records:
        counts.read += 1
        values, problem = _resolve(rec)
        if problem is not None:
            problems.append(problem)
            continue
        assert values is not None
        resolved.append(values)
    if problems and not skip_invalid:
        raise InputError(f"{len(problems)} invalid station record(s); nothing was written", problems=problems)
    counts.rejected = len(problems)

    existing = {
        r.code: r
        for r in conn.execute(sa.select(air_station).where(air_station.c.code.in_([str(v["code"]) for v in resolved])))
    }
    for values in resolved:
        code = str(values["code"])
        owner = values["jurisdiction_code"]
        old = existing.get(code)
        for needed in {owner} | ({old.jurisdiction_code} if old is not None else set()):
            if may_publish(principal, None if needed is None else str(needed)):
                continue
            raise PermissionDeniedError(
                f"{principal.describe()} may not publish station {code}",
                expected=owner_text(None if needed is None else str(needed)),
                given=f"a principal of {_where(principal)}",
                hint="each jurisdiction publishes its own stations; external ones need the scope publish:external",
            )
        if old is None:
            conn.execute(air_station.insert().values(**values, revision=1, recorded_at=recorded_at, batch_id=batch_id))
            counts.written += 1
            continue
        if all(getattr(old, k) == values[k] for k in _ATTRS):
            counts.unchanged += 1
            continue
        conn.execute(
            air_station_history.insert().values(
                code=code,
                revision=old.revision,
                **{k: getattr(old, k) for k in _ATTRS},
                recorded_at=old.recorded_at,
                superseded_at=recorded_at,
                batch_id=old.batch_id,
            )
        )
        conn.execute(
            air_station.update()
            .where(air_station.c.code == code)
            .values(**values, revision=old.revision + 1, recorded_at=recorded_at, batch_id=batch_id)
        )
        counts.revised += 1
        counts.written += 1
    return counts, problems


def _where(principal: Principal) -> str:
    return region.display_name(principal.jurisdiction) if principal.jurisdiction else "the region"


def list_stations(
    conn: Connection,
    *,
    jurisdiction: str | None = None,
    city: str | None = None,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Current stations as a DataFrame (one row per station, ordered by code)."""
    q = sa.select(
        air_station.c.code,
        air_station.c.name_zh,
        air_station.c.name_en,
        air_station.c.city_code,
        air_station.c.jurisdiction_code,
        air_station.c.province_code,
        air_station.c.division_code,
        air_station.c.lon,
        air_station.c.lat,
        air_station.c.background,
        air_station.c.restricted,
        air_station.c.revision,
        air_station.c.recorded_at,
    ).order_by(air_station.c.code)
    if jurisdiction:
        code = region.get(jurisdiction).code
        inside = [r.code for r in region.jurisdictions() if region.is_within(r.code, code)]
        q = q.where(air_station.c.jurisdiction_code.in_(inside))
    if city:
        code = _city_code(city)
        q = q.where(sa.or_(air_station.c.city_code == code, air_station.c.division_code == code))
    if codes is not None:
        q = q.where(air_station.c.code.in_(sorted(set(codes))))
    rows = conn.execute(q).all()
    return pd.DataFrame(
        [r._asdict() for r in rows],
        columns=[
            "code", "name_zh", "name_en", "city_code", "jurisdiction_code", "province_code", "division_code",
            "lon", "lat", "background", "restricted", "revision", "recorded_at",
        ],
    )  # fmt: skip


def _city_code(city: str) -> str:
    """A jurisdiction's or any city's GB/T 2260 code (定州 → 130682: its own stations, not all of Baoding's)."""
    place = place_of(city)
    if place is None:
        return region.get(city).code  # raises with the list of known names
    return place.division_code if region.find(city) is None else place.city_code


__all__ = [
    "StationCounts",
    "StationInfo",
    "StationRecord",
    "list_stations",
    "station_index",
    "upsert_stations",
]
