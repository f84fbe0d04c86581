"""China Railway passenger stations: telegraph codes, names, cities and coordinates.

A :class:`StationRegistry` is one DataFrame, one row per station, built by
:func:`read_station_registry` from

- the 12306 station list (``station_name.js`` as CSV: ``station_name``, ``telecode``, ``city``; the
  city is 12306's grouping, so Xiong'an → Baoding and Daxing Airport → Beijing),
- a coordinate file with WGS-84 columns (``站名``, ``WGS84_Lng``, ``WGS84_Lat``; the heywhale 2021
  list), joined on the name,
- optionally a prefecture table (``dzcode``, ``cityname_chn``, ``coord_long``, ``coord_lat``; the
  malin84 279-prefecture list) giving GB/T 2260 codes and points of cities outside the region.

Columns of :attr:`StationRegistry.frame`: ``stop_id`` (telegraph code), ``stop_name``, ``city_name``
(12306 grouping, short form such as 石家庄), ``city_code`` (GB/T 2260, 6 digits, or ``""``),
``stop_lat``, ``stop_lon`` [degrees, WGS-84], ``location_source`` (:class:`LocationSource`) and
``location_note``.

City codes: the 13 cities of the region and Taiyuan, Jinan, Zhengzhou come from :mod:`xietong.region`;
other cities get ``dzcode`` + ``00`` from the prefecture table when exactly one prefecture has that
name (the table is of the 2000s: merged prefectures such as Laiwu keep their old code), else ``""``.

Coordinates: the coordinate file's WGS-84 point; when it is missing, or lies more than
:data:`MAX_CITY_DISTANCE_KM` from the city's representative point (the coordinate file has a few wrong
geocodes), the city's point is used and the row is flagged ``city_point``; with no city point either,
the coordinates are empty and the row is flagged ``none``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from xietong import region
from xietong.errors import InputError, Location
from xietong.inputs import csv_guard, read_input_text

#: A station coordinate farther than this from its city's representative point is treated as a wrong
#: geocode [km], for the 13 cities of the region and the three neighbouring capitals (their stations lie
#: within about 120 km of the city seat).
MAX_CITY_DISTANCE_KM = 150.0
#: The same check for other prefectures, whose extent reaches 400 km in Inner Mongolia and Heilongjiang
#: [km]; it catches geocodes of a namesake station in another province.
MAX_OTHER_CITY_DISTANCE_KM = 500.0
EARTH_RADIUS_KM = 6371.0088

#: Region codes of the 13 cities of Beijing, Tianjin and Hebei plus the three neighbouring capitals,
#: the targets of the circle report, in code order.
TARGET_CITY_CODES: tuple[str, ...] = (
    "110000",
    "120000",
    "130100",
    "130200",
    "130300",
    "130400",
    "130500",
    "130600",
    "130700",
    "130800",
    "130900",
    "131000",
    "131100",
    "140100",
    "370100",
    "410100",
)


class LocationSource(StrEnum):
    """Where a stop's coordinates come from."""

    COORDINATES = "coordinates"  # the station's own point from the coordinate file
    CITY_POINT = "city_point"  # fallback: the representative point of the station's city
    NONE = "none"  # neither is known: stop_lat/stop_lon are empty


STATION_COLUMNS: tuple[str, ...] = (
    "stop_id",
    "stop_name",
    "city_name",
    "city_code",
    "stop_lat",
    "stop_lon",
    "location_source",
    "location_note",
)


def normalise_name(name: str) -> str:
    """A station name in the 12306 spelling: trimmed, without a trailing 站 (北京西站 → 北京西)."""
    text = "".join(str(name).split())
    if len(text) > 1 and text.endswith("站"):
        text = text[:-1]
    return text


