"""Readers for the air-quality data formats met in the region.

Each reader streams a file in chunks and yields :class:`ObservationChunk` objects holding a *wide* frame
(one row per station-hour) in Xietong's units, plus any published derived values (the AQI and 24-h
averages a monitoring centre published beside the hourly concentrations). Readers do no database work;
ownership and revisions are the exchange's job.

Formats (``--format``):

``canonical``
    Long CSV or JSON, one value per row: ``station, time, pollutant, value, unit`` (+ optional
    ``flag``). ``time`` is ISO 8601 **with an offset** and labels the end of the averaging hour.
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

import gzip
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from xietong.enums import FLAG_CODE, POLLUTANTS, Pollutant, QualityFlag
from xietong.errors import (
    DuplicateRecordError,
    FormatDetectionError,
    InputError,
    Location,
    Problem,
    UnitError,
)
from xietong.exchange.stations import StationRecord

CST_OFFSET_S = 8 * 3600
#: CO above this [mg/m³] is taken for a value in µg/m³ (the highest CO IAQI breakpoint is 150 mg/m³ for
#: one hour; hourly CO in the region has not exceeded ~20 mg/m³ at national-control sites).
CO_MAX_PLAUSIBLE_MG_M3 = 50.0
CHUNK_ROWS = 50_000

VALUE_COLUMNS: tuple[str, ...] = tuple(p.column for p in POLLUTANTS)
MISSING_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-", "--", "—", "*"})
NOT_MONITORED_TOKEN = "/"  # noqa: S105 - a data token, not a secret


class AirFormat(StrEnum):
    """Input formats of ``xietong air ingest``."""

    AUTO = "auto"
    CANONICAL = "canonical"
    UCI = "uci"
    CNEMC_WIDE = "cnemc-wide"
    CNEMC_HOURLY = "cnemc-hourly"
    CNEMC_STATIONS = "cnemc-stations"


#: CNEMC station codes of the twelve UCI sites (by the ``station`` column of the UCI files).
UCI_STATION_CODES: dict[str, str] = {
    "Wanshouxigong": "1001A",
    "Dingling": "1002A",
    "Dongsi": "1003A",
    "Tiantan": "1004A",
    "Nongzhanguan": "1005A",
    "Guanyuan": "1006A",
    "Wanliu": "1007A",
    "Shunyi": "1008A",
    "Huairou": "1009A",
    "Changping": "1010A",
    "Aotizhongxin": "1011A",
    "Gucheng": "1012A",
}

#: the 1-hour concentration types of the wide format, and their pollutant
CNEMC_WIDE_OBSERVATION_TYPES: dict[str, Pollutant] = {
    "SO2": Pollutant.SO2,
    "NO2": Pollutant.NO2,
    "O3": Pollutant.O3,
    "CO": Pollutant.CO,
    "PM10": Pollutant.PM10,
    "PM2.5": Pollutant.PM25,
}
CNEMC_WIDE_PUBLISHED_TYPES = frozenset(
    {"AQI", "PM2.5_24h", "PM10_24h", "SO2_24h", "NO2_24h", "O3_24h", "O3_8h", "O3_8h_24h", "CO_24h"}
)

_HOURLY_OBS = {"so2": "so2", "no2": "no2", "o3": "o3", "co": "co", "pm10": "pm10", "pm2_5": "pm25"}
_HOURLY_TEXT = dict.fromkeys(
    ("timepoint", "stationcode", "area", "positionname", "primarypollutant", "TimePoint", "StationCode"), str
)
_HOURLY_PUBLISHED = {
    "aqi": "AQI",
    "pm10_24h": "PM10_24h",
    "pm2_5_24h": "PM2.5_24h",
    "o3_24h": "O3_24h",
    "o3_8h": "O3_8h",
    "o3_8h_24h": "O3_8h_24h",
    "no2_24h": "NO2_24h",
    "so2_24h": "SO2_24h",
    "co_24h": "CO_24h",
}


@dataclass(slots=True)
class ObservationChunk:
    """A piece of a parsed file.

    ``values``: columns ``station`` (str), ``time_s`` (int64, UTC epoch seconds of the end of the hour),
    ``so2 no2 o3 co pm10 pm25`` (float64 [µg/m³; CO mg/m³], NaN = not given), ``flag_bits`` (int64, two
    bits per pollutant in :data:`~xietong.enums.POLLUTANTS` order), ``row`` (int64, line in the file).
    ``published``: columns ``station, time_s, variable, value, text, row``.
    """

    values: pd.DataFrame
    published: pd.DataFrame
    rows_read: int
    problems: list[Problem] = field(default_factory=list)
    rejected_values: int = 0


@dataclass(slots=True)
class SourceInfo:
    """Bytes read so far and the SHA-256 of the input, filled in while a file streams."""

    name: str
    size: int | None
    bytes_read: int = 0
    sha256: str = ""


class _CountingReader(io.RawIOBase):
    """Wraps a binary stream; counts and hashes the bytes read through it."""

    def __init__(self, raw: IO[bytes], info: SourceInfo) -> None:
        self._raw = raw
        self._info = info
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._hash.update(data)
        self._info.bytes_read += n
        self._info.sha256 = self._hash.hexdigest()
        return n


def empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station": pd.Series([], dtype=object),
            "time_s": pd.Series([], dtype="int64"),
            **{c: pd.Series([], dtype="float64") for c in VALUE_COLUMNS},
            "flag_bits": pd.Series([], dtype="int64"),
            "row": pd.Series([], dtype="int64"),
        }
    )


def empty_published() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station": pd.Series([], dtype=object),
            "time_s": pd.Series([], dtype="int64"),
            "variable": pd.Series([], dtype=object),
            "value": pd.Series([], dtype="float64"),
            "text": pd.Series([], dtype=object),
            "row": pd.Series([], dtype="int64"),
        }
    )


# -- detection --------------------------------------------------------------------------------------


def detect_format(path: Path, name: str | None = None) -> AirFormat:
    """Recognise a file's format from its first line (or, for JSON, its extension)."""
    if _base_suffix(path) in {".json", ".ndjson", ".jsonl"}:
        return AirFormat.CANONICAL
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as fh:
        head = fh.readline(65536)
    text = head.decode("utf-8-sig", errors="replace").strip()
    cols = [c.strip().strip('"').strip().lower() for c in text.split(",")]
    if cols[:3] == ["date", "hour", "type"]:
        return AirFormat.CNEMC_WIDE
    if cols[:2] == ["timepoint", "stationcode"]:
        return AirFormat.CNEMC_HOURLY
    if cols[:6] == ["no", "year", "month", "day", "hour", "pm2.5"]:
        return AirFormat.UCI
    if cols and cols[0] in {"监测点编码", "站点编码"}:
        return AirFormat.CNEMC_STATIONS
    if {"station", "time", "pollutant", "value"} <= set(cols):
        return AirFormat.CANONICAL
    raise FormatDetectionError(
        "cannot tell the format of this file from its header",
        expected=(
            "a header of one of: canonical (station,time,pollutant,value,unit), uci (No,year,month,day,hour,"
            "PM2.5,…), cnemc-wide (date,hour,type,…), cnemc-hourly (timepoint,stationcode,…), "
            "cnemc-stations (监测点编码,…)"
        ),
        given=repr(text[:120]),
        where=Location(name or str(path), 1),
        hint="name the format with --format",
    )


