"""Air-quality services: ingest files through the exchange, read observations back.

CLI commands and API routes call these functions; they hold no logic of their own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.air import partitions
from xietong.air.domain import AirScope
from xietong.air.formats import (
    CHUNK_ROWS,
    VALUE_COLUMNS,
    AirFormat,
    O3Column,
    ObservationChunk,
    SourceInfo,
    StationRow,
    UnitOptions,
    check_units_apply,
    detect_format,
    read_observations,
    read_station_list,
)
from xietong.air.revisions import US, write_observations, write_published
from xietong.air.station_places import may_publish, owner_text
from xietong.air.stations import (
    StationCounts,
    StationInfo,
    StationRecord,
    list_stations,
    station_index,
    upsert_stations,
)
from xietong.air.tables import air_observation, air_observation_history, air_published
from xietong.enums import POLLUTANTS, QualityFlag, Scope
from xietong.errors import (
    InputError,
    Location,
    PermissionDeniedError,
    Problem,
    UnknownStationError,
)
from xietong.exchange import actions
from xietong.exchange.counts import WriteCounts
from xietong.exchange.principals import Principal
from xietong.inputs import check_input_file
from xietong.store.bulk import bind_epoch_us, epoch_us_column, fetch_frame, time_column_compare
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch
from xietong.store.types import from_epoch_us, to_epoch_us

MAX_PROBLEMS_KEPT = 200


class UnknownStations(StrEnum):
    """What to do with values for stations the exchange does not know."""

    ERROR = "error"  # refuse the batch (default)
    SKIP = "skip"  # leave them out and count them (e.g. a national file in a regional exchange)
    REGISTER = "register"  # register them from the file's code, name, city and coordinates (CNEMC hourly)


#: progress callback: (source name, bytes read so far, total bytes or None)
Progress = Callable[[str, int, int | None], None]


@dataclass(slots=True)
class FileResult:
    """The outcome of one file (one batch)."""

    source: str
    format: str
    batch_id: int | None = None
    sha256: str = ""
    rows: int = 0
    observations: WriteCounts = field(default_factory=WriteCounts)
    published: WriteCounts = field(default_factory=WriteCounts)
    stations: StationCounts | None = None
    skipped_unknown_station: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "format": self.format,
            "batch_id": self.batch_id,
            "sha256": self.sha256,
            "rows": self.rows,
            **self.observations.as_dict(),
            "published": self.published.as_dict(),
            "skipped_unknown_station": self.skipped_unknown_station,
            "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS_KEPT]],
        }
        if self.stations is not None:
            out["stations"] = self.stations.as_dict()
        return out


@dataclass(slots=True)
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)

    def totals(self) -> WriteCounts:
        total = WriteCounts()
        for f in self.files:
            total.add(f.observations)
        return total

    def as_dict(self) -> dict[str, Any]:
        t = self.totals()
        return {
            **t.as_dict(),
            "rows": sum(f.rows for f in self.files),
            "published": _sum_counts(f.published for f in self.files).as_dict(),
            "stations": _sum_station_counts(f.stations for f in self.files if f.stations).as_dict(),
            "skipped_unknown_station": sum(f.skipped_unknown_station for f in self.files),
            "files": [f.as_dict() for f in self.files],
        }


def _sum_counts(items: Iterable[WriteCounts]) -> WriteCounts:
    total = WriteCounts()
    for c in items:
        total.add(c)
    return total


def _sum_station_counts(items: Iterable[StationCounts | None]) -> StationCounts:
    total = StationCounts()
    for c in items:
        if c is None:
            continue
        for k, v in c.as_dict().items():
            setattr(total, k, getattr(total, k) + v)
    return total


def ingest_files(
    store: Store,
    principal: Principal,
    paths: Sequence[Path],
    *,
    fmt: AirFormat = AirFormat.AUTO,
    unknown_stations: UnknownStations = UnknownStations.ERROR,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    display_names: Sequence[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    o3_column: O3Column = O3Column.O3,
    units: UnitOptions | None = None,
) -> IngestSummary:
    """Ingest files, each as one all-or-nothing batch, in order.

    Stops at the first file that fails (the files before it stay committed) and raises its error; units
    named for a file that is not canonical are refused before any file is written.
    """
    principal.require(AirScope.PUBLISH, "publish air-quality data")
    for i, path in enumerate(paths):
        check_input_file(path)
        if units:
            name = display_names[i] if display_names else str(path)
            check_units_apply(detect_format(path, name) if fmt is AirFormat.AUTO else fmt, units, name)
    summary = IngestSummary()
    for i, path in enumerate(paths):
        name = display_names[i] if display_names else str(path)
        summary.files.append(
            ingest_file(
                store,
                principal,
                path,
                fmt=fmt,
                unknown_stations=unknown_stations,
                skip_invalid=skip_invalid,
                progress=progress,
                display_name=name,
                chunk_rows=chunk_rows,
                o3_column=o3_column,
                units=units,
            )
        )
    return summary


def ingest_file(
    store: Store,
    principal: Principal,
    path: Path,
    *,
    fmt: AirFormat = AirFormat.AUTO,
    unknown_stations: UnknownStations = UnknownStations.ERROR,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    display_name: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    o3_column: O3Column = O3Column.O3,
    units: UnitOptions | None = None,
) -> FileResult:
    """Ingest one file as one batch (see :func:`ingest_files`); ``units`` name the units a canonical file
    leaves out (:class:`~xietong.air.formats.UnitOptions`), recorded in the audit entry."""
    principal.require(AirScope.PUBLISH, "publish air-quality data")
    name = display_name or str(path)
    if fmt is AirFormat.AUTO:
        fmt = detect_format(path, name)
    info = SourceInfo(name=name, size=path.stat().st_size)
    result = FileResult(source=name, format=fmt.value)
    with actions.audited_write(store, principal, "air.ingest", f"file {Path(name).name}") as work:
        conn = work.conn
        recorded_at = utcnow()
        result.batch_id = batch_id = _open_batch(conn, principal, fmt, name, recorded_at)
        if fmt is AirFormat.CNEMC_STATIONS:
            records = station_records(read_station_list(path, info))
            counts, problems = upsert_stations(
                conn, principal, records, batch_id=batch_id, recorded_at=recorded_at, skip_invalid=skip_invalid
            )
            result.stations = counts
            result.rows = counts.read
            result.problems = problems
        else:
            index = station_index(conn)
            for chunk in read_observations(path, fmt, info, chunk_rows, o3_column=o3_column, units=units):
                _ingest_chunk(
                    conn_work=work,
                    chunk=chunk,
                    principal=principal,
                    index=index,
                    result=result,
                    batch_id=batch_id,
                    recorded_us=to_epoch_us(recorded_at),
                    source=name,
                    unknown_stations=unknown_stations,
                    skip_invalid=skip_invalid,
                )
                if progress is not None:
                    progress(name, info.bytes_read, info.size)
        result.sha256 = info.sha256
        summary = _close_batch(conn, batch_id, result)
        work.target = f"batch {batch_id}"
        work.detail = {
            "source": Path(name).name,
            "format": fmt.value,
            "sha256": info.sha256,
            **({"units": units.as_dict()} if units else {}),
            **{k: v for k, v in summary.items() if k not in {"source", "format", "sha256", "batch_id"}},
        }
    if progress is not None:
        progress(name, info.bytes_read, info.size)
    return result


def station_records(rows: Iterable[StationRow]) -> list[StationRecord]:
    """The rows of a station list (the pure reader's records) as the exchange's station records."""
    return [StationRecord(**dataclasses.asdict(r)) for r in rows]


def _open_batch(conn: Connection, principal: Principal, fmt: AirFormat, name: str, recorded_at: datetime) -> int:
    """Record the start of an ingest batch; returns its id (the hash and summary are filled in at the end)."""
    batch_id = conn.execute(
        ingest_batch.insert()
        .values(
            principal_id=principal.id,
            dataset="air.stations" if fmt is AirFormat.CNEMC_STATIONS else "air.observations",
            format=fmt.value,
            source=name[-300:],
            sha256="",
            started_at=recorded_at,
            committed_at=recorded_at,
            summary="{}",
        )
        .returning(ingest_batch.c.id)
    ).scalar_one()
    return int(batch_id)


def _close_batch(conn: Connection, batch_id: int, result: FileResult) -> dict[str, Any]:
    """Write the batch's hash, commit time and summary (the result without its problems); returns the summary."""
    summary = result.as_dict()
    summary.pop("problems")
    conn.execute(
        ingest_batch.update()
        .where(ingest_batch.c.id == batch_id)
        .values(sha256=result.sha256, committed_at=utcnow(), summary=json.dumps(summary, ensure_ascii=False))
    )
    return summary


def _where(principal: Principal) -> str:
    return region.display_name(principal.jurisdiction) if principal.jurisdiction else "the region"


def _ingest_chunk(
    *,
    conn_work: actions.Work,
    chunk: ObservationChunk,
    principal: Principal,
    index: dict[str, StationInfo],
    result: FileResult,
    batch_id: int,
    recorded_us: int,
    source: str,
    unknown_stations: UnknownStations,
    skip_invalid: bool,
) -> None:
    conn = conn_work.conn
    result.rows += chunk.rows_read
    if chunk.problems:
        if not skip_invalid:
            raise InputError.refuse(
                chunk.problems,
                summary=f"{len(chunk.problems)} invalid value(s) in {Path(source).name}; nothing was written",
                hint="fix the file, or pass --skip-invalid to leave the invalid rows out",
            )
        result.problems.extend(chunk.problems[: MAX_PROBLEMS_KEPT - len(result.problems)])
        result.observations.rejected += chunk.rejected_values
    values, published = chunk.values, chunk.published
    codes = values["station"].to_numpy()
    known = np.array([c in index for c in codes], dtype=bool) if len(codes) else np.zeros(0, dtype=bool)
    if not known.all() and unknown_stations is UnknownStations.REGISTER:
        unknown = set(codes[~known].tolist())
        _register_unknown(conn, principal, chunk, unknown, index, result, (batch_id, recorded_us), source)
        known = np.array([c in index for c in codes], dtype=bool)
    if not known.all():
        unknown_codes = sorted(set(codes[~known].tolist()))
        if unknown_stations is UnknownStations.ERROR:
            first = int(np.flatnonzero(~known)[0])
            raise UnknownStationError(
                f"{len(unknown_codes)} station(s) not registered in the exchange: {', '.join(unknown_codes[:20])}"
                + (" …" if len(unknown_codes) > 20 else "")
                + "; nothing was written",
                expected="stations registered by their jurisdiction (xietong air stations)",
                given=unknown_codes[0],
                where=Location(source, int(values["row"].to_numpy(dtype="int64")[first]), "station"),
                hint="register them first (xietong air ingest STATION_LIST.csv), or pass --unknown-stations skip",
            )
        result.skipped_unknown_station += int(values.loc[~known, list(VALUE_COLUMNS)].notna().to_numpy().sum())
        values = values[known]
        published = published[published["station"].isin(index.keys())]
    owners = {index[c].jurisdiction_code for c in set(values["station"].tolist())}
    for owner in sorted(owners, key=lambda o: o or ""):
        if not may_publish(principal, owner):
            station = next(c for c in values["station"] if index[c].jurisdiction_code == owner)
            raise PermissionDeniedError(
                f"{principal.describe()} may not publish for station {station}",
                expected=owner_text(owner),
                given=f"a principal of {_where(principal)}",
                where=Location(source),
                hint="each jurisdiction publishes its own stations; nothing was written",
            )
    partitions.ensure_months(conn, np.concatenate([values["time_s"].to_numpy(), published["time_s"].to_numpy()]))
    result.observations.add(
        write_observations(conn, values, batch_id=batch_id, recorded_at_us=recorded_us, source=source)
    )
    result.published.add(write_published(conn, published, batch_id=batch_id, recorded_at_us=recorded_us, source=source))


def _register_unknown(
    conn: sa.Connection,
    principal: Principal,
    chunk: ObservationChunk,
    unknown: set[str],
    index: dict[str, StationInfo],
    result: FileResult,
    batch: tuple[int, int],
    source: str,
) -> None:
    """Register the chunk's unknown stations from the file's own station columns (``--unknown-stations register``)."""
    if chunk.stations is None:
        raise InputError(
            "--unknown-stations register needs a format that names each row's station",
            expected="cnemc-hourly (code, positionname, area, longitude, latitude on every row)",
            given=f"{len(unknown)} unknown station(s) in a file without station columns",
            where=Location(source),
            hint="register the stations first (xietong air ingest STATION_LIST.csv), or pass --unknown-stations skip",
        )
    rows = chunk.stations[chunk.stations["station"].isin(unknown)]
    lon = rows["lon"].to_numpy(dtype="float64")
    lat = rows["lat"].to_numpy(dtype="float64")
    records = [
        StationRecord(
            code=str(code),
            name_zh=str(name),
            city=str(city),
            lon=None if np.isnan(lon[i]) else float(lon[i]),
            lat=None if np.isnan(lat[i]) else float(lat[i]),
            row=int(row),
            source=source,
        )
        for i, (code, name, city, row) in enumerate(
            zip(rows["station"], rows["name"], rows["city"], rows["row"].to_numpy(dtype="int64"), strict=True)
        )
    ]
    batch_id, recorded_us = batch
    counts, _ = upsert_stations(conn, principal, records, batch_id=batch_id, recorded_at=from_epoch_us(recorded_us))
    if result.stations is None:
        result.stations = StationCounts()
    for k, v in counts.as_dict().items():
        setattr(result.stations, k, getattr(result.stations, k) + v)
    index.update(station_index(conn, [r.code for r in records]))


# -- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """Filters for reading observations; times are aware datetimes (the end of the hour)."""

    stations: tuple[str, ...] = ()
    city: str | None = None
    jurisdiction: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    as_of: datetime | None = None
    after: tuple[str, int] | None = None  # keyset cursor: (station, time_us)
    limit: int | None = None


def resolve_stations(store: Store, query: ObservationQuery) -> pd.DataFrame:
    with store.read() as conn:
        return list_stations(
            conn,
            jurisdiction=query.jurisdiction,
            city=query.city,
            codes=query.stations or None,
        )


def _observation_select(table: sa.Table, d: str, codes: list[str], query: ObservationQuery) -> sa.Select[Any]:
    """SELECT of one table of the observation pair, filtered by ``query`` (times as epoch µs)."""
    t = table.c
    q = sa.select(
        t.station_code.label("station"),
        epoch_us_column(t.time_utc, d).label("time_us"),
        *[t[c] for c in VALUE_COLUMNS],
        t.flag_bits,
        t.revision,
        epoch_us_column(t.recorded_at, d).label("recorded_us"),
    ).where(t.station_code.in_(codes))
    tc = time_column_compare(t.time_utc, d)
    if query.start is not None:
        q = q.where(tc >= bind_epoch_us(to_epoch_us(query.start), d))
    if query.end is not None:
        q = q.where(tc <= bind_epoch_us(to_epoch_us(query.end), d))
    if query.as_of is not None:
        as_of = bind_epoch_us(to_epoch_us(query.as_of), d)
        q = q.where(time_column_compare(t.recorded_at, d) <= as_of)
        if "superseded_at" in t:
            q = q.where(time_column_compare(t.superseded_at, d) > as_of)
    if query.after is not None:
        station, after_us = query.after
        q = q.where(
            sa.or_(
                t.station_code > station,
                sa.and_(t.station_code == station, tc > bind_epoch_us(after_us, d)),
            )
        )
    return q


def read_observations_frame(store: Store, principal: Principal, query: ObservationQuery) -> pd.DataFrame:
    """Hourly observations matching ``query`` as a wide frame.

    Columns: ``station, time`` (UTC, pandas Timestamp), ``so2 … pm25``, ``flag_bits``, ``revision``,
    ``recorded_at``. With ``as_of`` the values are those the store held at that moment. Reads that touch
    restricted stations are written to the audit log.
    """
    principal.require(Scope.READ, "read air-quality data")
    stations = resolve_stations(store, query)
    if query.stations:
        missing = sorted(set(query.stations) - set(stations["code"]))
        if missing:
            raise UnknownStationError(
                f"unknown station(s): {', '.join(missing)}", hint="list stations with `xietong air stations`"
            )
    codes = stations["code"].tolist()
    columns = ["station", "time_us", *VALUE_COLUMNS, "flag_bits", "revision", "recorded_us"]
    with store.read() as conn:
        d = conn.dialect.name
        parts = [_observation_select(air_observation, d, codes, query)]
        if query.as_of is not None:
            parts.append(_observation_select(air_observation_history, d, codes, query))
        union = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery()
        stmt = sa.select(*[union.c[c] for c in columns]).order_by(union.c.station, union.c.time_us)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        frame = fetch_frame(conn, stmt, columns)
    restricted = sorted(set(frame["station"]) & set(stations.loc[stations["restricted"].astype(bool), "code"]))
    if restricted:
        actions.record(
            store,
            principal,
            "air.read_restricted",
            f"stations {', '.join(restricted)[:150]}",
            "ok",
            {
                "stations": restricted,
                "rows": len(frame),
                "as_of": query.as_of.isoformat() if query.as_of else None,
            },
        )
    return _finish_frame(frame)


def _finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame["time"] = pd.to_datetime(frame["time_us"].astype("int64"), unit="us", utc=True)
    frame["recorded_at"] = pd.to_datetime(frame["recorded_us"].astype("int64"), unit="us", utc=True)
    for c in VALUE_COLUMNS:
        frame[c] = pd.to_numeric(frame[c]).astype("float64")
    frame["station"] = frame["station"].astype(str)
    return frame[["station", "time", *VALUE_COLUMNS, "flag_bits", "revision", "recorded_at", "time_us"]]


def coverage(store: Store, principal: Principal) -> pd.DataFrame:
    """Per station: hours with a current observation, first and last hour label (UTC)."""
    principal.require(Scope.READ, "read air-quality data")
    t = air_observation.c
    with store.read() as conn:
        d = conn.dialect.name
        frame = fetch_frame(
            conn,
            sa.select(
                t.station_code,
                sa.func.count(),
                sa.func.min(epoch_us_column(t.time_utc, d)),
                sa.func.max(epoch_us_column(t.time_utc, d)),
            )
            .group_by(t.station_code)
            .order_by(t.station_code),
            ["station", "hours", "first_us", "last_us"],
        )
    frame["first"] = pd.to_datetime(frame.pop("first_us").astype("int64"), unit="us", utc=True)
    frame["last"] = pd.to_datetime(frame.pop("last_us").astype("int64"), unit="us", utc=True)
    frame["hours"] = frame["hours"].astype("int64")
    return frame


def revisions_of(store: Store, principal: Principal, station: str, time: datetime) -> pd.DataFrame:
    """Every revision of one station-hour, oldest first (``superseded_at`` is NaT for the current one)."""
    principal.require(Scope.READ, "read air-quality data")
    columns = ["revision", *VALUE_COLUMNS, "flag_bits", "batch_id", "recorded_us", "superseded_us"]
    with store.read() as conn:
        d = conn.dialect.name
        at = bind_epoch_us(to_epoch_us(time), d)
        selects = []
        for table in (air_observation_history, air_observation):
            t = table.c
            superseded = (
                epoch_us_column(t.superseded_at, d) if "superseded_at" in t else sa.null().label("superseded_us")
            )
            selects.append(
                sa.select(
                    t.revision,
                    *[t[c] for c in VALUE_COLUMNS],
                    t.flag_bits,
                    t.batch_id,
                    epoch_us_column(t.recorded_at, d).label("recorded_us"),
                    superseded.label("superseded_us"),
                ).where(t.station_code == station, time_column_compare(t.time_utc, d) == at)
            )
        union = sa.union_all(*selects).subquery()
        frame = fetch_frame(conn, sa.select(union).order_by(union.c.revision), columns)
    frame["recorded_at"] = pd.to_datetime(frame.pop("recorded_us").astype("int64"), unit="us", utc=True)
    frame["superseded_at"] = pd.to_datetime(pd.to_numeric(frame.pop("superseded_us")), unit="us", utc=True)
    for c in VALUE_COLUMNS:
        frame[c] = pd.to_numeric(frame[c]).astype("float64")
    return frame


def published_frame(store: Store, principal: Principal, query: ObservationQuery) -> pd.DataFrame:
    """Published derived values (AQI, primary pollutant, 24-h averages …) as published, current revision."""
    principal.require(Scope.READ, "read air-quality data")
    codes = resolve_stations(store, query)["code"].tolist()
    with store.read() as conn:
        d = conn.dialect.name
        t = air_published.c
        q = sa.select(
            t.station_code.label("station"),
            epoch_us_column(t.time_utc, d).label("time_us"),
            t.variable,
            t.value,
            t.text,
        ).where(t.station_code.in_(codes))
        tc = time_column_compare(t.time_utc, d)
        if query.start is not None:
            q = q.where(tc >= bind_epoch_us(to_epoch_us(query.start), d))
        if query.end is not None:
            q = q.where(tc <= bind_epoch_us(to_epoch_us(query.end), d))
        frame = fetch_frame(
            conn,
            q.order_by(t.station_code, t.time_utc, t.variable),
            ["station", "time_us", "variable", "value", "text"],
        )
    frame["time"] = pd.to_datetime(frame["time_us"].astype("int64"), unit="us", utc=True)
    return frame.drop(columns="time_us")


def long_form(frame: pd.DataFrame) -> pd.DataFrame:
    """Wide observations to the canonical long form (``station, time, pollutant, value, unit, flag``)."""
    flag_names = {
        0: QualityFlag.VALID.value,
        1: QualityFlag.INVALID.value,
        2: QualityFlag.NOT_MONITORED.value,
    }
    parts = []
    for i, p in enumerate(POLLUTANTS):
        f = (frame["flag_bits"].to_numpy(dtype="int64") >> (2 * i)) & 3
        part = pd.DataFrame(
            {
                "station": frame["station"],
                "time": frame["time"],
                "pollutant": p.value,
                "value": frame[p.column],
                "unit": p.unit,
                "flag": pd.Series(f).map(flag_names).to_numpy(),
            }
        )
        parts.append(part[part["value"].notna() | (f != 0)])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.sort_values(["station", "time", "pollutant"], kind="stable").reset_index(drop=True)


def epoch_us_of(t: datetime) -> int:
    return to_epoch_us(t)


__all__ = [
    "US",
    "FileResult",
    "IngestSummary",
    "ObservationQuery",
    "Progress",
    "UnknownStations",
    "ingest_file",
    "ingest_files",
    "long_form",
    "published_frame",
    "read_observations_frame",
    "resolve_stations",
    "revisions_of",
    "station_records",
]
