"""Transit indicators that agreement tasks can bind to (published through the domain contract, ``xietong.indicators``).

``transit.rail_travel_time_min``: the fastest scheduled rail journey between two cities over a departure
window, from the regional feed kept in the data directory (``xietong transit build-gtfs``), computed with
the circle report's rules (:func:`xietong.transit.circle.circle_report`). Rebuilding the feed (new
timetables, a planned line opened) and refreshing the indicators updates the bound tasks.
"""

from __future__ import annotations

import datetime as dt
import math

from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.transit.circle import circle_report
from xietong.transit.gtfs import read_feed
from xietong.transit.road import ROAD_SOURCE, road_time
from xietong.transit.service import feed_service_date, regional_feed_path
from xietong.transit.timetable import parse_clock


def _rail_travel_time(ctx: Context) -> Reading:
    """Best rail time [min] from ``origin`` to ``destination`` leaving in [``from_time``, ``to_time``]."""
    path = regional_feed_path(ctx.store.settings)
    if not path.exists():
        return Reading(None, None, {"reason": f"no regional rail feed at {path}: run `xietong transit build-gtfs`"})
    feed = read_feed(path)
    window = (parse_clock(ctx.params["from_time"]), parse_clock(ctx.params["to_time"]))
    report = circle_report(
        feed,
        centre=ctx.params["origin"],
        targets=(ctx.params["destination"],),
        service_date=feed_service_date(feed),
        window_s=window,
    )
    row = report.rows[0]
    as_of = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    details = {
        "typical_min": None if math.isnan(row.rail_typical_min) else row.rail_typical_min,
        "journeys": row.rail_journeys,
        "best_trains": row.rail_best_trains,
        "service_date": report.service_date.isoformat() if report.service_date else None,
        "note": row.note,
        "feed": str(path),
    }
    return Reading(None if math.isnan(row.rail_min) else row.rail_min, as_of, details)


def _road_travel_time(ctx: Context) -> Reading:
    """Modelled road time [min] between two cities (malin84 table: design speeds, no congestion)."""
    r = road_time(ctx.params["origin"], ctx.params["destination"], int(ctx.params["year"]))
    details = {"year": r.year, "source": ROAD_SOURCE, "note": r.note}
    return Reading(r.road_min if r.available else None, None, details)


def indicators() -> list[Indicator]:
    """The transit module's indicators."""
    return [
        Indicator(
            key="transit.road_travel_time_min",
            name="Modelled road time between two cities",
            description=(
                "Fastest road time between two prefecture seats over the road network of the year, each road "
                "class at its design speed, no congestion (Ma & Tang's malin84 table, 1994 and 2024): modelled, "
                "not measured; NaN (no value) for places the table does not cover."
            ),
            unit="min",
            comparator=Comparator.LE,
            target=90,
            compute=_road_travel_time,
            params=(
                Param("origin", ParamKind.JURISDICTION, "origin city (code or name)", True),
                Param("destination", ParamKind.JURISDICTION, "destination city (code or name)", True),
                Param("year", ParamKind.NUMBER, "year of the road network: 1994 or 2024", default="2024"),
            ),
            module="transit",
        ),
        Indicator(
            key="transit.rail_travel_time_min",
            name="Fastest rail journey between two cities",
            description=(
                "Shortest scheduled station-to-station rail time from the origin city's stations to the "
                "destination city's, over the departures in the window (at most 2 changes, 45 min to change "
                "stations within a city), from the regional feed built by `xietong transit build-gtfs`."
            ),
            unit="min",
            comparator=Comparator.LE,
            target=90,
            compute=_rail_travel_time,
            params=(
                Param("origin", ParamKind.JURISDICTION, "origin city (code or name)", True),
                Param("destination", ParamKind.JURISDICTION, "destination city (code or name)", True),
                Param("from_time", ParamKind.TEXT, "first departure, HH:MM China Standard Time", default="06:00"),
                Param("to_time", ParamKind.TEXT, "last departure, HH:MM China Standard Time", default="22:00"),
            ),
            module="transit",
        ),
    ]


__all__ = ["indicators"]
