"""Readers for the air-quality data formats met in the region.

Each reader streams a file in chunks and yields :class:`ObservationChunk` objects holding a *wide* frame
(one row per station-hour) in Xietong's units, plus any published derived values (the AQI and 24-h
averages a monitoring centre published beside the hourly concentrations). Readers are pure: they import
nothing from the store or the exchange, and return frames, records and :class:`~xietong.errors.Problem`
objects; ownership and revisions are the air service's and the exchange's job. The readers live in
:mod:`~xietong.air.hourly_formats` (UCI, CNEMC hourly and wide) and :mod:`~xietong.air.canonical_formats`
over :mod:`~xietong.air.base_formats`; this module is their one entry point.

Formats (``--format``):

``canonical``
    Long CSV or JSON, one value per row: ``station, time, pollutant, value, unit`` (+ optional
    ``flag``). ``time`` is ISO 8601 **with an offset** and labels the end of the averaging hour. Every
    value's unit is named: by its ``unit`` cell, else by ``--unit`` (:class:`UnitOptions`); never assumed.
``uci``
    The UCI "Beijing Multi-Site Air-Quality Data" files (Zhang et al. 2017): ``No, year, month, day,
    hour, PM2.5, PM10, SO2, NO2, CO, O3, …, station``; **CO in µg/m³** (converted to mg/m³); local time.
``cnemc-wide``
    The CNEMC/quotsoft daily file: ``date, hour, type, <station codes…>``, one row per hour and type.
    Only the 1-hour concentration types are observations; the rest (``AQI``, ``PM2.5_24h``, ``O3_8h`` …)
    are kept as published values.
``cnemc-hourly``
    The CNEMC hourly station file archived since 2022: one row per station-hour, ``timepoint,
    stationcode, …, primarypollutant, aqi, pm10, pm10_24h, …``. ``NA`` = missing, ``/`` = not in the
    station's monitoring programme.
``cnemc-stations``
    The CNEMC station list: ``监测点编码, 监测点名称, 城市, 经度, 纬度, 对照点, …``.

Times: every format but ``canonical`` is in China Standard Time (UTC+8, no daylight saving). An hour
label ``h`` is the **end** of the averaging hour, as CNEMC publishes it (the value labelled 14:00 covers
13:00–14:00). Frames carry ``time_s``: seconds since the epoch, UTC, of that label.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xietong.air.base_formats import (
    CHUNK_ROWS,
    CO_MAX_PLAUSIBLE_MG_M3,
    CST_OFFSET_S,
    MISSING_TOKENS,
    NOT_MONITORED_TOKEN,
    VALUE_COLUMNS,
    AirFormat,
    ObservationChunk,
    SourceInfo,
    check_values,
    csv_chunks,
    detect_format,
    empty_published,
    empty_values,
    require_columns,
)
from xietong.air.canonical_formats import UnitOptions, parse_canonical_json, parse_unit_options, read_canonical
from xietong.air.hourly_formats import (
    CNEMC_WIDE_OBSERVATION_TYPES,
    CNEMC_WIDE_PUBLISHED_TYPES,
    UCI_STATION_CODES,
    O3Column,
    read_cnemc_hourly,
    read_cnemc_wide,
    read_uci,
)
from xietong.errors import InputError, Location


@dataclass(frozen=True, slots=True)
class StationRow:
    """One station of a station list, as the file gives it (``city`` is a code or a name of one of the 15
    jurisdictions, unresolved). The air service turns these into the exchange's station records."""

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


