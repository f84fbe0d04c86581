"""Readers of the China Railway timetable formats → :class:`~xietong.transit.china_rail.runs.SourceRuns`.

Each reader takes a path and returns normalised runs (no station lookup, no service ids); bad input
raises :class:`~xietong.errors.InputError` naming file, row and field. This module is their one entry
point; each format has its module (:mod:`.query_train_info`, :mod:`.routemaster`, :mod:`.jingguang`,
:mod:`.station_boards`). The quirks handled are those of the shared data README (transport section):

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

from xietong.transit.china_rail.jingguang import parse_station_alias, read_jingguang_wide
from xietong.transit.china_rail.query_train_info import read_query_train_info_json, read_query_train_info_markdown
from xietong.transit.china_rail.routemaster import read_routemaster
from xietong.transit.china_rail.runs import CST_OFFSET_S, date_from_name
from xietong.transit.china_rail.station_boards import order_board_rows, read_station_boards

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
