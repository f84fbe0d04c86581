"""Stage 1 of GTFS validation: the files of a feed as typed tables, every bad file, column or value a notice.

:func:`load_tables` reads the ``.txt`` files of a zip or directory (:func:`read_tables`) into DataFrames
with the conventions of :mod:`xietong.transit.feed` (times as seconds after midnight, integers, floats,
stripped text) and records in a :class:`~xietong.transit.notices.NoticeLog`: ``missing_required_file``,
``empty_file``, ``csv_parsing_failed``, ``missing_required_column``, ``missing_required_field``,
``invalid_time``, ``invalid_integer``, ``invalid_float`` (``ERROR``; ``WARNING`` in the files the router can
do without, :data:`OPTIONAL_FOR_ROUTING`, whose bad rows are dropped) and ``unknown_file`` (``INFO``).
The later stages are in :mod:`xietong.transit.validation`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError, Location, NotFoundError
from xietong.transit.feed import COLUMNS, TIME_COLUMNS
from xietong.transit.notices import NoticeCode, NoticeLog, Severity

#: Columns a file must have to be read (GTFS "Required"); the others in ``COLUMNS`` are filled if absent.
REQUIRED: dict[str, tuple[str, ...]] = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id", "stop_lat", "stop_lon"),  # coordinates: conditionally required in GTFS, needed here
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar": COLUMNS["calendar"],
    "calendar_dates": COLUMNS["calendar_dates"],
    "frequencies": COLUMNS["frequencies"],
    "transfers": ("from_stop_id", "to_stop_id", "transfer_type"),
}
#: Files a feed must contain.
REQUIRED_FILES = ("stops", "routes", "trips", "stop_times")
#: Files the router can do without: their unusable rows (or the whole file) are dropped with a WARNING.
OPTIONAL_FOR_ROUTING = frozenset({"transfers"})
#: Id columns that may not be empty, per table (GTFS "Required").
REQUIRED_VALUES: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id",),
    "routes": ("route_id",),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id"),
    "calendar": ("service_id", "start_date", "end_date"),
    "calendar_dates": ("service_id", "date"),
    "frequencies": ("trip_id",),
}
#: File stems of the GTFS Schedule reference (others are ``unknown_file``).
GTFS_FILES = frozenset(
    {
        *COLUMNS,
        "agency",
        "fare_attributes",
        "fare_rules",
        "timeframes",
        "rider_categories",
        "fare_media",
        "fare_products",
        "fare_leg_rules",
        "fare_leg_join_rules",
        "fare_transfer_rules",
        "areas",
        "stop_areas",
        "networks",
        "route_networks",
        "shapes",
        "pathways",
        "levels",
        "location_groups",
        "location_group_stops",
        "booking_rules",
        "translations",
        "feed_info",
        "attributions",
    }
)

INT_COLUMNS = frozenset({"stop_sequence", "route_type", "headway_secs", *COLUMNS["calendar"][1:8]})
NULLABLE_INT_COLUMNS = frozenset({"min_transfer_time", "transfer_type"})
FLOAT_COLUMNS = frozenset({"stop_lat", "stop_lon"})

ERROR, WARNING = Severity.ERROR, Severity.WARNING
C = NoticeCode


class GtfsError(InputError):
    """A GTFS feed that cannot be read: the message names file, row and field."""

    problem_type = "invalid-gtfs"
    title = "Invalid GTFS feed"


class UnknownStopError(GtfsError, NotFoundError):
    """A stop id that the feed's ``stops.txt`` does not define."""

    problem_type = "unknown-stop"
    title = "Unknown stop"


# -- files and types ---------------------------------------------------------------------------------


def read_tables(path: Path) -> dict[str, tuple[str, bytes]]:
    """File stem → (display name, raw bytes) of every ``.txt`` in a zip or directory."""
    out: dict[str, tuple[str, bytes]] = {}
    if path.is_dir():
        for f in sorted(path.glob("*.txt")):
            out[f.stem] = (str(f), f.read_bytes())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                stem = Path(name).name
                if stem.endswith(".txt"):
                    out[stem[:-4]] = (f"{path.name}:{stem}", zf.read(name))
    else:
        raise GtfsError(
            "cannot open the GTFS feed",
            expected="a .zip file or a directory of .txt files",
            given=str(path),
            hint="pass the path of the feed zip (or of the folder it was unzipped into)",
        )
    return out


def _severity(table: str) -> Severity:
    return WARNING if table in OPTIONAL_FOR_ROUTING else ERROR


