"""Statistics of the stored cases: the steps frame of the core's statistics, read from the store.

:func:`steps_frame` returns the shape of :func:`xietong.services.cases.steps_frame` (one row per step, no
personal data), so the region's statistics and the indicators are the pure functions of
:mod:`xietong.services.stats` over the store's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.exchange.principals import Principal
from xietong.services import stats
from xietong.services.registry import today
from xietong.services.tables import services_case, services_step
from xietong.store.session import Store

COLUMNS = (
    "case_id", "item_code", "mode", "receiving_jurisdiction", "seq", "kind", "office", "jurisdiction",
    "opened_on", "due_on", "done_on", "time_limit_wd", "suspended_wd", "suspended", "outcome",
)  # fmt: skip


def steps_frame(
    conn: Connection,
    *,
    item: str | None = None,
    modes: tuple[str, ...] | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> pd.DataFrame:
    """One row per stored step (dates as ``datetime64``), optionally of one item, some modes, cases
    received in [``received_from``, ``received_to``]."""
    s, c = services_step.c, services_case.c
    q = (
        sa.select(
            s.case_id, c.item_code, c.mode, c.receiving_jurisdiction, s.seq, s.kind, s.office_code.label("office"),
            s.jurisdiction_code.label("jurisdiction"), s.opened_on, s.due_on, s.done_on, s.time_limit_wd,
            s.suspended_wd, (s.status == "suspended").label("suspended"), s.outcome,
        )
        .join(services_case, c.id == s.case_id)
        .order_by(s.case_id, s.seq)
    )  # fmt: skip
    if item:
        q = q.where(c.item_code == item)
    if modes:
        q = q.where(c.mode.in_(modes))
    if received_from:
        q = q.where(c.received_on >= received_from)
    if received_to:
        q = q.where(c.received_on <= received_to)
    frame = pd.DataFrame(conn.execute(q).all(), columns=list(COLUMNS))
    for col in ("opened_on", "due_on", "done_on"):
        frame[col] = pd.to_datetime(frame[col])
    frame["suspended"] = frame["suspended"].astype(bool)
    frame["case_id"] = frame["case_id"].astype(np.int64)
    return frame


def within(frame: pd.DataFrame, column: str, jurisdiction: str | None) -> pd.Series:
    """Rows whose ``column`` (a GB/T 2260 code) lies within ``jurisdiction`` (all rows when ``None``)."""
    if jurisdiction is None:
        return pd.Series(True, index=frame.index)
    codes = frame[column].astype(str)
    inside = {code: region.is_within(code, jurisdiction) for code in codes.unique()}
    return codes.map(inside).astype(bool)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in out.to_dict("records")]


def region_stats(store: Store, principal: Principal, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """The region's case statistics on ``as_of``: cases per item and jurisdiction, on-time rate of the
    steps per jurisdiction (forwarded and joint cases apart), median working days from receipt to
    closure per item, and the backlog (open and overdue steps) per jurisdiction. No personal data."""
    principal.require(Scope.READ, "read the statistics of service cases")
    day = as_of or today()
    with store.read() as conn:
        frame = steps_frame(conn)
    base = {"as_of": day.isoformat(), "cases": int(frame["case_id"].nunique()), "steps": len(frame)}
    if frame.empty:
        return {**base, "cases_per_item": [], "on_time": [], "median_working_days": [], "backlog": []}
    frame = frame[frame["opened_on"].isna() | (frame["opened_on"] <= pd.Timestamp(day))]
    cross = frame["mode"].isin(("forwarded", "joint")).map({True: "forwarded or joint", False: "online"})
    on_time = stats.on_time_rate(frame.assign(cases=cross), by=("cases", "jurisdiction"), as_of=day)
    return {
        **base,
        "cases_per_item": _records(stats.cases_per_item(frame)),
        "on_time": _records(on_time),
        "median_working_days": _records(stats.median_working_days(frame, by=("item_code",))),
        "backlog": _records(stats.backlog(frame, day, by=("jurisdiction",))),
    }


__all__ = ["COLUMNS", "region_stats", "steps_frame", "within"]
