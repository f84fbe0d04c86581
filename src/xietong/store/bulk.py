"""Fast bulk paths: frames in and out of the store without per-row Python objects.

Times cross this boundary as int64 **microseconds since the epoch (UTC)** for every
:class:`~xietong.store.types.UtcDateTime` column. SQLite stores exactly that; on PostgreSQL the
values are rendered as ISO 8601 text for ``COPY`` and read back with ``EXTRACT(EPOCH …)``.

Writes use ``executemany`` of a prepared statement on SQLite and binary ``COPY … FROM STDIN`` on
PostgreSQL (:mod:`xietong.store.pgcopy`), inside the caller's transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from xietong.errors import InputError, Location
from xietong.store import pgcopy
from xietong.store.types import UtcDateTime


def _time_columns(table: sa.Table) -> set[str]:
    return {c.name for c in table.columns if isinstance(c.type, UtcDateTime)}


def epoch_us_column(col: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """A SELECT expression giving a UtcDateTime column as int64 microseconds since the epoch."""
    if dialect == "sqlite":
        return sa.type_coerce(col, sa.BigInteger())
    return sa.cast(sa.func.round(sa.extract("epoch", col) * 1_000_000), sa.BigInteger)


def bind_epoch_us(value_us: int, dialect: str) -> Any:
    """A bind value for comparing a UtcDateTime column with microseconds since the epoch."""
    if dialect == "sqlite":
        return sa.literal(int(value_us), sa.BigInteger())
    return sa.literal(pd.Timestamp(int(value_us), unit="us", tz="UTC").to_pydatetime(), sa.DateTime(timezone=True))


def time_column_compare(col: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """The raw column to compare with :func:`bind_epoch_us` values (bypasses the Python type)."""
    if dialect == "sqlite":
        return sa.type_coerce(col, sa.BigInteger())
    return sa.type_coerce(col, sa.DateTime(timezone=True))


def fetch_frame(conn: Connection, stmt: sa.Executable, columns: Sequence[str]) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame with raw driver values (no per-row objects).

    Column types are not processed: select times through :func:`epoch_us_column`. A non-finite float (an
    infinity a store took before the boundaries refused them) is read as missing (NaN): no measurement is
    infinite, and one would poison every average and JSON answer over it.
    """
    result = conn.execute(stmt)
    cursor = result.cursor
    rows = cursor.fetchall() if cursor is not None else []
    result.close()
    frame = pd.DataFrame(rows, columns=list(columns))
    for name in frame.columns[[pd.api.types.is_float_dtype(t) for t in frame.dtypes]]:
        values = frame[name].to_numpy()
        if np.isinf(values).any():
            frame[name] = np.where(np.isinf(values), np.nan, values)
    return frame


def _refuse_infinite(table: sa.Table, frame: pd.DataFrame) -> None:
    """The store's last line: no infinity reaches a table, whatever reader let it through."""
    for name in frame.columns:
        if not pd.api.types.is_float_dtype(frame[name].dtype):
            continue
        values = frame[name].to_numpy(dtype="float64")
        bad = np.flatnonzero(np.isinf(values))
        if len(bad):
            raise InputError(
                f"{len(bad)} non-finite value(s) for {table.name}.{name}; nothing was written",
                expected="finite numbers (a missing value is empty or null)",
                given=repr(float(values[bad[0]])),
                where=Location(table.name, field=name),
            )


def insert_frame(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named like the table's) into ``table``."""
    if frame.empty:
        return 0
    _refuse_infinite(table, frame)
    cols = list(frame.columns)
    if conn.dialect.name == "postgresql":
        payload = pgcopy.encode([_pg_column(table.c[c], frame[c]) for c in cols])
        raw = conn.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN (FORMAT binary)") as cp,
        ):
            cp.write(payload)
        return len(frame)
    placeholders = ", ".join("?" for _ in cols)
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({placeholders})"
    conn.exec_driver_sql(sql, list(_records(frame)))
    return len(frame)


def _pg_column(column: sa.Column[Any], series: pd.Series) -> pgcopy.Column:
    null = pd.isna(series).to_numpy()
    t = column.type
    if isinstance(t, UtcDateTime):
        return pgcopy.Column("timestamptz_us", series.fillna(0).to_numpy(dtype="int64"), null)
    if isinstance(t, sa.Boolean):
        return pgcopy.Column("bool", series.fillna(False).to_numpy(dtype=bool), null)
    if isinstance(t, sa.SmallInteger):
        return pgcopy.Column("int2", series.fillna(0).to_numpy(dtype="int64"), null)
    if isinstance(t, sa.BigInteger):
        return pgcopy.Column("int8", series.fillna(0).to_numpy(dtype="int64"), null)
    if isinstance(t, sa.Integer):
        return pgcopy.Column("int4", series.fillna(0).to_numpy(dtype="int64"), null)
    if isinstance(t, sa.Float):
        return pgcopy.Column("float8", series.to_numpy(dtype="float64", na_value=np.nan), null)
    if isinstance(t, sa.String | sa.Text):
        return pgcopy.Column("text", series.to_numpy(dtype=object), null)
    raise TypeError(f"no binary COPY encoding for column {column.name} of type {t!r}")


def _records(frame: pd.DataFrame) -> Any:
    """Row tuples with NaN/NA as None and NumPy scalars as Python values."""
    obj = frame.astype(object).where(frame.notna(), None)
    return obj.itertuples(index=False, name=None)


def execute_many(conn: Connection, sql_sqlite: str, sql_postgres: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run one parameterised statement for many rows (``?`` placeholders on SQLite, ``%s`` on PostgreSQL)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            cur.executemany(sql_postgres, rows)
        return
    conn.exec_driver_sql(sql_sqlite, list(rows))


def us_to_param(values_us: np.ndarray, dialect: str) -> list[Any]:
    """Microsecond timestamps as driver parameters (ints on SQLite, aware datetimes on PostgreSQL)."""
    if dialect == "sqlite":
        return [int(v) for v in values_us]
    return list(pd.to_datetime(values_us, unit="us", utc=True).to_pydatetime())


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert a few hundred rows (dicts with the same keys) in one statement.

    On PostgreSQL ``INSERT … SELECT unnest(%s), unnest(%s), …`` with one array per column: one short
    statement, prepared once whatever the number of rows (``executemany`` would send and execute it once
    per row, and a single row would be inserted with ``RETURNING`` its key). Elsewhere a plain
    ``executemany``.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), list(rows))
        return
    names = tuple(rows[0])
    conn.execute(_unnest_insert(table, names), {f"a_{n}": [r[n] for r in rows] for n in names})


@functools.cache
def _unnest_insert(table: sa.Table, names: tuple[str, ...]) -> sa.Insert:
    arrays = [sa.func.unnest(sa.bindparam(f"a_{n}", type_=postgresql.ARRAY(table.c[n].type))) for n in names]
    return table.insert().from_select(list(names), sa.select(*arrays))


__all__ = [
    "bind_epoch_us",
    "epoch_us_column",
    "execute_many",
    "fetch_frame",
    "insert_frame",
    "insert_rows",
    "time_column_compare",
    "us_to_param",
]
