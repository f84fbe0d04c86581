"""Reader of Xietong's canonical format: long CSV or JSON, one value per row (``station, time, pollutant,
value, unit`` and an optional ``flag``), times in ISO 8601 with an offset.

Units are named, never assumed: every row with a value takes its unit from its ``unit`` cell or, where the
file has no ``unit`` column or the cell is blank, from :class:`UnitOptions` (``xietong air ingest --unit``);
a row left with no unit is refused (CO in µg/m³ and in mg/m³ differ by a factor of 1000)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.air.base_formats import (
    CHUNK_ROWS,
    MISSING_TOKENS,
    VALUE_COLUMNS,
    AirFormat,
    ObservationChunk,
    SourceInfo,
    base_suffix,
    csv_chunks,
    empty_published,
    finish_chunk,
    long_to_wide,
    open_source,
    parse_numbers,
    require_columns,
)
from xietong.enums import FLAG_CODE, POLLUTANTS, Pollutant, QualityFlag
from xietong.errors import (
    InputError,
    Location,
    Problem,
    excerpt,
)
from xietong.inputs import parse_json_records

_UNIT_FACTORS_TO_UG = {
    "µg/m³": 1.0, "μg/m³": 1.0, "ug/m3": 1.0, "µg/m3": 1.0, "μg/m3": 1.0, "ug/m³": 1.0,
    "mg/m³": 1000.0, "mg/m3": 1000.0,
}  # fmt: skip
_UNITS_EXPECTED = "µg/m³ (ug/m3) or mg/m³ (mg/m3)"
_UNIT_HINT = (
    "add a unit column or fill the cell, or name the units with --unit (API: ?unit=), e.g. --unit ug/m3 "
    "--unit CO=mg/m3; the same number is 1000 times larger in µg/m³ than in mg/m³"
)


@dataclass(frozen=True, slots=True)
class UnitOptions:
    """Units named outside a canonical file, for the rows whose ``unit`` cell is absent or blank: ``default``
    for every pollutant, ``by_pollutant`` for one (it wins over ``default``). A filled cell wins over both.
    Units are spelled ``µg/m³`` or ``mg/m³``."""

    default: str | None = None
    by_pollutant: Mapping[Pollutant, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.default is not None or bool(self.by_pollutant)

    def unit_of(self, pollutant: Pollutant) -> str | None:
        """The unit named for ``pollutant``, or ``None``."""
        return self.by_pollutant.get(pollutant, self.default)

    def as_dict(self) -> dict[str, str]:
        """``{"*": default, "CO": …}``, for summaries and the audit log."""
        out = {"*": self.default} if self.default is not None else {}
        return out | {p.value: u for p, u in self.by_pollutant.items()}


def _unit_spelling(text: str) -> str | None:
    """``µg/m³`` or ``mg/m³`` for a known spelling of either, else ``None``."""
    factor = _UNIT_FACTORS_TO_UG.get(text.strip())
    return None if factor is None else ("mg/m³" if factor == 1000.0 else "µg/m³")


def parse_unit_options(texts: Sequence[str], *, option: str = "--unit") -> UnitOptions:
    """Units given as options: ``UNIT`` (every pollutant) or ``POLLUTANT=UNIT`` (e.g. ``CO=mg/m3``),
    repeatable; the unit spellings of the ``unit`` column and the pollutant names of the ``pollutant``
    column. Two different units for the same pollutant (or two defaults) are refused."""
    default: str | None = None
    by_pollutant: dict[Pollutant, str] = {}
    expected = f"UNIT or POLLUTANT=UNIT, UNIT one of {_UNITS_EXPECTED}, POLLUTANT one of " + ", ".join(POLLUTANTS)
    for text in texts:
        name, sep, unit_text = str(text).rpartition("=")
        unit = _unit_spelling(unit_text)
        pollutant: Pollutant | None = None
        if sep:
            try:
                pollutant = Pollutant.parse(name)
            except ValueError:
                raise InputError(
                    f"{option} names an unknown pollutant", expected=expected, given=repr(text), where=Location(option)
                ) from None
        if unit is None:
            raise InputError(
                f"{option} names no known unit", expected=expected, given=repr(text), where=Location(option)
            )
        before = default if pollutant is None else by_pollutant.get(pollutant)
        if before is not None and before != unit:
            raise InputError(
                f"{option} gives two units for {pollutant.value if pollutant else 'every pollutant'}",
                expected="one unit per pollutant",
                given=f"{before} and {unit}",
                where=Location(option),
            )
        if pollutant is None:
            default = unit
        else:
            by_pollutant[pollutant] = unit
    return UnitOptions(default, by_pollutant)


def _canonical_rows(records: pd.DataFrame, source: str, first_line: int, units: UnitOptions) -> ObservationChunk:
    """One chunk of canonical records (text cells) as an observation chunk; every bad cell is a problem
    and rejects its row. ``units`` fills absent or blank ``unit`` cells."""
    problems: list[Problem] = []
    n = len(records)
    rows = np.arange(first_line, first_line + n, dtype="int64")
    require_columns(records, ["station", "time", "pollutant", "value"], source, AirFormat.CANONICAL)
    column, reject = _pollutant_columns(records, rows, source, problems)
    seconds, bad_time = _hour_ends(records, rows, source, problems)
    values, nm, bad_value = _values_in_units(records, column, rows, source, problems, units)
    flags, bad_flag = _quality_flags(records, rows, source, problems)
    reject |= bad_time | bad_value | bad_flag
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
    wide = long_to_wide(long.drop(columns="invalid"), source, problems)
    invalid = long[long["invalid"]]
    if not invalid.empty:
        bit = {c: FLAG_CODE[QualityFlag.INVALID] << (2 * i) for i, c in enumerate(VALUE_COLUMNS)}
        extra = invalid.assign(bit=invalid["column"].map(bit)).groupby(["station", "time_s"])["bit"].sum()
        key = pd.MultiIndex.from_frame(wide[["station", "time_s"]])
        wide["flag_bits"] = wide["flag_bits"].to_numpy() | extra.reindex(key).fillna(0).astype("int64").to_numpy()
    rejected = int(reject.sum())
    chunk = finish_chunk(wide, empty_published(), n, problems, source, reject_rows=None)
    chunk.rejected_values += rejected
    return chunk


def _pollutant_columns(
    records: pd.DataFrame, rows: np.ndarray, source: str, problems: list[Problem]
) -> tuple[pd.Series, np.ndarray]:
    """The value column (``so2`` … ``pm25``) of each record's pollutant, and the rows naming none."""
    reject = np.zeros(len(records), dtype=bool)
    parsed: list[str | None] = []
    for i, name in enumerate(records["pollutant"].astype(str).str.strip()):
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
    return pd.Series(parsed, dtype=object), reject


