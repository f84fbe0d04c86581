"""``xietong air``: ingest and read air-quality data."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from xietong import region
from xietong.air import reports, service
from xietong.air.aqi import AqiEdition, PmRealtime
from xietong.air.formats import AirFormat, O3Column, parse_unit_options
from xietong.air.reports import AqiRequest, Level, MissingDataRule, ReportKind, as_local
from xietong.air.service import ObservationQuery, UnknownStations
from xietong.air.stations import list_stations
from xietong.cli._common import (
    TokenOpt,
    echo_json,
    fail,
    frame_to_csv,
    print_table,
    run,
    state,
    write_stdout,
)
from xietong.enums import POLLUTANTS
from xietong.errors import InputError, require_extra
from xietong.geo import stations_geojson
from xietong.times import check_period, local_iso, local_text, parse_day, parse_when

app = typer.Typer(help="Air-quality stations and hourly observations.", no_args_is_help=True)


class StationFormat(StrEnum):
    """Output formats of ``xietong air stations`` (the only source of the ``--format`` choices)."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    GEOJSON = "geojson"


class ObservationFormat(StrEnum):
    """Output formats of ``xietong air observations``."""

    CSV = "csv"
    JSON = "json"


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Files to ingest; each file is one all-or-nothing batch.")],
    fmt: Annotated[
        AirFormat,
        typer.Option(
            "--format",
            "-f",
            help="Input format; auto recognises each file by its header (.gz files are read compressed).",
        ),
    ] = AirFormat.AUTO,
    unknown_stations: Annotated[
        UnknownStations,
        typer.Option(help="error: refuse a file with unregistered stations; skip: leave their values out."),
    ] = UnknownStations.ERROR,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Leave invalid rows out (listed in the summary) instead of refusing the file."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    cnemc_o3_column: Annotated[
        O3Column,
        typer.Option(help="cnemc-hourly: the column of the 1-h O3 (o3_24h for the 2022–2025 HeQinWill archive)."),
    ] = O3Column.O3,
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            help=(
                "canonical: the unit of values whose unit cell is absent or blank, UNIT (every pollutant) or "
                "POLLUTANT=UNIT, repeatable, e.g. --unit ug/m3 --unit CO=mg/m3; a filled cell wins. "
                "UNIT: µg/m³ (ug/m3) or mg/m³ (mg/m3)."
            ),
        ),
    ] = None,
    token: TokenOpt = None,
) -> None:
    """Ingest station lists and hourly observations.

    Formats: canonical long CSV/JSON (station,time,pollutant,value,unit), uci (UCI Beijing Multi-Site,
    CO in µg/m³), cnemc-wide (date,hour,type,<codes>), cnemc-hourly (timepoint,stationcode,…),
    cnemc-stations (station list). A canonical value without a unit (no unit column or a blank cell) is
    refused unless --unit names the unit for its pollutant. Values already stored unchanged are not
    written again; a changed value becomes a new revision and the earlier one stays readable (--as-of).
    """
    st = state(ctx)
    units = run(lambda: parse_unit_options(unit or []))
    principal = run(lambda: st.principal(token))
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=as_json or not console.is_terminal,
    ) as progress:
        tasks: dict[str, Any] = {}

        def on_progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(Path(name).name, total=total)
            progress.update(tasks[name], completed=done)

        summary = run(
            lambda: service.ingest_files(
                st.store,
                principal,
                files,
                fmt=fmt,
                unknown_stations=unknown_stations,
                skip_invalid=skip_invalid,
                progress=on_progress,
                o3_column=cnemc_o3_column,
                units=units,
            )
        )
    result = summary.as_dict()
    if as_json:
        echo_json(result)
    else:
        _print_ingest_summary(result)


def _print_ingest_summary(result: dict[str, Any]) -> None:
    """The table of ``air ingest`` (values per file), the totals, the stations and the first rejections."""
    rows = [
        {
            "file": Path(f["source"]).name,
            "format": f["format"],
            "batch": f["batch_id"],
            "rows": f["rows"],
            "read": f["read"],
            "written": f["written"],
            "unchanged": f["unchanged"],
            "revised": f["revised"],
            "rejected": f["rejected"],
        }
        for f in result["files"]
    ]
    print_table(rows, list(rows[0]) if rows else [], title="Ingest summary (values)")
    typer.echo(
        f"total: read {result['read']}, written {result['written']}, unchanged {result['unchanged']}, "
        f"revised {result['revised']}, rejected {result['rejected']}"
        + (
            f", skipped (unknown station) {result['skipped_unknown_station']}"
            if result["skipped_unknown_station"]
            else ""
        )
    )
    stations = result["stations"]
    if stations["read"]:
        typer.echo(
            f"stations: read {stations['read']}, new {stations['written'] - stations['revised']}, "
            f"revised {stations['revised']}, unchanged {stations['unchanged']}, rejected {stations['rejected']}"
        )
    for f in result["files"]:
        for p in f["problems"][:20]:
            typer.echo(f"rejected: {p['detail']}", err=True)


