"""Readers for surface-water sample files.

Each reader streams a file in chunks and yields :class:`SampleChunk` objects: the samples as a **tidy
long frame** (one value per row) in Xietong's units, the values the publisher showed beside them (its
water class, the station status), and the problems found, each naming file, row and field. Readers do no
database work: ownership and revisions are the exchange's job.

Formats (:class:`~xietong.water.enums.WaterFormat`):

``canonical``
    Long CSV or JSON, one value per row: ``section, time, item, value, unit``. ``section`` is a section
    code, ``time`` ISO 8601 **with an offset** (the sampling time), ``item`` an item code or a usual
    name (``nh3n``, ``NH3-N``, ``氨氮`` …), ``unit`` optional (default: the item's unit; ``µg/L`` is
    converted to mg/L). JSON: an array of such objects, ``{"samples": [...]}``, or JSON lines.
``cnemc-realtime``
    The CNEMC real-time surface-water publishing system, as saved from its pages: ``province, basin,
    city, river, section, obs_time_local, water_class, <item>, <item>_raw, …, status,
    first_seen_snapshot, …``. Every parameter is given twice, rounded for display and unrounded
    (``_raw``, from the tooltip); Xietong reads the ``_raw`` values. ``*`` and ``--`` (and empty) mean
    missing. Times are China Standard Time. The pages show no year: the saved files carry a year the
    scraper inferred, which Xietong checks against the snapshot time (``first_seen_snapshot``) and
    infers itself when a time has no year (the latest year that puts the sample at or before the
    snapshot).

Long frame (``SampleChunk.samples``): ``section`` (str), ``time`` (datetime64, UTC+08:00), ``item``
(:class:`WaterItem`), ``value`` (float64, [unit]), ``unit`` (str), ``row`` (int64, line in the file).
Wide frame (:func:`to_wide`): ``section``, ``time`` and one column per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.errors import FormatDetectionError, InputError, Location, Problem
from xietong.inputs import (
    CSV_ERRORS,
    csv_error,
    guard_text_file,
    parse_json_records,
    read_input_bytes,
)
from xietong.water.enums import WaterClass, WaterFormat, WaterItem
from xietong.water.network import RiverNetwork, haihe_network, resolve_sections

CST = timezone(timedelta(hours=8), "UTC+08:00")
CHUNK_ROWS = 50_000
MISSING_TOKENS = frozenset({"", "*", "--", "-", "—", "NA", "N/A", "NaN", "nan", "null", "None"})
#: pH outside this range is not a pH
PH_RANGE = (0.0, 14.0)

#: CNEMC ``_raw`` column of each item
CNEMC_RAW_COLUMNS: dict[str, WaterItem] = {
    "water_temp_C_raw": WaterItem.WATER_TEMP,
    "pH_raw": WaterItem.PH,
    "DO_mg_L_raw": WaterItem.DO,
    "conductivity_uS_cm_raw": WaterItem.CONDUCTIVITY,
    "turbidity_NTU_raw": WaterItem.TURBIDITY,
    "CODMn_mg_L_raw": WaterItem.CODMN,
    "NH3N_mg_L_raw": WaterItem.NH3N,
    "TP_mg_L_raw": WaterItem.TP,
    "TN_mg_L_raw": WaterItem.TN,
    "chla_mg_L_raw": WaterItem.CHLA,
    "algae_density_cells_L_raw": WaterItem.ALGAE_DENSITY,
}
CNEMC_REQUIRED = ("province", "river", "section", "obs_time_local", "water_class")

#: accepted unit spellings per item unit, and the factor to Xietong's unit
_UNITS: dict[str, dict[str, float]] = {
    "mg/L": {"mg/l": 1.0, "mg·l-1": 1.0, "mgl-1": 1.0, "µg/l": 1e-3, "μg/l": 1e-3, "ug/l": 1e-3},
    "dimensionless": {"": 1.0, "dimensionless": 1.0, "无量纲": 1.0, "1": 1.0, "ph": 1.0, "-": 1.0},
    "℃": {"℃": 1.0, "°c": 1.0, "c": 1.0, "degc": 1.0, "celsius": 1.0},
    "个/L": {"个/l": 1.0, "mpn/l": 1.0, "cfu/l": 1.0, "/l": 1.0},
    "µS/cm": {"µs/cm": 1.0, "μs/cm": 1.0, "us/cm": 1.0, "ms/cm": 1000.0},
    "NTU": {"ntu": 1.0},
    "cells/L": {"cells/l": 1.0, "个/l": 1.0, "cell/l": 1.0},
}


@dataclass(slots=True)
class SampleChunk:
    """A piece of a parsed file.

    ``samples``: the long frame (module docstring). ``published``: one row per accepted source row with
    ``section, time, section_name, province, city, river, basin, published_class`` (:class:`WaterClass`
    or ``None``), ``status``, ``snapshot`` (time the page was saved, or NaT), ``revised`` (the values
    changed between snapshots), ``row``; empty for the canonical format. ``problems``: rejected rows
    and values.
    """

    samples: pd.DataFrame
    published: pd.DataFrame
    rows_read: int
    problems: list[Problem] = field(default_factory=list)
    rejected_values: int = 0


def empty_samples() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section": pd.Series([], dtype=object),
            "time": pd.Series(pd.DatetimeIndex([], tz=CST)),
            "item": pd.Series([], dtype=object),
            "value": pd.Series([], dtype="float64"),
            "unit": pd.Series([], dtype=object),
            "row": pd.Series([], dtype="int64"),
        }
    )


# -- detection -------------------------------------------------------------------------------------


def detect_format(path: Path) -> WaterFormat:
    """Recognise a file's format from its header (or, for JSON, its extension)."""
    if path.suffix.lower() in {".json", ".ndjson", ".jsonl"}:
        return WaterFormat.CANONICAL  # by name: reading it says whether the file is there
    guard_text_file(path)
    with path.open("rb") as fh:
        head = fh.readline(65536).decode("utf-8-sig", errors="replace").strip()
    cols = {c.strip().strip('"').strip() for c in head.split(",")}
    if set(CNEMC_REQUIRED) <= cols and cols & set(CNEMC_RAW_COLUMNS):
        return WaterFormat.CNEMC_REALTIME
    if {"section", "time", "item", "value"} <= {c.lower() for c in cols}:
        return WaterFormat.CANONICAL
    raise FormatDetectionError(
        "cannot tell the format of this water file from its header",
        expected=(
            "canonical (section,time,item,value,unit) or cnemc-realtime "
            "(province,basin,city,river,section,obs_time_local,water_class,…,pH_raw,…)"
        ),
        given=repr(head[:120]),
        where=Location(str(path), 1),
        hint="name the format with --format",
    )


