"""Plain records for the CLI and the API: frames and rows as JSON can hold them, and typed sharing inputs."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, Location, Problem, excerpt
from xietong.industry.sharing import ENTERPRISE_COLUMNS, TAX_COLUMNS


def to_plain(value: Any) -> Any:
    """A cell as JSON can hold it: NaN → None, times as ISO 8601 in China Standard Time."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.astimezone(DISPLAY_TZ).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def records(rows: pd.DataFrame | list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    return [{str(k): to_plain(v) for k, v in r.items()} for r in items]


_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _typed(frame: pd.DataFrame, columns: dict[str, str], source: str, first_row: int, problems: list[Problem]) -> None:
    """Convert ``columns`` (name → ``int``, ``number`` or ``flag``) in place; each bad cell is a problem."""
    for col, kind in columns.items():
        if col not in frame.columns:
            continue
        text = frame[col].astype(str).str.strip()
        if kind == "flag":
            values = text.str.lower().map(_FLAGS)
            expected = "true or false"
        else:
            values = pd.to_numeric(text, errors="coerce")
            expected = "a year YYYY" if kind == "int" else "a number"
        for i in range(len(frame)):
            if pd.isna(values.iloc[i]):
                problems.append(
                    Problem(f"invalid {col}", Location(source, first_row + i, col), expected, repr(text.iloc[i]))
                )
        frame[col] = values


def sharing_frames(
    enterprises: pd.DataFrame,
    taxes: pd.DataFrame,
    *,
    enterprises_source: str = "enterprises",
    taxes_source: str = "taxes",
    first_rows: tuple[int, int] = (2, 2),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed frames for :func:`xietong.industry.sharing.share_taxes` from text cells (CSV or request
    records); every bad cell is refused, naming the file (or request part), row and field."""
    e, t = enterprises.copy(), taxes.copy()
    for frame, columns, name in ((e, ENTERPRISE_COLUMNS, enterprises_source), (t, TAX_COLUMNS, taxes_source)):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}",
                expected=", ".join(columns),
                given=excerpt(", ".join(map(str, frame.columns)), 160),
                where=Location(name, 1, missing[0]),
            )
    if e.empty:
        raise InputError(
            "the enterprise table has no rows", expected="one row per relocated enterprise", given="a header only",
            where=Location(enterprises_source, first_rows[0]),
        )  # fmt: skip
    problems: list[Problem] = []
    _typed(e, {"start_year": "int", "pre_move_local_cny": "number", "government_led": "flag"}, enterprises_source,
           first_rows[0], problems)  # fmt: skip
    _typed(t, {"year": "int"}, taxes_source, first_rows[1], problems)
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} invalid cell(s) in the sharing tables; nothing was computed"
        )
    if "start_year" in e.columns:
        e["start_year"] = e["start_year"].astype("int64")
    if "government_led" in e.columns:
        e["government_led"] = e["government_led"].astype(bool)
    if "year" in t.columns:
        t["year"] = t["year"].astype("int64")
    if "paid_cny" in t.columns:
        t["row"] = range(first_rows[1], first_rows[1] + len(t))
    return e, t


__all__ = ["records", "sharing_frames", "to_plain"]
