"""Normalised train runs: what every China Railway reader returns, before stations and services.

A run is one train on one service day: its stations in order, each with arrival and departure in
**seconds after midnight of the service day** (the day the run leaves its first listed station;
next-day times exceed 86,400) and whether the train stops there. One DataFrame holds the rows of all
runs of a source (columns :data:`RUN_COLUMNS`):

``run_id``        id of the run within its source (str)
``train_code``    the train number(s), ``G1013/G1016`` when the number changes en route (str)
``train_no``      the 12306 internal train number (``24000G101501``) where the source has it, else ``""``
``seq``           1-based position in the source's station order (int)
``station_name``  station name as the source writes it (str)
``stop_train_code`` the number the train carries at this station, where the source says, else ``""``
``arrival_s``, ``departure_s``  [s after midnight of the service day] (``Int64``)
``stops``         ``False`` for a station passed without stopping (not a GTFS stop_time) (bool)

A :class:`SourceRuns` carries the frame with where it came from, the timetable date and what the
reader had to assume.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from xietong.errors import InputError, Location
from xietong.inputs import json_shape

SECONDS_PER_DAY = 86_400
#: China Standard Time, the zone of every China Railway timetable [s east of UTC]
CST_OFFSET_S = 8 * 3600

RUN_COLUMNS: tuple[str, ...] = (
    "run_id",
    "train_code",
    "train_no",
    "seq",
    "station_name",
    "stop_train_code",
    "arrival_s",
    "departure_s",
    "stops",
)


class RailFormat(StrEnum):
    """The China Railway timetable formats Xietong reads."""

    QUERY_TRAIN_INFO_JSON = "12306-json"  # 12306 queryTrainInfo records (HerbertHe crawl), JSON
    QUERY_TRAIN_INFO_MARKDOWN = "12306-markdown"  # the same records rendered as a markdown table
    ROUTEMASTER = "routemaster"  # coyove/RouteMaster JSON, Unix epoch seconds
    JINGGUANG_WIDE = "jingguang-wide"  # the Jingguang HSR plan timetable, one row per train
    STATION_BOARDS = "station-boards"  # departure/arrival boards of single stations

    @property
    def complete_runs(self) -> bool:
        """Whether a run of this format lists the whole train (``False``: a part of it)."""
        return self in {RailFormat.QUERY_TRAIN_INFO_JSON, RailFormat.QUERY_TRAIN_INFO_MARKDOWN, RailFormat.ROUTEMASTER}


@dataclass(frozen=True)
class SourceRuns:
    """The runs read from one source file (or directory), with provenance.

    Attributes
    ----------
    format: the source format.
    path: the file (or directory) read.
    runs: the run rows (:data:`RUN_COLUMNS`).
    source_date: the timetable date, or ``None`` when the source does not say.
    date_note: how the date was found (file name, field, or why it is unknown).
    notes: what the reader had to assume or repair, one sentence each.
    passing: the stations passed without stopping: ``train_code``, ``station_name``, ``time_s``.
    """

    format: RailFormat
    path: str
    runs: pd.DataFrame
    source_date: date | None
    date_note: str
    notes: tuple[str, ...] = ()
    passing: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"train_code": [], "station_name": [], "time_s": []})
    )

    @property
    def n_runs(self) -> int:
        return int(self.runs["run_id"].nunique())


def empty_runs() -> pd.DataFrame:
    """A run frame with no rows and the right dtypes."""
    return runs_frame([])


def runs_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Build a run frame from row dicts (keys :data:`RUN_COLUMNS`), with the documented dtypes."""
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    for col in ("run_id", "train_code", "train_no", "station_name", "stop_train_code"):
        frame[col] = frame[col].astype("object").fillna("").astype(str)
    frame["seq"] = frame["seq"].astype("int64")
    frame["arrival_s"] = frame["arrival_s"].astype("Int64")
    frame["departure_s"] = frame["departure_s"].astype("Int64")
    frame["stops"] = frame["stops"].astype(bool)
    return frame


