"""The N-hour circle report: from a centre city, how fast each target city is reached by rail and by road.

Shijiazhuang's plan sets a "1.5-hour traffic circle" to Beijing, Tianjin, the other Hebei cities and the
neighbouring provincial capitals. For each target city this module reports

- **rail**: the journeys a traveller would actually take over a departure window (range-RAPTOR from every
  station of the centre city, arrival at the first station of the target city; of several departures
  arriving at the same time only the latest is a journey anyone takes), their best and typical (median)
  door-free station-to-station time, how many meet the threshold and when they leave, and the trains of
  the best one;
- **road**: the modelled driving time of :mod:`xietong.transit.road` (design speeds, no congestion);
- **within**: whether either mode meets the threshold, and a ``note`` whenever data are missing: a target
  is never silently dropped.

Pure: a :class:`~xietong.transit.feed.Feed` in, a :class:`CircleReport` (rows + GeoJSON) out.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from xietong import region
from xietong.errors import InputError
from xietong.transit.feed import Feed, format_gtfs_time
from xietong.transit.gtfs import haversine_km
from xietong.transit.raptor import UNREACHED, LegKind, earliest_arrival, range_query
from xietong.transit.road import ROAD_SOURCE, RoadTime, road_time
from xietong.transit.stations import LocationSource
from xietong.transit.timetable import Timetable, compile_timetable, footpaths_from_groups

#: The target cities of Shijiazhuang's 1.5-hour circle: Beijing, Tianjin, Hebei's 11 prefecture cities and
#: the neighbouring provincial capitals Taiyuan, Jinan and Zhengzhou (the centre is left out of its own list).
DEFAULT_TARGETS: tuple[str, ...] = (
    "110000",
    "120000",
    *(f"13{i:02d}00" for i in range(1, 12)),
    "140100",
    "370100",
    "410100",
)
#: Default centre (Shijiazhuang) and threshold [min].
DEFAULT_CENTRE = "130100"
DEFAULT_MINUTES = 90
#: Default departure window [s after midnight]: 06:00–22:00, the hours of the passenger timetable.
DEFAULT_WINDOW_S = (6 * 3600, 22 * 3600)
#: Changing between two stations of one city (metro or taxi, e.g. Beijing West → Beijing South) [s].
#: An assumption, not a measurement: a switch of :func:`circle_report`.
DEFAULT_CITY_TRANSFER_S = 45 * 60
#: Stations counted as a city's own: within this distance of the city's representative point [km]. A
#: prefecture also holds county towns tens of km away (辛集, 高碑店) and airport stations (正定机场, 29 km
#: from Shijiazhuang); a journey from one of them is not a journey from the city. ``None`` counts every station of the prefecture. An assumption and a switch.
DEFAULT_STATION_RADIUS_KM = 25.0
#: Transfers allowed on a rail journey.
DEFAULT_MAX_TRANSFERS = 2


@dataclass(frozen=True, slots=True)
class CircleRow:
    """One target city of the circle.

    Times are station to station [min]; ``rail_departures_within`` are the departures (HH:MM, China
    Standard Time) of the journeys that meet the threshold.
    """

    city_code: str
    city: str
    city_en: str
    rail_min: float
    rail_typical_min: float
    rail_journeys: int
    rail_journeys_within: int
    rail_departures_within: tuple[str, ...]
    rail_best_trains: str
    rail_best_departure: str
    rail_within: bool
    road_min: float
    road_within: bool
    within: bool
    note: str
    lon: float
    lat: float

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rail_departures_within"] = " ".join(self.rail_departures_within)
        for key in ("rail_min", "rail_typical_min", "road_min"):
            d[key] = None if math.isnan(d[key]) else round(d[key], 1)
        return d


@dataclass(frozen=True)
class CircleReport:
    """The circle from ``centre_code`` at ``minutes``: one :class:`CircleRow` per target, in the given order."""

    centre_code: str
    centre: str
    minutes: int
    service_date: date | None
    window_s: tuple[int, int]
    rows: tuple[CircleRow, ...]
    assumptions: dict[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per target city (the columns of :class:`CircleRow`)."""
        return pd.DataFrame([r.as_dict() for r in self.rows])

    def geojson(self) -> dict[str, Any]:
        """A FeatureCollection: the centre (Point), each target (Point) and a centre→target LineString,
        with the row's values as properties (map-ready; coordinates are the cities' representative points)."""
        c = region.get(self.centre_code)
        features: list[dict[str, Any]] = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {"role": "centre", "city_code": c.code, "city": c.short_zh, "minutes": self.minutes},
            }
        ]
        for row in self.rows:
            props = {"role": "target", **row.as_dict()}
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
                    "properties": props,
                }
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[c.lon, c.lat], [row.lon, row.lat]]},
                    "properties": {"role": "link", **props},
                }
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": {
                "centre_code": self.centre_code,
                "centre": self.centre,
                "minutes": self.minutes,
                "service_date": self.service_date.isoformat() if self.service_date else None,
                "window": [format_gtfs_time(s) for s in self.window_s],
                "assumptions": self.assumptions,
            },
        }


