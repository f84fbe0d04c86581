"""What every air-quality reader shares: the formats and their detection, the chunk a reader yields, streaming
CSV in chunks with file line numbers, numbers and quality flags parsed with every bad cell named, range
checks in Xietong units, and the pivot of long rows to one wide row per station-hour (the readers
themselves: :mod:`xietong.air.formats`)."""

from __future__ import annotations

import gzip
import hashlib
import io
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
from xietong.inputs import CSV_ERRORS, csv_error, guard_text_file

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


@dataclass(slots=True)
class ObservationChunk:
    """A piece of a parsed file.

    ``values``: columns ``station`` (str), ``time_s`` (int64, UTC epoch seconds of the end of the hour),
    ``so2 no2 o3 co pm10 pm25`` (float64 [µg/m³; CO mg/m³], NaN = not given), ``flag_bits`` (int64, two
    bits per pollutant in :data:`~xietong.enums.POLLUTANTS` order), ``row`` (int64, line in the file).
    ``published``: columns ``station, time_s, variable, value, text, row``.
    ``stations``: for formats that name each row's station (CNEMC hourly): ``station, name, city, lon, lat,
    row``, one row per station code (its first row in the chunk); ``None`` otherwise.
    """

    values: pd.DataFrame
    published: pd.DataFrame
    rows_read: int
    problems: list[Problem] = field(default_factory=list)
    rejected_values: int = 0
    stations: pd.DataFrame | None = None


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


def detect_format(path: Path, name: str | None = None) -> AirFormat:
    """Recognise a file's format from its first line (or, for JSON, its extension)."""
    if base_suffix(path) in {".json", ".ndjson", ".jsonl"}:
        return AirFormat.CANONICAL
    guard_text_file(path, source=name)
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


def base_suffix(path: Path) -> str:
    """The suffix that names the content: ``.csv`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def parse_numbers(
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


def local_to_utc_s(local_naive: pd.Series) -> np.ndarray:
    ns = local_naive.to_numpy(dtype="datetime64[s]").astype("int64")
    return ns - CST_OFFSET_S


def flags_from(not_monitored: dict[str, np.ndarray], n: int) -> np.ndarray:
    bits = np.zeros(n, dtype="int64")
    code = FLAG_CODE[QualityFlag.NOT_MONITORED]
    for i, col in enumerate(VALUE_COLUMNS):
        mask = not_monitored.get(col)
        if mask is not None:
            bits |= np.where(mask, code << (2 * i), 0)
    return bits


def open_source(path: Path, info: SourceInfo) -> IO[bytes]:
    """Open a file for streaming; ``.gz`` files are decompressed on the fly.

    Progress and the SHA-256 are taken over the bytes as stored (compressed or not).
    """
    guard_text_file(path, source=info.name)
    counted = io.BufferedReader(_CountingReader(path.open("rb"), info), buffer_size=1 << 20)
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[return-value]
    return counted


def csv_chunks(
    path: Path, info: SourceInfo, chunk_rows: int, text_columns: Mapping[str, type] | type | None = None
) -> Iterator[tuple[pd.DataFrame, int]]:
    """CSV chunks with the file line number of each chunk's first data row.

    Numeric columns are parsed by the C reader (missing tokens become NaN); ``text_columns`` names the
    columns to keep as text (or ``str`` for all).
    """
    fh = open_source(path, info)
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
    except CSV_ERRORS as exc:
        raise csv_error(exc, source=info.name) from None
    finally:
        fh.close()


def require_columns(chunk: pd.DataFrame, needed: list[str], source: str, fmt: AirFormat) -> None:
    missing = [c for c in needed if c not in chunk.columns]
    if missing:
        raise InputError(
            f"the {fmt.value} file lacks column(s) {', '.join(missing)}",
            expected=", ".join(needed),
            given=", ".join(str(c) for c in chunk.columns[:20]),
            where=Location(source, 1),
        )


def long_to_wide(long: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
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
                    f"station {station} at {hour_label(int(t))}: {column} given twice with different values",
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
    frame["flag_bits"] = flags_from(not_monitored, len(frame))
    frame["station"] = frame["station"].astype(object)
    return frame


def token_where(mask: np.ndarray) -> np.ndarray:
    """``/`` where the value is not monitored, else ``None`` (object array)."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = NOT_MONITORED_TOKEN
    return out


def hour_label(time_s: int) -> str:
    return pd.Timestamp(time_s + CST_OFFSET_S, unit="s").strftime("%Y-%m-%d %H:00 CST")


def finish_chunk(
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


__all__ = [
    "CHUNK_ROWS",
    "CO_MAX_PLAUSIBLE_MG_M3",
    "CST_OFFSET_S",
    "MISSING_TOKENS",
    "NOT_MONITORED_TOKEN",
    "VALUE_COLUMNS",
    "AirFormat",
    "ObservationChunk",
    "SourceInfo",
    "base_suffix",
    "check_values",
    "csv_chunks",
    "detect_format",
    "empty_published",
    "empty_values",
    "finish_chunk",
    "flags_from",
    "hour_label",
    "local_to_utc_s",
    "long_to_wide",
    "open_source",
    "parse_numbers",
    "require_columns",
    "token_where",
]