def passing_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """The passed-without-stopping rows of a run frame: ``train_code``, ``station_name``, ``time_s``."""
    passed = runs.loc[~runs["stops"]]
    return pd.DataFrame(
        {
            "train_code": passed["train_code"].to_numpy(),
            "station_name": passed["station_name"].to_numpy(),
            "time_s": passed["arrival_s"].to_numpy(),
        }
    )


def parse_hhmm(value: str, *, where: Location, empty: tuple[str, ...] = ("", "-", "--", "----")) -> int | None:
    """``HH:MM`` (or ``HH:MM:SS``) → seconds after midnight [s]; the ``empty`` markers → ``None``.

    Raises
    ------
    InputError
        For any other text, naming ``where``.
    """
    text = value.strip()
    if text in empty:
        return None
    parts = text.split(":")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        h, m = int(parts[0]), int(parts[1])
        s = int(parts[2]) if len(parts) == 3 else 0
        if h < 48 and m < 60 and s < 60:
            return h * 3600 + m * 60 + s
    raise InputError(
        "time is not HH:MM",
        expected="a clock time HH:MM (00:00–23:59) or one of " + ", ".join(repr(e) for e in empty if e),
        given=repr(value),
        where=where,
        hint="fix the cell; the row cannot be placed in the timetable without it",
    )


def check_monotonic(runs: pd.DataFrame, *, source: str) -> None:
    """Refuse a run whose times go backwards after day offsets were applied.

    Raises
    ------
    InputError
        Naming the source, the run (as the row) and the station.
    """
    for run_id, grp in runs.groupby("run_id", sort=False):
        last = -1
        codes = grp["train_code"].tolist()
        names = grp["station_name"].tolist()
        arrivals = grp["arrival_s"].tolist()
        departures = grp["departure_s"].tolist()
        for k, (code, station) in enumerate(zip(codes, names, strict=True)):
            for value, name in ((arrivals[k], "arrival"), (departures[k], "departure")):
                if value is None or value is pd.NA:
                    continue
                if int(value) < last:
                    raise InputError(
                        f"train {code}: {name} at {station} is before the previous time",
                        expected="times that never decrease along the run (after next-day offsets)",
                        given=f"{int(value)} s after {last} s",
                        where=Location(source, None, f"run {run_id}, station {station}"),
                        hint="check the day offsets (arrive_day_diff) or the station order",
                    )
                last = int(value)


# ------------------------------------------------------------------------------ shared by the readers
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


def input_error(message: str, *, path: Path, row: int | None, field: str, expected: str, given: str) -> InputError:
    """An :class:`InputError` naming the file, row and field."""
    return InputError(message, expected=expected, given=given, where=Location(str(path), row, field))


def json_list(path: Path, text: str, *, what: str, expected: str, one_object_ok: bool = False) -> list[Any]:
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
    except RecursionError:
        raise InputError(
            "JSON nested too deeply", expected=f"a JSON list of {what}", given="deep nesting", where=Location(str(path))
        ) from None
    if one_object_ok and isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise input_error(
            f"not a list of {what}", path=path, row=None, field="(top level)", expected=expected,
            given=json_shape(data),
        )  # fmt: skip
    return data


def source_runs(
    fmt: RailFormat,
    path: Path,
    rows: list[dict[str, object]],
    *,
    source_date: date | None,
    date_note: str,
    notes: tuple[str, ...],
    monotonic: bool = False,
) -> SourceRuns:
    """The runs of ``rows`` as read from ``path``, with the stations passed without stopping;
    ``monotonic``: refuse a run whose times go backwards (:func:`check_monotonic`)."""
    runs = runs_frame(rows)
    if monotonic:
        check_monotonic(runs, source=str(path))
    return SourceRuns(
        format=fmt,
        path=str(path),
        runs=runs,
        source_date=source_date,
        date_note=date_note,
        notes=notes,
        passing=passing_frame(runs),
    )


__all__ = [
    "CST_OFFSET_S",
    "RUN_COLUMNS",
    "SECONDS_PER_DAY",
    "RailFormat",
    "SourceRuns",
    "check_monotonic",
    "date_from_name",
    "empty_runs",
    "input_error",
    "json_list",
    "parse_hhmm",
    "passing_frame",
    "runs_frame",
    "source_runs",
]
