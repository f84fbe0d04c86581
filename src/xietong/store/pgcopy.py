"""Vectorised encoder for PostgreSQL's binary ``COPY`` format.

Building the byte stream with NumPy (no per-row Python objects, no text formatting on the client and no
text parsing on the server) makes bulk loads several times faster than CSV ``COPY``. Format: PostgreSQL
documentation, "COPY — File Formats — Binary Format": an 11-byte signature, a 32-bit flags field, a
32-bit header-extension length, then per row a 16-bit field count and per field a 32-bit length (−1 for
NULL) followed by the value in network byte order; a 16-bit −1 ends the stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
#: microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01
PG_EPOCH_OFFSET_US = 946_684_800_000_000

Kind = Literal["text", "int2", "int4", "int8", "float8", "bool", "timestamptz_us"]

_FIXED: dict[str, tuple[str, int]] = {
    "int2": (">i2", 2),
    "int4": (">i4", 4),
    "int8": (">i8", 8),
    "float8": (">f8", 8),
    "bool": ("u1", 1),
    "timestamptz_us": (">i8", 8),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column to encode: ``values`` (NumPy array) and an optional ``null`` mask.

    ``timestamptz_us`` takes int64 microseconds since 1970-01-01 UTC; ``text`` takes an object array of
    ``str``. For ``float8`` a NaN is written as NULL unless ``null`` is given.
    """

    kind: Kind
    values: np.ndarray
    null: np.ndarray | None = None


def encode(columns: Sequence[Column]) -> bytes:
    """Encode equal-length columns as one binary COPY stream (header, rows, trailer)."""
    if not columns:
        raise ValueError("no columns to encode")
    n = len(columns[0].values)
    if any(len(col.values) != n for col in columns):
        raise ValueError("columns differ in length")
    fields = [_field(col, n) for col in columns]

    # byte layout of each row: int16 field count, then per field int32 length + data
    field_sizes = np.stack([4 + f.length for f in fields], axis=1)  # (n, k)
    row_sizes = 2 + field_sizes.sum(axis=1)
    header = SIGNATURE + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    row_start = len(header) + np.concatenate(([0], np.cumsum(row_sizes)[:-1])).astype(np.int64)
    total = len(header) + int(row_sizes.sum()) + 2
    buf = np.zeros(total, dtype=np.uint8)
    buf[: len(header)] = np.frombuffer(header, dtype=np.uint8)
    _put(buf, row_start, np.full(n, len(columns), dtype=">i2"))
    field_start = row_start + 2
    for i, (col, field) in enumerate(zip(columns, fields, strict=True)):
        _put(buf, field_start, np.where(field.null, -1, field.length).astype(">i4"))
        _place(buf, col.kind, field, field_start + 4)
        field_start = field_start + field_sizes[:, i]
    buf[-2:] = np.frombuffer((-1).to_bytes(2, "big", signed=True), dtype=np.uint8)
    return buf.tobytes()


@dataclass(frozen=True, slots=True)
class _Field:
    """One column encoded: its NULL mask, the byte length of each value (0 for NULL) and the bytes of the
    non-NULL values, in row order."""

    null: np.ndarray
    length: np.ndarray
    payload: np.ndarray


def _field(col: Column, n: int) -> _Field:
    null = col.null
    if null is None:
        null = np.isnan(col.values) if col.kind == "float8" else np.zeros(n, dtype=bool)
    null = np.asarray(null, dtype=bool)
    if col.kind == "text":
        encoded = [b"" if isnull else str(v).encode("utf-8") for v, isnull in zip(col.values, null, strict=True)]
        length = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=n)
        payload = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    else:
        dtype, size = _FIXED[col.kind]
        values = col.values
        if col.kind == "timestamptz_us":
            values = values.astype(np.int64) - PG_EPOCH_OFFSET_US
        elif col.kind == "bool":
            values = values.astype(bool)
        safe = np.where(null, 0, values)
        data = np.ascontiguousarray(safe.astype(dtype)).view(np.uint8).reshape(n, size)
        payload = data[~null].reshape(-1)
        length = np.full(n, size, dtype=np.int64)
    return _Field(null, np.where(null, 0, length), payload)


def _place(buf: np.ndarray, kind: Kind, field: _Field, data_start: np.ndarray) -> None:
    """Write the non-NULL values of one column at their rows' data offsets."""
    if kind == "text":
        keep = ~field.null & (field.length > 0)
        starts = data_start[keep]
        lens = field.length[keep]
        if lens.size:
            within = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
            buf[np.repeat(starts, lens) + within] = field.payload
        return
    size = _FIXED[kind][1]
    starts = data_start[~field.null]
    if starts.size:
        idx = (starts[:, None] + np.arange(size, dtype=np.int64)).reshape(-1)
        buf[idx] = field.payload


def _put(buf: np.ndarray, starts: np.ndarray, values: np.ndarray) -> None:
    size = values.dtype.itemsize
    idx = (starts[:, None] + np.arange(size, dtype=np.int64)).reshape(-1)
    buf[idx] = np.ascontiguousarray(values).view(np.uint8)


__all__ = ["Column", "encode"]
