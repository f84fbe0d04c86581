"""``xietong transit trip``: door to door, with street access and egress legs around RAPTOR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from xietong.cli._common import frame_to_csv, print_table, run, write_stdout
from xietong.errors import InputError, Location
from xietong.transit.access import DEFAULT_MAX_SNAP_M, door_to_door, journey_table
from xietong.transit.commands import app
from xietong.transit.commands_route import DateOpt, FootpathsOpt, GtfsOpt, RouteFormat, TransfersOpt, _clock, _load
from xietong.transit.gtfs import merge_feeds, read_feed
from xietong.transit.raptor import DEFAULT_MAX_TRANSFERS
from xietong.transit.streets import StreetNetwork, TravelMode


def _point(text: str, option: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(
            "not a point", expected="LON,LAT in degrees", given=repr(text), where=Location(option)
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError("not a point", expected="LON,LAT in degrees", given=repr(text), where=Location(option))
    return lon, lat


@app.command("trip")
def trip(
    gtfs: GtfsOpt,
    osm: Annotated[Path, typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf) for the street legs.")],
    origin: Annotated[str, typer.Option("--from", help="Origin LON,LAT [degrees].")],
    destination: Annotated[str, typer.Option("--to", help="Destination LON,LAT [degrees].")],
    day: DateOpt,
    at: Annotated[str, typer.Option("--at", help="Departure time HH:MM[:SS].")],
    mode: Annotated[TravelMode, typer.Option("--mode", help="Street mode of the access and egress legs.")] = (
        TravelMode.WALK
    ),
    max_access_min: Annotated[
        float, typer.Option("--max-access-min", min=0, help="Longest access or egress leg [min].")
    ] = 15,
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    max_snap_m: Annotated[
        float, typer.Option("--max-snap-m", min=0, help="Farthest a stop or point may be from the network [m].")
    ] = DEFAULT_MAX_SNAP_M,
    footpaths: FootpathsOpt = None,
    fmt: Annotated[RouteFormat, typer.Option("--format", "-f", help="Output format.")] = RouteFormat.TABLE,
) -> None:
    """Fastest door-to-door journey: street access to every stop within reach, RAPTOR, street egress; a
    direct street trip wins when it is faster. Prints the legs with their clock times."""

    def go() -> tuple[list[dict[str, object]], float]:
        tt = _load(gtfs, day, footpaths)
        stops = merge_feeds(*[read_feed(Path(g.rpartition("=")[2] if "=" in g else g)) for g in gtfs]).stops
        network = StreetNetwork.from_pbf(osm, mode)
        d2d = door_to_door(
            tt,
            stops,
            network,
            _point(origin, "--from"),
            _point(destination, "--to"),
            _clock(at, "--at"),
            max_access_s=max_access_min * 60,
            max_transfers=max_transfers,
            max_snap_m=max_snap_m,
        )
        names = dict(zip(stops["stop_id"].astype(str), stops["stop_name"].astype(str), strict=True))
        return list(journey_table(d2d, names)), d2d.travel_time_s / 60

    rows, minutes = run(go)
    if fmt is RouteFormat.JSON:
        write_stdout(
            json.dumps({"travel_time_min": round(minutes, 1), "legs": rows}, ensure_ascii=False, indent=2) + "\n"
        )
    elif fmt is RouteFormat.CSV:
        write_stdout(frame_to_csv(pd.DataFrame(rows)))
    else:
        print_table(rows, ["leg", "from", "to", "depart", "arrive", "trip"], title=f"door to door: {minutes:.1f} min")


__all__ = ["trip"]
