"""Monthly partitions of the observation tables on PostgreSQL (created by migration ``air_0002``).

The writer calls :func:`ensure_months` inside its transaction before it writes a batch: every month (UTC)
the batch touches gets its partition in the schema ``air_partitions``. Rows that had landed in the default
partition for such a month (written by a path that did not ask first) are moved into the new partition in
the same transaction, since PostgreSQL refuses a new partition whose rows sit in the default one. On SQLite
the tables are not partitioned and this does nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

SCHEMA = "air_partitions"
TABLES = ("air_observation", "air_observation_history", "air_published", "air_published_history")


def months_of(time_s: npt.ArrayLike) -> list[tuple[int, int]]:
    """Distinct (year, month) in UTC of epoch seconds."""
    t = np.asarray(time_s, dtype="int64")
    if t.size == 0:
        return []
    months = np.unique(t.astype("datetime64[s]").astype("datetime64[M]"))
    return [(int(str(m)[:4]), int(str(m)[5:7])) for m in months]


def _bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def existing(conn: Connection) -> set[str]:
    """Names of the partitions that exist now."""
    rows = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema"
        ),
        {"schema": SCHEMA},
    )
    return {r[0] for r in rows}


def ensure_months(conn: Connection, time_s: npt.ArrayLike, *, known: set[str] | None = None) -> set[str]:
    """Create the monthly partitions the epoch seconds ``time_s`` fall in; returns the partitions that exist.

    ``known``: partitions already known to exist (from an earlier call in the same transaction), to save the
    catalogue query.
    """
    if conn.dialect.name != "postgresql":
        return set()
    have = existing(conn) if known is None else known
    for year, month in months_of(time_s):
        for table in TABLES:
            name = f"{table}_{year:04d}_{month:02d}"
            if name in have:
                continue
            _create(conn, table, name, *_bounds(year, month))
            have.add(name)
    return have


def _create(conn: Connection, table: str, name: str, start: datetime, end: datetime) -> None:
    default = f"{SCHEMA}.{table}_default"
    params = {"start": start, "end": end}
    stray = conn.execute(
        sa.text(f"SELECT count(*) FROM {default} WHERE time_utc >= :start AND time_utc < :end"),
        params,
    ).scalar_one()
    if stray:
        conn.execute(sa.text(f"CREATE TEMP TABLE _stray ON COMMIT DROP AS SELECT * FROM {default} WITH NO DATA"))
        conn.execute(
            sa.text(
                f"WITH moved AS (DELETE FROM {default} WHERE time_utc >= :start AND time_utc < :end RETURNING *) "
                "INSERT INTO _stray SELECT * FROM moved"
            ),
            params,
        )
    conn.execute(
        sa.text(
            f"CREATE TABLE {SCHEMA}.{name} PARTITION OF {table} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    )
    if stray:
        conn.execute(sa.text(f"INSERT INTO {table} SELECT * FROM _stray"))
        conn.execute(sa.text("DROP TABLE _stray"))


__all__ = ["SCHEMA", "TABLES", "ensure_months", "existing", "months_of"]
