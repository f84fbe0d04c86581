"""Readers of the 12306 ``queryTrainInfo`` records (HerbertHe crawl), as JSON and as their markdown rendering.

``arrive_day_diff`` (markdown: 当日/次日/第N日到达) gives next-day arrivals; a departure earlier than its
arrival is on the next day; ``station_train_codes`` like ``G1013/G1016`` is a train whose number changes
en route (the quirks of the shared data README, transport section; :mod:`.formats` lists every format).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from xietong.errors import InputError, Location
from xietong.inputs import read_input_text
from xietong.transit.china_rail.runs import (
    SECONDS_PER_DAY,
    RailFormat,
    SourceRuns,
    date_from_name,
    input_error,
    json_list,
    parse_hhmm,
    source_runs,
)

_MD_STOP = re.compile(r"^(?P<name>[^()]+?)\((?P<body>[^()]*)\)$")


def _day_offset(label: str, *, where: Location) -> int:
    """12306 arrival-day label → day offset: 当日到达 0, 次日到达 1, 第N日到达 N−1, or a plain integer."""
    text = label.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if text.startswith("当日"):
        return 0
    if text.startswith("次日"):
        return 1
    m = re.fullmatch(r"第\s*(\d+)\s*日到达", text)
    if m:
        return int(m.group(1)) - 1
    raise InputError(
        "unknown arrival-day label",
        expected="当日到达, 次日到达, 第N日到达 or an integer day difference",
        given=repr(label),
        where=where,
    )


def _stop_times_12306(arrive: int | None, start: int | None, day: int) -> tuple[int, int]:
    """Arrival and departure [s after midnight of the service day] from 12306 clock times and the day.

    The origin has no arrival (it gets the departure); a departure earlier on the clock than the
    arrival is on the next day.
    """
    if arrive is None and start is None:
        raise ValueError("a 12306 stop needs an arrival or a departure")
    if arrive is None:
        assert start is not None
        dep = start + day * SECONDS_PER_DAY
        return dep, dep
    arr = arrive + day * SECONDS_PER_DAY
    if start is None:
        return arr, arr
    dep = start + day * SECONDS_PER_DAY
    if dep < arr:
        dep += SECONDS_PER_DAY
    return arr, dep


def _dated(
    fmt: RailFormat, path: Path, rows: list[dict[str, object]], source_date: date | None, notes: tuple[str, ...]
) -> SourceRuns:
    """The runs of a 12306 file, dated by ``source_date`` or else by the date in the file name."""
    found = date_from_name(path)
    return source_runs(
        fmt,
        path,
        rows,
        source_date=source_date or found,
        date_note="given" if source_date else ("from the file name" if found else "unknown"),
        notes=notes,
        monotonic=True,
    )


def read_query_train_info_json(path: Path, *, source_date: date | None = None) -> SourceRuns:
    """Read 12306 ``queryTrainInfo`` records (a JSON list of ``{train_no, station_train_codes, data}``).

    ``source_date`` defaults to the date in the file name (``…_20260617_…``).

    Raises
    ------
    InputError
        Invalid JSON, a record without ``data``, a time that is not ``HH:MM`` or an unknown day label,
        naming the file, the record (row, 1-based) and the field.
    """
    records = json_list(
        path,
        read_input_text(path),
        what="12306 queryTrainInfo records",
        expected="a JSON list of {train_no, station_train_codes, data}",
        one_object_ok=True,
    )
    rows: list[dict[str, object]] = []
    next_day = 0
    for rec_no, rec in enumerate(records, start=1):
        rec_rows, rec_next_day = _json_record(path, rec_no, rec)
        rows += rec_rows
        next_day += rec_next_day
    notes = (f"{next_day} station times on a later day than the departure (arrive_day_diff)",) if next_day else ()
    return _dated(RailFormat.QUERY_TRAIN_INFO_JSON, path, rows, source_date, notes)


def _json_record(path: Path, rec_no: int, rec: Any) -> tuple[list[dict[str, object]], int]:
    """The run rows of one JSON record and how many of its stations are on a later day."""
    data = rec.get("data") if isinstance(rec, dict) else None
    if not isinstance(data, list) or not data:
        raise input_error(
            "train record without stations",
            path=path,
            row=rec_no,
            field="data",
            expected="a non-empty list of station entries",
            given=repr(data)[:60],
        )
    code = str(rec.get("station_train_codes") or data[0].get("station_train_code") or "").strip()
    if not code:
        raise input_error(
            "train record without a train number",
            path=path,
            row=rec_no,
            field="station_train_codes",
            expected="a train number such as G1013 or G1013/G1016",
            given="nothing",
        )
    train_no = str(rec.get("train_no") or "")
    rows: list[dict[str, object]] = []
    next_day = 0
    for i, stop in enumerate(data):
        fld = f"data[{i}]"

        def loc(name: str, _f: str = fld, _row: int = rec_no) -> Location:
            return Location(str(path), _row, f"{_f}.{name}")

        name = str(stop.get("station_name") or "").strip()
        if not name:
            raise InputError(
                "station entry without a name", expected="station_name", given="nothing", where=loc("station_name")
            )
        day = _day_offset(str(stop.get("arrive_day_diff", "0")), where=loc("arrive_day_diff"))
        arrive = parse_hhmm(str(stop.get("arrive_time", "")), where=loc("arrive_time"))
        start = parse_hhmm(str(stop.get("start_time", "")), where=loc("start_time"))
        if arrive is None and start is None:
            raise InputError(
                "station entry without times",
                expected="arrive_time or start_time",
                given="neither",
                where=loc("start_time"),
            )
        arr, dep = _stop_times_12306(None if i == 0 else arrive, start, day)
        next_day += int(day > 0)
        rows.append(
            {
                "run_id": f"{rec_no}",
                "train_code": code,
                "train_no": train_no,
                "seq": i + 1,
                "station_name": name,
                "stop_train_code": str(stop.get("station_train_code") or ""),
                "arrival_s": arr,
                "departure_s": arr if i == len(data) - 1 else dep,
                "stops": True,
            }
        )
    return rows, next_day


def read_query_train_info_markdown(path: Path, *, source_date: date | None = None) -> SourceRuns:
    """Read the markdown rendering of 12306 ``queryTrainInfo`` records.

    A table row is ``| n | train_no | station_train_code | 站(到 - 发 - 运行 - 到达日) / … | total |``;
    ``----`` is "no time". ``source_date`` defaults to the date in the file name.

    Raises
    ------
    InputError
        A row with the wrong number of cells, a station entry not in ``name(a - d - run - day)`` form, a
        bad time or day label, or a station count different from the total column; naming file, line
        and field.
    """
    rows: list[dict[str, object]] = []
    next_day = 0
    header_seen = False
    for line_no, line in enumerate(read_input_text(path).splitlines(), start=1):
        text = line.strip()
        if not text.startswith("|"):
            continue
        cells = [c.strip() for c in text.strip("|").split("|")]
        if not header_seen:
            header_seen = any("station_train_code" in c for c in cells)
            continue
        if all(set(c) <= {"-", ":", " "} for c in cells):
            continue
        row_rows, row_next_day = _markdown_row(path, line_no, cells)
        rows += row_rows
        next_day += row_next_day
    if not header_seen:
        raise input_error(
            "no 12306 train table found",
            path=path,
            row=None,
            field="(header)",
            expected="a markdown table whose header names station_train_code",
            given="no such header",
        )
    notes = (f"{next_day} station times on a later day than the departure (到达日)",) if next_day else ()
    return _dated(RailFormat.QUERY_TRAIN_INFO_MARKDOWN, path, rows, source_date, notes)


def _markdown_row(path: Path, line_no: int, cells: list[str]) -> tuple[list[dict[str, object]], int]:
    """The run rows of one table row (one train) and how many of its stations are on a later day."""
    if len(cells) != 5:
        raise input_error(
            "table row has the wrong number of cells",
            path=path,
            row=line_no,
            field="(row)",
            expected="5 cells: 序号, train_no, station_train_code, stations, total_num",
            given=f"{len(cells)} cells",
        )
    _, train_no, code, stations_cell, total = cells
    entries = [e.strip() for e in stations_cell.split(" / ") if e.strip()]
    rows: list[dict[str, object]] = []
    next_day = 0
    for i, entry in enumerate(entries):
        fld = f"站点[{i + 1}]"
        m = _MD_STOP.match(entry)
        parts = [p.strip() for p in m.group("body").split(" - ")] if m else []
        if m is None or len(parts) != 4:
            raise input_error(
                "station entry not in the 12306 markdown form",
                path=path,
                row=line_no,
                field=fld,
                expected="名称(到站时间 - 发车时间 - 运行时间 - 到达日)",
                given=repr(entry),
            )
        where = Location(str(path), line_no, fld)
        arrive = parse_hhmm(parts[0], where=where)
        start = parse_hhmm(parts[1], where=where)
        day = _day_offset(parts[3], where=where)
        if i == 0:
            arrive = None
        if arrive is None and start is None:
            raise input_error(
                "station entry without times",
                path=path,
                row=line_no,
                field=fld,
                expected="an arrival or a departure time",
                given=repr(entry),
            )
        arr, dep = _stop_times_12306(arrive, start, day)
        next_day += int(day > 0)
        rows.append(
            {
                "run_id": str(line_no),
                "train_code": code,
                "train_no": train_no,
                "seq": i + 1,
                "station_name": m.group("name").strip(),
                "stop_train_code": "",
                "arrival_s": arr,
                "departure_s": arr if i == len(entries) - 1 else dep,
                "stops": True,
            }
        )
    if total.isdigit() and int(total) != len(entries):
        raise input_error(
            "station count does not match the stations listed",
            path=path,
            row=line_no,
            field="站点数量(total_num)",
            expected=f"{len(entries)} (the stations listed)",
            given=total,
        )
    return rows, next_day


__all__ = ["read_query_train_info_json", "read_query_train_info_markdown"]
