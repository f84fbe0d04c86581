"""AQI forecasts published through the exchange (input of the warning recommendation).

The files are read by :mod:`xietong.air.forecast_formats` (a pure reader); this module stores them. A
forecast row is one city's AQI range for one window as issued at one time::

    city,issued_at,start,end,aqi_low,aqi_high,primary
    北京,2016-12-14T16:00+08:00,2016-12-16T00:00+08:00,2016-12-17T00:00+08:00,260,310,PM2.5

or, for a natural day in China Standard Time, ``date`` instead of ``start,end``::

    city,issued_at,date,aqi_low,aqi_high,primary
    130100,2016-12-14T16:00+08:00,2016-12-16,260,310,PM2.5

Windows are usually 24 h but may be any rolling window (HJ 633-2026 §4.2.5 forecasts cover at least the
next 3 days). The upper bound of the range decides the warning level (STANDARDS.md §7.1, [C:S12]).
Forecasts are owned by the city's jurisdiction; a batch is all-or-nothing; the same batch twice writes
nothing, and a changed value for the same city, issue time and window start is a new revision.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.air.domain import AirScope
from xietong.air.forecast_formats import FORECAST_COLUMNS, parse_forecasts, read_forecast_file, warning_cities
from xietong.air.tables import air_forecast, air_forecast_history
from xietong.enums import Scope
from xietong.errors import Location, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.counts import WriteCounts
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch

#: Counts of forecast records written.
ForecastCounts = WriteCounts


def _check_owner(principal: Principal, frame: pd.DataFrame, source: str) -> None:
    for city in sorted(set(frame["city"])):
        if not principal.may_act_for(city):
            raise PermissionDeniedError(
                f"{principal.describe()} may not publish forecasts for {region.display_name(city)}",
                expected=f"a principal of {region.display_name(city)} or a region-level administrator",
                where=Location(source),
                hint="each jurisdiction publishes its own forecasts; nothing was written",
            )


def ingest_forecasts(store: Store, principal: Principal, frame: pd.DataFrame, *, source: str) -> ForecastCounts:
    """Write validated forecasts (from :func:`parse_forecasts`) as one audited, all-or-nothing batch."""
    principal.require(AirScope.PUBLISH, "publish air-quality forecasts")
    counts = ForecastCounts(read=len(frame))
    with actions.audited_write(store, principal, "air.forecast.ingest", f"file {Path(source).name}") as work:
        _check_owner(principal, frame, source)
        conn = work.conn
        now = utcnow()
        batch_id = int(
            conn.execute(
                ingest_batch.insert()
                .values(
                    principal_id=principal.id,
                    dataset="air.forecasts",
                    format="forecast",
                    source=source[-300:],
                    sha256="",
                    started_at=now,
                    committed_at=now,
                    summary="{}",
                )
                .returning(ingest_batch.c.id)
            ).scalar_one()
        )
        for rec in frame.to_dict("records"):
            _write_one(conn, {str(k): v for k, v in rec.items()}, batch_id, now, counts)
        conn.execute(
            ingest_batch.update().where(ingest_batch.c.id == batch_id).values(summary=json.dumps(counts.as_dict()))
        )
        work.target = f"batch {batch_id}"
        work.detail = {"source": Path(source).name, "cities": sorted(set(frame["city"])), **counts.as_dict()}
    return counts


def _write_one(conn: Connection, rec: dict[str, Any], batch_id: int, now: datetime, counts: ForecastCounts) -> None:
    t = air_forecast.c
    key = {
        "city_code": rec["city"],
        "issued_at": rec["issued_at"].to_pydatetime(),
        "window_start": rec["start"].to_pydatetime(),
    }
    values = {
        "window_end": rec["end"].to_pydatetime(),
        "aqi_low": int(rec["aqi_low"]),
        "aqi_high": int(rec["aqi_high"]),
        "primary_pollutant": rec["primary"],
    }
    where = sa.and_(
        t.city_code == key["city_code"], t.issued_at == key["issued_at"], t.window_start == key["window_start"]
    )
    old = conn.execute(sa.select(air_forecast).where(where)).first()
    if old is None:
        conn.execute(air_forecast.insert().values(**key, **values, revision=1, batch_id=batch_id, recorded_at=now))
        counts.written += 1
        return
    if all(getattr(old, k) == v for k, v in values.items()):
        counts.unchanged += 1
        return
    conn.execute(air_forecast_history.insert().values(**old._mapping, superseded_at=now))
    conn.execute(
        air_forecast.update()
        .where(where)
        .values(**values, revision=old.revision + 1, batch_id=batch_id, recorded_at=now)
    )
    counts.written += 1
    counts.revised += 1


def latest_forecasts(
    store: Store,
    principal: Principal,
    *,
    cities: list[str] | None = None,
    issued_before: datetime | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """Forecast windows of each city from its latest issue (at or before ``issued_before``).

    Columns as :func:`parse_forecasts` (without ``row``); the input of the warning recommendation.
    """
    principal.require(Scope.READ, "read forecasts")
    t = air_forecast.c
    q = sa.select(t.city_code, t.issued_at, t.window_start, t.window_end, t.aqi_low, t.aqi_high, t.primary_pollutant)
    if cities:
        q = q.where(t.city_code.in_([region.get(c).code for c in cities]))
    if issued_before is not None:
        q = q.where(t.issued_at <= issued_before)
    if start is not None:
        q = q.where(t.window_end > start)
    if end is not None:
        q = q.where(t.window_start < end)
    with store.read() as conn:
        rows = conn.execute(q).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows], columns=["city", "issued_at", "start", "end", "aqi_low", "aqi_high", "primary"]
    )
    if frame.empty:
        return frame
    for c in ("issued_at", "start", "end"):
        frame[c] = pd.to_datetime(frame[c], utc=True)
    latest = frame.groupby("city")["issued_at"].transform("max")
    frame = frame[frame["issued_at"] == latest]
    return frame.sort_values(["city", "start"]).reset_index(drop=True)


__all__ = [
    "FORECAST_COLUMNS",
    "ForecastCounts",
    "ingest_forecasts",
    "latest_forecasts",
    "parse_forecasts",
    "read_forecast_file",
    "warning_cities",
]