def _base_suffix(path: Path) -> str:
    """The suffix that names the content: ``.csv`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


# -- helpers ------------------------------------------------------------------------------------------


def _numeric(
    cells: pd.Series, rows: np.ndarray, source: str, column: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse cells to float64. Returns (values, not_monitored mask); records non-numbers as problems.

    Columns the CSV reader already parsed as numbers take the fast path; text columns (a ``/`` or a
    stray word in them) are checked cell by cell.
    """
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        values = cells.to_numpy(dtype="float64", na_value=np.nan)
        return _refuse_infinite(values, rows, source, column, problems), np.zeros(len(cells), dtype=bool)
    text = cells.astype(object).where(cells.notna(), "").astype(str).str.strip()
    not_monitored = (text == NOT_MONITORED_TOKEN).to_numpy()
    missing = text.isin(MISSING_TOKENS).to_numpy() | not_monitored
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & ~missing
    for i in np.flatnonzero(bad)[:1000]:
        problems.append(
            Problem(
                "not a number",
                Location(source, int(rows[i]), column),
                "a decimal number, NA or empty for missing, / for not monitored",
                repr(text.iloc[i]),
            )
        )
    return _refuse_infinite(values, rows, source, column, problems), not_monitored


def _refuse_infinite(
    values: np.ndarray, rows: np.ndarray, source: str, column: str, problems: list[Problem]
) -> np.ndarray:
    """``inf``, ``Infinity`` and overflowing cells (``1e309``) are refused like text: a problem, then NaN
    (the row is rejected with the non-numbers); a stored infinity would poison every average over it."""
    infinite = np.isinf(values)
    if not infinite.any():
        return values
    for i in np.flatnonzero(infinite)[:1000]:
        problems.append(
            Problem(
                "not a number",
                Location(source, int(rows[i]), column),
                "a finite decimal number, NA or empty for missing, / for not monitored",
                repr(float(values[i])),
            )
        )
    return np.where(infinite, np.nan, values)


