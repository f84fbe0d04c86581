"""Planned lines as data: a TOML file → synthetic trips appended to a :class:`~xietong.transit.feed.Feed`.

A scenario file describes one line (see ``scenarios/*.toml`` and ``docs/transit.md``)::

    name = "石雄城际 Shijiazhuang–Xiong'an intercity"
    status = "planned"                 # planned | under_construction
    source = "…document, section…"
    route_short_name = "石雄"           # optional

    [running_time]                     # the run_min of the stations below
    assumed = true
    note = "distance × 1.2 at an assumed 250 km/h average"

    [dwell]
    minutes = 2
    assumed = true
    note = "…"

    [headway]
    minutes = 60
    assumed = true
    note = "…"

    [service]
    first_departure = "07:00"          # HH:MM from the first station of each direction
    last_departure = "21:00"           # earlier than first_departure = after midnight
    directions = "both"                # both | forward
    assumed = true
    note = "…"

    [[station]]
    name = "石家庄"                     # matches the feed's stop_name …
    [[station]]
    name = "无极"                       # … or a new station: lon, lat, city_code
    lon = 114.98
    lat = 38.19
    city_code = "130100"
    run_min = 14                       # running time from the previous station [min]
    dwell_min = 3                      # optional, overrides [dwell]

Every block whose numbers are assumed carries ``assumed = true`` and a ``note`` (refused without one).
A station given with coordinates is still matched to the feed by name first: the feed's stop wins, the
coordinates are used only when the feed lacks the station.

Times follow the :mod:`~xietong.transit.feed` convention: seconds after midnight of the service day, past
86,400 for a trip that runs past midnight (it stays on the service day it departed on).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from xietong import region
from xietong.errors import InputError, Location, UnknownStationError
from xietong.inputs import read_input_text
from xietong.transit.feed import Feed, format_gtfs_time

#: agency of every synthetic trip
SCENARIO_AGENCY_ID = "xietong-scenario"
#: GTFS ``route_type`` of a scenario line (2 = rail)
RAIL_ROUTE_TYPE = 2
_HHMM = re.compile(r"^([0-2]?\d):([0-5]\d)$")


class ScenarioStatus(StrEnum):
    """Planning status of a line."""

    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"


class Directions(StrEnum):
    """``both``: trips from each end; ``forward``: from the first listed station only."""

    BOTH = "both"
    FORWARD = "forward"


@dataclass(frozen=True, slots=True)
class Assumption:
    """A block of the scenario file and whether its numbers are assumed (with the note saying how)."""

    key: str
    assumed: bool
    note: str


@dataclass(frozen=True, slots=True)
class ScenarioStation:
    """One station of the line, in running order.

    ``run_min`` is the running time from the previous station [min] (0 for the first); ``dwell_min`` the
    stop [min]; ``lon``/``lat`` [degrees, WGS-84] and ``city_code`` only for stations the feed may lack.
    """

    name: str
    run_min: float
    dwell_min: float
    lon: float | None = None
    lat: float | None = None
    city_code: str | None = None

    @property
    def has_location(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True, slots=True)
class Scenario:
    """A planned line (see the module docstring for the file format)."""

    id: str
    name: str
    status: ScenarioStatus
    source: str
    route_short_name: str
    stations: tuple[ScenarioStation, ...]
    headway_min: float
    first_departure_s: int
    last_departure_s: int
    directions: Directions
    assumptions: tuple[Assumption, ...]
    path: str

    @property
    def route_id(self) -> str:
        return f"scn:{self.id}"

    def departures_s(self) -> list[int]:
        """Departure times from the first station of a direction [s after midnight]."""
        step = round(self.headway_min * 60)
        return list(range(self.first_departure_s, self.last_departure_s + 1, step))

    def timetable(self) -> pd.DataFrame:
        """The synthetic stop times, independent of any feed.

        Columns: ``trip_id``, ``direction_id`` (0 forward, 1 backward), ``stop_sequence``, ``stop_name``,
        ``arrival_time``, ``departure_time`` [s after midnight of the service day].
        """
        rows: list[dict[str, Any]] = []
        forward = list(self.stations)
        runs = [s.run_min for s in forward]
        patterns: list[tuple[int, list[ScenarioStation], list[float]]] = [(0, forward, runs)]
        if self.directions is Directions.BOTH:
            back = forward[::-1]
            # the run into station i (forward) is the run out of it going back
            back_runs = [0.0] + [forward[len(forward) - k].run_min for k in range(1, len(forward))]
            patterns.append((1, back, back_runs))
        for direction, stations, run_in in patterns:
            tag = "f" if direction == 0 else "b"
            for dep0 in self.departures_s():
                trip_id = f"{self.route_id}:{tag}:{format_gtfs_time(dep0)[:5].replace(':', '')}"
                t = dep0
                last = len(stations) - 1
                for seq, (st, run) in enumerate(zip(stations, run_in, strict=True)):
                    arr = t + round(run * 60)
                    dep = arr if seq in (0, last) else arr + round(st.dwell_min * 60)
                    rows.append(
                        {
                            "trip_id": trip_id,
                            "direction_id": direction,
                            "stop_sequence": seq + 1,
                            "stop_name": st.name,
                            "arrival_time": arr,
                            "departure_time": dep,
                        }
                    )
                    t = dep
        out = pd.DataFrame(
            rows, columns=["trip_id", "direction_id", "stop_sequence", "stop_name", "arrival_time", "departure_time"]
        )
        for col in ("arrival_time", "departure_time"):
            out[col] = out[col].astype("Int64")
        return out


# -- loading ------------------------------------------------------------------------------------------


def _err(path: str, key: str, message: str, *, expected: str, given: object, hint: str | None = None) -> InputError:
    return InputError(message, expected=expected, given=repr(given), where=Location(source=path, field=key), hint=hint)


def _number(raw: dict[str, Any], key: str, path: str, where: str, *, positive: bool) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err(
            path,
            f"{where}.{key}" if where else key,
            "missing or non-numeric value",
            expected="a number of minutes",
            given=value,
        )
    if value < 0 or (positive and value == 0):
        raise _err(
            path,
            f"{where}.{key}" if where else key,
            "minutes out of range",
            expected="a positive number" if positive else "a number ≥ 0",
            given=value,
        )
    return float(value)


def _assumption(raw: dict[str, Any], key: str, path: str) -> Assumption:
    assumed = raw.get("assumed", False)
    if not isinstance(assumed, bool):
        raise _err(path, f"{key}.assumed", "assumed must be true or false", expected="true or false", given=assumed)
    note = raw.get("note", "")
    if assumed and not (isinstance(note, str) and note.strip()):
        raise _err(
            path,
            f"{key}.note",
            "an assumed value needs a note saying how it was chosen",
            expected="a non-empty note",
            given=note,
            hint='e.g. note = "≈ 160 km at an assumed 250 km/h average"',
        )
    return Assumption(key, assumed, str(note))


def _hhmm(value: object, path: str, key: str) -> int:
    m = _HHMM.match(value) if isinstance(value, str) else None
    if m is None or int(m.group(1)) > 23:
        raise _err(path, key, "time of day not understood", expected="HH:MM between 00:00 and 23:59", given=value)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def _table(raw: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise _err(path, key, f"missing [{key}] table", expected=f"a [{key}] table", given=value)
    return value


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario TOML file; errors name the file and the key.

    Raises
    ------
    InputError
        For a missing or malformed key, an assumed block without a note, fewer than two stations, an
        unknown ``city_code``, or a last departure before the first with no room for the headway.
    """
    p = Path(path)
    spath = str(p)
    try:
        raw = tomllib.loads(read_input_text(p))
    except FileNotFoundError as exc:
        raise InputError("scenario file not found", expected="an existing .toml file", given=spath) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            "scenario file is not valid TOML", expected="TOML", given=str(exc), where=Location(source=spath)
        ) from exc

    for key in ("name", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _err(spath, key, f"missing {key}", expected="a non-empty string", given=raw.get(key))
    try:
        status = ScenarioStatus(str(raw.get("status")))
    except ValueError:
        raise _err(
            spath, "status", "unknown status", expected=" or ".join(ScenarioStatus), given=raw.get("status")
        ) from None

    running = _table(raw, "running_time", spath)
    dwell_t = _table(raw, "dwell", spath)
    headway_t = _table(raw, "headway", spath)
    service = _table(raw, "service", spath)
    assumptions = tuple(
        _assumption(t, k, spath)
        for k, t in (("running_time", running), ("dwell", dwell_t), ("headway", headway_t), ("service", service))
    )
    dwell_min = _number(dwell_t, "minutes", spath, "dwell", positive=False)
    headway_min = _number(headway_t, "minutes", spath, "headway", positive=True)
    first, last, directions = _service(service, spath)
    return Scenario(
        id=p.stem,
        name=raw["name"].strip(),
        status=status,
        source=raw["source"].strip(),
        route_short_name=str(raw.get("route_short_name", p.stem)),
        stations=_stations(raw.get("station"), dwell_min, spath),
        headway_min=headway_min,
        first_departure_s=first,
        last_departure_s=last,
        directions=directions,
        assumptions=assumptions,
        path=spath,
    )


def _service(service: dict[str, Any], spath: str) -> tuple[int, int, Directions]:
    """First and last departure [s after midnight; the last may be after midnight] and the directions."""
    first = _hhmm(service.get("first_departure"), spath, "service.first_departure")
    last = _hhmm(service.get("last_departure"), spath, "service.last_departure")
    if last < first:
        last += 86_400  # the last departure is after midnight
    try:
        directions = Directions(service.get("directions", "both"))
    except ValueError:
        raise _err(
            spath,
            "service.directions",
            "unknown directions",
            expected=" or ".join(Directions),
            given=service.get("directions"),
        ) from None
    return first, last, directions


def _stations(raw_stations: Any, dwell_min: float, spath: str) -> tuple[ScenarioStation, ...]:
    """The ``[[station]]`` entries: at least two, each named once."""
    if not isinstance(raw_stations, list) or len(raw_stations) < 2:
        raise _err(
            spath,
            "station",
            "a line needs at least two [[station]] entries",
            expected="≥ 2 stations",
            given=raw_stations,
        )
    stations: list[ScenarioStation] = []
    seen: set[str] = set()
    for i, st in enumerate(raw_stations):
        where = f"station[{i}]"
        name = st.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(spath, f"{where}.name", "station without a name", expected="a Chinese station name", given=name)
        name = name.strip()
        if name in seen:
            raise _err(spath, f"{where}.name", "station listed twice", expected="each station once", given=name)
        seen.add(name)
        run = 0.0 if i == 0 else _number(st, "run_min", spath, where, positive=True)
        dwell = _number(st, "dwell_min", spath, where, positive=False) if "dwell_min" in st else dwell_min
        lon, lat, city = _station_place(st, spath, where)
        stations.append(ScenarioStation(name, run, dwell, lon, lat, city))
    return tuple(stations)


def _station_place(st: dict[str, Any], spath: str, where: str) -> tuple[float | None, float | None, str | None]:
    """A station's coordinates [degrees] and city code: lon and lat together, and a new station (one with
    coordinates) needs its city."""
    lon: Any = st.get("lon")
    lat: Any = st.get("lat")
    city: Any = st.get("city_code")
    if (lon is None) != (lat is None):
        raise _err(
            spath,
            f"{where}.lon",
            "lon and lat go together",
            expected="both lon and lat, or neither",
            given=(lon, lat),
        )
    if lon is not None:
        if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
            raise _err(
                spath, f"{where}.lon", "coordinates out of range", expected="lon, lat in degrees", given=(lon, lat)
            )
        if city is None:
            raise _err(
                spath,
                f"{where}.city_code",
                "a new station needs its city",
                expected="a xietong.region code",
                given=None,
            )
    if city is not None:
        found = region.find(str(city))
        if found is None:
            raise _err(
                spath,
                f"{where}.city_code",
                "unknown city_code",
                expected="a xietong.region code (110000, 130100 …)",
                given=city,
                hint="run `xietong region list` to see the codes",
            )
        city = found.code
    return (None if lon is None else float(lon)), (None if lat is None else float(lat)), city


# -- applying -----------------------------------------------------------------------------------------


def resolve_stations(stops: pd.DataFrame, scenario: Scenario) -> dict[str, str | None]:
    """Station name → the feed's ``stop_id`` (``None`` for a new station the feed lacks).

    Raises
    ------
    UnknownStationError
        For a station that is neither in the feed nor given with coordinates (with the closest names).
    """
    names = stops["stop_name"].astype(str).tolist() if len(stops) else []
    ids = stops["stop_id"].astype(str).tolist() if len(stops) else []
    first_id: dict[str, str] = {}
    for n, i in zip(names, ids, strict=True):
        first_id.setdefault(n, i)
    out: dict[str, str | None] = {}
    for k, st in enumerate(scenario.stations):
        if st.name in first_id:
            out[st.name] = first_id[st.name]
        elif st.has_location:
            out[st.name] = None
        else:
            close = difflib.get_close_matches(st.name, list(first_id), n=5, cutoff=0.3)
            raise UnknownStationError(
                "station not in the feed and given without coordinates",
                expected="a stop_name of the feed, or lon, lat and city_code for a new station",
                given=repr(st.name),
                where=Location(source=scenario.path, field=f"station[{k}].name"),
                hint=(f"close names in the feed: {', '.join(close)}" if close else "the feed has no similar name")
                + "; or add lon, lat and city_code to the station",
            )
    return out


def _concat(base: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if base.empty:
        cols = list(base.columns) + [c for c in new.columns if c not in base.columns]
        return new.reindex(columns=cols).reset_index(drop=True)
    return pd.concat([base, new], ignore_index=True)


def _with_new_stations(stops: pd.DataFrame, scenario: Scenario, stop_ids: dict[str, str | None]) -> pd.DataFrame:
    """``stops`` plus the scenario's stations the feed lacks (``location_source = "scenario <id>"``); their
    new ids are filled into ``stop_ids``."""
    new_rows: list[dict[str, Any]] = []
    for st in scenario.stations:
        if stop_ids[st.name] is not None:
            continue
        sid = f"{scenario.route_id}:{st.name}"
        stop_ids[st.name] = sid
        city = region.get(st.city_code) if st.city_code else None
        new_rows.append(
            {
                "stop_id": sid,
                "stop_name": st.name,
                "stop_lat": st.lat,
                "stop_lon": st.lon,
                "city_code": city.code if city else None,
                "city_name": city.short_zh if city else None,
                "location_source": f"scenario {scenario.id}",
            }
        )
    return _concat(stops, pd.DataFrame(new_rows)) if new_rows else stops


def apply_scenario(feed: Feed, scenario: Scenario, service_date: date) -> Feed:
    """A copy of ``feed`` with the scenario's line running on ``service_date``.

    Appends the new stations to ``stops`` (``location_source = "scenario <id>"``), an agency when missing,
    one route, the trips (``direction_id`` 0 forward, 1 backward), their ``stop_times`` and a service
    ``scn:<id>:<YYYYMMDD>`` active on that date only (``calendar_dates``, exception type 1).
    """
    stop_ids = resolve_stations(feed.stops, scenario)
    stops = _with_new_stations(feed.stops, scenario, stop_ids)
    agency = feed.agency
    agency_ids = set(agency["agency_id"].astype(str)) if len(agency) else set()
    if SCENARIO_AGENCY_ID not in agency_ids:
        agency = _concat(
            agency,
            pd.DataFrame(
                [
                    {
                        "agency_id": SCENARIO_AGENCY_ID,
                        "agency_name": "Xietong scenario (synthetic trips)",
                        "agency_url": "https://example.invalid/xietong-scenario",
                        "agency_timezone": "Asia/Shanghai",
                    }
                ]
            ),
        )
    route = {
        "route_id": scenario.route_id,
        "agency_id": SCENARIO_AGENCY_ID,
        "route_short_name": scenario.route_short_name,
        "route_long_name": scenario.name,
        "route_type": RAIL_ROUTE_TYPE,
    }
    routes = _concat(feed.routes, pd.DataFrame([route]))
    service_id = f"{scenario.route_id}:{service_date:%Y%m%d}"
    table = scenario.timetable()
    trips_new = table.drop_duplicates("trip_id")[["trip_id", "direction_id"]].copy()
    trips_new.insert(0, "route_id", scenario.route_id)
    trips_new.insert(1, "service_id", service_id)
    ends = {0: scenario.stations[-1].name, 1: scenario.stations[0].name}
    trips_new["trip_headsign"] = trips_new["direction_id"].map(ends)
    trips = _concat(feed.trips, trips_new.reset_index(drop=True))

    st_new = pd.DataFrame(
        {
            "trip_id": table["trip_id"],
            "arrival_time": table["arrival_time"],
            "departure_time": table["departure_time"],
            "stop_id": [stop_ids[n] for n in table["stop_name"]],
            "stop_sequence": table["stop_sequence"],
        }
    )
    stop_times = _concat(feed.stop_times, st_new)
    for col in ("arrival_time", "departure_time"):
        stop_times[col] = stop_times[col].astype("Int64")
    calendar_dates = _concat(
        feed.calendar_dates,
        pd.DataFrame([{"service_id": service_id, "date": f"{service_date:%Y%m%d}", "exception_type": 1}]),
    )
    return feed.with_tables(
        agency=agency,
        stops=stops,
        routes=routes,
        trips=trips,
        stop_times=stop_times,
        calendar_dates=calendar_dates,
    )


__all__ = [
    "RAIL_ROUTE_TYPE",
    "SCENARIO_AGENCY_ID",
    "Assumption",
    "Directions",
    "Scenario",
    "ScenarioStation",
    "ScenarioStatus",
    "apply_scenario",
    "load_scenario",
    "resolve_stations",
]
