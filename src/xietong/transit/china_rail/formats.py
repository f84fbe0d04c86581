"""Readers of the China Railway timetable formats → :class:`~xietong.transit.china_rail.runs.SourceRuns`.

Each reader takes a path and returns normalised runs (no station lookup, no service ids); bad input
raises :class:`~xietong.errors.InputError` naming file, row and field. The quirks handled are those of
the shared data README (transport section):

- :func:`read_query_train_info_json` / :func:`read_query_train_info_markdown`: the 12306
  ``queryTrainInfo`` record (HerbertHe crawl). ``arrive_day_diff`` (markdown: 当日/次日/第N日到达)
  gives next-day arrivals; a departure earlier than its arrival is on the next day;
  ``station_train_codes`` like ``G1013/G1016`` is a train whose number changes en route.
- :func:`read_routemaster`: coyove/RouteMaster JSON; times are Unix epoch seconds (0 = none),
  converted to China Standard Time (UTC+8). Some records put the stations after the first night a day
  too early (the epoch goes backwards, e.g. train 1462 at 泰山); a time before the previous one is moved
  on by whole days and the repair is counted in the notes.
- :func:`read_jingguang_wide`: the Jingguang HSR plan timetable: ``plan_timetable.csv`` (BOM; one row
  per train, ``station_<i>_A``/``_D`` columns, blank where the train is not on that part of the
  corridor), ``station_alias.json`` (station names; not valid JSON, full-width commas between objects)
  and ``train_id_mapping.csv`` (row id → train number). Arrival == departure means passing without a
  stop, except at the corridor's first and last station, where the plan records one time for a train
  that starts or ends (or leaves the plan) there, as the source's own long form does. Line posts
  (``node_type`` ``line_post``) are never stops.
- :func:`read_station_boards`: boards of single stations (``board_station``, ``status`` 始/过/终,
  ``train_code``, ``arrive``, ``depart``) joined on the train number into partial runs; stations are
  ordered by time, and the run is cut where it crosses midnight: the start is the board marked 始, else
  the station after the one marked 终, else the station after the longest gap around the clock (a run
  between boarded stations is shorter than the rest of the day).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from xietong.errors import InputError, Location
from xietong.transit.china_rail.runs import (
    SECONDS_PER_DAY,
    RailFormat,
    SourceRuns,
    check_monotonic,
    parse_hhmm,
    passing_frame,
    runs_frame,
)

#: China Standard Time, the zone of every China Railway timetable [s east of UTC]
CST_OFFSET_S = 8 * 3600

_DATE_IN_NAME = re.compile(r"(20\d{2})-?(\d{2})-?(\d{2})")


def date_from_name(path: Path) -> date | None:
    """The first ``YYYYMMDD`` or ``YYYY-MM-DD`` date in a path's name or its parent's name, if any."""
    for part in (path.name, path.parent.name):
        m = _DATE_IN_NAME.search(part)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _input_error(message: str, *, path: Path, row: int | None, field: str, expected: str, given: str) -> InputError:
    return InputError(message, expected=expected, given=given, where=Location(str(path), row, field))


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


def _json_list(path: Path, text: str, *, what: str, expected: str, one_object_ok: bool = False) -> list[Any]:
    """Parse ``text`` (read from ``path``) as a JSON list of ``what``; a lone object is a list of one when
    ``one_object_ok``. Errors name the file and, for invalid JSON, the line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            "not valid JSON",
            expected=f"a JSON list of {what}",
            given=exc.msg,
            where=Location(str(path), exc.lineno, None),
        ) from None
    if one_object_ok and isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise _input_error(
            f"not a list of {what}", path=path, row=None, field="(top level)", expected=expected,
            given=type(data).__name__,
        )  # fmt: skip
    return data


