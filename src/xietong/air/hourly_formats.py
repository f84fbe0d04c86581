"""Readers of the station-hour tables: the UCI Beijing Multi-Site files, the CNEMC hourly station file and
the CNEMC/quotsoft wide daily file (formats described in :mod:`xietong.air.formats`)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.air.base_formats import (
    CHUNK_ROWS,
    MISSING_TOKENS,
    AirFormat,
    ObservationChunk,
    SourceInfo,
    csv_chunks,
    empty_published,
    finish_chunk,
    flags_from,
    local_to_utc_s,
    long_to_wide,
    parse_numbers,
    require_columns,
    token_where,
)
from xietong.enums import Pollutant
from xietong.errors import (
    Location,
    Problem,
)

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


def read_uci(path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS) -> Iterator[ObservationChunk]:
    """UCI Beijing Multi-Site files. CO is in µg/m³ there and is divided by 1000."""
    source = info.name
    src_cols = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
    for chunk, first_line in csv_chunks(path, info, chunk_rows, {"station": str, "wd": str}):
        require_columns(chunk, ["year", "month", "day", "hour", *src_cols, "station"], source, AirFormat.UCI)
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
        frame["time_s"] = np.where(bad_time, 0, local_to_utc_s(local.fillna(pd.Timestamp(0))))
        not_monitored: dict[str, np.ndarray] = {}
        for src, col in src_cols.items():
            values, nm = parse_numbers(chunk[src], rows, source, src, problems)
            if col == "co":
                values = values / 1000.0  # µg/m³ -> mg/m³
            frame[col] = values
            not_monitored[col] = nm
        frame["flag_bits"] = flags_from(not_monitored, n)
        yield finish_chunk(frame, empty_published(), n, problems, source, reject_rows=unknown | bad_time)


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
    for chunk, first_line in csv_chunks(path, info, chunk_rows, _HOURLY_TEXT):
        chunk.columns = [c.lower() for c in chunk.columns]
        require_columns(chunk, ["timepoint", "stationcode", *observed], source, AirFormat.CNEMC_HOURLY)
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
        frame["time_s"] = np.where(bad_time, 0, local_to_utc_s(local.fillna(pd.Timestamp(0))))
        not_monitored: dict[str, np.ndarray] = {}
        for src, col in observed.items():
            values, nm = parse_numbers(chunk[src], rows, source, src, problems)
            frame[col] = values
            not_monitored[col] = nm
        frame["flag_bits"] = flags_from(not_monitored, n)
        published = []
        for src, variable in published_columns.items():
            if src not in chunk.columns:
                continue
            values, nm = parse_numbers(chunk[src], rows, source, src, problems)
            published.append(
                pd.DataFrame(
                    {
                        "station": frame["station"],
                        "time_s": frame["time_s"],
                        "variable": variable,
                        "value": values,
                        "text": token_where(nm),
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
        finished = finish_chunk(frame, pub, n, problems, source, reject_rows=bad_time)
        finished.stations = _hourly_stations(chunk, frame)
        yield finished


def _hourly_stations(chunk: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The station named on each row of a CNEMC hourly chunk (code, name, city, coordinates), first row each."""
    if not {"area", "positionname"} <= set(chunk.columns):
        return None
    coords = {
        c: pd.to_numeric(chunk[c], errors="coerce") if c in chunk.columns else pd.Series(np.nan, index=chunk.index)
        for c in ("longitude", "latitude")
    }
    out = pd.DataFrame(
        {
            "station": frame["station"].to_numpy(),
            "name": chunk["positionname"].fillna("").str.strip().to_numpy(dtype=object),
            "city": chunk["area"].fillna("").str.strip().to_numpy(dtype=object),
            "lon": coords["longitude"].to_numpy(dtype="float64"),
            "lat": coords["latitude"].to_numpy(dtype="float64"),
            "row": frame["row"].to_numpy(),
        }
    )
    return out.drop_duplicates("station").reset_index(drop=True)


def read_cnemc_wide(path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS) -> Iterator[ObservationChunk]:
    """CNEMC/quotsoft wide daily files (``date,hour,type,<station codes…>``)."""
    source = info.name
    for chunk, first_line in csv_chunks(path, info, chunk_rows, {"date": str, "type": str}):
        require_columns(chunk, ["date", "hour", "type"], source, AirFormat.CNEMC_WIDE)
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
        time_s = local_to_utc_s(local)
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
            values, nm = parse_numbers(chunk[code], rows, source, code, problems)
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
        frame = long_to_wide(
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
                "text": token_where(pub["nm"].to_numpy(dtype=bool)),
                "row": pub["row"].astype("int64"),
            }
        )
        yield finish_chunk(frame, published, n, problems, source, reject_rows=None)


__all__ = [
    "CNEMC_WIDE_OBSERVATION_TYPES",
    "CNEMC_WIDE_PUBLISHED_TYPES",
    "UCI_STATION_CODES",
    "O3Column",
    "read_cnemc_hourly",
    "read_cnemc_wide",
    "read_uci",
]