def _journeys(departures_s: np.ndarray, arrivals_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The departures a traveller takes: of departures arriving at the same time keep the latest.

    ``arrivals_s`` is the earliest arrival for leaving at each departure (non-decreasing in the
    departure); unreachable arrivals are ``UNREACHED``. Returns (departures, arrivals) [s].
    """
    ok = arrivals_s < UNREACHED
    d, a = departures_s[ok], arrivals_s[ok]
    if len(d) == 0:
        return d, a
    keep = np.r_[a[:-1] < a[1:], True]
    return d[keep], a[keep]


def _hhmm(seconds: int) -> str:
    return format_gtfs_time(seconds)[:5]


def describe_journey(
    tt: Timetable, feed: Feed, origins: Sequence[str], departure_s: int, to_stop_id: str, max_transfers: int
) -> str:
    """The legs of the journey leaving ``origins`` at ``departure_s`` for ``to_stop_id``, for people:
    ``"G6710 石家庄 07:10→北京西 08:13; …"`` (train numbers from ``trip_short_name``, station names)."""
    legs = earliest_arrival(tt, list(origins), departure_s, max_transfers=max_transfers).journey(to_stop_id)
    names = dict(zip(feed.stops["stop_id"].astype(str), feed.stops["stop_name"].astype(str), strict=True))
    # a train's number: trip_short_name, else its route's short name (synthetic scenario trips), else the id
    trips = feed.trips.drop_duplicates("trip_id").set_index("trip_id")
    route_names = feed.routes.drop_duplicates("route_id").set_index("route_id")["route_short_name"]
    number = trips["route_id"].map(route_names)
    if "trip_short_name" in trips.columns:
        number = trips["trip_short_name"].where(
            trips["trip_short_name"].notna() & (trips["trip_short_name"] != ""), number
        )
    trains = {str(k): str(v) for k, v in number.dropna().items() if str(v) not in {"", "nan"}}
    parts = []
    for leg in legs:
        a, b = names.get(leg.from_stop_id, leg.from_stop_id), names.get(leg.to_stop_id, leg.to_stop_id)
        if leg.kind is LegKind.WALK:
            parts.append(f"change {a}→{b}")
        else:
            train = trains.get(str(leg.trip_id), str(leg.trip_id))
            parts.append(f"{train} {a} {_hhmm(leg.departure_s)}→{b} {_hhmm(leg.arrival_s)}")
    return "; ".join(parts)


def _city_stops(feed: Feed, radius_km: float | None) -> pd.Series:
    """stop_id → city_code for the stops of the feed that carry a city (within ``radius_km`` of the
    city's representative point when given; a stop placed only at its city's point counts when its name
    begins with the city's name)."""
    if "city_code" not in feed.stops.columns:
        raise InputError(
            "the feed's stops carry no city",
            expected="a city_code column in stops.txt (as written by `xietong transit build-gtfs`)",
            given=", ".join(map(str, feed.stops.columns)),
            hint="build the regional feed with `xietong transit build-gtfs`",
        )
    codes = feed.stops.set_index("stop_id")["city_code"].astype("string").str.replace(r"\.0$", "", regex=True)
    codes = codes[codes.notna() & (codes != "")]
    codes = codes[~codes.index.duplicated()]
    if radius_km is None or codes.empty:
        return codes
    stops = feed.stops.drop_duplicates("stop_id").set_index("stop_id").loc[codes.index]
    places = {code: region.find(str(code)) for code in set(codes)}
    lat0 = np.array([p.lat if p else np.nan for p in (places[c] for c in codes)], dtype=float)
    lon0 = np.array([p.lon if p else np.nan for p in (places[c] for c in codes)], dtype=float)
    dist = haversine_km(stops["stop_lat"].to_numpy(float), stops["stop_lon"].to_numpy(float), lat0, lon0)
    keep = ~(dist > radius_km)  # NaN (no coordinates, or a city Xietong has no point for) is kept
    if "location_source" in stops.columns:
        # a station placed at its city's point has no position of its own: it counts as the city's only
        # when its name says so (石家庄东, 北京朝阳), not when it is a county town's (辛集南, 景州)
        without_own = {LocationSource.CITY_POINT.value, LocationSource.NONE.value, ""}
        guessed = stops["location_source"].astype(str).isin(without_own).to_numpy()
        named = np.array(
            [
                p is not None and str(name).startswith(p.short_zh)
                for name, p in zip(stops["stop_name"], (places[c] for c in codes), strict=True)
            ]
        )
        keep &= ~guessed | named
    return codes[keep]


def _direct_trips(feed: Feed, city_of: pd.Series) -> pd.DataFrame:
    """Trips × city: the first and last stop_sequence of each trip at each city's stations (``city_of``)."""
    st = feed.stop_times[["trip_id", "stop_id", "stop_sequence"]]
    st = st.assign(city=st["stop_id"].map(city_of)).dropna(subset=["city"])
    return st.groupby(["trip_id", "city"])["stop_sequence"].agg(["min", "max"]).reset_index()


def _direct_count(seq: pd.DataFrame, a: str, b: str) -> int:
    """How many trips stop in city ``a`` and later in city ``b``."""
    both = seq[seq["city"] == a].merge(seq[seq["city"] == b], on="trip_id", suffixes=("_a", "_b"))
    return int((both["min_a"] < both["max_b"]).sum())


def _from_centre(
    feed: Feed,
    c: region.Region,
    service_date: date | None,
    max_transfers: int,
    city_transfer_s: int,
    station_radius_km: float | None,
) -> tuple[Timetable, pd.Series, list[str], np.ndarray, np.ndarray]:
    """Range-RAPTOR from every station of city ``c`` over every departure of the day.

    Returns the timetable, stop → city (stations of the timetable within the radius), the origin stops,
    the departures [s] and the earliest arrivals ``int32[n_departures, n_stops]``.
    """
    city_of = _city_stops(feed, station_radius_km)
    # changing stations within a city (北京西 → 北京南): only between the city's own stations
    footpaths = footpaths_from_groups(
        pd.DataFrame({"stop_id": city_of.index, "city_code": city_of.to_numpy()}), "city_code", city_transfer_s
    )
    tt = compile_timetable(feed, service_date, footpaths=footpaths)
    in_tt = set(map(str, tt.stop_ids))
    city_of = city_of[[sid in in_tt for sid in city_of.index]]
    origins = sorted(city_of.index[city_of == c.code])
    if not origins:
        raise InputError(
            "no station of the centre city runs a train in the feed",
            expected=f"a stop with city_code {c.code} ({c.short_zh}) served on the service date",
            given=f"{len(city_of)} stations with a city, none in {c.short_zh}",
            hint="check --date and the feed's coverage report",
        )
    # every departure of the day from the centre's stations: a journey leaving near the window's end may
    # wait for a later train, so the range covers the whole day and the window filters the journeys
    last_s = int(tt.departure_s.max(initial=0))
    ranged = range_query(tt, origins, 0, last_s, max_transfers=max_transfers)
    return tt, city_of, origins, ranged.departures_s, ranged.arrivals


@dataclass
class _Rail:
    """The rail side of one row of the circle: journeys from the centre to a target city in the window."""

    best_min: float = math.nan
    typical_min: float = math.nan
    journeys: int = 0
    journeys_within: int = 0
    departures_within: tuple[str, ...] = ()
    best_trains: str = ""
    best_departure: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Trip:
    """The range query from the centre's stations over the service day (see :func:`_from_centre`)."""

    feed: Feed
    tt: Timetable
    origins: list[str]
    day_deps: np.ndarray
    arrivals: np.ndarray
    max_transfers: int


def _rail_to(trip: _Trip, members: list[str], window_s: tuple[int, int], threshold_s: int, between: str) -> _Rail:
    """Journeys to the first of the target's stations (``members``) reached, leaving in ``window_s`` [s after
    midnight]: the fastest and the median [min], how many and which departures take at most ``threshold_s``."""
    start_s, end_s = window_s
    m_idx = np.array([trip.tt.stop_index(s) for s in members], dtype=np.int64)
    at_target = trip.arrivals[:, m_idx]
    deps, arrs = _journeys(trip.day_deps, at_target.min(axis=1))
    in_window = (deps >= start_s) & (deps <= end_s)
    deps, arrs = deps[in_window], arrs[in_window]
    if len(deps) == 0:
        return _Rail(
            notes=[
                f"no rail journey from {between} leaving {_hhmm(start_s)}–{_hhmm(end_s)} with at most "
                f"{trip.max_transfers} transfers"
            ]
        )
    dur = (arrs - deps).astype(np.int64)
    ok = dur <= threshold_s
    b = int(np.argmin(dur))
    to_stop = members[int(np.argmin(at_target[np.searchsorted(trip.day_deps, deps[b])]))]
    return _Rail(
        best_min=float(dur[b]) / 60.0,
        typical_min=float(np.median(dur)) / 60.0,
        journeys=len(dur),
        journeys_within=int(ok.sum()),
        departures_within=tuple(_hhmm(int(d)) for d in deps[ok]),
        best_trains=describe_journey(trip.tt, trip.feed, trip.origins, int(deps[b]), to_stop, trip.max_transfers),
        best_departure=_hhmm(int(deps[b])),
    )


def circle_report(
    feed: Feed,
    *,
    centre: str = DEFAULT_CENTRE,
    minutes: int = DEFAULT_MINUTES,
    targets: Sequence[str] = DEFAULT_TARGETS,
    service_date: date | None = None,
    window_s: tuple[int, int] = DEFAULT_WINDOW_S,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    city_transfer_s: int = DEFAULT_CITY_TRANSFER_S,
    station_radius_km: float | None = DEFAULT_STATION_RADIUS_KM,
    road_year: int = 2024,
) -> CircleReport:
    """The ``minutes``-minute circle from ``centre`` (code or name) to ``targets`` over one service day.

    Parameters
    ----------
    feed:
        A rail feed whose stops carry ``city_code`` (the regional feed of ``xietong transit build-gtfs``).
    minutes:
        The threshold [min] a mode must meet for the target to be ``within``.
    service_date:
        The day whose trains run (``None``: every trip of the feed).
    window_s:
        Departures from the centre considered [s after midnight], inclusive.
    city_transfer_s:
        Time to change between two stations of one city [s] (an assumption; stations of the same city are
        linked both ways by this footpath).
    station_radius_km:
        A city's stations are those within this distance of its representative point [km] (``None``: every
        station of the prefecture). Journeys start at the centre's stations and end at the target's.
    road_year:
        Year of the modelled road network (1994 or 2024).
    """
    if minutes <= 0:
        raise InputError("the circle needs a positive threshold", expected="minutes > 0", given=str(minutes))
    start_s, end_s = window_s
    if end_s < start_s:
        raise InputError("bad departure window", expected="start <= end", given=f"{start_s} s .. {end_s} s")
    c = region.get(centre)
    target_regions = [r for r in (region.get(t) for t in targets) if r.code != c.code]
    tt, city_of, origins, day_deps, arrivals = _from_centre(
        feed, c, service_date, max_transfers, city_transfer_s, station_radius_km
    )
    rows: list[CircleRow] = []
    seq = _direct_trips(feed, city_of)
    for t in target_regions:
        members = sorted(city_of.index[city_of == t.code])
        if not members:
            rail = _Rail(notes=[f"no rail data: no station of {t.short_zh} served in the feed"])
        elif len(day_deps) == 0:
            rail = _Rail(notes=[f"no rail data: no train leaves {c.short_zh} on the service date"])
        else:
            trip = _Trip(feed, tt, origins, day_deps, arrivals, max_transfers)
            rail = _rail_to(trip, members, (start_s, end_s), minutes * 60, f"{c.short_zh} to {t.short_zh}")
        notes = rail.notes
        if members and _direct_count(seq, c.code, t.code) == 0 and (back := _direct_count(seq, t.code, c.code)):
            # a corridor the sources cover one way only (e.g. a southbound-only timetable): say so
            notes.append(
                f"the feed has {back} direct trains {t.short_zh}→{c.short_zh} but none {c.short_zh}→{t.short_zh}: "
                "a one-direction source, the rail time may be too long"
            )
        road = road_time(c.code, t.code, road_year)
        if not road.available:
            notes.append(road.note)
        rows.append(_circle_row(t, rail, road, minutes, notes))
    return CircleReport(
        centre_code=c.code,
        centre=c.short_zh,
        minutes=minutes,
        service_date=service_date,
        window_s=(start_s, end_s),
        rows=tuple(rows),
        assumptions=_assumptions(city_transfer_s, max_transfers, station_radius_km, road_year, (start_s, end_s)),
    )


def _circle_row(t: region.Region, rail: _Rail, road: RoadTime, minutes: int, notes: list[str]) -> CircleRow:
    """One target city's row: rail and road time against the threshold ``minutes``."""
    rail_ok = bool(not math.isnan(rail.best_min) and rail.best_min <= minutes)
    road_ok = bool(road.available and road.road_min <= minutes)
    return CircleRow(
        city_code=t.code,
        city=t.short_zh,
        city_en=t.name_en,
        rail_min=rail.best_min,
        rail_typical_min=rail.typical_min,
        rail_journeys=rail.journeys,
        rail_journeys_within=rail.journeys_within,
        rail_departures_within=rail.departures_within,
        rail_best_trains=rail.best_trains,
        rail_best_departure=rail.best_departure,
        rail_within=rail_ok,
        road_min=float(road.road_min),
        road_within=road_ok,
        within=rail_ok or road_ok,
        note="; ".join(notes),
        lon=t.lon,
        lat=t.lat,
    )


def _assumptions(
    city_transfer_s: int, max_transfers: int, station_radius_km: float | None, road_year: int, window_s: tuple[int, int]
) -> dict[str, str]:
    """What the circle report assumes, in words (shown with the report)."""
    return {
        "rail": "station to station, timetable times; journeys from every station of the centre city to the "
        "first station reached in the target city",
        "city_transfer_min": f"{city_transfer_s / 60:g} (assumed time to change stations within a city)",
        "max_transfers": str(max_transfers),
        "station_radius_km": "every station of the prefecture"
        if station_radius_km is None
        else f"{station_radius_km:g} (a city's stations are those this close to its centre point)",
        "road": f"{ROAD_SOURCE}, {road_year} network",
        "window": f"{_hhmm(window_s[0])}–{_hhmm(window_s[1])}",
    }


#: Default isochrone bands [min].
DEFAULT_BANDS_MIN: tuple[int, ...] = (30, 60, 90, 120, 180)


@dataclass(frozen=True)
class Isochrone:
    """Rail isochrones from a city: per station the best and typical journey time and its band.

    ``stations`` columns: ``stop_id``, ``stop_name``, ``city_code``, ``city_name`` (the feed's prefecture),
    ``city_station`` (counted as its city's own: within the radius, as in the circle), ``lon``, ``lat``, ``rail_min``,
    ``rail_typical_min``, ``journeys``, ``band_min`` (the smallest band the best time fits, NaN beyond the
    last band or unreachable). Rail isochrones are sets of stations, not areas: a line's stations are
    reached while the land between them is not, so no polygon is drawn.
    """

    centre_code: str
    centre: str
    bands_min: tuple[int, ...]
    service_date: date | None
    window_s: tuple[int, int]
    stations: pd.DataFrame

    def cities(self) -> pd.DataFrame:
        """Per city (its own stations, as in the circle): the best station's time, its band, how many stations."""
        own = self.stations[self.stations["city_station"]]
        out = (
            own.groupby("city_code")
            .agg(city_name=("city_name", "first"), rail_min=("rail_min", "min"), stations=("stop_id", "size"))
            .reset_index()
        )
        names = out.pop("city_name")
        out.insert(1, "city", [_city_name(c, n) for c, n in zip(out["city_code"], names, strict=True)])
        out["band_min"] = _bands(out["rail_min"].to_numpy(float), self.bands_min)
        return out.sort_values(["rail_min", "city_code"], na_position="last", ignore_index=True)

    def geojson(self) -> dict[str, Any]:
        """Station points with their time and band (stations without coordinates left out)."""
        located = self.stations.dropna(subset=["lon", "lat"])
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
                "properties": {
                    k: (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in r.items()
                    if k not in {"lon", "lat"}
                },
            }
            for r in located.to_dict("records")
        ]
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": {"centre_code": self.centre_code, "centre": self.centre, "bands_min": list(self.bands_min)},
        }


