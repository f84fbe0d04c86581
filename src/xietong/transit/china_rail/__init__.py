"""China Railway timetables → one regional GTFS feed.

- :mod:`.runs`: the normalised train runs every reader returns;
- :mod:`.formats`: readers of the 12306 ``queryTrainInfo`` JSON and markdown, RouteMaster JSON, the
  Jingguang wide CSV and station boards;
- :mod:`.sources`: recognise those files (and the station files) in directories;
- :mod:`.build`: merge into a :class:`~xietong.transit.feed.Feed` with a :class:`CoverageReport`.
"""

from __future__ import annotations

from xietong.transit.china_rail.build import CoverageReport, build_regional_feed
from xietong.transit.china_rail.formats import (
    read_jingguang_wide,
    read_query_train_info_json,
    read_query_train_info_markdown,
    read_routemaster,
    read_station_boards,
)
from xietong.transit.china_rail.runs import RailFormat, SourceRuns
from xietong.transit.china_rail.sources import FoundSources, find_sources, read_source

__all__ = [
    "CoverageReport",
    "FoundSources",
    "RailFormat",
    "SourceRuns",
    "build_regional_feed",
    "find_sources",
    "read_jingguang_wide",
    "read_query_train_info_json",
    "read_query_train_info_markdown",
    "read_routemaster",
    "read_source",
    "read_station_boards",
]
