"""``/api/v1/air``: stations and hourly observations."""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable, Hashable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from xietong.air import read_versions, reports, service
from xietong.air.aqi import AqiEdition, PmRealtime
from xietong.air.domain import AirScope
from xietong.air.formats import AirFormat, parse_unit_options
from xietong.air.reports import AqiRequest, Level, MissingDataRule, ReportKind, as_local
from xietong.air.schemas import IngestOut, ObservationPage, StationOut
from xietong.air.service import ObservationQuery, UnknownStations
from xietong.air.stations import list_stations
from xietong.api import read_cache
from xietong.api.deps import PrincipalDep, StoreDep
from xietong.enums import POLLUTANTS, Scope
from xietong.errors import InputError
from xietong.exchange.principals import Principal
from xietong.geo import stations_geojson
from xietong.store.session import Store
from xietong.times import EARLIEST_YEAR, LATEST_YEAR, local_iso, parse_when

router = APIRouter(prefix="/air", tags=["air"])

MAX_PAGE = 100_000
_STATIONS = TypeAdapter(list[StationOut])
CSV = "text/csv; charset=utf-8"


def _csv(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> Response:
    return Response(frame.to_csv(index=False, lineterminator="\n"), media_type=CSV, headers=headers)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")  # type: ignore[return-value]


@router.get(
    "/stations",
    operation_id="listAirStations",
    summary="Registered air-quality stations",
    response_model=list[StationOut],
    responses={200: {"content": {"application/geo+json": {}, "text/csv": {}}}},
)
def stations(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    jurisdiction: Annotated[str | None, Query(description="code or name; includes the jurisdictions inside it")] = None,
    city: Annotated[str | None, Query(description="code or name")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|geojson)$")] = "json",
) -> Any:
    """Stations with owner jurisdiction, coordinates and background flag. ``format=geojson`` for a map."""
    principal.require(Scope.READ, "read the station registry")

    def compute() -> Response:
        with store.read() as conn:
            frame = list_stations(conn, jurisdiction=jurisdiction, city=city)
        if format == "geojson":
            return JSONResponse(
                stations_geojson(frame.assign(recorded_at=local_iso(frame["recorded_at"]))),
                media_type="application/geo+json",
            )
        if format == "csv":
            return _csv(frame.assign(recorded_at=local_iso(frame["recorded_at"])))
        return Response(_STATIONS.dump_json(_STATIONS.validate_python(_records(frame))), media_type="application/json")

    registry = read_versions.current_registry_version(read_cache.read_cache(request), store)
    if registry is None:
        return compute()
    return read_cache.answer(request, (*read_cache.query_key(request), registry), compute)


def _encode_cursor(station: str, time_us: int) -> str:
    return base64.urlsafe_b64encode(f"{station}|{time_us}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        station, time_us = raw.rsplit("|", 1)
        return station, int(time_us)
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            "invalid cursor",
            expected="the next_cursor value of a previous page",
            given=repr(cursor[:40]),
            where=None,
        ) from None


@router.get(
    "/observations",
    operation_id="listAirObservations",
    summary="Hourly observations",
    response_model=ObservationPage,
    responses={200: {"content": {"text/csv": {}}}},
)
def observations(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    station: Annotated[list[str] | None, Query(description="station code; repeatable")] = None,
    city: Annotated[str | None, Query()] = None,
    jurisdiction: Annotated[str | None, Query()] = None,
    start: Annotated[
        str | None, Query(alias="from", description="YYYY-MM-DD (CST day) or ISO 8601 with offset")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="last day (inclusive) or ISO 8601 with offset")] = None,
    as_of: Annotated[str | None, Query(description="the values as the store held them at this time")] = None,
    shape: Annotated[str, Query(pattern="^(wide|long)$", description="wide: one row per station-hour")] = "wide",
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 10_000,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Any:
    """Hourly concentrations (µg/m³; CO mg/m³). Times are the end of the hour, shown in China Standard Time.

    Pages are keyed on (station, time): follow ``meta.next_cursor`` (JSON) or the ``Link: rel="next"``
    header (CSV) until it is absent.
    """
    query = ObservationQuery(
        stations=tuple(station or ()),
        city=city,
        jurisdiction=jurisdiction,
        start=parse_when(start, option="from") if start else None,
        end=parse_when(end, end=True, option="to") if end else None,
        as_of=parse_when(as_of, option="as_of") if as_of else None,
        after=_decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    principal.require(Scope.READ, "read air-quality data")

    def compute() -> Response:
        return _observations_page(
            request, store, principal, query, shape=shape, format=format, limit=limit, as_of_text=as_of
        )

    if query.as_of is not None:
        return compute()  # a view of the past: computed each time

    def resolve(conn: Connection) -> pd.DataFrame:
        return list_stations(conn, jurisdiction=jurisdiction, city=city, codes=query.stations or None)

    key = _versioned_key(request, store, (query.stations, city, jurisdiction), resolve, query.start, query.end)
    return compute() if key is None else read_cache.answer(request, key, compute)


def _observations_page(
    request: Request,
    store: Store,
    principal: Principal,
    query: ObservationQuery,
    *,
    shape: str,
    format: str,
    limit: int,
    as_of_text: str | None,
) -> Response:
    """One page of ``listAirObservations``, computed from the store."""
    frame = service.read_observations_frame(store, principal, query)
    next_cursor = None
    if len(frame) > limit:
        frame = frame.iloc[:limit]
        last = frame.iloc[-1]
        next_cursor = _encode_cursor(str(last["station"]), int(last["time_us"]))
    columns = ["station", "time", *[p.column for p in POLLUTANTS], "flag_bits", "revision"]
    out = service.long_form(frame) if shape == "long" else frame[columns]
    out = out.assign(time=local_iso(out["time"]))
    headers: dict[str, str] = {}
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{url}>; rel="next"'
        headers["X-Next-Cursor"] = next_cursor
    if format == "csv":
        return _csv(out, headers)
    body = {"data": _records(out), "meta": {"count": len(out), "next_cursor": next_cursor, "as_of": as_of_text}}
    return JSONResponse(body, headers=headers)


@router.get(
    "/aqi",
    operation_id="airAqi",
    summary="AQI of stations or cities (HJ 633-2012 / HJ 633-2026)",
    responses={200: {"content": {"text/csv": {}}}},
)
def aqi(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    start: Annotated[date, Query(alias="from", description="first CST day, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="last CST day (inclusive)")],
    level: Annotated[Level, Query(description="station, or city (mean of the evaluation sites)")] = Level.STATION,
    report: Annotated[ReportKind, Query(description="hourly (real-time) or daily")] = ReportKind.DAILY,
    edition: Annotated[AqiEdition, Query(description="auto = the edition in force on each date")] = AqiEdition.AUTO,
    pm_realtime: Annotated[PmRealtime | None, Query(description="HJ 633-2012 hourly PM method")] = None,
    missing_rule: Annotated[
        MissingDataRule,
        Query(description="standard (HJ 633-2026 §5.3.1) or cnemc (a missing 1-h PM10 does not withhold the AQI)"),
    ] = MissingDataRule.STANDARD,
    station: Annotated[list[str] | None, Query()] = None,
    city: Annotated[list[str] | None, Query()] = None,
    jurisdiction: str | None = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Computed from the observations held now (a revision shows at once). Hourly ``time`` is the end of the
    averaging hour in China Standard Time; daily ``time`` is the CST date."""
    aqi_request = AqiRequest(
        level=level, report=report, first=start, last=end, stations=tuple(station or ()), cities=tuple(city or ()),
        jurisdiction=jurisdiction, edition=edition, pm_realtime=pm_realtime, missing_rule=missing_rule,
    )  # fmt: skip
    principal.require(Scope.READ, "read air-quality data")

    def compute() -> Response:
        table = as_local(reports.aqi_table(store, principal, aqi_request), report)
        if format == "csv":
            return _csv(table)
        return JSONResponse(_records(table))

    start_utc, end_utc = reports.read_window(aqi_request)
    scope = (aqi_request.stations, aqi_request.cities, jurisdiction)
    key = _versioned_key(
        request, store, scope, lambda conn: reports.select_stations(conn, aqi_request), start_utc, end_utc
    )
    return compute() if key is None else read_cache.answer(request, key, compute)


def _versioned_key(
    request: Request,
    store: Store,
    scope: Hashable,
    resolve: Callable[[Connection], pd.DataFrame],
    start: datetime | None,
    end: datetime | None,
) -> Hashable | None:
    """The cache key of a read of the observations of the stations ``resolve`` selects in ``start .. end``:
    the query, the registry's and the observations' versions; ``None`` when the read must run uncached (a
    restricted station, whose reads are audited, or a selection the read itself will refuse)."""
    versions = read_versions.read_key(read_cache.read_cache(request), store, scope, resolve, start, end)
    return None if versions is None else (*read_cache.query_key(request), *versions)


@router.get("/report", operation_id="airAnnualReport", summary="Days per level and annual statistics of a city")
def annual(
    store: StoreDep,
    principal: PrincipalDep,
    city: str,
    year: Annotated[int, Query(ge=EARLIEST_YEAR, le=LATEST_YEAR)],
    edition: Annotated[AqiEdition, Query()] = AqiEdition.AUTO,
) -> dict[str, Any]:
    return reports.annual_report(store, principal, city=city, year=year, edition=edition).as_dict()


@router.get("/coverage", operation_id="airCoverage", summary="Hours of data per station")
def coverage(store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Per station: the number of hours with an observation and the first and last hour label."""
    frame = service.coverage(store, principal)
    return _records(frame.assign(first=local_iso(frame["first"]), last=local_iso(frame["last"])))


@router.get("/observations/revisions", operation_id="listObservationRevisions", summary="Revisions of one station-hour")
def revisions(
    store: StoreDep,
    principal: PrincipalDep,
    station: Annotated[str, Query()],
    time: Annotated[str, Query(description="hour label, ISO 8601 with offset")],
) -> list[dict[str, Any]]:
    """Every revision of one station-hour, oldest first, with when it was recorded and superseded."""
    frame = service.revisions_of(store, principal, station, parse_when(time, option="time"))
    frame["recorded_at"] = local_iso(frame["recorded_at"])
    frame["superseded_at"] = local_iso(frame["superseded_at"])
    return _records(frame)


@router.get("/published", operation_id="listPublishedValues", summary="Values published by a monitoring centre")
def published(
    store: StoreDep,
    principal: PrincipalDep,
    station: Annotated[list[str] | None, Query()] = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> list[dict[str, Any]]:
    """The AQI, primary pollutant and 24-h/8-h averages as the source published them (kept beside Xietong's own)."""
    query = ObservationQuery(
        stations=tuple(station or ()),
        start=parse_when(start, option="from") if start else None,
        end=parse_when(end, end=True, option="to") if end else None,
    )
    frame = service.published_frame(store, principal, query)
    return _records(frame.assign(time=local_iso(frame["time"])))


@router.post(
    "/observations",
    operation_id="ingestAirObservations",
    summary="Publish observations (one all-or-nothing batch)",
    response_model=IngestOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def ingest(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    format: Annotated[
        AirFormat, Query(description="input format; auto recognises it from the header")
    ] = AirFormat.AUTO,
    unknown_stations: Annotated[UnknownStations, Query()] = UnknownStations.ERROR,
    skip_invalid: Annotated[bool, Query()] = False,
    filename: Annotated[str | None, Query(description="name shown in messages and the audit log")] = None,
    unit: Annotated[
        list[str] | None,
        Query(description="canonical: unit of values with no unit cell, UNIT or POLLUTANT=UNIT (e.g. CO=mg/m3)"),
    ] = None,
) -> Any:
    """Publish a batch in any ingest format (the body is the file). Requires ``publish:air`` for the stations'
    jurisdiction. The same batch twice writes nothing; a changed value becomes a new revision. A canonical
    value without a unit cell is refused unless ``unit`` names its pollutant's unit."""
    principal.require(AirScope.PUBLISH, "publish air-quality data")
    units = parse_unit_options(unit or [], option="unit")
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    suffix = ".json" if "json" in content_type else ".csv"
    name = filename or "request body"
    with tempfile.TemporaryDirectory(prefix="xietong-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(body)
        result = await run_in_threadpool(
            service.ingest_file,
            store,
            principal,
            path,
            fmt=format,
            unknown_stations=unknown_stations,
            skip_invalid=skip_invalid,
            display_name=name,
            units=units,
        )
    summary = service.IngestSummary(files=[result])
    return summary.as_dict()


@router.post(
    "/stations",
    operation_id="publishAirStations",
    summary="Register or update stations (CNEMC station-list CSV)",
    response_model=IngestOut,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def publish_stations(request: Request, store: StoreDep, principal: PrincipalDep) -> Any:
    """Columns ``监测点编码,监测点名称,城市,经度,纬度,对照点`` (or ``code,name,city,lon,lat,background``).
    Each station belongs to its city's jurisdiction; only that jurisdiction may publish it."""
    principal.require(AirScope.PUBLISH, "publish stations")
    body = await request.body()
    with tempfile.TemporaryDirectory(prefix="xietong-upload-") as tmp:
        path = Path(tmp) / "stations.csv"
        path.write_bytes(body)
        result = await run_in_threadpool(
            service.ingest_file, store, principal, path, fmt=AirFormat.CNEMC_STATIONS, display_name="request body"
        )
    return service.IngestSummary(files=[result]).as_dict()
