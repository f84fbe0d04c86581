"""The air domain's geographic datasets (domain contract ``features``): stations with their AQI, and the
warning cities with the level in force.

``air-stations``
    Every registered station as a point with the real-time (hourly) AQI of HJ 633 (the edition in force at
    the hour, :func:`xietong.air.aqi.hourly_aqi`): by default each station's latest hour in the store;
    ``datetime`` an instant → the hour containing it (hour labels are the end of the averaging hour); an
    interval → each station's latest hour inside it. Level, category and colour come from HJ 633 Table 2
    (2012) / Table 1 (2026) and Appendix A (``standards/hj633_*.toml``), never from the client.
``air-warning-cities``
    The 14 places a regional warning can name (every jurisdiction but Hebei province), at their
    representative point, with the warning level in force at ``datetime`` (an instant; an interval's end;
    by default now), read from the consultation's events: issued, upgraded, downgraded, lifted.

Also the hours the store holds, as runs of consecutive hour labels (the map's time slider).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.air import aqi as aqi_engine
from xietong.air import key_regions
from xietong.air.forecasts import warning_cities
from xietong.air.service import ObservationQuery, read_observations_frame
from xietong.air.stations import list_stations
from xietong.air.tables import air_observation, warning, warning_city, warning_event
from xietong.enums import Scope, WarningLevel
from xietong.exchange.principals import Principal
from xietong.features import (
    Extent,
    FeatureCollection,
    ItemsPage,
    ItemsQuery,
    hour_label,
    in_bbox,
    iso_cst,
    point_feature,
)
from xietong.store.bulk import bind_epoch_us, epoch_us_column, fetch_frame, time_column_compare
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.types import to_epoch_us

HOUR_US = 3_600_000_000
#: hours read before an hour label: the HJ 633-2012 real-time PM IAQI before 2014 uses 24-h moving means
_LOOKBACK = timedelta(hours=23)
_AQI_COLUMNS = ["aqi", "level", "level_roman", "category_zh", "category_en", "colour", "primary", "primary_zh",
                "edition", "so2", "no2", "o3", "co", "pm10", "pm25"]  # fmt: skip


# ------------------------------------------------------------------------------------------ hours
@dataclass(frozen=True, slots=True)
class HourRuns:
    """The distinct hour labels of the store as runs ``[(first, last), …]`` of consecutive hours (UTC)."""

    runs: list[tuple[datetime, datetime]]

    @property
    def count(self) -> int:
        return sum(int((b - a) / timedelta(hours=1)) + 1 for a, b in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": iso_cst(self.runs[0][0]) if self.runs else None,
            "last": iso_cst(self.runs[-1][1]) if self.runs else None,
            "count": self.count,
            "runs": [[iso_cst(a), iso_cst(b)] for a, b in self.runs],
        }


def runs_of(hours_us: np.ndarray) -> list[tuple[datetime, datetime]]:
    """Sorted distinct hour labels [µs since the epoch] → runs of consecutive hours (pure)."""
    if len(hours_us) == 0:
        return []
    h = np.unique(np.asarray(hours_us, dtype=np.int64))
    breaks = np.flatnonzero(np.diff(h) != HOUR_US)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(h) - 1]])
    return [(_from_us(int(h[a])), _from_us(int(h[b]))) for a, b in zip(starts, ends, strict=True)]


def _from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, tz=UTC)


def observed_hours(store: Store, principal: Principal) -> HourRuns:
    """Every hour label with at least one current observation in the store, as runs."""
    principal.require(Scope.READ, "read air-quality data")
    t = air_observation.c
    with store.read() as conn:
        d = conn.dialect.name
        frame = fetch_frame(conn, sa.select(epoch_us_column(t.time_utc, d)).distinct(), ["time_us"])
    return HourRuns(runs_of(frame["time_us"].to_numpy(dtype=np.int64)))


def _time_span(store: Store) -> tuple[datetime | None, datetime | None]:
    t = air_observation.c
    with store.read() as conn:
        d = conn.dialect.name
        row = conn.execute(sa.select(sa.func.min(epoch_us_column(t.time_utc, d)), sa.func.max(epoch_us_column(t.time_utc, d)))).one()  # fmt: skip
    if row[0] is None:
        return None, None
    return datetime.fromtimestamp(int(row[0]) / 1e6, tz=UTC), datetime.fromtimestamp(int(row[1]) / 1e6, tz=UTC)


# ------------------------------------------------------------------------------------------ air-stations
def _latest_hours(store: Store, codes: list[str], start: datetime | None, end: datetime | None) -> dict[str, datetime]:
    """Per station, its latest hour label with an observation (inside ``start .. end`` when given)."""
    t = air_observation.c
    with store.read() as conn:
        d = conn.dialect.name
        q = sa.select(t.station_code, sa.func.max(epoch_us_column(t.time_utc, d))).where(t.station_code.in_(codes))
        tc = time_column_compare(t.time_utc, d)
        if start is not None:
            q = q.where(tc >= bind_epoch_us(to_epoch_us(start), d))
        if end is not None:
            q = q.where(tc <= bind_epoch_us(to_epoch_us(end), d))
        frame = fetch_frame(conn, q.group_by(t.station_code), ["station", "time_us"])
    return {str(s): datetime.fromtimestamp(int(us) / 1e6, tz=UTC) for s, us in zip(frame["station"], frame["time_us"], strict=True) if us is not None}  # fmt: skip


def aqi_at(store: Store, principal: Principal, hours: dict[str, datetime]) -> pd.DataFrame:
    """The real-time AQI row (HJ 633, edition in force) of each station at its hour label, indexed by station."""
    out = []
    by_hour: dict[datetime, list[str]] = {}
    for code, hour in hours.items():
        by_hour.setdefault(hour, []).append(code)
    for hour, codes in sorted(by_hour.items()):
        query = ObservationQuery(stations=tuple(sorted(codes)), start=hour - _LOOKBACK, end=hour)
        obs = read_observations_frame(store, principal, query)
        if obs.empty:
            continue
        table = aqi_engine.hourly_aqi(obs[["station", "time", "so2", "no2", "o3", "co", "pm10", "pm25", "flag_bits"]])
        out.append(table[pd.to_datetime(table["time"], utc=True) == pd.Timestamp(hour)])
    if not out:
        return pd.DataFrame(columns=["station", "time", *_AQI_COLUMNS]).set_index("station")
    return pd.concat(out, ignore_index=True).set_index("station")


def _station_properties(row: dict[str, Any], aqi_row: pd.Series | None, hour: datetime | None) -> dict[str, Any]:
    city = region.find(str(row["city_code"])) if row["city_code"] else None
    division = str(row["division_code"]) if pd.notna(row.get("division_code")) else str(row["city_code"] or "")
    props: dict[str, Any] = {
        "code": row["code"],
        "name_zh": row["name_zh"],
        "name_en": row["name_en"],
        "city": row["city_code"],
        "city_zh": city.name_zh if city else region.display_name(division) if division else None,
        "city_en": city.name_en if city else None,
        "background": bool(row["background"]),
        "external": bool(pd.isna(row.get("jurisdiction_code"))),
        "key_region": str(row["city_code"]) in _key_region_cities(),
        "time": iso_cst(hour),
    }
    for col in _AQI_COLUMNS:
        value = None if aqi_row is None else aqi_row.get(col)
        props[col] = None if value is None or pd.isna(value) else value
    for col in ("aqi", "level"):
        props[col] = None if props[col] is None else int(props[col])
    return props


@cache
def _key_region_cities() -> frozenset[str]:
    """Every city of the key-region lists (xietong/standards/key_regions.toml): the neighbours worth showing."""
    return frozenset(c for r in key_regions.key_regions() for c in r.cities)


def _stations_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read air-quality data")
    with query.store.read() as conn:
        stations = list_stations(conn)
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in stations.to_dict("records")]
    if query.bbox is not None:
        records = [r for r in records if in_bbox(point_feature("", r["lon"], r["lat"], {}), query.bbox)]
    page = records[query.offset : query.offset + query.limit]
    codes = [str(r["code"]) for r in page]
    interval = query.interval
    if interval is not None and interval.instant is not None:
        hours = dict.fromkeys(codes, hour_label(interval.instant))
    else:
        start, end = (interval.start, interval.end) if interval is not None else (None, None)
        hours = _latest_hours(query.store, codes, start, end) if codes else {}
    table = aqi_at(query.store, query.principal, hours)
    out = []
    for row in page:
        code = str(row["code"])
        aqi_row = table.loc[code] if code in table.index else None
        if isinstance(aqi_row, pd.DataFrame):  # one row per station and hour: never two
            aqi_row = aqi_row.iloc[0]
        props = _station_properties(row, aqi_row, hours.get(code))
        out.append(point_feature(code, row["lon"], row["lat"], props))
    return ItemsPage(out, len(records))


def _stations_extent(query: ItemsQuery) -> Extent:
    with query.store.read() as conn:
        stations = list_stations(conn)
    located = stations.dropna(subset=["lon", "lat"])
    first, last = _time_span(query.store)
    if located.empty:
        return Extent(start=first, end=last)
    bbox = (float(located["lon"].min()), float(located["lat"].min()), float(located["lon"].max()), float(located["lat"].max()))  # fmt: skip
    return Extent(bbox=bbox, start=first, end=last)


# ------------------------------------------------------------------------------------------ warning cities
@dataclass(frozen=True, slots=True)
class CityLevel:
    """The warning state of one city at one instant."""

    level: WarningLevel
    warning_id: int | None
    proposed_level: WarningLevel | None = None
    proposed_warning: int | None = None


def levels_in_force(
    warnings: pd.DataFrame, named: pd.DataFrame, events: pd.DataFrame, at: datetime
) -> dict[str, CityLevel]:
    """Pure: the warning state of each city at ``at`` (aware) from the warnings (``id, level, start_at,
    end_at``), the cities each names (``warning_id, city_code``) and their events (``warning_id, at, kind,
    city_code, level``).

    A city's level in force is the one its last ``issued``/``upgraded``/``downgraded`` event up to ``at`` set,
    while the warning's period ``start_at <= at < end_at`` runs and no later ``lifted`` event ended it; over
    several warnings the highest level wins. While a warning's consultation is open at ``at`` (proposed, no
    ``issued`` or ``closed`` event yet, its period not over), every named city that has not declined shows the
    proposal as ``proposed_level``.
    """
    rank = {lv: i for i, lv in enumerate(WarningLevel)}
    t = pd.Timestamp(at)
    past = events[pd.to_datetime(events["at"], utc=True) <= t]
    state: dict[str, CityLevel] = {}
    for w in warnings.to_dict("records"):
        wid = int(w["id"])
        mine = past[past["warning_id"] == wid]
        if "proposed" not in set(mine["kind"]):
            continue
        running = pd.Timestamp(w["start_at"]) <= t < pd.Timestamp(w["end_at"])
        open_ = not ({"issued", "closed"} & set(mine["kind"])) and t < pd.Timestamp(w["end_at"])
        for city in named.loc[named["warning_id"] == wid, "city_code"].astype(str):
            level, declined = _city_events(mine[mine["city_code"] == city].to_dict("records"))
            old = state.get(city, CityLevel(WarningLevel.NONE, None))
            if running and level is not None and rank[level] > rank[old.level]:
                old = CityLevel(level, wid, old.proposed_level, old.proposed_warning)
            if open_ and not declined:
                old = CityLevel(old.level, old.warning_id, WarningLevel(str(w["level"])), wid)
            state[city] = old
    return state


def _city_events(events: list[dict[Any, Any]]) -> tuple[WarningLevel | None, bool]:
    """A city's level after its events (in time order), and whether it declined the proposal."""
    level: WarningLevel | None = None
    declined = False
    for e in events:
        if e["kind"] in {"issued", "upgraded", "downgraded"}:
            level = WarningLevel(str(e["level"]))
        elif e["kind"] == "lifted":
            level = None
        elif e["kind"] == "answered" and e["level"] is None:
            declined = True
    return level, declined