def read_query_train_info_json(path: Path, *, source_date: date | None = None) -> SourceRuns:
    """Read 12306 ``queryTrainInfo`` records (a JSON list of ``{train_no, station_train_codes, data}``).

    ``source_date`` defaults to the date in the file name (``…_20260617_…``).

    Raises
    ------
    InputError
        Invalid JSON, a record without ``data``, a time that is not ``HH:MM`` or an unknown day label,
        naming the file, the record (row, 1-based) and the field.
    """
    records = _json_list(
        path,
        path.read_text(encoding="utf-8-sig"),
        what="12306 queryTrainInfo records",
        expected="a JSON list of {train_no, station_train_codes, data}",
        one_object_ok=True,
    )
    rows: list[dict[str, object]] = []
    next_day = 0
    for rec_no, rec in enumerate(records, start=1):
        data = rec.get("data") if isinstance(rec, dict) else None
        if not isinstance(data, list) or not data:
            raise _input_error(
                "train record without stations",
                path=path,
                row=rec_no,
                field="data",
                expected="a non-empty list of station entries",
                given=repr(data)[:60],
            )
        first = data[0]
        code = str(rec.get("station_train_codes") or first.get("station_train_code") or "").strip()
        if not code:
            raise _input_error(
                "train record without a train number",
                path=path,
                row=rec_no,
                field="station_train_codes",
                expected="a train number such as G1013 or G1013/G1016",
                given="nothing",
            )
        train_no = str(rec.get("train_no") or "")
        for i, stop in enumerate(data):
            fld = f"data[{i}]"

            def loc(name: str, _f: str = fld, _row: int = rec_no) -> Location:
                return Location(str(path), _row, f"{_f}.{name}")

            name = str(stop.get("station_name") or "").strip()
            if not name:
                raise InputError(
                    "station entry without a name",
                    expected="station_name",
                    given="nothing",
                    where=loc("station_name"),
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
            if i == 0:
                arrive = None
            arr, dep = _stop_times_12306(arrive, start, day)
            if i == len(data) - 1:
                dep = arr
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
                    "departure_s": dep,
                    "stops": True,
                }
            )
    runs = runs_frame(rows)
    check_monotonic(runs, source=str(path))
    found = date_from_name(path)
    notes = (f"{next_day} station times on a later day than the departure (arrive_day_diff)",) if next_day else ()
    return SourceRuns(
        format=RailFormat.QUERY_TRAIN_INFO_JSON,
        path=str(path),
        runs=runs,
        source_date=source_date or found,
        date_note="given" if source_date else ("from the file name" if found else "unknown"),
        notes=notes,
        passing=passing_frame(runs),
    )


