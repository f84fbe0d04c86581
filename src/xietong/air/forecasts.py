"""AQI forecasts published through the exchange (input of the warning recommendation).

A forecast row is one city's AQI range for one window as issued at one time::

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
from xietong.air.tables import air_forecast, air_forecast_history
from xietong.enums import Scope
from xietong.errors import (
    DuplicateRecordError,
    InputError,
    Location,
    PermissionDeniedError,
    Problem,
    UnknownJurisdictionError,
)
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.exchange.revisions import WriteCounts
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch
from xietong.times import local_iso

FORECAST_COLUMNS = ["city", "issued_at", "start", "end", "aqi_low", "aqi_high", "primary"]
_MAX_WINDOW_H = 72


def warning_cities() -> list[str]:
    """Codes of the places a warning or forecast can name: every jurisdiction except Hebei province."""
    return [r.code for r in region.jurisdictions() if r.code != "130000"]


def _aware(text: str, source: str, row: int, field: str, problems: list[Problem]) -> pd.Timestamp | None:
    raw = str(text).strip()
    try:
        ts = pd.Timestamp(raw)
    except ValueError:
        ts = None
    if ts is None or pd.isna(ts):
        problems.append(Problem("invalid time", Location(source, row, field), "ISO 8601 with an offset", repr(raw)))
        return None
    if ts.tzinfo is None:
        problems.append(
            Problem(
                "time without a time zone",
                Location(source, row, field),
                "ISO 8601 with an offset, e.g. 2016-12-14T16:00+08:00",
                repr(raw),
                "add +08:00 for China Standard Time",
            )
        )
        return None
    return ts.tz_convert("UTC")


def parse_forecasts(records: list[dict[str, Any]], source: str, first_row: int = 2) -> pd.DataFrame:
    """Validate forecast records (dicts of text) into a frame; raise one error listing every problem.

    Columns of the result: ``city`` (code), ``issued_at``, ``start``, ``end`` (aware UTC),
    ``aqi_low``, ``aqi_high`` (int), ``primary`` (str or None), ``row``.
    """
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    allowed = set(warning_cities())
    for i, raw in enumerate(records):
        row = first_row + i
        rec = {str(k).strip().lower(): ("" if v is None else str(v)) for k, v in raw.items()}
        before = len(problems)
        city = region.find(rec.get("city", ""))
        if city is None or city.code not in allowed:
            problems.append(
                Problem(
                    "unknown city",
                    Location(source, row, "city"),
                    "a city of the region (code or name; Hebei's cities, Beijing, Tianjin, Xiong'an)",
                    repr(rec.get("city", "")),
                    kind=UnknownJurisdictionError,
                )
            )
        issued = _aware(rec.get("issued_at", ""), source, row, "issued_at", problems)
        start = end = None
        if rec.get("date"):
            try:
                day = pd.Timestamp(rec["date"].strip())
                start = day.tz_localize("Asia/Shanghai").tz_convert("UTC")
                end = start + pd.Timedelta(days=1)
            except ValueError:
                problems.append(Problem("invalid date", Location(source, row, "date"), "YYYY-MM-DD", repr(rec["date"])))
        else:
            start = _aware(rec.get("start", ""), source, row, "start", problems)
            end = _aware(rec.get("end", ""), source, row, "end", problems)
        bounds = []
        for name in ("aqi_low", "aqi_high"):
            text = rec.get(name, "").strip()
            try:
                value = float(text)
                if value != int(value) or value < 0:
                    raise ValueError
                bounds.append(int(value))
            except ValueError:
                problems.append(
                    Problem(f"invalid {name}", Location(source, row, name), "a whole AQI value >= 0", repr(text))
                )
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            problems.append(
                Problem(
                    "forecast range is reversed",
                    Location(source, row, "aqi_low"),
                    "aqi_low <= aqi_high",
                    f"{bounds[0]} > {bounds[1]}",
                )
            )
        if (
            start is not None
            and end is not None
            and not (pd.Timedelta(0) < end - start <= pd.Timedelta(hours=_MAX_WINDOW_H))
        ):
            problems.append(
                Problem(
                    "invalid forecast window",
                    Location(source, row, "end"),
                    f"end after start, at most {_MAX_WINDOW_H} h",
                    f"{start.isoformat()} .. {end.isoformat()}",
                )
            )
        if len(problems) > before or city is None or issued is None or start is None or end is None:
            continue
        rows.append(
            {
                "city": city.code,
                "issued_at": issued,
                "start": start,
                "end": end,
                "aqi_low": bounds[0],
                "aqi_high": bounds[1],
                "primary": rec.get("primary", "").strip() or None,
                "row": row,
            }
        )
    frame = pd.DataFrame(rows, columns=[*FORECAST_COLUMNS, "row"])
    if not frame.empty:
        key = ["city", "issued_at", "start"]
        frame = frame.drop_duplicates(subset=[*key, "end", "aqi_low", "aqi_high", "primary"])
        clash = frame.duplicated(subset=key, keep=False)
        for _, group in list(frame[clash].groupby(key))[:100]:
            problems.append(
                Problem(
                    f"city {group['city'].iat[0]}: contradictory forecasts for the window starting "
                    f"{local_iso(group['start']).iat[0]} in one batch",
                    Location(source, int(group["row"].to_numpy()[1]), "aqi_high"),
                    "one forecast per city, issue time and window",
                    "; ".join(
                        f"row {r}: {lo}–{hi}"
                        for r, lo, hi in zip(group["row"], group["aqi_low"], group["aqi_high"], strict=True)
                    ),
                    kind=DuplicateRecordError,
                )
            )
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} invalid forecast row(s) in {source}; nothing was written"
        )
    return frame.reset_index(drop=True)


def read_forecast_file(path: Path, name: str | None = None) -> pd.DataFrame:
    """Read a forecast CSV or JSON file (see the module docstring) and validate it."""
    source = name or str(path)
    if path.suffix.lower() == ".json":
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
        items = doc.get("forecasts") if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise InputError(
                "unexpected JSON shape",
                expected='an array of forecast objects or {"forecasts": [...]}',
                given=type(items).__name__ if not isinstance(items, list) else "an array with a non-object item",
                where=Location(source),
            )
        return parse_forecasts(items, source, first_row=1)
    text = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"city", "issued_at", "aqi_low", "aqi_high"} - {c.strip().lower() for c in text.columns}
    if missing:
        raise InputError(
            f"forecast file lacks column(s) {', '.join(sorted(missing))}",
            expected="city, issued_at, start, end (or date), aqi_low, aqi_high[, primary]",
            given=", ".join(text.columns),
            where=Location(source, 1),
        )
    return parse_forecasts([{str(k): v for k, v in r.items()} for r in text.to_dict("records")], source)


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