def check_values(frame: pd.DataFrame, source: str, problems: list[Problem]) -> np.ndarray:
    """Range checks in Xietong units. Returns a boolean mask of rows to reject.

    Negative concentrations are rejected; CO above :data:`CO_MAX_PLAUSIBLE_MG_M3` is rejected as a value
    that is clearly in µg/m³.
    """
    reject = np.zeros(len(frame), dtype=bool)
    rows = frame["row"].to_numpy()
    for p in POLLUTANTS:
        col = frame[p.column].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            negative = col < 0
        for i in np.flatnonzero(negative)[:1000]:
            problems.append(
                Problem(
                    f"negative {p.value} concentration",
                    Location(source, int(rows[i]), p.value),
                    f"a value >= 0 {p.unit}",
                    repr(float(col[i])),
                    "concentrations cannot be negative: correct or drop the value",
                )
            )
        reject |= negative
        if p is Pollutant.CO:
            with np.errstate(invalid="ignore"):
                too_big = col > CO_MAX_PLAUSIBLE_MG_M3
            for i in np.flatnonzero(too_big)[:1000]:
                problems.append(
                    Problem(
                        f"station {frame['station'].iat[i]}: CO = {col[i]:g} looks like µg/m³",
                        Location(source, int(rows[i]), "CO"),
                        f"mg/m³ (at most {CO_MAX_PLAUSIBLE_MG_M3:g})",
                        f"{col[i]:g}",
                        "divide by 1000, or declare the unit µg/m³ so Xietong converts it",
                        kind=UnitError,
                    )
                )
            reject |= too_big
    return reject


def _local_to_utc_s(local_naive: pd.Series) -> np.ndarray:
    ns = local_naive.to_numpy(dtype="datetime64[s]").astype("int64")
    return ns - CST_OFFSET_S


def _flags_from(not_monitored: dict[str, np.ndarray], n: int) -> np.ndarray:
    bits = np.zeros(n, dtype="int64")
    code = FLAG_CODE[QualityFlag.NOT_MONITORED]
    for i, col in enumerate(VALUE_COLUMNS):
        mask = not_monitored.get(col)
        if mask is not None:
            bits |= np.where(mask, code << (2 * i), 0)
    return bits


def _open(path: Path, info: SourceInfo) -> IO[bytes]:
    """Open a file for streaming; ``.gz`` files are decompressed on the fly.

    Progress and the SHA-256 are taken over the bytes as stored (compressed or not).
    """
    counted = io.BufferedReader(_CountingReader(path.open("rb"), info), buffer_size=1 << 20)
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[return-value]
    return counted


def _chunks(
    path: Path, info: SourceInfo, chunk_rows: int, text_columns: Mapping[str, type] | type | None = None
) -> Iterator[tuple[pd.DataFrame, int]]:
    """CSV chunks with the file line number of each chunk's first data row.

    Numeric columns are parsed by the C reader (missing tokens become NaN); ``text_columns`` names the
    columns to keep as text (or ``str`` for all).
    """
    fh = _open(path, info)
    try:
        reader = pd.read_csv(
            fh,
            dtype=text_columns,
            keep_default_na=False,
            na_values=sorted(MISSING_TOKENS),
            chunksize=chunk_rows,
            encoding="utf-8-sig",
            skipinitialspace=True,
        )
        line = 2
        for chunk in reader:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            yield chunk, line
            line += len(chunk)
    except UnicodeDecodeError as exc:
        raise InputError(
            "the file is not UTF-8 text",
            expected="UTF-8 (with or without BOM)",
            given=f"undecodable bytes near offset {exc.start}",
            where=Location(info.name),
            hint="convert it, e.g. `iconv -f GBK -t UTF-8`",
        ) from None
    except pd.errors.ParserError as exc:
        raise InputError("malformed CSV", given=str(exc), where=Location(info.name)) from None
    finally:
        fh.close()


def _require_columns(chunk: pd.DataFrame, needed: list[str], source: str, fmt: AirFormat) -> None:
    missing = [c for c in needed if c not in chunk.columns]
    if missing:
        raise InputError(
            f"the {fmt.value} file lacks column(s) {', '.join(missing)}",
            expected=", ".join(needed),
            given=", ".join(str(c) for c in chunk.columns[:20]),
            where=Location(source, 1),
        )