def _city_name(code: object, name: object = None) -> str:
    found = region.find(str(code))
    if found:
        return found.short_zh
    text = "" if name is None else str(name)
    return text if text not in {"", "nan", "<NA>"} else str(code)


def _codes(stops: pd.DataFrame) -> list[str]:
    if "city_code" not in stops.columns:
        return [""] * len(stops)
    raw = stops["city_code"].astype("string").str.replace(r"\.0$", "", regex=True)
    return [("" if pd.isna(v) else str(v)) for v in raw]


def _bands(minutes: np.ndarray, bands_min: Sequence[int]) -> np.ndarray:
    edges = np.asarray(sorted(bands_min), dtype=float)
    pos = np.searchsorted(edges, minutes, side="left")
    out = np.full(len(minutes), np.nan)
    ok = np.isfinite(minutes) & (pos < len(edges))
    out[ok] = edges[pos[ok]]
    return out


def isochrone(
    feed: Feed,
    *,
    centre: str = DEFAULT_CENTRE,
    bands_min: Sequence[int] = DEFAULT_BANDS_MIN,
    service_date: date | None = None,
    window_s: tuple[int, int] = DEFAULT_WINDOW_S,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    city_transfer_s: int = DEFAULT_CITY_TRANSFER_S,
    station_radius_km: float | None = DEFAULT_STATION_RADIUS_KM,
) -> Isochrone:
    """Best and typical rail time from the stations of ``centre`` to every station, over the journeys a
    traveller takes leaving in ``window_s`` (the circle report's rules, for every station at once)."""
    if not bands_min or min(bands_min) <= 0:
        raise InputError("isochrone bands must be positive minutes", expected="e.g. 30,60,90", given=str(bands_min))
    c = region.get(centre)
    tt, city_of, _, deps, arr = _from_centre(feed, c, service_date, max_transfers, city_transfer_s, station_radius_km)
    start_s, end_s = window_s
    reached = arr < UNREACHED
    # a departure is a journey when the next departure arrives strictly later (else leave later)
    later = np.vstack([arr[:-1] < arr[1:], np.ones((1, arr.shape[1]), dtype=bool)])
    in_window = ((deps >= start_s) & (deps <= end_s))[:, None]
    keep = reached & later & in_window
    dur_min = np.where(keep, (arr.astype(np.int64) - deps[:, None]) / 60.0, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: stations never reached
        best = np.nanmin(dur_min, axis=0)
        typical = np.nanmedian(dur_min, axis=0)
    stops = feed.stops.drop_duplicates("stop_id").set_index("stop_id").reindex(list(map(str, tt.stop_ids)))
    stations = pd.DataFrame(
        {
            "stop_id": stops.index.to_numpy(),
            "stop_name": stops["stop_name"].to_numpy(),
            "city_code": _codes(stops),
            "city_name": stops["city_name"].astype("string").to_numpy() if "city_name" in stops else "",
            "city_station": [sid in city_of.index for sid in stops.index],
            "lon": stops["stop_lon"].to_numpy(float),
            "lat": stops["stop_lat"].to_numpy(float),
            "rail_min": best,
            "rail_typical_min": typical,
            "journeys": keep.sum(axis=0),
            "band_min": _bands(best, bands_min),
        }
    ).sort_values(["rail_min", "stop_id"], na_position="last", ignore_index=True)
    return Isochrone(c.code, c.short_zh, tuple(sorted(bands_min)), service_date, (start_s, end_s), stations)


__all__ = [
    "DEFAULT_BANDS_MIN",
    "DEFAULT_CENTRE",
    "DEFAULT_CITY_TRANSFER_S",
    "DEFAULT_MAX_TRANSFERS",
    "DEFAULT_MINUTES",
    "DEFAULT_STATION_RADIUS_KM",
    "DEFAULT_TARGETS",
    "DEFAULT_WINDOW_S",
    "CircleReport",
    "CircleRow",
    "Isochrone",
    "circle_report",
    "describe_journey",
    "isochrone",
]