# -- helpers ---------------------------------------------------------------------------------------


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, int]]:
    """Text chunks of a CSV file with the file line of each chunk's first data row."""
    guard_text_file(path)
    try:
        with pd.read_csv(
            path, dtype=str, keep_default_na=False, chunksize=chunk_rows, encoding="utf-8-sig", skipinitialspace=True
        ) as reader:  # closes the file also when the consumer stops early
            line = 2
            for chunk in reader:
                chunk.columns = [str(c).strip() for c in chunk.columns]
                yield chunk.reset_index(drop=True), line
                line += len(chunk)
    except CSV_ERRORS as exc:
        raise csv_error(exc, source=str(path), expected="a header line and data rows") from None


def _require(chunk: pd.DataFrame, needed: tuple[str, ...], source: str, fmt: WaterFormat) -> None:
    missing = [c for c in needed if c not in chunk.columns]
    if missing:
        raise InputError(
            f"the {fmt.value} file lacks column(s) {', '.join(missing)}",
            expected=", ".join(needed),
            given=", ".join(map(str, chunk.columns[:20])),
            where=Location(source, 1),
        )


def _numbers(text: pd.Series, rows: np.ndarray, source: str, column: str, problems: list[Problem]) -> np.ndarray:
    """Parse text cells to float64 (missing tokens → NaN); non-numbers are problems and NaN."""
    cells = text.astype(str).str.strip()
    missing = cells.isin(MISSING_TOKENS).to_numpy()
    values = pd.to_numeric(cells.where(~missing, None), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    # inf, Infinity and overflowing cells (1e309) are not numbers a sample can hold: refused like text
    values = np.where(np.isinf(values), np.nan, values)
    for i in np.flatnonzero(np.isnan(values) & ~missing)[:1000]:
        problems.append(
            Problem(
                "not a number",
                Location(source, int(rows[i]), column),
                "a finite decimal number, or *, -- or empty for missing",
                repr(cells.iat[i]),
            )
        )
    return values


def _check_range(
    item: WaterItem, values: np.ndarray, rows: np.ndarray, source: str, column: str, problems: list[Problem]
) -> np.ndarray:
    """NaN out (and report) negative values, and pH outside 0–14."""
    with np.errstate(invalid="ignore"):
        if item is WaterItem.WATER_TEMP:
            bad = values < -5.0
            expected = "a water temperature >= -5 [℃]"
        elif item is WaterItem.PH:
            bad = (values < PH_RANGE[0]) | (values > PH_RANGE[1])
            expected = "a pH between 0 and 14"
        else:
            bad = values < 0
            expected = f"a value >= 0 [{item.unit}]"
    for i in np.flatnonzero(bad)[:1000]:
        problems.append(
            Problem(
                f"impossible {item.value} value",
                Location(source, int(rows[i]), column),
                expected,
                repr(float(values[i])),
                "correct or drop the value",
            )
        )
    return np.where(bad, np.nan, values)


def _long(
    sections: np.ndarray, times: pd.Series, rows: np.ndarray, columns: Mapping[WaterItem, np.ndarray]
) -> pd.DataFrame:
    parts = []
    for item, values in columns.items():
        keep = ~np.isnan(values)
        if not keep.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "section": pd.Series(sections[keep], dtype=object),
                    "time": times[keep].reset_index(drop=True),
                    "item": pd.Series([item] * int(keep.sum()), dtype=object),
                    "value": values[keep],
                    "unit": pd.Series([item.unit] * int(keep.sum()), dtype=object),
                    "row": rows[keep].astype("int64"),
                }
            )
        )
    if not parts:
        return empty_samples()
    return pd.concat(parts, ignore_index=True).sort_values(["row", "item"], kind="stable").reset_index(drop=True)


