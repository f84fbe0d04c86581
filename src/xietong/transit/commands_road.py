"""``xietong transit road-times | streets | scenario-check``: road mode and planned-line scenarios."""

from __future__ import annotations

import math
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from xietong import region
from xietong.cli._common import echo_json, fail, frame_to_csv, print_table, run, write_stdout
from xietong.errors import InputError, Location
from xietong.transit.commands import app
from xietong.transit.feed import format_gtfs_time
from xietong.transit.road import ROAD_SOURCE, road_times
from xietong.transit.scenario import Scenario, load_scenario, resolve_stations
from xietong.transit.streets import StreetNetwork, TravelMode


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _lonlat(text: str, option: str) -> tuple[float, float]:
    try:
        lon_s, lat_s = text.split(",")
        lon, lat = float(lon_s), float(lat_s)
    except ValueError:
        raise InputError(
            "point not understood",
            expected="LON,LAT in degrees, e.g. 7.4236,43.7384",
            given=repr(text),
            where=Location(field=option),
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            "point out of range",
            expected="longitude in [-180, 180] then latitude in [-90, 90]",
            given=repr(text),
            where=Location(field=option),
        )
    return lon, lat


@app.command("road-times")
def road_times_cmd(
    year: Annotated[int, typer.Option(help="Road network year of the model: 1994 or 2024.")] = 2024,
    origin: Annotated[
        str | None, typer.Option("--from", help="Only pairs from this city (code or name, e.g. 石家庄).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TABLE,
) -> None:
    """Modelled city-to-city road times (malin84: design speeds, no congestion) [min].

    Cities the table lacks (Jinan, Zhengzhou, Xiong'an) are listed with an empty time and a note when
    --from is given, never dropped.
    """
    frame = run(lambda: road_times(year))
    if origin is not None:
        code = run(lambda: region.get(origin)).code
        frame = frame[frame["origin_code"] == code].copy()
        have = set(frame["destination_code"])
        # every other place (not the province of Hebei itself): absent ones get a row with a note
        missing = [r for r in region.places() if r.code not in have | {code, "130000"}]
        note_rows = [
            {
                "origin_code": code,
                "destination_code": r.code,
                "origin_name": region.get(code).short_zh,
                "destination_name": r.short_zh,
                "road_min": float("nan"),
                "year": year,
                "source": ROAD_SOURCE,
                "note": "no road data in the malin84 table",
            }
            for r in missing
        ]
        frame["note"] = ""
        if note_rows:
            frame = pd.concat([frame, pd.DataFrame(note_rows)], ignore_index=True)
    frame["road_min"] = frame["road_min"].round(1)
    if fmt is OutputFormat.CSV:
        write_stdout(frame_to_csv(frame))
    elif fmt is OutputFormat.JSON:
        echo_json({"source": ROAD_SOURCE, "modelled": True, "year": year, "rows": frame.to_dict(orient="records")})
    else:
        rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]
        cols = ["origin_name", "destination_name", "road_min"] + (["note"] if "note" in frame else [])
        print_table(rows, cols, title=f"Road times {year} [min], modelled: {ROAD_SOURCE}")


@app.command("streets")
def streets_cmd(
    osm: Annotated[Path, typer.Option("--osm", help="OSM extract (.osm.pbf).")],
    origin: Annotated[str, typer.Option("--from", help="Origin LON,LAT [degrees].")],
    destination: Annotated[str, typer.Option("--to", help="Destination LON,LAT [degrees].")],
    mode: Annotated[TravelMode, typer.Option(help="car (class speeds, maxspeed, oneways) or walk (5 km/h).")] = (
        TravelMode.CAR
    ),
    max_snap_m: Annotated[
        float, typer.Option(help="Refuse points farther than this from the nearest street node [m].")
    ] = 1000.0,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TABLE,
) -> None:
    """Shortest street travel time between two points over an OSM extract (free flow, no turn costs)."""
    a, b = run(lambda: _lonlat(origin, "--from")), run(lambda: _lonlat(destination, "--to"))
    net = run(lambda: StreetNetwork.from_pbf(osm, mode))
    nodes, snap_m = run(lambda: net.snap([a, b]))
    for dist_m, option, text in ((snap_m[0], "--from", origin), (snap_m[1], "--to", destination)):
        if dist_m > max_snap_m:
            fail(
                InputError(
                    "point too far from the street network",
                    expected=f"within {max_snap_m:.0f} m of a street of the extract",
                    given=f"{text} is {dist_m:.0f} m from the nearest node",
                    where=Location(source=str(osm), field=option),
                    hint="check the LON,LAT order and that the extract covers the point, or raise --max-snap-m",
                )
            )
    t = float(net.node_travel_time_s(nodes[:1], nodes[1:])[0, 0])
    reachable = not math.isnan(t)
    result = {
        "mode": str(mode),
        "travel_time_s": round(t, 1) if reachable else None,
        "travel_time_min": round(t / 60, 2) if reachable else None,
        "origin_snap_m": round(float(snap_m[0]), 1),
        "destination_snap_m": round(float(snap_m[1]), 1),
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "note": "free-flow street model; snapping distance not included" if reachable else "destination unreachable",
    }
    if fmt is OutputFormat.JSON:
        echo_json(result)
    elif fmt is OutputFormat.CSV:
        write_stdout(frame_to_csv(pd.DataFrame([result])))
    else:
        print_table([result], list(result), title=f"Street travel time ({mode})")


def _feed_stops(path: Path) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(path) as zf, zf.open("stops.txt") as fh:
            return pd.read_csv(fh, dtype=str, encoding="utf-8-sig")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise InputError(
            "could not read stops.txt from the feed",
            expected="a GTFS zip with stops.txt",
            given=str(exc),
            where=Location(source=str(path)),
        ) from exc


def _trip_rows(scenario: Scenario) -> list[dict[str, object]]:
    table = scenario.timetable()
    rows: list[dict[str, object]] = []
    for trip_id, g in table.groupby("trip_id", sort=False):
        dep, arr = int(g["departure_time"].iloc[0]), int(g["arrival_time"].iloc[-1])
        rows.append(
            {
                "trip_id": trip_id,
                "from": g["stop_name"].iloc[0],
                "to": g["stop_name"].iloc[-1],
                "departs": format_gtfs_time(dep),
                "arrives": format_gtfs_time(arr),
                "travel_min": round((arr - dep) / 60, 1),
                "stops": len(g),
            }
        )
    return rows


@app.command("scenario-check")
def scenario_check_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario TOML file (see scenarios/).")],
    gtfs: Annotated[
        Path | None, typer.Option("--gtfs", help="Also match the stations against this feed's stops.txt.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TABLE,
) -> None:
    """Validate a planned-line scenario and list its synthetic trips (assumed values are flagged)."""
    scenario = run(lambda: load_scenario(file))
    matched: dict[str, str | None] = {}
    if gtfs is not None:
        stops = run(lambda: _feed_stops(gtfs))
        matched = run(lambda: resolve_stations(stops, scenario))
    trips = _trip_rows(scenario)
    stations = [
        {
            "station": s.name,
            "run_min": s.run_min,
            "dwell_min": s.dwell_min,
            "feed_stop_id": matched.get(s.name) if gtfs is not None else None,
            "new_if_missing": s.has_location,
        }
        for s in scenario.stations
    ]
    assumptions = [{"block": a.key, "assumed": a.assumed, "note": a.note} for a in scenario.assumptions]
    if fmt is OutputFormat.JSON:
        echo_json(
            {
                "id": scenario.id,
                "name": scenario.name,
                "status": str(scenario.status),
                "source": scenario.source,
                "assumptions": assumptions,
                "stations": stations,
                "trips": trips,
            }
        )
        return
    if fmt is OutputFormat.CSV:
        write_stdout(frame_to_csv(pd.DataFrame(trips)))
        return
    typer.echo(f"{scenario.name} [{scenario.status}] — valid")
    typer.echo(f"source: {scenario.source}")
    for a in assumptions:
        flag = "ASSUMED" if a["assumed"] else "from source"
        typer.echo(f"  {a['block']}: {flag}" + (f" — {a['note']}" if a["note"] else ""))
    print_table(stations, list(stations[0]), title="Stations")
    print_table(trips, list(trips[0]), title=f"{len(trips)} synthetic trips (times on the service day)")