@app.command("stations")
def stations(
    ctx: typer.Context,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j", help="Code or name.")] = None,
    city: Annotated[str | None, typer.Option(help="Code or name.")] = None,
    fmt: Annotated[StationFormat, typer.Option("--format", help="Output format.")] = StationFormat.TABLE,
) -> None:
    """List the registered stations."""
    st = state(ctx)

    def _list() -> pd.DataFrame:
        with st.store.read() as conn:
            return list_stations(conn, jurisdiction=jurisdiction, city=city)

    frame = run(_list)
    frame["recorded_at"] = local_iso(frame["recorded_at"])
    if fmt == "csv":
        write_stdout(frame_to_csv(frame))
    elif fmt == "json":
        echo_json(frame.to_dict("records"))
    elif fmt == "geojson":
        echo_json(stations_geojson(frame))
    else:
        print_table(
            [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")],
            ["code", "name_zh", "city_code", "jurisdiction_code", "lon", "lat", "background"],
        )


@app.command("observations")
def observations(
    ctx: typer.Context,
    station: Annotated[list[str] | None, typer.Option("--station", "-s", help="Station code; repeatable.")] = None,
    city: Annotated[str | None, typer.Option(help="City code or name.")] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD, CST) or ISO time.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive) or ISO time.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Show the values as the store held them at this time (ISO 8601).")
    ] = None,
    long: Annotated[
        bool, typer.Option("--long", help="One row per value (station,time,pollutant,value,unit,flag).")
    ] = False,
    fmt: Annotated[ObservationFormat, typer.Option("--format", help="Output format.")] = ObservationFormat.CSV,
    token: TokenOpt = None,
) -> None:
    """Print hourly observations (times are the end of the hour, in China Standard Time)."""
    st = state(ctx)
    query = ObservationQuery(
        stations=tuple(station or ()),
        city=city,
        jurisdiction=jurisdiction,
        start=run(lambda: parse_when(start, option="--from")) if start else None,
        end=run(lambda: parse_when(end, end=True, option="--to")) if end else None,
        as_of=run(lambda: parse_when(as_of, option="--as-of")) if as_of else None,
    )
    run(lambda: check_period(query.start, query.end))
    frame = run(lambda: service.read_observations_frame(st.store, st.principal(token), query))
    if frame.empty:
        typer.echo(_why_empty(query, as_of), err=True)
    out = (
        service.long_form(frame)
        if long
        else frame[["station", "time", *[p.column for p in POLLUTANTS], "flag_bits", "revision"]]
    )
    out = out.assign(time=local_iso(out["time"]))
    if fmt == "json":
        echo_json(out.astype(object).where(out.notna(), None).to_dict("records"))
    else:
        write_stdout(frame_to_csv(out))


def _why_empty(query: ObservationQuery, as_of: str | None) -> str:
    """Why ``air observations`` found nothing: the selection, the period and the ``--as-of`` it used."""
    what = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("station", " ".join(query.stations)),
            ("city", query.city),
            ("jurisdiction", query.jurisdiction),
        )
        if value
    )
    period = ""
    if query.start is not None or query.end is not None:
        period = f" from {local_text(query.start)}" if query.start is not None else ""
        period += f" to {local_text(query.end)}" if query.end is not None else ""
    if as_of:
        return f"no revision recorded before {as_of} for {what or 'any station'}{period}"
    return f"no observation stored for {what or 'any station'}{period}"


@app.command("revisions")
def revisions(
    ctx: typer.Context,
    station: Annotated[str, typer.Argument(help="Station code.")],
    time: Annotated[str, typer.Argument(help="Hour label, ISO 8601 with offset (e.g. 2016-12-16T08:00+08:00).")],
    token: TokenOpt = None,
) -> None:
    """Show every revision of one station-hour."""
    st = state(ctx)
    when = run(lambda: parse_when(time, option="TIME"))
    frame = run(lambda: service.revisions_of(st.store, st.principal(token), station, when))
    frame["recorded_at"] = local_iso(frame["recorded_at"])
    frame["superseded_at"] = local_iso(frame["superseded_at"])
    write_stdout(frame_to_csv(frame))


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


