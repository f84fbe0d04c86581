"""Shared parsing and output of the ``xietong trading`` commands."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

import pandas as pd
import typer

from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, Location

#: ``--key``: a client key making the operation idempotent (a retry with the same key changes nothing)
KeyOpt = Annotated[
    str | None,
    typer.Option("--key", help="Client key: a retry with the same key and request returns the first answer."),
]


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.astimezone(DISPLAY_TZ).isoformat(timespec="seconds") if v.tzinfo else v.isoformat()
    return v.item() if hasattr(v, "item") else v


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN → null, NumPy scalars → Python, instants in China Standard Time)."""
    out = frame.astype(object).where(pd.notna(frame), None)
    return [{str(k): _value(v) for k, v in r.items()} for r in out.to_dict("records")]


def quantity(text: str | None) -> object:
    """A quantity as typed: an integer stays one; anything else is passed on for the core to refuse with
    its message (``2.5`` is not a whole number, ``-3`` is not positive, ``ten`` is not a number)."""
    if text is None:
        return None
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    try:
        return float(t)
    except ValueError:
        return t


def serial_ranges(text: str | None) -> list[tuple[int, int]] | None:
    """``"1-100,250-300,400"`` → ``[(1, 100), (250, 300), (400, 400)]``."""
    if text is None:
        return None
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if m is None:
            raise InputError(
                "invalid serial range",
                expected="first-last[,first-last…], e.g. 1-100,250-300",
                given=repr(part),
                where=Location(field="--serials"),
            )
        first = int(m.group(1))
        out.append((first, int(m.group(2)) if m.group(2) else first))
    return out


__all__ = ["KeyOpt", "quantity", "records", "serial_ranges"]
