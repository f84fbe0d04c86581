"""Versions of the air data a read depends on, so that its answer can be kept until they change.

A version is two counts the store computes over exactly the rows a read would use: the current
observations of its stations in its window and their superseded revisions (the history table). Every write
the exchange makes to those rows changes one of them: a new hour adds a current row, a correction moves the
old revision to the history table (:func:`observations_version`). Both are counted from the primary keys'
indexes (``(station_code, time_utc[, revision])``) without reading table rows, far cheaper than the read
itself; the station registry's version (count, sum of revisions, newest change) comes in the same statement. The routes (``xietong.air.routes``) put it in the key of
:func:`xietong.api.read_cache.answer`; the engine and the reports know nothing of it.

The station selection a read names (codes, a city, a jurisdiction) is resolved once per version of the
station registry and kept the same way. A selection with a restricted station is not kept: those reads are
recorded in the audit log each time, so they always run.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.api.read_cache import ReadCache
from xietong.store.session import Store
from xietong.store.types import to_epoch_us

#: up to this many stations the version is taken over the selected stations; above, over every station in
#: the period (a superset: a write to another station then also renews the answer, never the reverse)
MAX_CODES_IN_VERSION = 200


@dataclass(frozen=True, slots=True)
class Selection:
    """The stations a read resolves to, and whether any of them is restricted (reads audited)."""

    codes: tuple[str, ...]
    restricted: bool


_REGISTRY_SQL = "SELECT count(*), coalesce(sum(revision), 0), max(recorded_at) FROM air_station"


def registry_version(conn: Connection) -> tuple[Any, ...]:
    """Version of the station registry: stations, the sum of their revisions, the newest change."""
    row = conn.exec_driver_sql(_REGISTRY_SQL).one()
    return ("stations", int(row[0]), int(row[1]), row[2])


def current_registry_version(cache: ReadCache, store: Store) -> tuple[Any, ...] | None:
    """:func:`registry_version` in a snapshot of its own, remembered with the audit head read before it (see
    :func:`read_key`); ``None`` when the statement failed."""
    marker = write_marker(cache, store)
    memo = cache.get(("air.registry_version",)) if marker is not None else None
    if isinstance(memo, tuple) and memo[0] == marker:
        remembered: tuple[Any, ...] = memo[1]
        return remembered
    try:
        with _snapshot(cache, store) as conn:
            version = registry_version(conn)
    except sa.exc.SQLAlchemyError:
        return None
    if marker is not None:
        cache.put(("air.registry_version",), (marker, version), 256)
    return version


def _observations_sql(
    sqlite: bool, codes: tuple[str, ...], start: datetime | None, end: datetime | None
) -> tuple[str, list[Any]]:
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
    condition = (" WHERE " + " AND ".join(where)) if where else ""
    # both counts are read from the primary keys' indexes alone (no table rows)
    sql = (
        f"SELECT (SELECT count(*) FROM air_observation{condition}), "
        f"(SELECT count(*) FROM air_observation_history{condition})"
    )
    return sql, params * 2


def observations_version(
    conn: Connection, codes: tuple[str, ...], start: datetime | None, end: datetime | None
) -> tuple[Any, ...]:
    """Version of the observations of ``codes`` with hour labels in ``start .. end`` (inclusive; ``None``:
    unbounded): the number of current rows and the number of superseded revisions.

    Every committed change to those rows changes one of the two (``xietong.air.revisions``): a new
    station-hour adds a current row; a correction copies the old revision to the history table before it
    updates the current row (the only in-place update without a history row is a later chunk of the same
    batch, inside the batch's own transaction); nothing deletes observations.

    Plain SQL on purpose: it runs on every cached read, and building the statement with SQLAlchemy's
    expression language cost several times the query itself (an expanding ``IN`` compiled per call).
    """
    sql, params = _observations_sql(conn.dialect.name == "sqlite", codes, start, end)
    row = conn.exec_driver_sql(sql, tuple(params)).one()
    return ("observations", int(row[0]), int(row[1]))


def _both_versions(
    conn: Connection, codes: tuple[str, ...], start: datetime | None, end: datetime | None
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The registry's and the observations' versions in one statement (one snapshot, one round trip)."""
    sql, params = _observations_sql(conn.dialect.name == "sqlite", codes, start, end)
    both = f"SELECT r.*, o.* FROM ({_REGISTRY_SQL}) AS r, ({sql}) AS o"
    row = conn.exec_driver_sql(both, tuple(params)).one()
    return ("stations", int(row[0]), int(row[1]), row[2]), ("observations", int(row[3]), int(row[4]))


@contextmanager
def _snapshot(cache: ReadCache, store: Store) -> Iterator[Connection]:
    """A connection for one consistent read: on SQLite a read transaction; on PostgreSQL an autocommit
    connection (one statement is one snapshot: no BEGIN/COMMIT round trips) from a small pool of the cache's
    own without the store's ping before each checkout (one round trip fewer on every cached read). A broken
    connection (or a pool kept busy) fails the statement; callers then read uncached,
    through the store, which reports an outage as it does for every read."""
    if store.dialect == "sqlite":
        with store.read() as conn:
            yield conn
        return
    engine = cache.resource(
        ("air.version_engine", store.url_for_display),
        lambda: sa.create_engine(
            store.engine.url, pool_size=8, max_overflow=8, pool_timeout=10, isolation_level="AUTOCOMMIT"
        ),
    )
    with engine.connect() as conn:
        yield conn


_MARKER_SQL = "SELECT seq, hash FROM audit_head WHERE id = 1"


def write_marker(cache: ReadCache, store: Store) -> tuple[Any, ...] | None:
    """The audit log's head (entries, root hash): every write of the air domain (ingest, station registry,
    seed) is an audited write that moves it in the write's own transaction, so while it is unchanged no air
    row has changed either. ``None`` when the statement failed (the caller then takes the versions)."""
    try:
        with _snapshot(cache, store) as conn:
            row = conn.exec_driver_sql(_MARKER_SQL).one_or_none()
    except sa.exc.SQLAlchemyError:
        return None
    return None if row is None else ("audit", int(row[0]), str(row[1]))


def read_key(
    cache: ReadCache,
    store: Store,
    scope: Hashable,
    resolve: Callable[[Connection], pd.DataFrame],
    start: datetime | None,
    end: datetime | None,
) -> tuple[Any, ...] | None:
    """The versions a read of the observations of the stations ``resolve`` selects in ``start .. end``
    depends on; ``None`` when the read must run uncached (a restricted station, whose reads are audited, or
    a selection the read itself refuses).

    The versions taken are remembered with the audit head read *before* them: while the head is the same,
    no write has committed since, and the remembered versions are the current ones (one single-row read).
    A head read before the versions can only be older than they are, so a later write always renews them.
    """
    marker = write_marker(cache, store)
    memo_key = ("air.read_key", scope, start, end)
    if marker is not None:
        memo = cache.get(memo_key)
        if isinstance(memo, tuple) and memo[0] == marker:
            versions: tuple[Any, ...] = memo[1]
            return versions
    found = _versions(cache, store, scope, resolve, start, end)
    if marker is not None and found is not None:
        cache.put(memo_key, (marker, found), 256)
    return found


def _versions(
    cache: ReadCache,
    store: Store,
    scope: Hashable,
    resolve: Callable[[Connection], pd.DataFrame],
    start: datetime | None,
    end: datetime | None,
) -> tuple[Any, ...] | None:
    """:func:`read_key` without the audit head: usually one statement, the selection resolved under the
    registry's last seen version checked against the registry's current version in the same statement as
    the observations' version."""
    remembered = cache.get(("air.selection.latest", scope))
    if isinstance(remembered, tuple):
        registry_seen, chosen = remembered
        try:
            with _snapshot(cache, store) as conn:
                registry, observations = _both_versions(conn, chosen.codes, start, end)
        except sa.exc.SQLAlchemyError:
            return None  # read uncached: the store reports the outage
        if registry == registry_seen:
            return registry, observations
    with store.read() as conn:
        registry = registry_version(conn)
        found = selection(cache, conn, registry, scope, resolve)
        if found is None or found.restricted or not found.codes:
            return None
        observations = observations_version(conn, found.codes, start, end)
    cache.put(("air.selection.latest", scope), (registry, found), 64 + 16 * len(found.codes))
    return registry, observations


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


__all__ = [
    "MAX_CODES_IN_VERSION",
    "Selection",
    "current_registry_version",
    "observations_version",
    "read_key",
    "registry_version",
    "selection",
]
