"""The binary COPY encoder writes the layout of PostgreSQL's documentation ("COPY — File Formats — Binary
Format"): signature, flags, header extension, then per row a 16-bit field count and per field a 32-bit length
(-1 for NULL) and the value in network byte order, and a 16-bit -1 at the end."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from xietong.store.pgcopy import PG_EPOCH_OFFSET_US, SIGNATURE, Column, encode


def test_two_rows_byte_for_byte() -> None:
    got = encode(
        [
            Column("text", np.array(["东四", None], dtype=object), np.array([False, True])),
            Column("float8", np.array([1.5, np.nan])),
            Column("int2", np.array([1, 2])),
            Column("timestamptz_us", np.array([PG_EPOCH_OFFSET_US + 1, PG_EPOCH_OFFSET_US])),
            Column("bool", np.array([True, False])),
        ]
    )
    text = "东四".encode()
    row1 = (
        struct.pack(">h", 5)
        + struct.pack(">i", len(text)) + text
        + struct.pack(">i", 8) + struct.pack(">d", 1.5)
        + struct.pack(">i", 2) + struct.pack(">h", 1)
        + struct.pack(">i", 8) + struct.pack(">q", 1)  # 1 µs after 2000-01-01
        + struct.pack(">i", 1) + b"\x01"
    )  # fmt: skip
    row2 = (
        struct.pack(">h", 5)
        + struct.pack(">i", -1)  # NULL text
        + struct.pack(">i", -1)  # NaN is NULL
        + struct.pack(">i", 2) + struct.pack(">h", 2)
        + struct.pack(">i", 8) + struct.pack(">q", 0)
        + struct.pack(">i", 1) + b"\x00"
    )  # fmt: skip
    assert got == SIGNATURE + struct.pack(">ii", 0, 0) + row1 + row2 + struct.pack(">h", -1)


def test_an_explicit_null_mask_wins_over_the_values() -> None:
    got = encode([Column("int8", np.array([7, 8]), np.array([True, False]))])
    body = got[len(SIGNATURE) + 8 : -2]
    assert body == struct.pack(">hi", 1, -1) + struct.pack(">hiq", 1, 8, 8)


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        encode([Column("int4", np.array([1, 2])), Column("int4", np.array([1]))])
