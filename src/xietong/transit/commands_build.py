"""``xietong transit build-gtfs``: one regional GTFS feed from China Railway timetables, with a coverage report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from xietong import times
from xietong.cli._common import echo_json, print_table, run, state
from xietong.transit.china_rail.build import CoverageReport
from xietong.transit.commands import app
from xietong.transit.commands_validate import say_notices
from xietong.transit.service import build_feed, regional_feed_path
from xietong.transit.stations import TARGET_CITY_CODES
from xietong.transit.validation import validate_gtfs


def _print_report(report: CoverageReport, out: Path) -> None:
    data = report.as_dict()
    columns = ["format", "date", "runs", "<2 stops", "kept", "dup", "passing"]
    print_table(
        [
            {
                "format": s["format"],
                "date": s["source_date"] or "undated",
                "runs": s["runs_read"],
                "<2 stops": s["runs_under_two_stops"],
                "kept": s["runs_kept"],
                "dup": s["runs_dropped_duplicate"],
                "passing": s["passing_without_stopping"],
            }
            for s in data["sources"]
        ],
        columns,
        title=f"Trains per source, all on the representative day {data['service_date']} "
        "(dup: dropped, the train is kept from another source; passing: stations passed without stopping)",
    )
    for s in data["sources"]:
        for note in s["notes"]:
            typer.echo(f"  {s['format']} ({Path(s['path']).name}): {note}")
    st = data["stations"]
    typer.echo(
        f"stations: {st['total']} ({st['with_coordinates']} with coordinates, {st['city_point_fallback']} at "
        f"their city's point, {st['without_location']} without a location, {st['not_in_12306_list']} not in "
        f"the 12306 list; {st['in_target_cities']} in the 16 target cities)"
    )
    typer.echo(f"duplicates: {len(data['duplicates'])} trains appear in several sources (one run kept each)")
    print_table(
        data["city_pairs"],
        ["from_city", "to_city", "trips", "fastest_min"],
        title="Direct service between the target cities (trips stopping at both, fastest departure→arrival)",
    )
    gaps = data["gaps"]
    target_fallbacks = [
        g for g in gaps["stations_without_coordinates"] if g["city_code"] and str(g["city_code"]) in TARGET_CITY_CODES
    ]
    print_table(
        target_fallbacks,
        ["stop_id", "stop_name", "city_name", "location_source", "location_note"],
        title=f"Gaps: stations of the target cities without their own coordinates "
        f"({len(gaps['stations_without_coordinates'])} in the whole feed)",
    )
    print_table(
        gaps["one_direction_only"],
        ["from_city", "to_city", "trips"],
        title="Gaps: city pairs with direct trips in one direction only",
    )
    missing = ", ".join(t["city"] for t in gaps["targets_without_station"]) or "none"
    typer.echo(f"targets with no station in any train: {missing}")
    typer.echo(f"wrote {out}: {data['trains']} trips")


@app.command("build-gtfs")
def build_gtfs(
    ctx: typer.Context,
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Directories or files with the timetables and the 12306 station list "
            "(default: ../shared/data/transport next to the repository).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The GTFS zip to write [default: <data dir>/transit/regional.zip, where `transit circle` and "
            "`transit scenario` look for it].",
            show_default=False,
        ),
    ] = None,
    service_date: Annotated[
        str | None,
        typer.Option(
            "--service-date",
            help="YYYY-MM-DD: the representative day every train runs on in the feed "
            "(default: the newest timetable date among the sources).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the coverage report as one JSON object.")] = False,
) -> None:
    """Build one regional GTFS feed from China Railway timetables and print its coverage report.

    Formats are recognised by file name and content: 12306 queryTrainInfo JSON and markdown, RouteMaster
    JSON, the Jingguang plan timetable (wide CSV), station boards; stations from the 12306 station list,
    coordinates from the coordinate file (city point as a flagged fallback).
    """
    console = Console(stderr=True)

    def say(text: str) -> None:
        if not as_json:
            console.print(text, highlight=False)

    def work() -> CoverageReport:
        day = None
        if service_date is not None:
            day = times.parse_day(service_date, option="--service-date")
        return build_feed(sources, target, service_date=day, say=say)

    target = out if out is not None else regional_feed_path(state(ctx).settings)
    report = run(work)
    say_notices(run(lambda: validate_gtfs(target)).notices, target)
    if as_json:
        echo_json({**report.as_dict(), "out": str(target)})
        return
    _print_report(report, target)


__all__ = ["build_gtfs"]