def _iso(t: object) -> str:
    return t.isoformat() if isinstance(t, pd.Timestamp) else str(t)


def _duplicates(long: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
    """Drop exact duplicates; report (and drop) a key given twice with different values."""
    if long.empty:
        return long
    long = long.drop_duplicates(subset=["section", "time", "item", "value"])
    dup = long.duplicated(subset=["section", "time", "item"], keep=False)
    if dup.any():
        for (section, t, item), group in list(long[dup].groupby(["section", "time", "item"]))[:1000]:
            shown = ", ".join(f"{v:g} (row {r})" for v, r in zip(group["value"], group["row"], strict=True))
            problems.append(
                Problem(
                    f"section {section} at {_iso(t)}: {item} given twice with different values",
                    Location(source, int(group["row"].iloc[0]), str(item)),
                    "one value per section, time and item in a batch",
                    shown,
                    "remove the wrong row, or send the correction as a separate batch",
                )
            )
        long = long[~dup]
    return long.reset_index(drop=True)


# -- CNEMC real-time -------------------------------------------------------------------------------

_FULL_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2})?$")
_NO_YEAR = re.compile(r"^(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})$")


def infer_year(month_day_time: str, snapshot: pd.Timestamp) -> pd.Timestamp:
    """A CNEMC page time without a year (``"12-31 20:00"``) placed in the latest year that puts it at or
    before the page's snapshot time (both China Standard Time, naive)."""
    match = _NO_YEAR.match(month_day_time.strip())
    if match is None:
        raise InputError("not a month-day time", expected="MM-DD HH:MM", given=repr(month_day_time))
    month, day, hour, minute = (int(g) for g in match.groups())
    for year in (snapshot.year, snapshot.year - 1):
        try:
            candidate = pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute)
        except ValueError:  # 02-29 in a common year
            continue
        if candidate <= snapshot:
            return candidate
    raise InputError("cannot place the time before the snapshot", given=f"{month_day_time} / {snapshot}")