def name_stop_id(name: str) -> str:
    """A stable stop id for a station the 12306 list does not know: ``XT`` + 8 hex of SHA-256 of its name."""
    digest = hashlib.sha256(normalise_name(name).encode("utf-8")).hexdigest()[:8].upper()
    return f"XT{digest}"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] between two WGS-84 points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class CityInfo:
    """A city as the registry knows it: short name, GB/T 2260 code (or ``""``), representative point."""

    name: str
    code: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class StationRegistry:
    """Stations by telegraph code and by name (see the module docstring for the columns)."""

    frame: pd.DataFrame
    cities: dict[str, CityInfo]

    def __post_init__(self) -> None:
        by_name = {normalise_name(n): i for i, n in enumerate(self.frame["stop_name"])}
        object.__setattr__(self, "_by_name", by_name)

    def lookup(self, name: str) -> pd.Series | None:
        """The registry row of a station name (suffix variants accepted), or ``None``."""
        idx: dict[str, int] = self._by_name  # type: ignore[attr-defined]
        i = idx.get(normalise_name(name))
        return None if i is None else self.frame.iloc[i]

    def resolve(self, names: pd.Series) -> pd.DataFrame:
        """Registry rows for station names, unknown names as extra rows with a name-derived id.

        Returns one row per distinct normalised name (``STATION_COLUMNS`` plus ``known``: whether the
        12306 list has the station).
        """
        rows = []
        for name in sorted({normalise_name(n) for n in names}):
            hit = self.lookup(name)
            if hit is not None:
                rows.append({**hit.to_dict(), "known": True})
            else:
                rows.append(
                    {
                        "stop_id": name_stop_id(name),
                        "stop_name": name,
                        "city_name": "",
                        "city_code": "",
                        "stop_lat": float("nan"),
                        "stop_lon": float("nan"),
                        "location_source": LocationSource.NONE.value,
                        "location_note": "not in the 12306 station list",
                        "known": False,
                    }
                )
        return pd.DataFrame(rows, columns=[*STATION_COLUMNS, "known"])


def _read_csv_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    with csv_guard(str(path)), io.StringIO(read_input_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                "station file lacks required columns",
                expected=", ".join(required),
                given=", ".join(header) or "an empty file",
                where=Location(str(path), 1, missing[0]),
                hint="pass the 12306 station list (station_name, telecode, city) or a coordinate file "
                "with 站名, WGS84_Lng, WGS84_Lat",
            )
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _float(value: str, path: Path, row: int, column: str) -> float | None:
    if value == "":
        return None
    try:
        out = float(value)
    except ValueError:
        raise InputError(
            "coordinate is not a number",
            expected="decimal degrees",
            given=repr(value),
            where=Location(str(path), row, column),
            hint="fix or blank the cell",
        ) from None
    return out


def _prefectures(path: Path | None) -> dict[str, CityInfo]:
    if path is None:
        return {}
    rows = _read_csv_rows(path, ("dzcode", "cityname_chn", "coord_long", "coord_lat"))
    seen: dict[str, list[CityInfo]] = {}
    for i, r in enumerate(rows, start=2):
        code = r["dzcode"]
        if not (code.isdigit() and len(code) == 4):
            raise InputError(
                "prefecture code is not 4 digits",
                expected="a 4-digit GB/T 2260 prefix such as 1301",
                given=repr(code),
                where=Location(str(path), i, "dzcode"),
            )
        short = r["cityname_chn"].removesuffix("市").removesuffix("地区")
        lat = _float(r["coord_lat"], path, i, "coord_lat")
        lon = _float(r["coord_long"], path, i, "coord_long")
        seen.setdefault(short, []).append(CityInfo(short, code + "00", lat, lon))
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def _city(name: str, prefectures: dict[str, CityInfo]) -> CityInfo:
    known = region.find(name) if name else None
    if known is not None and (known.code in TARGET_CITY_CODES or known.jurisdiction):
        return CityInfo(known.short_zh, known.code, known.lat, known.lon)
    if name in prefectures:
        return prefectures[name]
    return CityInfo(name, "", None, None)