_MD_STOP = re.compile(r"^(?P<name>[^()]+?)\((?P<body>[^()]*)\)$")


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
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        text = line.strip()
        if not text.startswith("|"):
            continue
        cells = [c.strip() for c in text.strip("|").split("|")]
        if not header_seen:
            if any("station_train_code" in c for c in cells):
                header_seen = True
            continue
        if all(set(c) <= {"-", ":", " "} for c in cells):
            continue
        if len(cells) != 5:
            raise _input_error(
                "table row has the wrong number of cells",
                path=path,
                row=line_no,
                field="(row)",
                expected="5 cells: 序号, train_no, station_train_code, stations, total_num",
                given=f"{len(cells)} cells",
            )
        _, train_no, code, stations_cell, total = cells
        entries = [e.strip() for e in stations_cell.split(" / ") if e.strip()]
        for i, entry in enumerate(entries):
            fld = f"站点[{i + 1}]"
            m = _MD_STOP.match(entry)
            parts = [p.strip() for p in m.group("body").split(" - ")] if m else []
            if m is None or len(parts) != 4:
                raise _input_error(
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
                raise _input_error(
                    "station entry without times",
                    path=path,
                    row=line_no,
                    field=fld,
                    expected="an arrival or a departure time",
                    given=repr(entry),
                )
            arr, dep = _stop_times_12306(arrive, start, day)
            if i == len(entries) - 1:
                dep = arr
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
                    "departure_s": dep,
                    "stops": True,
                }
            )
        if total.isdigit() and int(total) != len(entries):
            raise _input_error(
                "station count does not match the stations listed",
                path=path,
                row=line_no,
                field="站点数量(total_num)",
                expected=f"{len(entries)} (the stations listed)",
                given=total,
            )
    if not header_seen:
        raise _input_error(
            "no 12306 train table found",
            path=path,
            row=None,
            field="(header)",
            expected="a markdown table whose header names station_train_code",
            given="no such header",
        )
    runs = runs_frame(rows)
    check_monotonic(runs, source=str(path))
    found = date_from_name(path)
    notes = (f"{next_day} station times on a later day than the departure (到达日)",) if next_day else ()
    return SourceRuns(
        format=RailFormat.QUERY_TRAIN_INFO_MARKDOWN,
        path=str(path),
        runs=runs,
        source_date=source_date or found,
        date_note="given" if source_date else ("from the file name" if found else "unknown"),
        notes=notes,
        passing=passing_frame(runs),
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
    records = _json_list(
        path,
        path.read_text(encoding="utf-8-sig"),
        what="RouteMaster train records",
        expected="a JSON list of {Date, Code, CodeHuman, Path}",
    )
    rows: list[dict[str, object]] = []
    dates: set[date] = set()
    repaired = 0
    repaired_trains: list[str] = []
    for rec_no, rec in enumerate(records, start=1):
        for key in ("Date", "CodeHuman", "Path"):
            if not isinstance(rec, dict) or key not in rec:
                raise _input_error(
                    "train record lacks a field",
                    path=path,
                    row=rec_no,
                    field=key,
                    expected="Date, Code, CodeHuman and Path",
                    given="a record without it",
                )
        try:
            service = date.fromisoformat(str(rec["Date"]))
        except ValueError:
            raise _input_error(
                "date is not ISO",
                path=path,
                row=rec_no,
                field="Date",
                expected="YYYY-MM-DD",
                given=repr(rec["Date"]),
            ) from None
        dates.add(service)
        midnight_utc = datetime(service.year, service.month, service.day, tzinfo=UTC) - timedelta(seconds=CST_OFFSET_S)
        base = int(midnight_utc.timestamp())
        code = str(rec["CodeHuman"]).strip()
        stops = rec["Path"]
        if not isinstance(stops, list) or len(stops) < 2:
            raise _input_error(
                "train without a path",
                path=path,
                row=rec_no,
                field="Path",
                expected="at least two stations",
                given=repr(stops)[:60],
            )
        last = None
        fixed_here = 0
        for i, stop in enumerate(stops):
            fld = f"Path[{i}]"
            name = str(stop.get("StationName") or "").strip() if isinstance(stop, dict) else ""
            if not name:
                raise _input_error(
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
                raise _input_error(
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
        if fixed_here:
            repaired += fixed_here
            repaired_trains.append(code)
    if len(dates) > 1:
        raise _input_error(
            "records of several dates in one file",
            path=path,
            row=None,
            field="Date",
            expected="one service date per file",
            given=", ".join(sorted(d.isoformat() for d in dates)),
        )
    runs = runs_frame(rows)
    notes: tuple[str, ...] = ()
    if repaired:
        notes = (
            f"{repaired} epoch times went backwards and were moved on by whole days "
            f"(trains {', '.join(repaired_trains)})",
        )
    return SourceRuns(
        format=RailFormat.ROUTEMASTER,
        path=str(path),
        runs=runs,
        source_date=dates.pop() if dates else None,
        date_note="from the records' Date field",
        notes=notes,
        passing=passing_frame(runs),
    )


def parse_station_alias(path: Path) -> list[dict[str, Any]]:
    """Read ``station_alias.json`` tolerantly: full-width commas (，) between objects become commas.

    Raises
    ------
    InputError
        When the text is still not JSON after that repair, or an entry lacks ``station_idx`` or
        ``station_name``.
    """
    raw = path.read_text(encoding="utf-8-sig")
    text = re.sub(r"}\s*，", "},", raw)
    data = _json_list(
        path, text, what="station aliases (after replacing full-width commas)",
        expected="a JSON list of {station_idx, station_name, node_type}",
    )  # fmt: skip
    for i, item in enumerate(data, start=1):
        for key in ("station_idx", "station_name"):
            if not isinstance(item, dict) or key not in item:
                raise _input_error(
                    "station alias entry lacks a field",
                    path=path,
                    row=i,
                    field=key,
                    expected="station_idx and station_name",
                    given=repr(item)[:60],
                )
    return data


def read_jingguang_wide(directory: Path) -> SourceRuns:
    """Read the Jingguang HSR plan timetable directory (see the module docstring for the quirks).

    Raises
    ------
    InputError
        A missing file or column, a row with only one of arrival/departure, a train between blank
        columns, a bad time, or a row id without a train number; naming file, row and field.
    """
    plan = directory / "plan_timetable.csv"
    alias_path = directory / "station_alias.json"
    mapping_path = directory / "train_id_mapping.csv"
    for p in (plan, alias_path, mapping_path):
        if not p.is_file():
            raise InputError(
                "Jingguang plan timetable file missing",
                expected="plan_timetable.csv, station_alias.json and train_id_mapping.csv in one directory",
                given=f"no {p.name}",
                where=Location(str(directory)),
            )
    nodes = {int(n["station_idx"]): n for n in parse_station_alias(alias_path)}
    first_idx, last_idx = min(nodes), max(nodes)
    with mapping_path.open(encoding="utf-8-sig", newline="") as fh:
        mapping = {r["train_id"].strip(): r["train_no"].strip() for r in csv.DictReader(fh)}
    with plan.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if "train_id" not in header:
            raise _input_error(
                "plan timetable lacks the train_id column",
                path=plan,
                row=1,
                field="train_id",
                expected="train_id, station_1_A, station_1_D, …",
                given=", ".join(header[:4]),
            )
        for idx in nodes:
            for suffix in ("A", "D"):
                if f"station_{idx}_{suffix}" not in header:
                    raise _input_error(
                        "plan timetable lacks a station column",
                        path=plan,
                        row=1,
                        field=f"station_{idx}_{suffix}",
                        expected=f"columns for the {len(nodes)} nodes of station_alias.json",
                        given="no such column",
                    )
        table = list(reader)
    rows: list[dict[str, object]] = []
    for row_no, r in enumerate(table, start=2):
        train_id = (r.get("train_id") or "").strip()
        code = mapping.get(train_id)
        if not code:
            raise _input_error(
                "train id without a train number",
                path=plan,
                row=row_no,
                field="train_id",
                expected="an id listed in train_id_mapping.csv",
                given=repr(train_id),
            )
        present: list[tuple[int, int, int]] = []
        for idx in sorted(nodes):
            a_field, d_field = f"station_{idx}_A", f"station_{idx}_D"
            a = parse_hhmm(r.get(a_field) or "", where=Location(str(plan), row_no, a_field), empty=("",))
            d = parse_hhmm(r.get(d_field) or "", where=Location(str(plan), row_no, d_field), empty=("",))
            if (a is None) != (d is None):
                raise _input_error(
                    "only one of arrival and departure is given",
                    path=plan,
                    row=row_no,
                    field=a_field if a is None else d_field,
                    expected="both times, or both blank where the train is not on this part of the corridor",
                    given="a blank cell",
                )
            if a is not None and d is not None:
                present.append((idx, a, d))
        if not present:
            continue
        indices = [p[0] for p in present]
        if indices != list(range(indices[0], indices[-1] + 1)):
            gap = next(i for i in range(indices[0], indices[-1] + 1) if i not in indices)
            raise _input_error(
                "blank columns between stations of one train",
                path=plan,
                row=row_no,
                field=f"station_{gap}_A",
                expected="blank columns only before the train joins or after it leaves the corridor",
                given="a gap inside the run",
            )
        day = 0
        last = -1
        for seq, (idx, a, d) in enumerate(present, start=1):
            arr = a + day * SECONDS_PER_DAY
            while arr < last:
                arr += SECONDS_PER_DAY
                day += 1
            dep = d + day * SECONDS_PER_DAY
            while dep < arr:
                dep += SECONDS_PER_DAY
                day += 1
            last = dep
            node = nodes[idx]
            is_post = str(node.get("node_type") or "station") != "station"
            boundary = idx in (first_idx, last_idx)
            stops = not is_post and (a != d or boundary)
            rows.append(
                {
                    "run_id": train_id,
                    "train_code": code,
                    "train_no": "",
                    "seq": seq,
                    "station_name": str(node["station_name"]),
                    "stop_train_code": "",
                    "arrival_s": arr,
                    "departure_s": dep,
                    "stops": stops,
                }
            )
    runs = runs_frame(rows)
    n_posts = sum(1 for n in nodes.values() if str(n.get("node_type") or "station") != "station")
    notes = (
        "arrival == departure read as passing without a stop, except at the corridor's first and last "
        f"station ({nodes[first_idx]['station_name']}, {nodes[last_idx]['station_name']})",
        f"{n_posts} line post(s) are never stops; trains are cut to the corridor (partial runs)",
        "the plan is of one working day about 2025/26 without a date",
    )
    return SourceRuns(
        format=RailFormat.JINGGUANG_WIDE,
        path=str(directory),
        runs=runs,
        source_date=None,
        date_note="undated (one working day, about 2025/26)",
        notes=notes,
        passing=passing_frame(runs),
    )


_BOARD_COLUMNS = ("board_station", "status", "train_code", "arrive", "depart")
_BOARD_STATUS = {"始": "start", "过": "through", "终": "end"}


def order_board_rows(stations: list[tuple[str, str, int | None, int | None]]) -> list[tuple[str, int, int]]:
    """Order one train's board rows in time and resolve midnight; pure.

    Parameters
    ----------
    stations:
        ``(station_name, status, arrive_s, depart_s)`` with status ``start``/``through``/``end`` and
        clock times [s after midnight, 0–86,399], ``None`` where the board shows none.

    Returns
    -------
    ``(station_name, arrival_s, departure_s)`` in running order, times after midnight of the run's
    first listed station's day (next-day times exceed 86,400).
    """
    keyed = []
    for name, status, arr, dep in stations:
        ref = arr if arr is not None else dep
        assert ref is not None
        keyed.append((ref, name, status, arr, dep))
    keyed.sort(key=lambda k: k[0])
    n = len(keyed)
    start = None
    for i, k in enumerate(keyed):
        if k[2] == "start":
            start = i
    if start is None:
        for i, k in enumerate(keyed):
            if k[2] == "end":
                start = (i + 1) % n
    if start is None:
        # the run begins after the longest gap around the clock
        gaps = [((keyed[(i + 1) % n][0] - keyed[i][0]) % SECONDS_PER_DAY, i) for i in range(n)]
        start = 0 if n == 1 else (max(gaps)[1] + 1) % n
    ordered = keyed[start:] + keyed[:start]
    out: list[tuple[str, int, int]] = []
    day = 0
    last = -1
    for _ref, name, _status, arr, dep in ordered:
        a = arr if arr is not None else dep
        d = dep if dep is not None else arr
        assert a is not None
        assert d is not None
        a += day * SECONDS_PER_DAY
        while a < last:
            a += SECONDS_PER_DAY
            day += 1
        d += day * SECONDS_PER_DAY
        while d < a:
            d += SECONDS_PER_DAY
            day += 1
        out.append((name, a, d))
        last = d
    return out


def read_station_boards(path: Path) -> SourceRuns:
    """Join station boards on the train number into partial runs (see the module docstring).

    A train on a single board gives no run (counted in the notes); a train listed twice at one station
    keeps its first row.

    Raises
    ------
    InputError
        A missing column, an unknown status, a bad time, or a row whose status contradicts its times
        (始 with an arrival, 终 with a departure); naming file, row and field.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for col in _BOARD_COLUMNS:
            if col not in header:
                raise _input_error(
                    "station board file lacks a column",
                    path=path,
                    row=1,
                    field=col,
                    expected=", ".join(_BOARD_COLUMNS),
                    given=", ".join(header),
                )
        table = list(reader)
    trains: dict[str, list[tuple[str, str, int | None, int | None]]] = {}
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for row_no, r in enumerate(table, start=2):
        status = _BOARD_STATUS.get((r["status"] or "").strip())
        if status is None:
            raise _input_error(
                "unknown board status",
                path=path,
                row=row_no,
                field="status",
                expected="始 (starts), 过 (calls), 终 (terminates)",
                given=repr(r["status"]),
            )
        arr = parse_hhmm(r["arrive"] or "", where=Location(str(path), row_no, "arrive"))
        dep = parse_hhmm(r["depart"] or "", where=Location(str(path), row_no, "depart"))
        if (status == "start" and dep is None) or (status == "end" and arr is None) or (arr is None and dep is None):
            raise _input_error(
                "board row lacks the time its status needs",
                path=path,
                row=row_no,
                field="depart" if status == "start" else "arrive",
                expected="始: a departure; 终: an arrival; 过: both",
                given=f"arrive {r['arrive']!r}, depart {r['depart']!r}",
            )
        code = (r["train_code"] or "").strip()
        station = (r["board_station"] or "").strip()
        if not code or not station:
            raise _input_error(
                "board row without train or station",
                path=path,
                row=row_no,
                field="train_code" if not code else "board_station",
                expected="a train number and a station name",
                given="an empty cell",
            )
        if (code, station) in seen:
            duplicates += 1
            continue
        seen.add((code, station))
        trains.setdefault(code, []).append((station, status, arr, dep))
    rows: list[dict[str, object]] = []
    single = 0
    crossing = 0
    for code, entries in trains.items():
        if len(entries) < 2:
            single += 1
            continue
        ordered = order_board_rows(entries)
        crossing += int(ordered[-1][2] >= SECONDS_PER_DAY)
        for seq, (name, a, d) in enumerate(ordered, start=1):
            rows.append(
                {
                    "run_id": code,
                    "train_code": code,
                    "train_no": "",
                    "seq": seq,
                    "station_name": name,
                    "stop_train_code": "",
                    "arrival_s": a,
                    "departure_s": d,
                    "stops": True,
                }
            )
    runs = runs_frame(rows)
    notes = [
        f"{len(trains)} train numbers on the boards; {single} seen at one boarded station only (no run)",
        f"{crossing} joined runs cross midnight (detected from the order)",
        "runs list only the boarded stations (partial runs)",
    ]
    if duplicates:
        notes.append(f"{duplicates} repeated train/station rows ignored")
    return SourceRuns(
        format=RailFormat.STATION_BOARDS,
        path=str(path),
        runs=runs,
        source_date=None,
        date_note="undated (boards of about late 2020)",
        notes=tuple(notes),
        passing=passing_frame(runs),
    )


__all__ = [
    "CST_OFFSET_S",
    "date_from_name",
    "order_board_rows",
    "parse_station_alias",
    "read_jingguang_wide",
    "read_query_train_info_json",
    "read_query_train_info_markdown",
    "read_routemaster",
    "read_station_boards",
]
