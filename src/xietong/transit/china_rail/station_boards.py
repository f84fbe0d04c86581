"""Reader of single-station boards (``board_station``, ``status`` 始/过/终, ``train_code``, ``arrive``,
``depart``), joined on the train number into partial runs: stations are ordered by time, and the run is cut
where it crosses midnight: the start is the board marked 始, else the station after the one marked 终, else
the station after the longest gap around the clock (a run between boarded stations is shorter than the
rest of the day). :mod:`.formats` lists every format.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xietong.errors import Location
from xietong.inputs import csv_guard, read_input_text
from xietong.transit.china_rail.runs import (
    SECONDS_PER_DAY,
    RailFormat,
    SourceRuns,
    input_error,
    parse_hhmm,
    source_runs,
)

_BOARD_COLUMNS = ("board_station", "status", "train_code", "arrive", "depart")
_BOARD_STATUS = {"始": "start", "过": "through", "终": "end"}

#: one board row of a train: (station name, status start/through/end, arrival [s], departure [s])
BoardRow = tuple[str, str, int | None, int | None]


def order_board_rows(stations: list[BoardRow]) -> list[tuple[str, int, int]]:
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
    trains, duplicates = _trains_on_boards(path)
    rows: list[dict[str, object]] = []
    single = 0
    crossing = 0
    for code, entries in trains.items():
        if len(entries) < 2:
            single += 1
            continue
        ordered = order_board_rows(entries)
        crossing += int(ordered[-1][2] >= SECONDS_PER_DAY)
        rows += [
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
            for seq, (name, a, d) in enumerate(ordered, start=1)
        ]
    notes = [
        f"{len(trains)} train numbers on the boards; {single} seen at one boarded station only (no run)",
        f"{crossing} joined runs cross midnight (detected from the order)",
        "runs list only the boarded stations (partial runs)",
    ]
    if duplicates:
        notes.append(f"{duplicates} repeated train/station rows ignored")
    return source_runs(
        RailFormat.STATION_BOARDS,
        path,
        rows,
        source_date=None,
        date_note="undated (boards of about late 2020)",
        notes=tuple(notes),
    )


def _trains_on_boards(path: Path) -> tuple[dict[str, list[BoardRow]], int]:
    """The board rows of each train number (first row per train and station) and the repeats ignored."""
    with csv_guard(str(path)), io.StringIO(read_input_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for col in _BOARD_COLUMNS:
            if col not in header:
                raise input_error(
                    "station board file lacks a column",
                    path=path,
                    row=1,
                    field=col,
                    expected=", ".join(_BOARD_COLUMNS),
                    given=", ".join(header),
                )
        table = list(reader)
    trains: dict[str, list[BoardRow]] = {}
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    for row_no, r in enumerate(table, start=2):
        status, arr, dep = _board_times(path, row_no, r)
        code = (r["train_code"] or "").strip()
        station = (r["board_station"] or "").strip()
        if not code or not station:
            raise input_error(
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
    return trains, duplicates


def _board_times(path: Path, row_no: int, r: dict[str, str]) -> tuple[str, int | None, int | None]:
    """A board row's status and clock times [s after midnight], the times its status needs present."""
    status = _BOARD_STATUS.get((r["status"] or "").strip())
    if status is None:
        raise input_error(
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
        raise input_error(
            "board row lacks the time its status needs",
            path=path,
            row=row_no,
            field="depart" if status == "start" else "arrive",
            expected="始: a departure; 终: an arrival; 过: both",
            given=f"arrive {r['arrive']!r}, depart {r['depart']!r}",
        )
    return status, arr, dep


__all__ = ["BoardRow", "order_board_rows", "read_station_boards"]
