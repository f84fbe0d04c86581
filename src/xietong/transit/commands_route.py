"""``xietong transit route`` and ``xietong transit matrix``: RAPTOR on GTFS feeds from the command line."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from xietong.cli._common import fail, frame_to_csv, print_table, run, write_stdout
from xietong.errors import InputError, Location, excerpt, require_extra
from xietong.inputs import read_csv_text
from xietong.times import parse_day
from xietong.transit.commands import app
from xietong.transit.commands_validate import say_notices
from xietong.transit.feed import Feed, format_gtfs_time
from xietong.transit.gtfs import merge_feeds, read_feed, service_span, trips_on
from xietong.transit.matrix import city_matrix, travel_time_matrix
from xietong.transit.raptor import DEFAULT_MAX_TRANSFERS, departure_grid, earliest_arrival
from xietong.transit.timetable import Timetable, compile_timetable, parse_clock
from xietong.transit.validation import resolve_footpaths


class RouteFormat(StrEnum):
    CSV = "csv"
    TABLE = "table"
    JSON = "json"


GtfsOpt = Annotated[
    list[str],
    typer.Option(
        "--gtfs",
        help="GTFS zip or directory; repeat to merge feeds. NS=PATH prefixes the feed's ids with 'NS:'.",
    ),
]
DateOpt = Annotated[str, typer.Option("--date", help="Service date YYYY-MM-DD (calendar and calendar_dates).")]
TransfersOpt = Annotated[int, typer.Option("--max-transfers", min=0, help="At most this many transfers.")]
FootpathsOpt = Annotated[
    Path | None,
    typer.Option(
        "--footpaths",
        help="CSV of extra walking links (from_stop_id,to_stop_id,duration_s); otherwise only transfers.txt.",
    ),
]


def _load(gtfs: list[str], day: str, footpaths: Path | None) -> Timetable:
    if not gtfs:
        raise InputError("no feed given", expected="at least one --gtfs FEED.zip", given="none")
    feeds: list[Feed] = []
    for spec in gtfs:
        ns, _, path = spec.rpartition("=") if "=" in spec and not Path(spec).exists() else ("", "", spec)
        feeds.append(read_feed(Path(path), namespace=ns or None))
        say_notices(feeds[-1].notices, path)
    service_date = parse_day(day, option="--date")
    feed = merge_feeds(*feeds)
    _require_service(feed, service_date)
    extra = None
    if footpaths is not None:
        extra, notices = resolve_footpaths(feed, _read_footpaths(footpaths), str(footpaths))
        say_notices(notices, footpaths)
    return compile_timetable(feed, service_date, footpaths=extra)


def _require_service(feed: Feed, day: date) -> None:
    """Refuse a service date on which no trip of the feed runs: every answer would be 'unreachable'."""
    if not trips_on(feed, day).trips.empty:
        return
    span = service_span(feed)
    known = f"the feed's calendar runs {span[0]} … {span[1]}" if span else "the feed has no calendar"
    raise InputError(
        f"no trip of the feed runs on {day.isoformat()}",
        expected="a service date on which trips run (calendar.txt, calendar_dates.txt)",
        given=f"{day.isoformat()}; {known}",
        where=Location(field="--date"),
        hint="pick a day inside the feed's calendar (check its weekday flags and exceptions)",
    )


def _read_footpaths(path: Path) -> pd.DataFrame:
    """The ``--footpaths`` CSV (from_stop_id, to_stop_id, duration_s [s]), each failure an InputError."""
    frame = read_csv_text(path, dtype=str, keep_default_na=False, expected="from_stop_id,to_stop_id,duration_s")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ("from_stop_id", "to_stop_id", "duration_s") if c not in frame.columns]
    if missing:
        raise InputError(
            "footpaths CSV without its columns",
            expected="from_stop_id,to_stop_id,duration_s",
            given=excerpt(",".join(map(str, frame.columns)), 200),
            where=Location(str(path), 1, missing[0]),
        )
    duration = pd.to_numeric(frame["duration_s"].str.strip(), errors="coerce")
    bad = duration.isna() | ~np.isfinite(duration) | (duration < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "footpath duration is not a number of seconds",
            expected="a duration_s >= 0 [s]",
            given=excerpt(frame["duration_s"].iloc[i]),
            where=Location(str(path), i + 2, "duration_s"),
        )
    frame["duration_s"] = duration.round().astype("int64")
    return frame


def _clock(text: str, option: str) -> int:
    try:
        return parse_clock(text)
    except ValueError:
        raise InputError(
            "bad time", expected="HH:MM[:SS] (hours may pass 24)", given=repr(text), where=Location(option)
        ) from None


def _stops(gtfs: list[str]) -> pd.DataFrame:
    feeds = []
    for spec in gtfs:
        ns, _, path = spec.rpartition("=") if "=" in spec and not Path(spec).exists() else ("", "", spec)
        feeds.append(read_feed(Path(path), namespace=ns or None))
    return merge_feeds(*feeds).stops


def _stop_names(gtfs: list[str]) -> dict[str, str]:
    """stop_id → stop_name of the feeds (station names beside their codes in the output)."""
    stops = _stops(gtfs)
    if "stop_name" not in stops.columns:
        return {}
    return dict(zip(stops["stop_id"].astype(str), stops["stop_name"].fillna("").astype(str), strict=True))


def _named_leg(leg: dict[str, object], names: dict[str, str]) -> dict[str, object]:
    """A journey leg with the names of its stops beside their ids."""
    out: dict[str, object] = {}
    for key, value in leg.items():
        out[key] = value
        if key in {"from_stop_id", "to_stop_id"}:
            out[key.replace("_id", "_name")] = names.get(str(value), "")
    return out


@app.command("route")
def route(
    gtfs: GtfsOpt,
    from_stop: Annotated[str, typer.Option("--from", help="Origin stop_id.")],
    day: DateOpt,
    at: Annotated[str, typer.Option("--at", help="Departure time HH:MM:SS.")],
    to_stop: Annotated[str | None, typer.Option("--to", help="Print the journey legs to this stop_id.")] = None,
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    fmt: Annotated[RouteFormat, typer.Option("--format", "-f", help="Output format.")] = RouteFormat.TABLE,
    footpaths: FootpathsOpt = None,
) -> None:
    """Earliest arrival at every reachable stop (RAPTOR): stop_id, stop_name, arrival (HH:MM:SS, may pass
    24:00), transfers."""

    def go() -> None:
        tt = _load(gtfs, day, footpaths)
        arrivals = earliest_arrival(tt, from_stop, _clock(at, "--at"), max_transfers=max_transfers)
        names = _stop_names(gtfs)
        if to_stop is not None:
            legs = [_named_leg(leg.as_dict(), names) for leg in arrivals.journey(to_stop)]
            if fmt is RouteFormat.JSON:
                write_stdout(json.dumps(legs, ensure_ascii=False, indent=2) + "\n")
            elif fmt is RouteFormat.CSV:
                write_stdout(frame_to_csv(pd.DataFrame(legs, columns=list(legs[0]) if legs else None)))
            else:
                columns = [
                    "kind",
                    "from_stop_id",
                    "from_stop_name",
                    "departure",
                    "to_stop_id",
                    "to_stop_name",
                    "arrival",
                ]
                print_table(legs, [*columns, "trip_id", "route_id"])
            return
        frame = arrivals.to_frame()[["stop_id", "arrival", "transfers"]]
        frame.insert(1, "stop_name", frame["stop_id"].map(names).fillna(""))
        if fmt is RouteFormat.CSV:
            write_stdout(frame_to_csv(frame))
        elif fmt is RouteFormat.JSON:
            write_stdout(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
        else:
            print_table(
                [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")],
                list(frame.columns),
                title=f"from {from_stop} at {at}",
            )

    run(go)


@app.command("matrix")
def matrix(
    gtfs: GtfsOpt,
    day: DateOpt,
    from_time: Annotated[str, typer.Option("--from-time", help="First departure HH:MM[:SS].")],
    to_time: Annotated[str, typer.Option("--to-time", help="Last departure HH:MM[:SS].")],
    out: Annotated[Path, typer.Option("--out", help="Output file, .csv or .parquet (long form).")],
    step_min: Annotated[int, typer.Option("--step-min", min=1, help="Minutes between departures.")] = 10,
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    threshold_min: Annotated[int, typer.Option("--threshold-min", help="Share of departures within this.")] = 90,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Dask scheduler address tcp://host:port.")] = None,
    footpaths: FootpathsOpt = None,
    by_city: Annotated[
        bool,
        typer.Option(
            "--by-city", help="City × city instead of stop × stop (stops grouped by the feed's city_code column)."
        ),
    ] = False,
) -> None:
    """Stop × stop (or city × city) travel-time matrix over a departure window: p10/p50/p90 minutes and the
    share of departures within a threshold."""

    def go() -> None:
        if out.suffix not in {".csv", ".parquet"}:
            fail(InputError("unknown output type", expected=".csv or .parquet", given=out.name))
        if out.suffix == ".parquet":
            require_extra("pyarrow", extra="parquet", feature="a .parquet output")
        tt = _load(gtfs, day, footpaths)
        deps = departure_grid(_clock(from_time, "--from-time"), _clock(to_time, "--to-time"), step_min * 60)
        with Progress(
            TextColumn("origins"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
        ) as bar:
            task = bar.add_task("matrix", total=tt.n_stops)
            result = travel_time_matrix(
                tt,
                deps,
                max_transfers=max_transfers,
                threshold_s=threshold_min * 60,
                cluster=cluster,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        frame = result.to_frame()
        if by_city:
            frame = city_matrix(frame, _stops(gtfs))
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False, float_format="%.2f")
        typer.echo(
            f"{len(frame)} reachable {'city' if by_city else 'stop'} pairs, {len(deps)} departures "
            f"{format_gtfs_time(int(deps[0]))}–{format_gtfs_time(int(deps[-1]))} → {out}",
            err=True,
        )

    run(go)


__all__ = ["RouteFormat", "matrix", "route"]