def parse_csv(raw: bytes, source: str, table: str, log: NoticeLog) -> pd.DataFrame | None:
    """The table as text, or ``None`` (with a notice) when it cannot be parsed or is empty."""
    try:
        text = raw.decode("utf-8-sig")
        if not text.strip():
            log.add(C.EMPTY_FILE, "the file is empty", Location(source), severity=_severity(table))
            return None
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        log.add(
            C.CSV_PARSING_FAILED,
            "malformed CSV" if isinstance(exc, pd.errors.ParserError) else "the file is not UTF-8 text",
            Location(source),
            severity=_severity(table),
            expected="comma-separated UTF-8 values",
            given=str(exc)[:200],
        )
        return None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def parse_gtfs_times(values: pd.Series, *, source: str, field: str) -> pd.Series:
    """``H:MM:SS`` text (hours may pass 24, empty allowed) → ``Int64`` seconds after midnight [s].

    Raises :class:`GtfsError` naming the first unparsable row (1-based data row) and the field.
    """
    seconds, bad = _times(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GtfsError(
            "unparsable time",
            expected="HH:MM:SS (hours may pass 24, e.g. 25:10:00)",
            given=repr(str(values.iloc[i]).strip()),
            where=Location(source, i + 1, field),
            hint="fix the value or leave it empty for an intermediate stop",
        )
    return seconds


def _times(values: pd.Series) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """Seconds after midnight (``Int64``, NA for empty or bad) and the mask of unparsable values."""
    text = values.astype(str).str.strip()
    parts = text.str.extract(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
    bad = (parts[0].isna() & ~text.eq("")).to_numpy()
    seconds = parts[0].astype(float) * 3600 + parts[1].astype(float) * 60 + parts[2].astype(float)
    return seconds.round().astype("Int64"), bad


def _coerce(table: str, df: pd.DataFrame, source: str, log: NoticeLog) -> pd.DataFrame | None:
    """Typed columns (times [s], integers, floats, stripped text), or ``None`` when a required column is
    missing; every bad value is a notice."""
    sev = _severity(table)
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    for col in missing:
        log.add(
            C.MISSING_REQUIRED_COLUMN,
            f"missing required column {col!r}" + (f"; {table}.txt is ignored" if sev is WARNING else ""),
            Location(source, None, col),
            severity=sev,
            expected=f"the columns {', '.join(REQUIRED[table])}",
            given=", ".join(df.columns) or "no header",
            hint="add the column (see the GTFS Schedule reference)",
        )
    if missing:
        return None
    for col in COLUMNS[table]:
        if col not in df.columns:
            df[col] = pd.NA if col in INT_COLUMNS | FLOAT_COLUMNS | NULLABLE_INT_COLUMNS else ""
    bad_rows = np.zeros(len(df), dtype=bool)
    for col in df.columns:
        if col in TIME_COLUMNS:
            df[col], bad = _times(df[col])
            _rows(log, C.INVALID_TIME, "unparsable time", source, col, df, bad, sev, "HH:MM:SS (hours may pass 24)")
            bad_rows |= bad
        elif col in INT_COLUMNS | FLOAT_COLUMNS | NULLABLE_INT_COLUMNS:
            raw = df[col].astype("string").str.strip().mask(lambda x: x == "")
            num = pd.to_numeric(raw, errors="coerce")
            bad = (num.isna() & raw.notna()).to_numpy()
            code = C.INVALID_FLOAT if col in FLOAT_COLUMNS else C.INVALID_INTEGER
            what = "a number" if col in FLOAT_COLUMNS else "an integer"
            _rows(log, code, "not a number", source, col, df, bad, sev, what)
            empty = (raw.isna() & (col in INT_COLUMNS)).to_numpy()
            _rows(log, C.MISSING_REQUIRED_FIELD, "a required value is empty", source, col, df, empty, sev, what)
            bad_rows |= bad | empty
            if col in FLOAT_COLUMNS:  # an empty stop_lat/stop_lon is kept: stop_without_location
                df[col] = num.astype(float)
            elif col in NULLABLE_INT_COLUMNS:
                df[col] = num.round().astype("Int64")
            else:
                df[col] = num.fillna(0).round().astype("int64")
        else:
            df[col] = df[col].astype(str).str.strip()
    for col in REQUIRED_VALUES.get(table, ()):
        empty = df[col].eq("").to_numpy()
        _rows(log, C.MISSING_REQUIRED_FIELD, "a required value is empty", source, col, df, empty, sev, "a value")
        bad_rows |= empty
    return df[~bad_rows].reset_index(drop=True) if sev is WARNING and bad_rows.any() else df


def _rows(
    log: NoticeLog,
    code: NoticeCode,
    message: str,
    source: str,
    col: str,
    df: pd.DataFrame,
    mask: npt.NDArray[np.bool_],
    severity: Severity,
    expected: str,
) -> None:
    at = np.flatnonzero(mask)
    if at.size:
        dropped = "; the row is dropped" if severity is WARNING else ""
        log.add_rows(
            code,
            message + dropped,
            source,
            (at + 1).tolist(),
            col,
            [df[col].iloc[i] for i in at[:5]],
            severity=severity,
            expected=expected,
        )


def load_tables(raw: dict[str, tuple[str, bytes]], source: str, log: NoticeLog) -> dict[str, pd.DataFrame]:
    """Stage 1: files, structure and types."""
    for table in REQUIRED_FILES:
        if table not in raw:
            log.add(
                C.MISSING_REQUIRED_FILE,
                f"the feed lacks {table}.txt",
                Location(source, None, None),
                expected=", ".join(f"{t}.txt" for t in REQUIRED_FILES),
                given=", ".join(f"{t}.txt" for t in sorted(raw)) or "no .txt files",
            )
    for stem in sorted(set(raw) - GTFS_FILES):
        log.add(C.UNKNOWN_FILE, f"{stem}.txt is not a GTFS file; it is not read", Location(raw[stem][0]))
    tables: dict[str, pd.DataFrame] = {}
    for table in COLUMNS:
        if table not in raw:
            continue
        name, data = raw[table]
        df = parse_csv(data, name, table, log)
        if df is None:
            continue
        if df.empty and table in REQUIRED_FILES:
            log.add(C.EMPTY_FILE, "a required file has no rows", Location(name), expected="at least one row")
        coerced = _coerce(table, df, name, log)
        if coerced is not None:
            tables[table] = coerced
    return tables


__all__ = [
    "FLOAT_COLUMNS",
    "GTFS_FILES",
    "INT_COLUMNS",
    "NULLABLE_INT_COLUMNS",
    "OPTIONAL_FOR_ROUTING",
    "REQUIRED",
    "REQUIRED_FILES",
    "REQUIRED_VALUES",
    "GtfsError",
    "UnknownStopError",
    "load_tables",
    "parse_csv",
    "parse_gtfs_times",
    "read_tables",
]
