"""Indicators of the public-services domain that agreement tasks can bind to (``xietong.indicators``).

Every value is computed from the stored steps (no personal data) with the pure statistics of
:mod:`xietong.services.stats`, working days on the official calendar:

``services.cases_received`` [cases]
    cases received in the period, of one item, received in / handled by a jurisdiction;
``services.forwarded_on_time_rate`` [%]
    share of the steps of forwarded and joint cases (异地代收代办, 多地联办) done by their due date, among
    those done in the period or still open past it on its last day;
``services.median_working_days`` [working days]
    median from receipt to closure of the cases closed in the period;
``services.overdue_steps`` [steps]
    open steps past their due date on a day (the backlog a coordination meeting asks about).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from xietong.config import DISPLAY_TZ
from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.services import stats
from xietong.services.reports import steps_frame, within
from xietong.services.tables import services_case


def _period(ctx: Context) -> tuple[dt.date | None, dt.date]:
    today = ctx.now.astimezone(DISPLAY_TZ).date()
    first = dt.date.fromisoformat(ctx.params["from"]) if "from" in ctx.params else None
    last = dt.date.fromisoformat(ctx.params["to"]) if "to" in ctx.params else today
    return first, last


def _as_of(ctx: Context) -> dt.datetime | None:
    with ctx.store.read() as conn:
        value = conn.execute(sa.select(sa.func.max(services_case.c.updated_at))).scalar_one_or_none()
    return value if isinstance(value, dt.datetime) else None


def _period_details(first: dt.date | None, last: dt.date) -> dict[str, str | None]:
    return {"first_day": first.isoformat() if first else None, "last_day": last.isoformat()}


def _decided_within(frame: pd.DataFrame, jurisdiction: str) -> pd.Series:
    """Rows of the cases with a ``decided`` step by an office within ``jurisdiction``."""
    decided = frame["kind"].eq("decided") & within(frame, "jurisdiction", jurisdiction)
    return frame["case_id"].isin(frame.loc[decided, "case_id"].unique())


def _cases_received(ctx: Context) -> Reading:
    first, last = _period(ctx)
    with ctx.store.read() as conn:
        frame = steps_frame(conn, item=ctx.params.get("item"), received_from=first, received_to=last)
    keep = within(frame, "receiving_jurisdiction", ctx.params.get("receiving"))
    if "competent" in ctx.params:
        keep &= _decided_within(frame, ctx.params["competent"])
    cases = int(frame.loc[keep, "case_id"].nunique())
    return Reading(float(cases), _as_of(ctx), {"cases": cases, **_period_details(first, last)})


def _forwarded_on_time(ctx: Context) -> Reading:
    first, last = _period(ctx)
    with ctx.store.read() as conn:
        frame = steps_frame(conn, item=ctx.params.get("item"), modes=("forwarded", "joint"))
    frame = frame[within(frame, "jurisdiction", ctx.params.get("jurisdiction"))]
    done = frame["done_on"].notna()
    in_period = done & (frame["done_on"] <= pd.Timestamp(last))
    if first is not None:
        in_period &= frame["done_on"] >= pd.Timestamp(first)
    open_late = ~done & frame["due_on"].notna() & (frame["due_on"] < pd.Timestamp(last))
    rate = stats.on_time_rate(frame[in_period | open_late].assign(all="all"), by=("all",), as_of=last)
    details = _period_details(first, last)
    if rate.empty:
        return Reading(None, _as_of(ctx), {"steps": 0, **details})
    row = rate.iloc[0]
    return Reading(
        100.0 * float(row["on_time_rate"]),
        _as_of(ctx),
        {"steps": int(row["steps"]), "on_time": int(row["on_time"]), **details},
    )


def _median_working_days(ctx: Context) -> Reading:
    first, last = _period(ctx)
    with ctx.store.read() as conn:
        frame = steps_frame(conn, item=ctx.params.get("item"))
    if "competent" in ctx.params:
        frame = frame[_decided_within(frame, ctx.params["competent"])]
    closed_on = frame.groupby("case_id")["done_on"].transform(lambda s: s.max() if s.notna().all() else pd.NaT)
    keep = closed_on.notna() & (closed_on <= pd.Timestamp(last))
    if first is not None:
        keep &= closed_on >= pd.Timestamp(first)
    result = stats.median_working_days(frame[keep].assign(all="all"), by=("all",))
    details = _period_details(first, last)
    if result.empty:
        return Reading(None, _as_of(ctx), {"cases": 0, **details})
    return Reading(float(result["median_wd"].iloc[0]), _as_of(ctx), {"cases": int(result["cases"].iloc[0]), **details})


def _overdue_steps(ctx: Context) -> Reading:
    day = dt.date.fromisoformat(ctx.params["day"]) if "day" in ctx.params else ctx.now.astimezone(DISPLAY_TZ).date()
    with ctx.store.read() as conn:
        frame = steps_frame(conn)
    frame = frame[within(frame, "jurisdiction", ctx.params.get("jurisdiction"))]
    if frame.empty:
        return Reading(0.0, _as_of(ctx), {"open": 0, "overdue": 0, "day": day.isoformat()})
    backlog = stats.backlog(frame.assign(all="all"), day, by=("all",))
    open_steps = int(backlog["open"].sum()) if not backlog.empty else 0
    overdue = int(backlog["overdue"].sum()) if not backlog.empty else 0
    return Reading(float(overdue), _as_of(ctx), {"open": open_steps, "overdue": overdue, "day": day.isoformat()})


_ITEM = Param("item", ParamKind.TEXT, "a catalogue item code (JJJ-PS-001 …); default: every item")
_FROM = Param("from", ParamKind.DAY, "first day counted (China Standard Time); default: from the start")
_TO = Param("to", ParamKind.DAY, "last day counted, inclusive; default: today")


def indicators() -> list[Indicator]:
    """The public-services domain's indicators."""
    return [
        Indicator(
            key="services.cases_received",
            name="Cross-jurisdiction service cases received",
            description="Cases received in the period (by day of receipt), optionally of one item, received in "
            "a jurisdiction (or inside it), or decided by an office of a jurisdiction.",
            unit="cases",
            comparator=Comparator.GE,
            target=None,
            compute=_cases_received,
            params=(
                _ITEM,
                Param("receiving", ParamKind.JURISDICTION, "only cases received in this jurisdiction (or inside it)"),
                Param("competent", ParamKind.JURISDICTION, "only cases decided by an office of this jurisdiction"),
                _FROM,
                _TO,
            ),
            module="services",
        ),
        Indicator(
            key="services.forwarded_on_time_rate",
            name="On-time rate of forwarded and joint cases (异地代收代办、多地联办按时办结率)",
            description="Share of the steps with a due date of forwarded and joint cases that were done on or "
            "before their due date (official working-day calendar, suspensions excluded), among the steps done "
            "in the period and those still open past their due date on its last day. Optionally the steps of "
            "the offices of one jurisdiction.",
            unit="%",
            comparator=Comparator.GE,
            target=None,
            compute=_forwarded_on_time,
            params=(
                _ITEM,
                Param("jurisdiction", ParamKind.JURISDICTION, "only steps of offices of this jurisdiction"),
                _FROM,
                _TO,
            ),
            module="services",
        ),
        Indicator(
            key="services.median_working_days",
            name="Median working days from receipt to closure",
            description="Median working days (official calendar; the day of receipt not counted) from receipt to "
            "the last step of the cases closed in the period.",
            unit="working days",
            comparator=Comparator.LE,
            target=None,
            compute=_median_working_days,
            params=(
                _ITEM,
                Param("competent", ParamKind.JURISDICTION, "only cases decided by an office of this jurisdiction"),
                _FROM,
                _TO,
            ),
            module="services",
        ),
        Indicator(
            key="services.overdue_steps",
            name="Overdue steps of service cases (backlog)",
            description="Open steps past their due date on the day (suspended cases do not count), optionally "
            "of the offices of one jurisdiction; details give the open steps too.",
            unit="steps",
            comparator=Comparator.LE,
            target=0,
            compute=_overdue_steps,
            params=(
                Param("jurisdiction", ParamKind.JURISDICTION, "only steps of offices of this jurisdiction"),
                Param("day", ParamKind.DAY, "the day counted; default: today"),
            ),
            module="services",
        ),
    ]


__all__ = ["indicators"]