def _cnemc_times(
    chunk: pd.DataFrame, rows: np.ndarray, source: str, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    """Observation times (tz-aware, CST) and snapshot times; NaT where rejected (problems recorded)."""
    n = len(chunk)
    text: list[str] = chunk["obs_time_local"].astype(str).str.strip().tolist()
    snap_text: list[str] = (
        chunk["first_seen_snapshot"].astype(str).str.strip().tolist() if "first_seen_snapshot" in chunk else [""] * n
    )
    snapshots = [pd.to_datetime(t, format="%Y%m%dT%H%M%S", errors="coerce") for t in snap_text]
    times: list[pd.Timestamp | None] = []
    for i, (t, snap) in enumerate(zip(text, snapshots, strict=True)):
        where = Location(source, int(rows[i]), "obs_time_local")
        parsed: pd.Timestamp | None = None
        if _FULL_TIME.match(t):
            value = pd.to_datetime(t, format="ISO8601", errors="coerce")
            if pd.isna(value):
                problems.append(Problem("invalid time", where, "YYYY-MM-DDTHH:MM", repr(t)))
            else:
                parsed = pd.Timestamp(value)
        elif _NO_YEAR.match(t) is None:
            problems.append(
                Problem("invalid time", where, "YYYY-MM-DDTHH:MM or MM-DD HH:MM (China Standard Time)", repr(t))
            )
        elif pd.isna(snap):
            problems.append(
                Problem(
                    "a time without a year needs the snapshot time",
                    Location(source, int(rows[i]), "first_seen_snapshot"),
                    "YYYYMMDDTHHMMSS, when the page was saved",
                    repr(snap_text[i]),
                )
            )
        else:
            parsed = infer_year(t, pd.Timestamp(snap))
        if parsed is not None and not pd.isna(snap) and parsed > snap:
            problems.append(
                Problem(
                    "observation time is after the page was saved: the inferred year is wrong",
                    where,
                    f"a time at or before the snapshot {pd.Timestamp(snap):%Y-%m-%d %H:%M}",
                    repr(t),
                    "give the time without a year (MM-DD HH:MM) and Xietong infers it from the snapshot",
                )
            )
            parsed = None
        times.append(parsed)
    obs = pd.Series(pd.DatetimeIndex(times).tz_localize(CST))
    snapshot = pd.Series(pd.DatetimeIndex(snapshots).tz_localize(CST))
    return obs, snapshot


def read_cnemc_realtime(
    path: Path, *, network: RiverNetwork | None = None, chunk_rows: int = CHUNK_ROWS
) -> Iterator[SampleChunk]:
    """Stream a CNEMC real-time water file (see the module docstring).

    Sections are resolved to codes through ``network`` (default: the packaged Haihe graph, which lists
    all 139 CNEMC sections of the Haihe basin and Jing-Jin-Ji) by (province, river, section name); a row
    of an unknown section is rejected with a problem.
    """
    source = str(path)
    net = haihe_network() if network is None else network
    for chunk, first_line in _csv_chunks(path, chunk_rows):
        _require(chunk, CNEMC_REQUIRED, source, WaterFormat.CNEMC_REALTIME)
        raw_cols = [c for c in CNEMC_RAW_COLUMNS if c in chunk.columns]
        if not raw_cols:
            raise InputError(
                "the cnemc-realtime file has no _raw value column",
                expected=", ".join(CNEMC_RAW_COLUMNS),
                given=", ".join(map(str, chunk.columns[:30])),
                where=Location(source, 1),
                hint="Xietong reads the unrounded tooltip values (<item>_raw), not the rounded display",
            )
        problems: list[Problem] = []
        n = len(chunk)
        rows = np.arange(first_line, first_line + n, dtype="int64")
        text = {
            c: chunk[c].astype(str).str.strip() for c in ("province", "city", "river", "section", "basin") if c in chunk
        }
        codes = resolve_sections(text["province"], text["river"], text["section"], net).to_numpy()
        unknown = np.array([c is None for c in codes], dtype=bool)
        for i in np.flatnonzero(unknown)[:1000]:
            problems.append(
                Problem(
                    "unknown section",
                    Location(source, int(rows[i]), "section"),
                    "a section of the sections table (province, river and name as CNEMC publishes them)",
                    f"{text['province'].iat[i]} / {text['river'].iat[i]} / {text['section'].iat[i]}",
                    "add the section to the sections table",
                )
            )
        times, snapshot = _cnemc_times(chunk, rows, source, problems)
        reject = unknown | times.isna().to_numpy()
        published_class = np.full(n, None, dtype=object)
        for i, value in enumerate(chunk["water_class"].astype(str).str.strip()):
            if value in MISSING_TOKENS:
                continue
            try:
                published_class[i] = WaterClass.parse(value)
            except ValueError:
                problems.append(
                    Problem(
                        "unknown water class", Location(source, int(rows[i]), "water_class"), "Ⅰ..Ⅴ or 劣Ⅴ", repr(value)
                    )
                )
        values: dict[WaterItem, np.ndarray] = {}
        rejected = 0
        for col in raw_cols:
            item = CNEMC_RAW_COLUMNS[col]
            parsed = _numbers(chunk[col], rows, source, col, problems)
            checked = _check_range(item, parsed, rows, source, col, problems)
            kept = np.where(reject, np.nan, checked)
            rejected += int(np.isfinite(parsed).sum() - np.isfinite(kept).sum())
            values[item] = kept
        keep = ~reject
        sections = np.array([c if k else None for c, k in zip(codes, keep, strict=True)], dtype=object)
        long = _duplicates(_long(sections, times, rows, values), source, problems)
        revised = (
            chunk["values_changed_between_snapshots"].astype(str).str.strip().str.lower().eq("true").to_numpy()
            if "values_changed_between_snapshots" in chunk
            else np.zeros(n, dtype=bool)
        )
        published = pd.DataFrame(
            {
                "section": pd.Series(codes, dtype=object),
                "time": times,
                "section_name": text["section"].astype(object),
                "province": text["province"].astype(object),
                "city": text.get("city", pd.Series([""] * n)).astype(object),
                "river": text["river"].astype(object),
                "basin": text.get("basin", pd.Series([""] * n)).astype(object),
                "published_class": pd.Series(published_class, dtype=object),
                "status": chunk["status"].astype(str).str.strip().astype(object) if "status" in chunk else None,
                "snapshot": snapshot,
                "revised": revised,
                "row": rows,
            }
        )[keep].reset_index(drop=True)
        dup_rows = published.duplicated(subset=["section", "time"], keep=False)
        for (section, t), group in list(published[dup_rows].groupby(["section", "time"]))[:1000]:
            problems.append(
                Problem(
                    f"section {section} at {_iso(t)} given in several rows",
                    Location(source, int(group["row"].iloc[1]), "obs_time_local"),
                    "one row per section and time",
                    "rows " + ", ".join(map(str, group["row"])),
                )
            )
        yield SampleChunk(long, published, n, problems, rejected)


# -- canonical -------------------------------------------------------------------------------------


def _canonical_rows(records: pd.DataFrame, source: str, first_line: int) -> SampleChunk:
    problems: list[Problem] = []
    n = len(records)
    rows = np.arange(first_line, first_line + n, dtype="int64")
    _require(records, ("section", "time", "item", "value"), source, WaterFormat.CANONICAL)
    reject = np.zeros(n, dtype=bool)
    sections = records["section"].astype(str).str.strip()
    for i in np.flatnonzero((sections == "").to_numpy())[:1000]:
        problems.append(Problem("empty section code", Location(source, int(rows[i]), "section"), "a section code"))
    reject |= (sections == "").to_numpy()
    items: list[WaterItem | None] = []
    for i, name in enumerate(records["item"].astype(str).str.strip()):
        try:
            items.append(WaterItem.parse(name))
        except ValueError:
            items.append(None)
            reject[i] = True
            problems.append(
                Problem(
                    "unknown item",
                    Location(source, int(rows[i]), "item"),
                    "an item code: " + ", ".join(w.value for w in WaterItem),
                    repr(name),
                )
            )
    raw_time = records["time"].astype(str).str.strip()
    has_offset = raw_time.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    parsed = pd.to_datetime(raw_time.where(has_offset, None), format="ISO8601", errors="coerce", utc=True)
    for i in np.flatnonzero(~has_offset)[:1000]:
        problems.append(
            Problem(
                "timestamp without a time zone",
                Location(source, int(rows[i]), "time"),
                "ISO 8601 with an offset, e.g. 2025-11-18T16:00+08:00",
                repr(raw_time.iat[i]),
                "add +08:00 for China Standard Time",
            )
        )
    bad_time = parsed.isna().to_numpy() & has_offset
    for i in np.flatnonzero(bad_time)[:1000]:
        problems.append(
            Problem(
                "invalid timestamp",
                Location(source, int(rows[i]), "time"),
                "ISO 8601 with an offset",
                repr(raw_time.iat[i]),
            )
        )
    reject |= ~has_offset | bad_time
    values = _numbers(records["value"], rows, source, "value", problems)
    factor = np.ones(n)
    units = records["unit"].astype(str).str.strip() if "unit" in records.columns else pd.Series([""] * n)
    out_units: list[str] = []
    for i, (item, unit) in enumerate(zip(items, units, strict=True)):
        if item is None:
            out_units.append("")
            continue
        out_units.append(item.unit)
        if unit == "" and item.unit != "dimensionless":
            continue
        accepted = _UNITS.get(item.unit, {})
        key = unit.casefold().replace(" ", "")
        if key in accepted or unit == item.unit:
            factor[i] = accepted.get(key, 1.0)
        else:
            reject[i] = True
            problems.append(
                Problem(
                    f"unknown unit for {item.value}",
                    Location(source, int(rows[i]), "unit"),
                    f"{item.unit} (or one of: {', '.join(k for k in accepted if k) or 'none'})",
                    repr(unit),
                )
            )
    values = values * factor
    checked = values.copy()
    for item in {i for i in items if i is not None}:
        mask = np.array([i is item for i in items], dtype=bool)
        checked[mask] = _check_range(item, values[mask], rows[mask], source, "value", problems)
    bad_value = np.isnan(checked) & ~np.isnan(values)
    keep = ~reject & ~np.isnan(checked)
    long = pd.DataFrame(
        {
            "section": pd.Series(sections.to_numpy()[keep], dtype=object),
            "time": parsed[keep].dt.tz_convert(CST).reset_index(drop=True),
            "item": pd.Series(np.array(items, dtype=object)[keep], dtype=object),
            "value": checked[keep],
            "unit": pd.Series(np.array(out_units, dtype=object)[keep], dtype=object),
            "row": rows[keep],
        }
    )
    long = _duplicates(long, source, problems)
    return SampleChunk(long, _empty_published(), n, problems, int((reject & ~np.isnan(values)).sum() + bad_value.sum()))


def _empty_published() -> pd.DataFrame:
    cols = [
        "section",
        "time",
        "section_name",
        "province",
        "city",
        "river",
        "basin",
        "published_class",
        "status",
        "snapshot",
        "revised",
        "row",
    ]
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})