def read_station_registry(
    stations_csv: Path,
    coords_csv: Path | None = None,
    *,
    prefectures_csv: Path | None = None,
    max_city_distance_km: float = MAX_CITY_DISTANCE_KM,
) -> StationRegistry:
    """Read the 12306 station list and join coordinates and cities (see the module docstring).

    Parameters
    ----------
    stations_csv:
        12306 station list with ``station_name``, ``telecode``, ``city``.
    coords_csv:
        Coordinates with ``站名``, ``WGS84_Lng``, ``WGS84_Lat`` [degrees], joined on the name.
    prefectures_csv:
        Optional prefecture table (``dzcode``, ``cityname_chn``, ``coord_long``, ``coord_lat``) for the
        codes and points of cities outside the region.
    max_city_distance_km:
        For the 16 target cities, a coordinate farther than this from the city's point is replaced by the
        city point [km]; other cities use :data:`MAX_OTHER_CITY_DISTANCE_KM`.

    Raises
    ------
    InputError
        A missing column, an empty or duplicated telegraph code, or a coordinate that is not a number,
        naming file, row and field.
    """
    rows = _read_csv_rows(stations_csv, ("station_name", "telecode", "city"))
    coords = _coordinates(coords_csv) if coords_csv is not None else {}
    prefectures = _prefectures(prefectures_csv)
    cities: dict[str, CityInfo] = {}
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        code = r["telecode"].upper()
        if not code:
            raise InputError(
                "station without a telegraph code",
                expected="a 3-letter 12306 telegraph code such as SJP",
                given="an empty cell",
                where=Location(str(stations_csv), i, "telecode"),
            )
        if code in seen:
            raise InputError(
                "telegraph code listed twice",
                expected="one row per telegraph code",
                given=code,
                where=Location(str(stations_csv), i, "telecode"),
                hint="remove the duplicate row",
            )
        seen.add(code)
        city = cities.setdefault(r["city"], _city(r["city"], prefectures))
        name = normalise_name(r["station_name"])
        lat, lon, source, note = _locate(coords.get(name), city, max_city_distance_km)
        out.append(
            {
                "stop_id": code,
                "stop_name": name,
                "city_name": city.name,
                "city_code": city.code,
                "stop_lat": float("nan") if lat is None else lat,
                "stop_lon": float("nan") if lon is None else lon,
                "location_source": source.value,
                "location_note": note,
            }
        )
    frame = pd.DataFrame(out, columns=list(STATION_COLUMNS))
    return StationRegistry(frame=frame, cities=cities)


def _coordinates(coords_csv: Path) -> dict[str, tuple[float, float]]:
    """Station name (normalised) → (lat, lon) [degrees] from the coordinate file; the first row of a name wins."""
    coords: dict[str, tuple[float, float]] = {}
    for i, r in enumerate(_read_csv_rows(coords_csv, ("站名", "WGS84_Lng", "WGS84_Lat")), start=2):
        c_lon = _float(r["WGS84_Lng"], coords_csv, i, "WGS84_Lng")
        c_lat = _float(r["WGS84_Lat"], coords_csv, i, "WGS84_Lat")
        if c_lon is not None and c_lat is not None:
            coords.setdefault(normalise_name(r["站名"]), (c_lat, c_lon))
    return coords


def _locate(
    point: tuple[float, float] | None, city: CityInfo, max_city_distance_km: float
) -> tuple[float | None, float | None, LocationSource, str]:
    """A station's (lat, lon), where they come from and a note: its own coordinate unless too far from its
    city's point (then the city point), the city point without a coordinate, else none."""
    if point is not None:
        lat, lon = point
        if city.lat is not None and city.lon is not None:
            dist = haversine_km(lat, lon, city.lat, city.lon)
            limit = max_city_distance_km if city.code in TARGET_CITY_CODES else MAX_OTHER_CITY_DISTANCE_KM
            if dist > limit:
                note = f"coordinate {lat:.4f},{lon:.4f} is {dist:.0f} km from the {city.name} city point"
                return city.lat, city.lon, LocationSource.CITY_POINT, note
        return lat, lon, LocationSource.COORDINATES, ""
    if city.lat is not None and city.lon is not None:
        return city.lat, city.lon, LocationSource.CITY_POINT, "not in the coordinate file"
    return None, None, LocationSource.NONE, "not in the coordinate file; no city point"


__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_CITY_DISTANCE_KM",
    "MAX_OTHER_CITY_DISTANCE_KM",
    "STATION_COLUMNS",
    "TARGET_CITY_CODES",
    "CityInfo",
    "LocationSource",
    "StationRegistry",
    "haversine_km",
    "name_stop_id",
    "normalise_name",
    "read_station_registry",
]