# -- readers -----------------------------------------------------------------------------------------


def read_uci(path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS) -> Iterator[ObservationChunk]:
    """UCI Beijing Multi-Site files. CO is in µg/m³ there and is divided by 1000."""
    source = info.name
    src_cols = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
    for chunk, first_line in _chunks(path, info, chunk_rows, {"station": str, "wd": str}):
        _require_columns(chunk, ["year", "month", "day", "hour", *src_cols, "station"], source, AirFormat.UCI)
        problems: list[Problem] = []
        n = len(chunk)
        rows = np.arange(first_line, first_line + n, dtype="int64")
        names = chunk["station"].str.strip()
        stations = names.map(UCI_STATION_CODES)
        unknown = stations.isna().to_numpy()
        for i in np.flatnonzero(unknown)[:1000]:
            problems.append(
                Problem(
                    "unknown UCI station name",
                    Location(source, int(rows[i]), "station"),
                    "one of " + ", ".join(UCI_STATION_CODES),
                    repr(names.iat[i]),
                )
            )
        parts = {k: pd.to_numeric(chunk[k], errors="coerce") for k in ("year", "month", "day", "hour")}
        local = pd.to_datetime(
            pd.DataFrame({"year": parts["year"], "month": parts["month"], "day": parts["day"], "hour": parts["hour"]}),
            errors="coerce",
        )
        bad_time = local.isna().to_numpy() | ~parts["hour"].between(0, 23).to_numpy()
        for i in np.flatnonzero(bad_time & ~unknown)[:1000]:
            problems.append(
                Problem(
                    "invalid date or hour",
                    Location(source, int(rows[i]), "year/month/day/hour"),
                    "a calendar date and an hour 0–23",
                    "{}-{}-{} {}".format(*(chunk[k].iat[i] for k in ("year", "month", "day", "hour"))),
                )
            )
        frame = pd.DataFrame({"station": stations.astype(object), "row": rows})
        frame["time_s"] = np.where(bad_time, 0, _local_to_utc_s(local.fillna(pd.Timestamp(0))))
        not_monitored: dict[str, np.ndarray] = {}
        for src, col in src_cols.items():
            values, nm = _numeric(chunk[src], rows, source, src, problems)
            if col == "co":
                values = values / 1000.0  # µg/m³ -> mg/m³
            frame[col] = values
            not_monitored[col] = nm
        frame["flag_bits"] = _flags_from(not_monitored, n)
        yield _finish(frame, empty_published(), n, problems, source, reject_rows=unknown | bad_time)


class O3Column(StrEnum):
    """Which column of a CNEMC hourly file holds the 1-hour O3 observation.

    CNEMC publishes it as ``o3``. The widely used public archive of these files (GitHub HeQinWill/CNEMC)
    has ``o3`` and ``o3_24h`` swapped for 2022–2025 (its README; confirmed against the published AQIs in
    ``tests/unit/air/test_cnemc_published.py``), so those files need ``o3_24h``.
    """

    O3 = "o3"
    O3_24H = "o3_24h"