@app.command("aqi")
def aqi(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (China Standard Time).")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive).")],
    level: Annotated[
        Level, typer.Option("--level", help="station or city (mean of the city's evaluation sites).")
    ] = Level.STATION,
    report: Annotated[ReportKind, typer.Option("--report", help="hourly (real-time) or daily.")] = ReportKind.DAILY,
    edition: Annotated[
        AqiEdition, typer.Option(help="HJ 633 edition; auto = the edition in force on each hour's/day's date.")
    ] = AqiEdition.AUTO,
    pm_realtime: Annotated[
        PmRealtime | None,
        typer.Option(help="HJ 633-2012 hourly PM: 1h (CNEMC from 2014) or 24h_moving (before) [default: by date]."),
    ] = None,
    missing_rule: Annotated[
        MissingDataRule,
        typer.Option(
            help="standard: HJ 633-2026 §5.3.1; cnemc: CNEMC's practice (a missing 1-h PM10 does not withhold the AQI)."
        ),
    ] = MissingDataRule.STANDARD,
    station: Annotated[list[str] | None, typer.Option("--station", "-s", help="Station code; repeatable.")] = None,
    city: Annotated[list[str] | None, typer.Option("--city", "-c", help="City code or name; repeatable.")] = None,
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", "-j")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv, json or parquet (needs --output).")
    ] = OutputFormat.TABLE,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    token: TokenOpt = None,
) -> None:
    """AQI of stations or cities for a period (HJ 633-2012 / HJ 633-2026), from the observations in the store.

    Columns: station (or city), time (hourly: ISO 8601 in China Standard Time, the end of the averaging hour;
    daily: the date), edition, aqi, level (1–6), level_roman, category_zh, category_en, colour, primary, the
    IAQIs and the concentrations used.
    """
    st = state(ctx)
    request = AqiRequest(
        level=level,
        report=report,
        first=run(lambda: parse_day(start, option="--from")),
        last=run(lambda: parse_day(end, option="--to")),
        stations=tuple(station or ()),
        cities=tuple(city or ()),
        jurisdiction=jurisdiction,
        edition=edition,
        pm_realtime=pm_realtime,
        missing_rule=missing_rule,
    )
    table = as_local(run(lambda: reports.aqi_table(st.store, st.principal(token), request)), report)
    if fmt is OutputFormat.PARQUET:
        if output is None:
            fail(InputError("--format parquet writes a file", expected="--output FILE.parquet", given="no --output"))
        run(lambda: require_extra("pyarrow", extra="parquet", feature="--format parquet"))
        table.to_parquet(output, index=False)
        typer.echo(f"wrote {len(table)} rows to {output}", err=True)
        return
    if fmt is OutputFormat.CSV:
        text = frame_to_csv(table)
    elif fmt is OutputFormat.JSON:
        text = json.dumps(
            table.astype(object).where(table.notna(), None).to_dict("records"),
            ensure_ascii=False,
            indent=1,
            default=str,
        )
    else:
        key = "city_name" if level is Level.CITY else "station"
        rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
        if output is None:
            print_table(rows, [key, "time", "edition", "aqi", "level_roman", "category_zh", "primary"])
            return
        text = frame_to_csv(table)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(table)} rows to {output}", err=True)
    else:
        write_stdout(text)


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Calendar year.")],
    city: Annotated[str, typer.Option("--city", "-c", help="City code or name, e.g. 北京.")],
    edition: Annotated[AqiEdition, typer.Option()] = AqiEdition.AUTO,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    token: TokenOpt = None,
) -> None:
    """Days per AQI level and the annual statistics (GB 3095 / HJ 663) of a city."""
    st = state(ctx)
    rep = run(lambda: reports.annual_report(st.store, st.principal(token), city=city, year=year, edition=edition))
    if as_json:
        echo_json(rep.as_dict())
        return
    typer.echo(
        f"{region.display_name(rep.city)} {rep.year}: {rep.days_with_aqi} of {rep.days_total} days with a daily AQI"
    )
    print_table(
        [{"level": k, "days": v} for k, v in rep.days_per_level.items()], ["level", "days"], title="Days per level"
    )
    stats = rep.statistics
    rows = []
    for label, value_key, days_key, valid_key, unit in [
        ("SO2 annual mean", "so2_mean", "days_so2", "valid_so2", "µg/m³"),
        ("NO2 annual mean", "no2_mean", "days_no2", "valid_no2", "µg/m³"),
        ("PM10 annual mean", "pm10_mean", "days_pm10", "valid_pm10", "µg/m³"),
        ("PM2.5 annual mean", "pm25_mean", "days_pm25", "valid_pm25", "µg/m³"),
        ("SO2 daily 98th percentile", "so2_p98", "days_so2", "valid_so2", "µg/m³"),
        ("NO2 daily 98th percentile", "no2_p98", "days_no2", "valid_no2", "µg/m³"),
        ("PM10 daily 95th percentile", "pm10_p95", "days_pm10", "valid_pm10", "µg/m³"),
        ("PM2.5 daily 95th percentile", "pm25_p95", "days_pm25", "valid_pm25", "µg/m³"),
        ("CO daily 95th percentile", "co_p95", "days_co", "valid_co", "mg/m³"),
        ("O3 MDA8 90th percentile", "o3_mda8_p90", "days_o3_mda8", "valid_o3_mda8", "µg/m³"),
    ]:
        value = stats.get(value_key)
        rows.append(
            {
                "statistic": label,
                "value": "" if value is None else f"{float(value):.1f} {unit}",
                "valid days": stats.get(days_key, ""),
                "valid (GB 3095 Table 4)": "yes" if stats.get(valid_key) else "no",
            }
        )
    print_table(rows, ["statistic", "value", "valid days", "valid (GB 3095 Table 4)"], title="Annual statistics")