def parse_canonical_json(raw: bytes, source: str) -> pd.DataFrame:
    """Canonical JSON (array, ``{"samples": [...]}``, one sample object or JSON lines) to a text frame, rows
    numbered 1.."""
    items = parse_json_records(
        raw, source=source, key="samples", shape='{"section","time","item","value","unit"}', record_field="section"
    )
    frame = pd.DataFrame(items, dtype=object)
    for col in frame.columns:
        frame[col] = frame[col].map(lambda v: "" if v is None else str(v))
    return frame


def read_canonical(path: Path, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[SampleChunk]:
    """Stream a canonical long CSV or JSON file."""
    source = str(path)
    if path.suffix.lower() in {".json", ".ndjson", ".jsonl"}:
        records = parse_canonical_json(read_input_bytes(path), source)
        if records.empty:
            yield SampleChunk(empty_samples(), _empty_published(), 0)
            return
        for start in range(0, len(records), chunk_rows):
            part = records.iloc[start : start + chunk_rows].reset_index(drop=True)
            yield _canonical_rows(part, source, start + 1)
        return
    for chunk, first_line in _csv_chunks(path, chunk_rows):
        chunk.columns = [c.lower() for c in chunk.columns]
        yield _canonical_rows(chunk, source, first_line)


def read_samples(
    path: Path, fmt: WaterFormat | str = WaterFormat.AUTO, *, network: RiverNetwork | None = None
) -> Iterator[SampleChunk]:
    """Stream :class:`SampleChunk` objects from a file (``fmt="auto"`` detects the format)."""
    chosen = WaterFormat(fmt)
    if chosen is WaterFormat.AUTO:
        chosen = detect_format(path)
    if chosen is WaterFormat.CNEMC_REALTIME:
        return read_cnemc_realtime(path, network=network)
    return read_canonical(path)


def collect(chunks: Iterator[SampleChunk]) -> SampleChunk:
    """All chunks of a file in one (for files that fit in memory)."""
    parts = list(chunks)
    if not parts:
        return SampleChunk(empty_samples(), _empty_published(), 0)
    samples = pd.concat([p.samples for p in parts], ignore_index=True)
    published = (
        pd.concat([p.published for p in parts], ignore_index=True)
        if any(len(p.published) for p in parts)
        else parts[0].published
    )
    return SampleChunk(
        samples,
        published,
        sum(p.rows_read for p in parts),
        [q for p in parts for q in p.problems],
        sum(p.rejected_values for p in parts),
    )


# -- shapes ----------------------------------------------------------------------------------------


def to_wide(samples: pd.DataFrame) -> pd.DataFrame:
    """Long samples to one row per (section, time) with one column per item (Table 1 order, then the
    auxiliary items), ready for :func:`~xietong.water.classify.classify`."""
    if samples.empty:
        return pd.DataFrame({"section": pd.Series([], dtype=object), "time": pd.Series(pd.DatetimeIndex([], tz=CST))})
    frame = samples.assign(item=samples["item"].map(lambda i: WaterItem(i).value))
    wide = frame.pivot_table(index=["section", "time"], columns="item", values="value", aggfunc="first")
    order = [i.value for i in WaterItem if i.value in wide.columns]
    wide = wide[order].reset_index()
    wide.columns.name = None
    wide["section"] = wide["section"].astype(object)
    return wide


def to_canonical(samples: pd.DataFrame) -> pd.DataFrame:
    """Long samples in the canonical text form: ``section, time`` (ISO 8601 with offset), ``item``
    (code), ``value``, ``unit``; write it with ``.to_csv(index=False)`` or ``.to_json(orient="records")``."""
    return pd.DataFrame(
        {
            "section": samples["section"].astype(str),
            "time": samples["time"].map(lambda t: pd.Timestamp(t).isoformat()),
            "item": samples["item"].map(lambda i: WaterItem(i).value),
            "value": samples["value"].astype("float64"),
            "unit": samples["unit"].astype(str),
        }
    )


def load_cnemc_realtime(path: Path, *, network: RiverNetwork | None = None, strict: bool = True) -> pd.DataFrame:
    """A CNEMC real-time file as one wide frame per source row, for classification and the agreement
    report: ``section, time, section_name, province, city, river, basin, published_class, status,
    snapshot, revised, row``, the section's ``waterbody`` and ``target_class`` from the network, and
    one column per item present.

    ``strict`` (default) raises :class:`~xietong.errors.InputError` listing every problem; otherwise
    rejected rows and values are dropped.
    """
    net = haihe_network() if network is None else network
    got = collect(read_cnemc_realtime(path, network=net))
    if strict and got.problems:
        raise InputError(
            f"{len(got.problems)} problem(s) in {path}",
            where=got.problems[0].where,
            problems=got.problems,
            hint="fix the rows named below, or load with strict=False to drop them",
        )
    wide = to_wide(got.samples)
    frame = got.published.merge(wide, on=["section", "time"], how="left")
    frame["waterbody"] = net.sections["waterbody"].reindex(frame["section"]).to_numpy()
    frame["target_class"] = pd.Series(net.sections["target_class"].reindex(frame["section"]).to_numpy(), dtype=object)
    frame.attrs["display_decimals"] = display_decimals(path)
    return frame


def display_decimals(path: Path) -> dict[WaterItem, int]:
    """Decimals the publisher displayed for each item of a CNEMC real-time file: the most frequent number
    of decimals in the displayed (rounded) column beside each ``_raw`` column (pH 0, DO 1 … on the Nov 2025
    pages; pH 2, DO 2, CODMn 2, NH3-N 3 on the Feb 2026 pages). Items without displayed values are left
    out. CNEMC classifies the values rounded to this precision [D] (``docs/water.md``)."""
    counts: dict[WaterItem, dict[int, int]] = {}
    for chunk, _ in _csv_chunks(path, CHUNK_ROWS):
        for raw_col, item in CNEMC_RAW_COLUMNS.items():
            shown = raw_col.removesuffix("_raw")
            if shown not in chunk.columns:
                continue
            text = chunk[shown].astype(str).str.strip()
            text = text[text.str.fullmatch(r"-?\d+(?:\.\d+)?")]
            tally = counts.setdefault(item, {})
            if text.empty:  # an item with no displayed number in this chunk (all "*")
                continue
            for places in text.str.partition(".")[2].str.len().tolist():
                tally[places] = tally.get(places, 0) + 1
    return {item: max(tally, key=lambda k: (tally[k], -k)) for item, tally in counts.items() if tally}


__all__ = [
    "CNEMC_RAW_COLUMNS",
    "CST",
    "SampleChunk",
    "collect",
    "detect_format",
    "display_decimals",
    "empty_samples",
    "infer_year",
    "load_cnemc_realtime",
    "parse_canonical_json",
    "read_canonical",
    "read_cnemc_realtime",
    "read_samples",
    "to_canonical",
    "to_wide",
]