def _hour_ends(
    records: pd.DataFrame, rows: np.ndarray, source: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since the epoch (UTC) of each record's time, which must be ISO 8601 with an offset and on
    the hour (the end of the averaging hour); and the rows whose time is not."""
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
    return seconds, (~has_offset).to_numpy() | bad | off_hour


def _values_in_units(
    records: pd.DataFrame,
    column: pd.Series,
    rows: np.ndarray,
    source: str,
    problems: list[Problem],
    units: UnitOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values in Xietong units [µg/m³; CO mg/m³] from the ``value`` and ``unit`` cells, the not-monitored
    mask, and the rows with a value that is not a number, a unit that is not known, or no unit at all.

    A row's unit is its ``unit`` cell where filled, else the unit ``units`` names for its pollutant. A
    file without the ``unit`` column and no ``units`` is refused as a whole; a row with a value and no
    unit either way is a problem: CO in µg/m³ and in mg/m³ differ by a factor of 1000, so the units must
    be named, never assumed."""
    value_text = records["value"]
    values, nm = parse_numbers(value_text, rows, source, "value", problems)
    reject = np.isnan(values) & ~nm & ~value_text.astype(str).str.strip().isin(MISSING_TOKENS).to_numpy()
    has_column = "unit" in records.columns
    if not has_column and not units:
        raise InputError(
            "the canonical file names no units",
            expected="a unit column (µg/m³ or mg/m³ on every row; CO is usually mg/m³) or --unit",
            given="columns " + excerpt(", ".join(map(str, records.columns)), 160),
            where=Location(source, 1, "unit"),
            hint=_UNIT_HINT,
        )
    cells = records["unit"].fillna("").astype(str).str.strip() if has_column else pd.Series("", index=records.index)
    named = {p.column: u for p in POLLUTANTS if (u := units.unit_of(p)) is not None}
    filled = cells.where(cells != "", column.map(named)).fillna("")
    factor = filled.map(_UNIT_FACTORS_TO_UG)
    unknown_unit = factor.isna().to_numpy() & (filled != "").to_numpy()
    for i in np.flatnonzero(unknown_unit)[:1000]:
        problems.append(
            Problem("unknown unit", Location(source, int(rows[i]), "unit"), _UNITS_EXPECTED, repr(filled.iat[i]))
        )
    no_unit = (filled == "").to_numpy() & ~np.isnan(values) & column.notna().to_numpy()
    names = {p.column: p.value for p in POLLUTANTS}
    for i in np.flatnonzero(no_unit)[:1000]:
        problems.append(
            Problem(
                "no unit for this value",
                Location(source, int(rows[i]), "unit"),
                f"{_UNITS_EXPECTED} in the unit cell or from --unit for {names[str(column.iat[i])]}",
                "a blank unit cell" if has_column else "no unit column",
                _UNIT_HINT,
            )
        )
    factor_ug = factor.to_numpy(dtype="float64", na_value=np.nan)
    is_co = (column == "co").to_numpy()
    return values * factor_ug / np.where(is_co, 1000.0, 1.0), nm, reject | unknown_unit | no_unit


def _quality_flags(
    records: pd.DataFrame, rows: np.ndarray, source: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray]:
    """Flag codes of the optional ``flag`` cells (empty = valid) and the rows with an unknown flag."""
    n = len(records)
    flags = np.zeros(n, dtype="int64")
    reject = np.zeros(n, dtype=bool)
    if "flag" not in records.columns:
        return flags, reject
    for i, f in enumerate(records["flag"].astype(str).str.strip().str.lower()):
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
    return flags, reject


def read_canonical(
    path: Path, info: SourceInfo, chunk_rows: int = CHUNK_ROWS, *, units: UnitOptions | None = None
) -> Iterator[ObservationChunk]:
    """Canonical long CSV or JSON (an array of objects, ``{"observations": [...]}``, or JSON lines);
    ``units`` fills the ``unit`` column where it is absent or blank (see :class:`UnitOptions`)."""
    units = units or UnitOptions()
    source = info.name
    if base_suffix(path) in {".json", ".ndjson", ".jsonl"}:
        with open_source(path, info) as fh:
            raw = fh.read()
        records = parse_canonical_json(raw, source)
        for start in range(0, len(records), chunk_rows):
            part = records.iloc[start : start + chunk_rows].reset_index(drop=True)
            yield _canonical_rows(part, source, start + 1, units)
        return
    for chunk, first_line in csv_chunks(path, info, chunk_rows, str):
        chunk.columns = [c.lower() for c in chunk.columns]
        yield _canonical_rows(chunk.reset_index(drop=True), source, first_line, units)


def parse_canonical_json(raw: bytes, source: str) -> pd.DataFrame:
    """Parse canonical JSON (array, ``{"observations": [...]}`` or JSON lines) into a text frame. Rows are
    numbered 1.. in the order of the records."""
    items = parse_json_records(
        raw, source=source, key="observations", shape='{"station","time","pollutant","value","unit"}'
    )
    frame = pd.DataFrame(items, dtype=object)
    for col in ("station", "time", "pollutant", "value", "unit", "flag"):
        if col in frame.columns:
            frame[col] = frame[col].map(lambda v: "" if v is None else str(v))
    return frame


__all__ = [
    "UnitOptions",
    "parse_canonical_json",
    "parse_unit_options",
    "read_canonical",
]
