"""Statistics of service cases, from a steps frame (:func:`xietong.services.cases.steps_frame` shape).

Columns used: ``case_id``, ``item_code``, ``jurisdiction`` (the office of the step), ``receiving_jurisdiction``,
``kind``, ``opened_on``, ``due_on``, ``done_on``. The competent jurisdiction of a case is that of its
``decided`` step(s); a case is closed when all its steps are done. Working days are counted on the
official calendar (:mod:`xietong.services.calendar`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xietong.services import calendar as wd
from xietong.services.enums import StepKind


def _cases(steps: pd.DataFrame) -> pd.DataFrame:
    """One row per case: item, receiving and competent jurisdiction, received and closed day."""
    decided = (
        steps[steps["kind"] == StepKind.DECIDED.value]
        .groupby("case_id")["jurisdiction"]
        .agg(lambda s: ";".join(sorted(set(s))))
    )
    g = steps.groupby("case_id")
    frame = pd.DataFrame(
        {
            "item_code": g["item_code"].first(),
            "receiving_jurisdiction": g["receiving_jurisdiction"].first(),
            "received_on": g["opened_on"].min(),
            "closed_on": g["done_on"].max().where(g["done_on"].apply(lambda s: s.notna().all())),
        }
    )
    frame["competent_jurisdiction"] = decided.reindex(frame.index)
    return frame


def cases_per_item(steps: pd.DataFrame) -> pd.DataFrame:
    """Number of cases per item, competent jurisdiction and receiving jurisdiction."""
    cases = _cases(steps)
    return (
        cases.groupby(["item_code", "competent_jurisdiction", "receiving_jurisdiction"], dropna=False)
        .size()
        .rename("cases")
        .reset_index()
    )


def on_time_rate(
    steps: pd.DataFrame, *, by: tuple[str, ...] = ("item_code", "jurisdiction"), as_of: dt.date | None = None
) -> pd.DataFrame:
    """Share of steps with a due date done on or before it [0..1], per group.

    Done steps count; with ``as_of``, open steps already past their due date count as late too.
    Columns: the ``by`` keys, ``steps`` (counted), ``on_time``, ``on_time_rate``.
    """
    s = steps[steps["due_on"].notna()].copy()
    done = s["done_on"].notna()
    late_open = (~done) & (s["due_on"] < pd.Timestamp(as_of)) if as_of is not None else pd.Series(False, index=s.index)
    s = s[done | late_open]
    s["on_time"] = s["done_on"].notna() & (s["done_on"] <= s["due_on"])
    out = s.groupby(list(by)).agg(steps=("on_time", "size"), on_time=("on_time", "sum")).reset_index()
    out["on_time_rate"] = out["on_time"] / out["steps"]
    return out


def median_working_days(
    steps: pd.DataFrame, *, by: tuple[str, ...] = ("item_code",), calendar: wd.WorkingCalendar | None = None
) -> pd.DataFrame:
    """Median working days from receipt to closure of closed cases, per group (``cases``, ``median_wd``)."""
    cases = _cases(steps)
    closed = cases[cases["closed_on"].notna()].copy()
    if closed.empty:
        return pd.DataFrame(columns=[*by, "cases", "median_wd"])
    closed["working_days"] = wd.working_days_between(
        closed["received_on"].to_numpy(dtype="datetime64[D]"),
        closed["closed_on"].to_numpy(dtype="datetime64[D]"),
        calendar=calendar,
    )
    keys = [k if k != "jurisdiction" else "competent_jurisdiction" for k in by]
    return closed.groupby(keys).agg(cases=("working_days", "size"), median_wd=("working_days", "median")).reset_index()


def backlog(steps: pd.DataFrame, as_of: dt.date, *, by: tuple[str, ...] = ("jurisdiction",)) -> pd.DataFrame:
    """Open steps on ``as_of`` per group: ``open`` and ``overdue`` (due before ``as_of``)."""
    ts = pd.Timestamp(as_of)
    s = steps[
        steps["opened_on"].notna() & (steps["opened_on"] <= ts) & (steps["done_on"].isna() | (steps["done_on"] > ts))
    ].copy()
    s["overdue"] = s["due_on"].notna() & (s["due_on"] < ts)
    if "suspended" in s:
        s["overdue"] &= ~s["suspended"].astype(bool)
    out = s.groupby(list(by)).agg(open=("overdue", "size"), overdue=("overdue", "sum")).reset_index()
    out["overdue"] = out["overdue"].astype(np.int64)
    return out


__all__ = ["backlog", "cases_per_item", "median_working_days", "on_time_rate"]
