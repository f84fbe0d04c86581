"""Reader of coyove/RouteMaster train JSON: times are Unix epoch seconds (0 = none), converted to China
Standard Time (UTC+8). Some records put the stations after the first night a day too early (the epoch goes
backwards, e.g. train 1462 at 泰山); a time before the previous one is moved on by whole days and the repair
is counted in the notes (:mod:`.formats` lists every format)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from xietong.errors import InputError, Location
from xietong.inputs import read_input_text
from xietong.transit.china_rail.runs import (
    CST_OFFSET_S,
    SECONDS_PER_DAY,
    RailFormat,
    SourceRuns,
    input_error,
    json_list,
    source_runs,
)


def _epoch_int(value: Any, *, where: Location) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(
            "time is not Unix epoch seconds",
            expected="a non-negative integer (seconds since 1970-01-01 UTC; 0 = no time)",
            given=repr(value),
            where=where,
        )
    return int(value)


def read_routemaster(path: Path) -> SourceRuns:
    """Read RouteMaster trains (``[{Date, Code, CodeHuman, Path: [{StationName, ArrivalTime, DepartureTime}]}]``).

    Times are Unix epoch seconds (0 = none) → seconds after midnight (UTC+8) of ``Date``; a time that
    goes backwards is moved on by whole days (a quirk of the source, counted in the notes). The source
    date is the records' ``Date`` (one date per file).

    Raises
    ------
    InputError
        Invalid JSON, a missing field, a bad date or epoch value, or records of several dates; naming
        file, record (row, 1-based) and field.
    """
    records = json_list(
        path,
        read_input_text(path),
        what="RouteMaster train records",
        expected="a JSON list of {Date, Code, CodeHuman, Path}",
    )
    rows: list[dict[str, object]] = []
    dates: set[date] = set()
    repaired = 0
    repaired_trains: list[str] = []
    for rec_no, rec in enumerate(records, start=1):
        service = _service_date(path, rec_no, rec)
        dates.add(service)
        rec_rows, fixed_here = _record_rows(path, rec_no, rec, service)
        rows += rec_rows
        if fixed_here:
            repaired += fixed_here
            repaired_trains.append(str(rec["CodeHuman"]).strip())
    if len(dates) > 1:
        raise input_error(
            "records of several dates in one file",
            path=path,
            row=None,
            field="Date",
            expected="one service date per file",
            given=", ".join(sorted(d.isoformat() for d in dates)),
        )
    notes: tuple[str, ...] = ()
    if repaired:
        notes = (
            f"{repaired} epoch times went backwards and were moved on by whole days "
            f"(trains {', '.join(repaired_trains)})",
        )
    return source_runs(
        RailFormat.ROUTEMASTER,
        path,
        rows,
        source_date=dates.pop() if dates else None,
        date_note="from the records' Date field",
        notes=notes,
    )


def _service_date(path: Path, rec_no: int, rec: Any) -> date:
    """The record's ``Date``, once the record is known to have its fields."""
    for key in ("Date", "CodeHuman", "Path"):
        if not isinstance(rec, dict) or key not in rec:
            raise input_error(
                "train record lacks a field",
                path=path,
                row=rec_no,
                field=key,
                expected="Date, Code, CodeHuman and Path",
                given="a record without it",
            )
    try:
        return date.fromisoformat(str(rec["Date"]))
    except ValueError:
        raise input_error(
            "date is not ISO",
            path=path,
            row=rec_no,
            field="Date",
            expected="YYYY-MM-DD",
            given=repr(rec["Date"]),
        ) from None


def _record_rows(path: Path, rec_no: int, rec: dict[str, Any], service: date) -> tuple[list[dict[str, object]], int]:
    """The run rows of one train record [s after midnight CST of ``service``] and how many of its times
    went backwards and were moved on by a day."""
    midnight_utc = datetime(service.year, service.month, service.day, tzinfo=UTC) - timedelta(seconds=CST_OFFSET_S)
    base = int(midnight_utc.timestamp())
    code = str(rec["CodeHuman"]).strip()
    stops = rec["Path"]
    if not isinstance(stops, list) or len(stops) < 2:
        raise input_error(
            "train without a path",
            path=path,
            row=rec_no,
            field="Path",
            expected="at least two stations",
            given=repr(stops)[:60],
        )
    rows: list[dict[str, object]] = []
    last = None
    fixed_here = 0
    for i, stop in enumerate(stops):
        fld = f"Path[{i}]"
        name = str(stop.get("StationName") or "").strip() if isinstance(stop, dict) else ""
        if not name:
            raise input_error(
                "station without a name",
                path=path,
                row=rec_no,
                field=f"{fld}.StationName",
                expected="a station name",
                given="nothing",
            )
        times: list[int | None] = []
        for key in ("ArrivalTime", "DepartureTime"):
            v = _epoch_int(stop.get(key, 0), where=Location(str(path), rec_no, f"{fld}.{key}"))
            if v == 0:
                times.append(None)
                continue
            t = v - base
            while last is not None and t < last:
                t += SECONDS_PER_DAY
                fixed_here += 1
            times.append(t)
            last = t
        arr, dep = times
        if arr is None and dep is None:
            raise input_error(
                "station without times",
                path=path,
                row=rec_no,
                field=f"{fld}.ArrivalTime",
                expected="an arrival or a departure (epoch seconds)",
                given="0 and 0",
            )
        rows.append(
            {
                "run_id": str(rec_no),
                "train_code": code,
                "train_no": str(rec.get("Code") or ""),
                "seq": i + 1,
                "station_name": name,
                "stop_train_code": "",
                "arrival_s": arr if arr is not None else dep,
                "departure_s": dep if dep is not None else arr,
                "stops": True,
            }
        )
    return rows, fixed_here


__all__ = ["read_routemaster"]
