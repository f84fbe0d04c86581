"""``xietong transit circle`` and ``xietong transit scenario``: the N-hour circle and planned-line diffs."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

from xietong import region, times
from xietong.cli._common import echo_json, frame_to_csv, print_table, run, state, write_stdout
from xietong.errors import InputError, Location
from xietong.transit.circle import (
    DEFAULT_BANDS_MIN,
    DEFAULT_CITY_TRANSFER_S,
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MINUTES,
    DEFAULT_STATION_RADIUS_KM,
    CircleReport,
    circle_report,
    isochrone,
)
from xietong.transit.commands import app
from xietong.transit.commands_validate import say_notices
from xietong.transit.road import ROAD_SOURCE
from xietong.transit.scenario import load_scenario
from xietong.transit.service import feed_service_date, load_regional_feed, regional_feed_path, scenario_diff
from xietong.transit.timetable import parse_clock


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


GtfsOpt = Annotated[
    Path | None,
    typer.Option(
        "--gtfs",
        help="A rail GTFS feed whose stops carry city_code [default: the regional feed of the data directory, "
        "built from ../shared/data/transport on first use].",
        show_default=False,
    ),
]
CentreOpt = Annotated[str, typer.Option("--centre", help="Centre city: name or code (石家庄, Beijing, 130100).")]
MinutesOpt = Annotated[int, typer.Option("--minutes", min=1, help="The circle's threshold [min].")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="Service date YYYY-MM-DD [default: the feed's own service day].", show_default=False),
]
FromOpt = Annotated[str, typer.Option("--from-time", help="First departure from the centre (HH:MM).")]
ToOpt = Annotated[str, typer.Option("--to-time", help="Last departure from the centre (HH:MM).")]
TransfersOpt = Annotated[int, typer.Option("--max-transfers", min=0, help="At most this many changes of train.")]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", help="table, csv or json on stdout.")]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    return times.parse_day(text, option="--date")


def _clock(text: str, option: str) -> int:
    try:
        return parse_clock(text)
    except InputError:
        raise InputError("bad time of day", expected="HH:MM", given=repr(text), where=Location(option)) from None


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _print_circle(report: CircleReport) -> None:
    frame = report.to_frame()
    rows = [
        {
            "city": r["city"],
            "rail_min": _cell(r["rail_min"]),
            "typical_min": _cell(r["rail_typical_min"]),
            "journeys ≤ N": f"{r['rail_journeys_within']}/{r['rail_journeys']}",
            "road_min": _cell(r["road_min"]),
            "within": _cell(r["within"]),
        }
        for r in frame.to_dict("records")
    ]
    day = report.service_date.isoformat() if report.service_date else "every trip"
    print_table(
        rows,
        list(rows[0]) if rows else [],
        title=f"{report.minutes}-minute circle from {report.centre} ({day}, departures "
        f"{report.assumptions.get('window', '')})",
    )
    console = Console(width=max(Console().width, 120))
    within = sum(r.within for r in report.rows)
    console.print(
        f"{within} of {len(report.rows)} targets within {report.minutes} min by rail or road", highlight=False
    )
    for r in report.rows:
        if r.rail_best_trains:
            console.print(f"  {r.city} best: {r.rail_best_trains}", highlight=False)
    for r in report.rows:
        if r.note:
            console.print(f"  {r.city} note: {r.note}", highlight=False)
    console.print(f"rail: {report.assumptions['rail']}", highlight=False)
    console.print(f"road: {ROAD_SOURCE}: modelled, not measured", highlight=False)


@app.command("circle")
def circle(
    ctx: typer.Context,
    centre: CentreOpt = "石家庄",
    minutes: MinutesOpt = DEFAULT_MINUTES,
    gtfs: GtfsOpt = None,
    day: DateOpt = None,
    from_time: FromOpt = "06:00",
    to_time: ToOpt = "22:00",
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    city_transfer_min: Annotated[
        float, typer.Option("--city-transfer-min", min=0, help="Assumed time to change stations within a city [min].")
    ] = DEFAULT_CITY_TRANSFER_S / 60,
    station_radius_km: Annotated[
        float,
        typer.Option(
            "--station-radius-km",
            min=0,
            help="A city's stations are those this close to its centre point [km]; 0 = every station of the "
            "prefecture.",
        ),
    ] = DEFAULT_STATION_RADIUS_KM,
    geojson: Annotated[
        Path | None,
        typer.Option(
            "--geojson",
            help="Also write the map-ready GeoJSON to this file (no file is written without it).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = ReportFormat.TABLE,
) -> None:
    """The N-hour circle: for each target city (Beijing, Tianjin, the Hebei cities, Taiyuan, Jinan,
    Zhengzhou) the best and typical rail time from the centre over the departure window, the trains of the
    best journey, the modelled road time, and whether either meets the threshold. A target without data is
    listed with a note, never dropped."""
    settings = state(ctx).settings
    console = Console(stderr=True)

    def work() -> CircleReport:
        centre_code = region.get(centre).code
        given_date = _day(day)  # options first: a bad one must not cost a feed build
        window = (_clock(from_time, "--from-time"), _clock(to_time, "--to-time"))
        feed = load_regional_feed(settings, gtfs, say=lambda t: console.print(t, highlight=False))
        say_notices(feed.notices, gtfs or regional_feed_path(settings))
        service_date = given_date or feed_service_date(feed)
        return circle_report(
            feed,
            centre=centre_code,
            minutes=minutes,
            service_date=service_date,
            window_s=window,
            max_transfers=max_transfers,
            city_transfer_s=round(city_transfer_min * 60),
            station_radius_km=station_radius_km or None,
        )

    report = run(work)
    if geojson is not None:  # files are written only where the user asks
        geojson.write_text(json.dumps(report.geojson(), ensure_ascii=False, indent=1), encoding="utf-8")
    if fmt is ReportFormat.CSV:
        write_stdout(frame_to_csv(report.to_frame()))
    elif fmt is ReportFormat.JSON:
        echo_json(
            {
                "centre": report.centre,
                "centre_code": report.centre_code,
                "minutes": minutes,
                "assumptions": report.assumptions,
                "rows": report.to_frame().to_dict("records"),
            }
        )
    else:
        _print_circle(report)
    if geojson is not None:
        console.print(f"wrote {geojson}", highlight=False)


@app.command("scenario")
def scenario(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A planned line as TOML (see scenarios/).")],
    centre: CentreOpt = "石家庄",
    minutes: MinutesOpt = DEFAULT_MINUTES,
    gtfs: GtfsOpt = None,
    day: DateOpt = None,
    from_time: FromOpt = "06:00",
    to_time: ToOpt = "22:00",
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    fmt: FormatOpt = ReportFormat.TABLE,
) -> None:
    """Add a planned line's synthetic trips to the timetable and print the before/after diff of the circle
    report (rail times, journeys within the threshold, within flags) for every target city."""
    settings = state(ctx).settings
    console = Console(stderr=True)

    def work() -> pd.DataFrame:
        plan = load_scenario(file)
        given_date = _day(day)  # options first: a bad one must not cost a feed build
        window = (_clock(from_time, "--from-time"), _clock(to_time, "--to-time"))
        feed = load_regional_feed(settings, gtfs, say=lambda t: console.print(t, highlight=False))
        say_notices(feed.notices, gtfs or regional_feed_path(settings))
        diff = scenario_diff(
            feed,
            plan,
            service_date=given_date,
            centre=region.get(centre).code,
            minutes=minutes,
            window_s=window,
            max_transfers=max_transfers,
        )
        frame = diff.to_frame()
        frame.attrs["title"] = plan.name
        return frame

    frame = run(work)
    if fmt is ReportFormat.CSV:
        write_stdout(frame_to_csv(frame))
        return
    if fmt is ReportFormat.JSON:
        echo_json(json.loads(frame.to_json(orient="records", force_ascii=False)))
        return
    rows = [
        {
            "city": r["city"],
            "rail_before": _cell(r["rail_min_before"]),
            "rail_after": _cell(r["rail_min_after"]),
            "change": _cell(r["rail_change_min"]),
            "typical": f"{_cell(r['rail_typical_min_before'])} → {_cell(r['rail_typical_min_after'])}",
            "journeys": f"{r['journeys_before']} → {r['journeys_after']}",
            "≤ N": f"{r['journeys_within_before']} → {r['journeys_within_after']}",
            "within": f"{_cell(bool(r['within_before']))} → {_cell(bool(r['within_after']))}",
        }
        for r in frame.to_dict("records")
    ]
    print_table(
        rows,
        list(rows[0]),
        title=f"{frame.attrs['title']}: {minutes}-minute circle from {centre}, before → after",
        min_width=120,
    )
    changed = frame[frame["changed"]]
    console = Console(width=max(Console().width, 120))
    console.print(
        f"{len(changed)} of {len(frame)} targets change: {', '.join(changed['city']) or 'none'} "
        "(the line's running times and headways are assumptions: see the scenario file)",
        highlight=False,
    )
    for r in changed.to_dict("records"):
        console.print(f"  {r['city']} best after: {r['best_trains_after']}", highlight=False)


@app.command("isochrone")
def isochrone_cmd(
    ctx: typer.Context,
    centre: CentreOpt = "石家庄",
    bands: Annotated[str, typer.Option("--bands", help="Band limits [min], comma-separated.")] = ",".join(
        map(str, DEFAULT_BANDS_MIN)
    ),
    gtfs: GtfsOpt = None,
    day: DateOpt = None,
    from_time: FromOpt = "06:00",
    to_time: ToOpt = "22:00",
    max_transfers: TransfersOpt = DEFAULT_MAX_TRANSFERS,
    by: Annotated[str, typer.Option("--by", help="city (one row per city) or station.")] = "city",
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Also write the stations with their band as GeoJSON.")
    ] = None,
    fmt: FormatOpt = ReportFormat.TABLE,
) -> None:
    """Rail isochrones from a city: the best (and typical) journey time to every station or city over the
    departure window, in bands. Stations, not areas: the land between a line's stations is not reached."""
    settings = state(ctx).settings
    console = Console(stderr=True)

    def work() -> pd.DataFrame:
        if by not in {"city", "station"}:
            raise InputError("unknown grouping", expected="city or station", given=repr(by), where=Location("--by"))
        try:
            limits = tuple(int(b) for b in bands.split(","))
        except ValueError:
            raise InputError(
                "bad bands",
                expected="minutes, comma-separated (30,60,90)",
                given=repr(bands),
                where=Location("--bands"),
            ) from None
        given_date = _day(day)  # options first: a bad one must not cost a feed build
        window = (_clock(from_time, "--from-time"), _clock(to_time, "--to-time"))
        feed = load_regional_feed(settings, gtfs, say=lambda t: console.print(t, highlight=False))
        say_notices(feed.notices, gtfs or regional_feed_path(settings))
        iso = isochrone(
            feed,
            centre=region.get(centre).code,
            bands_min=limits,
            service_date=given_date or feed_service_date(feed),
            window_s=window,
            max_transfers=max_transfers,
        )
        if geojson is not None:
            geojson.write_text(json.dumps(iso.geojson(), ensure_ascii=False, indent=1), encoding="utf-8")
            console.print(f"wrote {geojson}", highlight=False)
        frame = iso.cities() if by == "city" else iso.stations
        frame.attrs["title"] = f"Rail isochrones from {iso.centre} (bands {bands} min)"
        return frame

    frame = run(work)
    if fmt is ReportFormat.CSV:
        write_stdout(frame_to_csv(frame))
    elif fmt is ReportFormat.JSON:
        echo_json(json.loads(frame.to_json(orient="records", force_ascii=False)))
    else:
        cols = ["city", "rail_min", "stations", "band_min"] if by == "city" else [
            "stop_name", "city_name", "rail_min", "rail_typical_min", "journeys", "band_min"
        ]  # fmt: skip
        rows = [{c: _cell(r[c]) for c in cols} for r in frame.to_dict("records")]
        print_table(rows, cols, title=str(frame.attrs["title"]))


__all__ = ["circle", "isochrone_cmd", "scenario"]
