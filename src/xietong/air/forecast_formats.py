"""Reader of AQI forecast files (CSV or JSON), pure: records in, a frame of valid forecasts and the
:class:`~xietong.errors.Problem` of every bad cell out; :mod:`xietong.air.forecasts` stores them.

A forecast row is one city's AQI range for one window as issued at one time::

    city,issued_at,start,end,aqi_low,aqi_high,primary
    北京,2016-12-14T16:00+08:00,2016-12-16T00:00+08:00,2016-12-17T00:00+08:00,260,310,PM2.5

or, for a natural day in China Standard Time, ``date`` instead of ``start,end``::

    city,issued_at,date,aqi_low,aqi_high,primary
    130100,2016-12-14T16:00+08:00,2016-12-16,260,310,PM2.5

Windows are usually 24 h but may be any rolling window (HJ 633-2026 §4.2.5 forecasts cover at least the
next 3 days). The upper bound of the range decides the warning level (STANDARDS.md §7.1, [C:S12]).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from xietong import region
from xietong.errors import DuplicateRecordError, InputError, Location, Problem, UnknownJurisdictionError, excerpt
from xietong.inputs import read_csv_text, read_json_file
from xietong.times import local_iso

FORECAST_COLUMNS = ["city", "issued_at", "start", "end", "aqi_low", "aqi_high", "primary"]
_MAX_WINDOW_H = 72


def warning_cities() -> list[str]:
    """Codes of the places a warning or forecast can name: every jurisdiction except Hebei province."""
    return [r.code for r in region.jurisdictions() if r.code != "130000"]


def _aware(text: str, source: str, row: int, field: str, problems: list[Problem]) -> pd.Timestamp | None:
    raw = str(text).strip()
    try:  # an ISO 8601 time has at most ~35 characters: longer text is not parsed (the parser is slow on it)
        ts = pd.Timestamp(raw) if len(raw) <= 64 else None
    except ValueError:
        ts = None
    if ts is None or pd.isna(ts):
        problems.append(
            Problem("invalid time", Location(source, row, field), "ISO 8601 with an offset", excerpt(repr(raw)))
        )
        return None
    if ts.tzinfo is None:
        problems.append(
            Problem(
                "time without a time zone",
                Location(source, row, field),
                "ISO 8601 with an offset, e.g. 2016-12-14T16:00+08:00",
                excerpt(repr(raw)),
                "add +08:00 for China Standard Time",
            )
        )
        return None
    return ts.tz_convert("UTC")


def parse_forecasts(records: list[dict[str, Any]], source: str, first_row: int = 2) -> pd.DataFrame:
    """Validate forecast records (dicts of text) into a frame; raise one error listing every problem.

    Columns of the result: ``city`` (code), ``issued_at``, ``start``, ``end`` (aware UTC),
    ``aqi_low``, ``aqi_high`` (int), ``primary`` (str or None), ``row``.
    """
    frame, problems = forecast_rows(records, source, first_row)
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} invalid forecast row(s) in {source}; nothing was written"
        )
    return frame


def forecast_rows(records: list[Any], source: str, first_row: int = 2) -> tuple[pd.DataFrame, list[Problem]]:
    """The valid forecast records as a frame (columns of :func:`parse_forecasts`) and a problem for every bad
    cell and every contradiction (two ranges for one city, issue time and window start)."""
    problems: list[Problem] = []
    allowed = set(warning_cities())
    rows = []
    for i, raw in enumerate(records):
        if not isinstance(raw, dict):
            problems.append(
                Problem("a forecast is not an object", Location(source, first_row + i), "a JSON object per forecast",
                        excerpt(type(raw).__name__))
            )  # fmt: skip
            continue
        rec = {str(k).strip().lower(): ("" if v is None else str(v)) for k, v in raw.items()}
        row = _forecast_row(rec, source, first_row + i, allowed, problems)
        if row is not None:
            rows.append(row)
    frame = pd.DataFrame(rows, columns=[*FORECAST_COLUMNS, "row"])
    if not frame.empty:
        key = ["city", "issued_at", "start"]
        frame = frame.drop_duplicates(subset=[*key, "end", "aqi_low", "aqi_high", "primary"])
        problems += _contradictions(frame, key, source)
    return frame.reset_index(drop=True), problems


def _forecast_row(
    rec: dict[str, str], source: str, row: int, allowed: set[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """One record (lower-case keys, text values) as a row, or ``None`` with its problems added."""
    before = len(problems)
    city = region.find(rec.get("city", ""))
    if city is None or city.code not in allowed:
        problems.append(
            Problem(
                "unknown city",
                Location(source, row, "city"),
                "a city of the region (code or name; Hebei's cities, Beijing, Tianjin, Xiong'an)",
                repr(rec.get("city", "")),
                kind=UnknownJurisdictionError,
            )
        )
    issued = _aware(rec.get("issued_at", ""), source, row, "issued_at", problems)
    start, end = _window(rec, source, row, problems)
    bounds = _aqi_range(rec, source, row, problems)
    if len(problems) > before or city is None or issued is None or start is None or end is None:
        return None
    return {
        "city": city.code,
        "issued_at": issued,
        "start": start,
        "end": end,
        "aqi_low": bounds[0],
        "aqi_high": bounds[1],
        "primary": rec.get("primary", "").strip() or None,
        "row": row,
    }


def _window(
    rec: dict[str, str], source: str, row: int, problems: list[Problem]
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Start and end [UTC] of the window: ``start``/``end``, or the natural day ``date`` in China Standard
    Time; an end not after the start, or more than ``_MAX_WINDOW_H`` after it, is a problem."""
    start = end = None
    if rec.get("date"):
        try:
            day = pd.Timestamp(rec["date"].strip())
            start = day.tz_localize("Asia/Shanghai").tz_convert("UTC")
            end = start + pd.Timedelta(days=1)
        except ValueError:
            problems.append(Problem("invalid date", Location(source, row, "date"), "YYYY-MM-DD", repr(rec["date"])))
    else:
        start = _aware(rec.get("start", ""), source, row, "start", problems)
        end = _aware(rec.get("end", ""), source, row, "end", problems)
    if (
        start is not None
        and end is not None
        and not (pd.Timedelta(0) < end - start <= pd.Timedelta(hours=_MAX_WINDOW_H))
    ):
        problems.append(
            Problem(
                "invalid forecast window",
                Location(source, row, "end"),
                f"end after start, at most {_MAX_WINDOW_H} h",
                f"{start.isoformat()} .. {end.isoformat()}",
            )
        )
    return start, end


