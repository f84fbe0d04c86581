"""Find China Railway timetable and station files in directories, by file name and content.

:func:`find_sources` walks the given files and directories and recognises

- timetables: 12306 ``queryTrainInfo`` JSON (``station_train_codes``) and markdown (a table naming
  ``station_train_code``), RouteMaster JSON (``CodeHuman``), the Jingguang plan timetable
  (``plan_timetable.csv`` whose header starts ``train_id,station_1_A``; read with its directory) and
  station boards (header starting ``board_station``);
- the station list (header with ``station_name``, ``telecode``, ``city`` and no train or coordinate
  column), the coordinate file (``站名``,
  ``WGS84_Lng``, ``WGS84_Lat``; a name containing ``coord`` is preferred when there are several) and the
  prefecture table (``dzcode``, ``cityname_chn``).

Anything else (GTFS zips, OSM extracts, derived long forms) is listed as skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xietong.errors import InputError, Location
from xietong.transit.china_rail.formats import (
    read_jingguang_wide,
    read_query_train_info_json,
    read_query_train_info_markdown,
    read_routemaster,
    read_station_boards,
)
from xietong.transit.china_rail.runs import RailFormat, SourceRuns
from xietong.transit.stations import StationRegistry, read_station_registry

_SNIFF_CHARS = 4000


@dataclass
class FoundSources:
    """The files :func:`find_sources` recognised."""

    timetables: list[tuple[RailFormat, Path]] = field(default_factory=list)
    stations_csv: Path | None = None
    coords_csv: list[Path] = field(default_factory=list)
    prefectures_csv: Path | None = None
    skipped: list[Path] = field(default_factory=list)

    def registry(self) -> StationRegistry:
        """Read the station registry from the recognised station files.

        Raises
        ------
        InputError
            When no 12306 station list was found.
        """
        if self.stations_csv is None:
            raise InputError(
                "no 12306 station list among the sources",
                expected="a CSV with station_name, telecode and city (e.g. stations/12306_stations_2026-01.csv)",
                given="none found",
                hint="add the directory holding the station list to the sources",
            )
        coords = sorted(self.coords_csv, key=lambda p: ("coord" not in p.name, p.name))
        return read_station_registry(
            self.stations_csv, coords[0] if coords else None, prefectures_csv=self.prefectures_csv
        )


def _head(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        return fh.read(_SNIFF_CHARS)


def detect(path: Path) -> str | None:
    """What a file is: a :class:`RailFormat` value, ``stations``, ``coords``, ``prefectures``, or ``None``."""
    suffix = path.suffix.lower()
    if suffix not in {".json", ".md", ".csv"}:
        return None
    head = _head(path)
    first = head.splitlines()[0] if head else ""
    if suffix == ".json":
        if '"station_train_codes"' in head or '"station_train_code"' in head:
            return RailFormat.QUERY_TRAIN_INFO_JSON.value
        if '"CodeHuman"' in head and '"Path"' in head:
            return RailFormat.ROUTEMASTER.value
        return None
    if suffix == ".md":
        return RailFormat.QUERY_TRAIN_INFO_MARKDOWN.value if "station_train_code" in head else None
    cols = {c.strip() for c in first.split(",")}
    if first.startswith("train_id,station_1_A"):
        return RailFormat.JINGGUANG_WIDE.value
    if first.startswith("board_station,"):
        return RailFormat.STATION_BOARDS.value
    if {"station_name", "telecode", "city"} <= cols and not any("train" in c or "lon" in c for c in cols):
        return "stations"
    if {"站名", "WGS84_Lng", "WGS84_Lat"} <= cols:
        return "coords"
    if {"dzcode", "cityname_chn"} <= cols:
        return "prefectures"
    return None


def find_sources(paths: Sequence[Path]) -> FoundSources:
    """Recognise the timetable and station files under ``paths`` (files or directories, recursively).

    Raises
    ------
    InputError
        A path that does not exist, or two different 12306 station lists.
    """
    found = FoundSources()
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(
                "source path does not exist",
                expected="a timetable file or a directory of them",
                given=str(p),
                where=Location(str(p)),
            )
    for f in files:
        kind = detect(f)
        if kind is None:
            found.skipped.append(f)
        elif kind == "stations":
            if found.stations_csv is not None and found.stations_csv != f:
                raise InputError(
                    "two 12306 station lists among the sources",
                    expected="one station list",
                    given=f"{found.stations_csv} and {f}",
                    where=Location(str(f)),
                    hint="pass only one of them",
                )
            found.stations_csv = f
        elif kind == "coords":
            found.coords_csv.append(f)
        elif kind == "prefectures":
            found.prefectures_csv = f
        else:
            fmt = RailFormat(kind)
            target = f.parent if fmt is RailFormat.JINGGUANG_WIDE else f
            found.timetables.append((fmt, target))
    return found


_READERS: dict[RailFormat, Callable[[Path], SourceRuns]] = {
    RailFormat.QUERY_TRAIN_INFO_JSON: read_query_train_info_json,
    RailFormat.QUERY_TRAIN_INFO_MARKDOWN: read_query_train_info_markdown,
    RailFormat.ROUTEMASTER: read_routemaster,
    RailFormat.JINGGUANG_WIDE: read_jingguang_wide,
    RailFormat.STATION_BOARDS: read_station_boards,
}


def read_source(fmt: RailFormat, path: Path) -> SourceRuns:
    """Read one timetable source with the reader of its format."""
    return _READERS[fmt](path)


__all__ = ["FoundSources", "detect", "find_sources", "read_source"]