def read_cnemc_hourly(
    path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS, *, o3_column: O3Column = O3Column.O3
) -> Iterator[ObservationChunk]:
    """The current CNEMC hourly station format (one row per station-hour)."""
    source = info.name
    observed = dict(_HOURLY_OBS)
    published_columns = dict(_HOURLY_PUBLISHED)
    if o3_column is O3Column.O3_24H:
        del observed["o3"]
        observed["o3_24h"] = "o3"
        del published_columns["o3_24h"]
        published_columns["o3"] = "O3_24h"
    for chunk, first_line in _chunks(path, info, chunk_rows, _HOURLY_TEXT):
        chunk.columns = [c.lower() for c in chunk.columns]
        _require_columns(chunk, ["timepoint", "stationcode", *observed], source, AirFormat.CNEMC_HOURLY)
        problems: list[Problem] = []
        n = len(chunk)
        rows = np.arange(first_line, first_line + n, dtype="int64")
        raw_time = chunk["timepoint"].str.strip()
        local = pd.to_datetime(raw_time, format="%Y-%m-%dT%H%M", errors="coerce")
        retry = local.isna()
        if retry.any():
            local[retry] = pd.to_datetime(raw_time[retry], format="ISO8601", errors="coerce")
        bad_time = local.isna().to_numpy()
        for i in np.flatnonzero(bad_time)[:1000]:
            problems.append(
                Problem(
                    "invalid timepoint",
                    Location(source, int(rows[i]), "timepoint"),
                    "local time like 2026-03-10T1400",
                    repr(raw_time.iat[i]),
                )
            )
        frame = pd.DataFrame({"station": chunk["stationcode"].str.strip().astype(object), "row": rows})
        frame["time_s"] = np.where(bad_time, 0, _local_to_utc_s(local.fillna(pd.Timestamp(0))))
        not_monitored: dict[str, np.ndarray] = {}
        for src, col in observed.items():
            values, nm = _numeric(chunk[src], rows, source, src, problems)
            frame[col] = values
            not_monitored[col] = nm
        frame["flag_bits"] = _flags_from(not_monitored, n)
        published = []
        for src, variable in published_columns.items():
            if src not in chunk.columns:
                continue
            values, nm = _numeric(chunk[src], rows, source, src, problems)
            published.append(
                pd.DataFrame(
                    {
                        "station": frame["station"],
                        "time_s": frame["time_s"],
                        "variable": variable,
                        "value": values,
                        "text": _token_where(nm),
                        "row": rows,
                    }
                )
            )
        if "primarypollutant" in chunk.columns:
            text = chunk["primarypollutant"].str.strip()
            published.append(
                pd.DataFrame(
                    {
                        "station": frame["station"],
                        "time_s": frame["time_s"],
                        "variable": "primary_pollutant",
                        "value": np.nan,
                        "text": text.where(~text.isin(MISSING_TOKENS), None).astype(object),
                        "row": rows,
                    }
                )
            )
        pub = pd.concat(published, ignore_index=True) if published else empty_published()
        pub = pub[~(pub["value"].isna() & pub["text"].isna())]
        yield _finish(frame, pub, n, problems, source, reject_rows=bad_time)


def read_cnemc_wide(path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS) -> Iterator[ObservationChunk]:
    """CNEMC/quotsoft wide daily files (``date,hour,type,<station codes…>``)."""
    source = info.name
    for chunk, first_line in _chunks(path, info, chunk_rows, {"date": str, "type": str}):
        _require_columns(chunk, ["date", "hour", "type"], source, AirFormat.CNEMC_WIDE)
        problems: list[Problem] = []
        n = len(chunk)
        rows = np.arange(first_line, first_line + n, dtype="int64")
        stations = [c for c in chunk.columns if c not in {"date", "hour", "type"} and c]
        date = pd.to_datetime(chunk["date"].str.strip(), format="%Y%m%d", errors="coerce")
        hour = pd.to_numeric(chunk["hour"], errors="coerce")
        bad_time = (date.isna() | ~hour.between(0, 23)).to_numpy()
        for i in np.flatnonzero(bad_time)[:1000]:
            problems.append(
                Problem(
                    "invalid date or hour",
                    Location(source, int(rows[i]), "date/hour"),
                    "date YYYYMMDD and hour 0–23",
                    f"{chunk['date'].iat[i]!r} {chunk['hour'].iat[i]!r}",
                )
            )
        local = date.fillna(pd.Timestamp(0)) + pd.to_timedelta(hour.fillna(0), unit="h")
        time_s = _local_to_utc_s(local)
        types = chunk["type"].str.strip().to_numpy()
        unknown_types = sorted(set(types) - set(CNEMC_WIDE_OBSERVATION_TYPES) - CNEMC_WIDE_PUBLISHED_TYPES)
        for t in unknown_types:
            i = int(np.flatnonzero(types == t)[0])
            problems.append(
                Problem(
                    "unknown type",
                    Location(source, int(rows[i]), "type"),
                    "one of " + ", ".join([*CNEMC_WIDE_OBSERVATION_TYPES, *sorted(CNEMC_WIDE_PUBLISHED_TYPES)]),
                    repr(t),
                )
            )
        # melt the station columns into long (row, station, value)
        long_parts = []
        for code in stations:
            values, nm = _numeric(chunk[code], rows, source, code, problems)
            long_parts.append(
                pd.DataFrame({"row": rows, "time_s": time_s, "type": types, "station": code, "value": values, "nm": nm})
            )
        long = (
            pd.concat(long_parts, ignore_index=True)
            if long_parts
            else pd.DataFrame(columns=["row", "time_s", "type", "station", "value", "nm"])
        )
        long = long[~np.repeat(bad_time, len(stations))] if stations else long
        long = long[long["value"].notna() | long["nm"]]
        is_obs = long["type"].isin(list(CNEMC_WIDE_OBSERVATION_TYPES))
        obs = long[is_obs]
        pub = long[~is_obs & long["type"].isin(list(CNEMC_WIDE_PUBLISHED_TYPES))]
        frame = _long_to_wide(
            obs.assign(column=obs["type"].map({k: v.column for k, v in CNEMC_WIDE_OBSERVATION_TYPES.items()})),
            source,
            problems,
        )
        published = pd.DataFrame(
            {
                "station": pub["station"].astype(object),
                "time_s": pub["time_s"].astype("int64"),
                "variable": pub["type"].astype(object),
                "value": pub["value"].astype("float64"),
                "text": _token_where(pub["nm"].to_numpy(dtype=bool)),
                "row": pub["row"].astype("int64"),
            }
        )
        yield _finish(frame, published, n, problems, source, reject_rows=None)