def _aqi_range(rec: dict[str, str], source: str, row: int, problems: list[Problem]) -> list[int]:
    """``[aqi_low, aqi_high]`` as whole AQI values, low not above high (fewer than two on a problem)."""
    bounds = []
    for name in ("aqi_low", "aqi_high"):
        text = rec.get(name, "").strip()
        try:
            value = float(text)
            if value != int(value) or value < 0:
                raise ValueError
            bounds.append(int(value))
        except ValueError:
            problems.append(
                Problem(f"invalid {name}", Location(source, row, name), "a whole AQI value >= 0", repr(text))
            )
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        problems.append(
            Problem(
                "forecast range is reversed",
                Location(source, row, "aqi_low"),
                "aqi_low <= aqi_high",
                f"{bounds[0]} > {bounds[1]}",
            )
        )
    return bounds


def _contradictions(frame: pd.DataFrame, key: list[str], source: str) -> list[Problem]:
    """A problem for each city, issue time and window start given two different ranges (first 100)."""
    clash = frame.duplicated(subset=key, keep=False)
    return [
        Problem(
            f"city {group['city'].iat[0]}: contradictory forecasts for the window starting "
            f"{local_iso(group['start']).iat[0]} in one batch",
            Location(source, int(group["row"].to_numpy()[1]), "aqi_high"),
            "one forecast per city, issue time and window",
            "; ".join(
                f"row {r}: {lo}–{hi}"
                for r, lo, hi in zip(group["row"], group["aqi_low"], group["aqi_high"], strict=True)
            ),
            kind=DuplicateRecordError,
        )
        for _, group in list(frame[clash].groupby(key))[:100]
    ]


def read_forecast_file(path: Path, name: str | None = None) -> pd.DataFrame:
    """Read a forecast CSV or JSON file (see the module docstring) and validate it."""
    source = name or str(path)
    if path.suffix.lower() == ".json":
        doc = read_json_file(path, source=source, expected='an array of forecasts or {"forecasts": [...]}')
        items = doc.get("forecasts") if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise InputError(
                "unexpected JSON shape",
                expected='an array of forecast objects or {"forecasts": [...]}',
                given=type(items).__name__ if not isinstance(items, list) else "an array with a non-object item",
                where=Location(source),
            )
        return parse_forecasts(items, source, first_row=1)
    text = read_csv_text(path, source=source, dtype=str, keep_default_na=False)
    missing = {"city", "issued_at", "aqi_low", "aqi_high"} - {c.strip().lower() for c in text.columns}
    if missing:
        raise InputError(
            f"forecast file lacks column(s) {', '.join(sorted(missing))}",
            expected="city, issued_at, start, end (or date), aqi_low, aqi_high[, primary]",
            given=", ".join(text.columns),
            where=Location(source, 1),
        )
    return parse_forecasts([{str(k): v for k, v in r.items()} for r in text.to_dict("records")], source)


__all__ = ["FORECAST_COLUMNS", "forecast_rows", "parse_forecasts", "read_forecast_file", "warning_cities"]
