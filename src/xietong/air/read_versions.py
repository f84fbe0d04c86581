"""Versions of the air data a read depends on, so that its answer can be kept until they change.

A version is a few aggregates the store computes over exactly the rows a read would use: the number of
rows, the sum of their revisions and the newest ``recorded_at``. Every write the exchange makes to those rows
changes it: a new hour adds a row, a correction raises a revision and ``recorded_at``, a removal lowers the
count. It is read in one index range scan (the observation table's primary key is ``(station_code,
time_utc)``), far cheaper than the read itself. The routes (``xietong.air.routes``) put it in the key of
:func:`xietong.api.read_cache.answer`; the engine and the reports know nothing of it.

The station selection a read names (codes, a city, a jurisdiction) is resolved once per version of the
station registry and kept the same way. A selection with a restricted station is not kept: those reads are
recorded in the audit log each time, so they always run.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from xietong.api.read_cache import ReadCache
from xietong.store.types import to_epoch_us

#: up to this many stations the version is taken over the selected stations; above, over every station in
#: the period (a superset: a write to another station then also renews the answer, never the reverse)
MAX_CODES_IN_VERSION = 200


@dataclass(frozen=True, slots=True)
class Selection:
    """The stations a read resolves to, and whether any of them is restricted (reads audited)."""

    codes: tuple[str, ...]
    restricted: bool


def registry_version(conn: Connection) -> tuple[Any, ...]:
    """Version of the station registry: stations, the sum of their revisions, the newest change."""
    row = conn.exec_driver_sql("SELECT count(*), coalesce(sum(revision), 0), max(recorded_at) FROM air_station").one()
    return ("stations", int(row[0]), int(row[1]), row[2])


def observations_version(
    conn: Connection, codes: tuple[str, ...], start: datetime | None, end: datetime | None
) -> tuple[Any, ...]:
    """Version of the current observations of ``codes`` with hour labels in ``start .. end`` (inclusive;
    ``None``: unbounded).

    Plain SQL on purpose: it runs on every cached read, and building the statement with SQLAlchemy's
    expression language cost several times the query itself (an expanding ``IN`` compiled per call).
    """
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    where: list[str] = []
    params: list[Any] = []
    if len(codes) <= MAX_CODES_IN_VERSION:
        where.append(f"station_code IN ({', '.join([mark] * len(codes))})")
        params.extend(codes)
    for op, bound in ((">=", start), ("<=", end)):
        if bound is not None:
            where.append(f"time_utc {op} {mark}")
            # the stored form of UtcDateTime: epoch µs on SQLite, timestamptz on PostgreSQL
            params.append(to_epoch_us(bound) if sqlite else bound.astimezone(UTC))
    sql = "SELECT count(*), coalesce(sum(revision), 0), max(recorded_at) FROM air_observation"
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = conn.exec_driver_sql(sql, tuple(params)).one()
    return ("observations", int(row[0]), int(row[1]), row[2])


def selection(
    cache: ReadCache,
    conn: Connection,
    registry: tuple[Any, ...],
    key: Hashable,
    resolve: Callable[[Connection], pd.DataFrame],
) -> Selection | None:
    """The stations ``resolve(conn)`` returns (a frame with ``code`` and ``restricted``), kept per registry
    version; ``None`` when ``resolve`` fails (the read itself then reports the error)."""

    def compute() -> Selection | None:
        try:
            stations = resolve(conn)
        except Exception:
            return None
        return Selection(tuple(stations["code"].astype(str)), bool(stations["restricted"].astype(bool).any()))

    def size(value: object) -> int | None:
        return None if value is None else 64 + 16 * len(value.codes) if isinstance(value, Selection) else None

    found = cache.get_or_compute(("air.selection", registry, key), compute, size)
    return found if isinstance(found, Selection) else None


__all__ = ["MAX_CODES_IN_VERSION", "Selection", "observations_version", "registry_version", "selection"]