def _read_warnings(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    w, c, e = warning.c, warning_city.c, warning_event.c
    with store.read() as conn:
        ws = pd.DataFrame(conn.execute(sa.select(w.id, w.level, w.start_at, w.end_at)).all(),
                          columns=["id", "level", "start_at", "end_at"])  # fmt: skip
        named = pd.DataFrame(
            conn.execute(sa.select(c.warning_id, c.city_code)).all(), columns=["warning_id", "city_code"]
        )
        ev = pd.DataFrame(conn.execute(sa.select(e.warning_id, e.at, e.kind, e.city_code, e.level).order_by(e.at, e.id)).all(),
                          columns=["warning_id", "at", "kind", "city_code", "level"])  # fmt: skip
    return ws, named, ev.astype(object).where(ev.notna(), None)


def _cities_items(query: ItemsQuery) -> ItemsPage:
    query.principal.require(Scope.READ, "read regional warnings")
    interval = query.interval
    at = utcnow()
    if interval is not None:
        at = interval.instant or interval.end or interval.start or at
    state = levels_in_force(*_read_warnings(query.store), at)
    features = []
    for code in warning_cities():
        r = region.get(code)
        s = state.get(code, CityLevel(WarningLevel.NONE, None))
        features.append(
            point_feature(code, r.lon, r.lat, {
                "code": code, "name_zh": r.name_zh, "name_en": r.name_en, "at": iso_cst(at),
                "level": s.level.value, "warning": s.warning_id,
                "proposed_level": s.proposed_level.value if s.proposed_level else None,
                "proposed_warning": s.proposed_warning,
            })
        )  # fmt: skip
    matched = [f for f in features if query.bbox is None or in_bbox(f, query.bbox)]
    return ItemsPage(matched[query.offset : query.offset + query.limit], len(matched))


def _cities_extent(query: ItemsQuery) -> Extent:
    with query.store.read() as conn:
        row = conn.execute(sa.select(sa.func.min(warning.c.start_at), sa.func.max(warning.c.end_at))).one()
    points = [region.get(c) for c in warning_cities()]
    bbox = (
        min(p.lon for p in points),
        min(p.lat for p in points),
        max(p.lon for p in points),
        max(p.lat for p in points),
    )
    return Extent(bbox=bbox, start=row[0], end=row[1])


def collections() -> list[FeatureCollection]:
    """The air domain's collections (declared in :mod:`xietong.air.domain`)."""
    return [
        FeatureCollection(
            id="air-stations",
            title_zh="空气质量监测站",
            title_en="Air-quality stations",
            description=(
                "Every registered air-quality station with its real-time AQI (HJ 633, the edition in force at "
                "the hour): each station's latest hour by default. Level, category and colour follow HJ 633 "
                "Table 2 (2012) / Table 1 (2026) and Appendix A. Stations without coordinates have a null geometry."
            ),
            items=_stations_items,
            extent=_stations_extent,
            datetime_meaning=(
                "an instant: the AQI of the hour containing it (hour labels are the end of the averaging hour); "
                "an interval: each station's latest hour inside it; none: each station's latest hour"
            ),
            properties={
                "code": "CNEMC station code",
                "name_zh": "station name",
                "name_en": "station name in English (when registered)",
                "city": "GB/T 2260 code of the city",
                "city_zh": "city name",
                "city_en": "city name in English",
                "background": "background (control) site, left out of city means (HJ 663)",
                "external": "outside the 15 jurisdictions (read-only, published by a national feed)",
                "key_region": "its city is in a key-region list of the warning rule sets (2+26, 2+36, Fenwei)",
                "time": "hour label of the AQI, China Standard Time (end of the averaging hour)",
                "aqi": "real-time AQI (null: too few pollutants, HJ 633 missing-data rule)",
                "level": "AQI level 1–6",
                "level_roman": "I–VI",
                "category_zh": "类别 (HJ 633)",
                "category_en": "category in English (conventional, not in the standard)",
                "colour": "the level's colour (HJ 633 Appendix A), hex",
                "primary": "primary pollutant(s)",
                "primary_zh": "首要污染物",
                "edition": "HJ 633 edition applied",
                "so2": "SO2 1-h [µg/m³]",
                "no2": "NO2 1-h [µg/m³]",
                "o3": "O3 1-h [µg/m³]",
                "co": "CO 1-h [mg/m³]",
                "pm10": "PM10 1-h [µg/m³]",
                "pm25": "PM2.5 1-h [µg/m³]",
            },
            attribution="stations: CNEMC station list; values: the jurisdictions' published observations",
            keywords=("air quality", "AQI", "HJ 633"),
        ),
        FeatureCollection(
            id="air-warning-cities",
            title_zh="重污染天气预警城市",
            title_en="Heavy-pollution warning cities",
            description=(
                "The 14 places a regional heavy-pollution warning can name (Beijing, Tianjin, Hebei's 11 cities, "
                "Xiong'an) at their representative point, with the warning level in force (none, blue, yellow, "
                "orange, red) and any proposal still under consultation, from the consultation's events."
            ),
            items=_cities_items,
            extent=_cities_extent,
            datetime_meaning="an instant (or an interval's end): the levels in force then; none: now",
            properties={
                "code": "GB/T 2260 code",
                "name_zh": "name",
                "name_en": "name in English",
                "at": "the instant the levels are for (China Standard Time)",
                "level": "warning level in force: none, blue, yellow, orange, red",
                "warning": "id of that warning",
                "proposed_level": "level of a proposal the city has not yet decided",
                "proposed_warning": "its id",
            },
            attribution="the regional warning consultation of this exchange",
            keywords=("warning", "heavy pollution"),
        ),
    ]


__all__ = ["CityLevel", "HourRuns", "aqi_at", "collections", "levels_in_force", "observed_hours", "runs_of"]