def read_observations(
    path: Path,
    fmt: AirFormat,
    info: SourceInfo,
    chunk_rows: int = CHUNK_ROWS,
    *,
    o3_column: O3Column = O3Column.O3,
    units: UnitOptions | None = None,
) -> Iterator[ObservationChunk]:
    """Stream observation chunks of ``chunk_rows`` input rows from a file of a known observation format.

    ``o3_column`` applies to ``cnemc-hourly`` only (see :class:`O3Column`); ``units`` to ``canonical`` only
    (see :class:`UnitOptions`): the other formats fix their units, so naming units for them is refused.
    """
    check_units_apply(fmt, units, info.name)
    if fmt is AirFormat.CANONICAL:
        return read_canonical(path, info, chunk_rows, units=units)
    if fmt is AirFormat.CNEMC_HOURLY:
        return read_cnemc_hourly(path, info, chunk_rows, o3_column=o3_column)
    readers = {
        AirFormat.CANONICAL: read_canonical,
        AirFormat.UCI: read_uci,
        AirFormat.CNEMC_WIDE: read_cnemc_wide,
        AirFormat.CNEMC_HOURLY: read_cnemc_hourly,
    }
    reader = readers.get(fmt)
    if reader is None:
        raise InputError("not an observation format", expected=", ".join(f.value for f in readers), given=fmt.value)
    return reader(path, info, chunk_rows)


def check_units_apply(fmt: AirFormat, units: UnitOptions | None, source: str) -> None:
    """Refuse units named for a format that fixes its own (every format but ``canonical``)."""
    if units and fmt is not AirFormat.CANONICAL:
        raise InputError(
            "--unit applies to canonical files only",
            expected="a canonical file (station,time,pollutant,value[,unit]) with --unit",
            given=f"a {fmt.value} file",
            where=Location(source),
            hint=f"leave out --unit: the {fmt.value} format fixes its units (see xietong air ingest --help)",
        )


def read_station_list(path: Path, info: SourceInfo) -> list[StationRow]:
    """A CNEMC station list (Chinese header) or the English ``code,name,city,lon,lat,background`` form."""
    source = info.name
    out: list[StationRow] = []
    zh = {
        "监测点编码": "code",
        "监测点名称": "name",
        "城市": "city",
        "经度": "lon",
        "纬度": "lat",
        "对照点": "background",
    }
    for raw_chunk, first_line in csv_chunks(path, info, CHUNK_ROWS, str):
        chunk = raw_chunk.rename(columns=zh)
        require_columns(chunk, ["code", "name", "city", "lon", "lat"], source, AirFormat.CNEMC_STATIONS)
        for i, rec in enumerate(chunk.to_dict("records")):
            line = first_line + i
            lon = _float_or_none(rec["lon"])
            lat = _float_or_none(rec["lat"])
            background = str(rec.get("background", "N")).strip().upper() in {"Y", "YES", "TRUE", "1", "是"}
            out.append(
                StationRow(
                    code=str(rec["code"]).strip(),
                    name_zh=str(rec["name"]).strip(),
                    city=str(rec["city"]).strip(),
                    lon=lon,
                    lat=lat,
                    background=background,
                    name_en=str(rec["name_en"]).strip() or None if "name_en" in rec else None,
                    row=line,
                    source=source,
                )
            )
    return out


def _float_or_none(text: object) -> float | None:
    s = str(text).strip()
    if s in MISSING_TOKENS:
        return None
    try:
        return float(s)
    except ValueError:
        return float("nan")


__all__ = [
    "CHUNK_ROWS",
    "CNEMC_WIDE_OBSERVATION_TYPES",
    "CNEMC_WIDE_PUBLISHED_TYPES",
    "CO_MAX_PLAUSIBLE_MG_M3",
    "CST_OFFSET_S",
    "MISSING_TOKENS",
    "NOT_MONITORED_TOKEN",
    "UCI_STATION_CODES",
    "VALUE_COLUMNS",
    "AirFormat",
    "O3Column",
    "ObservationChunk",
    "SourceInfo",
    "StationRow",
    "UnitOptions",
    "check_units_apply",
    "check_values",
    "detect_format",
    "empty_published",
    "empty_values",
    "parse_canonical_json",
    "parse_unit_options",
    "read_canonical",
    "read_cnemc_hourly",
    "read_cnemc_wide",
    "read_observations",
    "read_station_list",
    "read_uci",
]