def _long_to_wide(long: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
    """Pivot (station, time_s, column, value, nm, row) rows to one wide row per station-hour.

    Exact duplicates are dropped; a key given twice with different values is a problem (both rows named).
    """
    if long.empty:
        return empty_values()
    long = long.drop_duplicates(subset=["station", "time_s", "column", "value", "nm"])
    dup = long.duplicated(subset=["station", "time_s", "column"], keep=False)
    if dup.any():
        for key, group in list(long[dup].groupby(["station", "time_s", "column"]))[:1000]:
            station, t, column = (str(k) for k in key)
            group_rows = group["row"].to_numpy(dtype="int64")
            shown = ", ".join(f"{v:g} (row {r})" for v, r in zip(group["value"], group_rows, strict=True))
            problems.append(
                Problem(
                    f"station {station} at {_label(int(t))}: {column} given twice with different values",
                    Location(source, int(group_rows[0]), column),
                    "one value per station, hour and pollutant in a batch",
                    shown,
                    "remove the wrong row, or send the correction as a separate batch",
                    kind=DuplicateRecordError,
                )
            )
        long = long[~dup]
    wide = long.pivot_table(
        index=["station", "time_s"], columns="column", values="value", aggfunc="first", dropna=False
    )
    nm = long.pivot_table(index=["station", "time_s"], columns="column", values="nm", aggfunc="first")
    first_row = long.groupby(["station", "time_s"])["row"].min()
    frame = pd.DataFrame(index=first_row.index)
    not_monitored: dict[str, np.ndarray] = {}
    for col in VALUE_COLUMNS:
        frame[col] = wide[col].reindex(frame.index).astype("float64") if col in wide.columns else np.nan
        if col in nm.columns:
            not_monitored[col] = nm[col].reindex(frame.index).fillna(False).astype(bool).to_numpy()
    frame["row"] = first_row.astype("int64")
    frame = frame.reset_index()
    frame["flag_bits"] = _flags_from(not_monitored, len(frame))
    frame["station"] = frame["station"].astype(object)
    return frame


def _token_where(mask: np.ndarray) -> np.ndarray:
    """``/`` where the value is not monitored, else ``None`` (object array)."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = NOT_MONITORED_TOKEN
    return out


def _label(time_s: int) -> str:
    return pd.Timestamp(time_s + CST_OFFSET_S, unit="s").strftime("%Y-%m-%d %H:00 CST")


_UNIT_FACTORS_TO_UG = {
    "µg/m³": 1.0, "μg/m³": 1.0, "ug/m3": 1.0, "µg/m3": 1.0, "μg/m3": 1.0, "ug/m³": 1.0,
    "mg/m³": 1000.0, "mg/m3": 1000.0,
}  # fmt: skip


def _canonical_rows(records: pd.DataFrame, source: str, first_line: int) -> ObservationChunk:
    problems: list[Problem] = []
    n = len(records)
    rows = np.arange(first_line, first_line + n, dtype="int64")
    _require_columns(records, ["station", "time", "pollutant", "value"], source, AirFormat.CANONICAL)
    reject = np.zeros(n, dtype=bool)
    # pollutant
    names = records["pollutant"].astype(str).str.strip()
    parsed: list[str | None] = []
    for i, name in enumerate(names):
        try:
            parsed.append(Pollutant.parse(name).column)
        except ValueError:
            parsed.append(None)
            reject[i] = True
            problems.append(
                Problem(
                    "unknown pollutant",
                    Location(source, int(rows[i]), "pollutant"),
                    "one of " + ", ".join(p.value for p in POLLUTANTS),
                    repr(name),
                )
            )
    column = pd.Series(parsed, dtype=object)
    # time: ISO 8601 with an offset, on the hour
    raw_time = records["time"].astype(str).str.strip()
    has_offset = raw_time.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    t = pd.to_datetime(raw_time.where(has_offset, None), format="ISO8601", errors="coerce", utc=True)
    for i in np.flatnonzero((~has_offset).to_numpy())[:1000]:
        problems.append(
            Problem(
                "timestamp without a time zone",
                Location(source, int(rows[i]), "time"),
                "ISO 8601 with an offset, e.g. 2016-12-16T08:00+08:00 (the end of the averaging hour)",
                repr(raw_time.iat[i]),
                "add +08:00 for China Standard Time",
            )
        )
    bad = (t.isna() & has_offset).to_numpy()
    for i in np.flatnonzero(bad)[:1000]:
        problems.append(
            Problem(
                "invalid timestamp",
                Location(source, int(rows[i]), "time"),
                "ISO 8601 with an offset",
                repr(raw_time.iat[i]),
            )
        )
    seconds = t.to_numpy(dtype="datetime64[s]", na_value=np.datetime64(0, "s")).astype("int64")
    off_hour = (seconds % 3600 != 0) & t.notna().to_numpy()
    for i in np.flatnonzero(off_hour)[:1000]:
        problems.append(
            Problem(
                "time is not on the hour",
                Location(source, int(rows[i]), "time"),
                "the end of an averaging hour, e.g. …T14:00+08:00",
                repr(raw_time.iat[i]),
            )
        )
    reject |= (~has_offset).to_numpy() | bad | off_hour
    # value and unit
    value_text = records["value"]
    values, nm = _numeric(value_text, rows, source, "value", problems)
    nonnum = np.isnan(values) & ~nm & ~value_text.astype(str).str.strip().isin(MISSING_TOKENS).to_numpy()
    reject |= nonnum
    if "unit" in records.columns:
        units = records["unit"].astype(str).str.strip()
        factor = units.map(_UNIT_FACTORS_TO_UG)
        unknown_unit = factor.isna().to_numpy() & (units != "").to_numpy()
        for i in np.flatnonzero(unknown_unit)[:1000]:
            problems.append(
                Problem(
                    "unknown unit",
                    Location(source, int(rows[i]), "unit"),
                    "µg/m³ (ug/m3) or mg/m³ (mg/m3)",
                    repr(units.iat[i]),
                )
            )
        reject |= unknown_unit
        factor_ug = factor.fillna(np.nan).to_numpy(dtype="float64")
        # default units: mg/m³ for CO, µg/m³ for the others
        is_co = (column == "co").to_numpy()
        default = np.where(is_co, 1000.0, 1.0)
        factor_ug = np.where(np.isnan(factor_ug), default, factor_ug)
        values = values * factor_ug / np.where(is_co, 1000.0, 1.0)
    flags = np.zeros(n, dtype="int64")
    if "flag" in records.columns:
        flag_text = records["flag"].astype(str).str.strip().str.lower()
        for i, f in enumerate(flag_text):
            if f in {"", "valid", "nan", "none"}:
                continue
            try:
                flags[i] = FLAG_CODE[QualityFlag(f)]
            except ValueError:
                reject[i] = True
                problems.append(
                    Problem(
                        "unknown quality flag",
                        Location(source, int(rows[i]), "flag"),
                        "valid, invalid or not_monitored",
                        repr(f),
                    )
                )
    long = pd.DataFrame(
        {
            "station": records["station"].astype(str).str.strip().astype(object),
            "time_s": seconds,
            "column": column,
            "value": values,
            "nm": nm | (flags == FLAG_CODE[QualityFlag.NOT_MONITORED]),
            "invalid": flags == FLAG_CODE[QualityFlag.INVALID],
            "row": rows,
        }
    )
    long = long[~reject & (long["value"].notna() | long["nm"] | long["invalid"])]
    wide = _long_to_wide(long.drop(columns="invalid"), source, problems)
    invalid = long[long["invalid"]]
    if not invalid.empty:
        bit = {c: FLAG_CODE[QualityFlag.INVALID] << (2 * i) for i, c in enumerate(VALUE_COLUMNS)}
        extra = invalid.assign(bit=invalid["column"].map(bit)).groupby(["station", "time_s"])["bit"].sum()
        key = pd.MultiIndex.from_frame(wide[["station", "time_s"]])
        wide["flag_bits"] = wide["flag_bits"].to_numpy() | extra.reindex(key).fillna(0).astype("int64").to_numpy()
    rejected = int(reject.sum())
    chunk = _finish(wide, empty_published(), n, problems, source, reject_rows=None)
    chunk.rejected_values += rejected
    return chunk


def read_canonical(path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS) -> Iterator[ObservationChunk]:
    """Canonical long CSV or JSON (an array of objects, ``{"observations": [...]}``, or JSON lines)."""
    source = info.name
    if _base_suffix(path) in {".json", ".ndjson", ".jsonl"}:
        with _open(path, info) as fh:
            raw = fh.read()
        records = parse_canonical_json(raw, source)
        for start in range(0, len(records), chunk_rows):
            part = records.iloc[start : start + chunk_rows].reset_index(drop=True)
            yield _canonical_rows(part, source, start + 1)
        return
    for chunk, first_line in _chunks(path, info, chunk_rows, str):
        chunk.columns = [c.lower() for c in chunk.columns]
        yield _canonical_rows(chunk.reset_index(drop=True), source, first_line)


def parse_canonical_json(raw: bytes, source: str) -> pd.DataFrame:
    """Parse canonical JSON into a text frame. Rows are numbered 1.. in the order of the records."""
    text = raw.decode("utf-8-sig")
    try:
        stripped = text.lstrip()
        if stripped.startswith(("[", "{")):
            doc = json.loads(text)
            items = doc.get("observations") if isinstance(doc, dict) else doc
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(
            "malformed JSON", given=exc.msg, where=Location(source, exc.lineno), expected="valid JSON"
        ) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(
            "unexpected JSON shape",
            expected='an array of {"station","time","pollutant","value","unit"} objects, or {"observations": [...]}',
            given=type(items).__name__,
            where=Location(source),
        )
    frame = pd.DataFrame(items, dtype=object)
    for col in ("station", "time", "pollutant", "value", "unit", "flag"):
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v: "" if v is None else str(v))
    return frame


def _finish(
    frame: pd.DataFrame,
    published: pd.DataFrame,
    rows_read: int,
    problems: list[Problem],
    source: str,
    *,
    reject_rows: np.ndarray | None,
) -> ObservationChunk:
    """Apply range checks, drop rejected rows, and count rejected values."""
    reject = np.zeros(len(frame), dtype=bool) if reject_rows is None else reject_rows.copy()
    # rows with a value that failed numeric parsing are rejected as a whole
    bad_rows = {p.where.row for p in problems if p.message == "not a number"}
    if bad_rows:
        reject |= frame["row"].isin(bad_rows).to_numpy()
    reject |= check_values(frame, source, problems)
    present = frame[list(VALUE_COLUMNS)].notna().to_numpy().sum(axis=1)
    rejected_values = int(present[reject].sum()) if len(frame) else 0
    kept = frame[~reject].reset_index(drop=True)
    if bad_rows or reject.any():
        bad_keys = set(zip(frame["station"][reject], frame["time_s"][reject], strict=True))
        if bad_keys and not published.empty:
            keys = pd.Series(list(zip(published["station"], published["time_s"], strict=True)))
            published = published[~keys.isin(bad_keys).to_numpy()]
    return ObservationChunk(kept, published.reset_index(drop=True), rows_read, problems, rejected_values)


def read_observations(
    path: Path, fmt: AirFormat, info: SourceInfo, chunk_rows: int = CHUNK_ROWS, *, o3_column: O3Column = O3Column.O3
) -> Iterator[ObservationChunk]:
    """Stream observation chunks of ``chunk_rows`` input rows from a file of a known observation format.

    ``o3_column`` applies to ``cnemc-hourly`` only (see :class:`O3Column`).
    """
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


def read_station_list(path: Path, info: SourceInfo) -> list[StationRecord]:
    """A CNEMC station list (Chinese header) or the English ``code,name,city,lon,lat,background`` form."""
    source = info.name
    out: list[StationRecord] = []
    zh = {
        "监测点编码": "code",
        "监测点名称": "name",
        "城市": "city",
        "经度": "lon",
        "纬度": "lat",
        "对照点": "background",
    }
    for raw_chunk, first_line in _chunks(path, info, CHUNK_ROWS, str):
        chunk = raw_chunk.rename(columns=zh)
        _require_columns(chunk, ["code", "name", "city", "lon", "lat"], source, AirFormat.CNEMC_STATIONS)
        for i, rec in enumerate(chunk.to_dict("records")):
            line = first_line + i
            lon = _float_or_none(rec["lon"])
            lat = _float_or_none(rec["lat"])
            background = str(rec.get("background", "N")).strip().upper() in {"Y", "YES", "TRUE", "1", "是"}
            out.append(
                StationRecord(
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
    "CO_MAX_PLAUSIBLE_MG_M3",
    "UCI_STATION_CODES",
    "AirFormat",
    "O3Column",
    "ObservationChunk",
    "SourceInfo",
    "check_values",
    "detect_format",
    "parse_canonical_json",
    "read_observations",
    "read_station_list",
]
