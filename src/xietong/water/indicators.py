"""Water indicators that agreement tasks can bind to (published through the domain contract, ``xietong.indicators``)."""

from __future__ import annotations

import datetime as dt

from xietong.config import DISPLAY_TZ
from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.water import service
from xietong.water.classify import classify
from xietong.water.enums import WaterClass
from xietong.water.evaluate import period_mean
from xietong.water.formats import to_wide


def _day_bounds(ctx: Context) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    today = ctx.now.astimezone(DISPLAY_TZ).date()
    first = dt.date.fromisoformat(ctx.params["from"]) if "from" in ctx.params else dt.date(today.year, 1, 1)
    last = dt.date.fromisoformat(ctx.params["to"]) if "to" in ctx.params else today
    start = dt.datetime.combine(first, dt.time(0), DISPLAY_TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), DISPLAY_TZ)
    return first, last, start, end


def _cross_border_meeting_target(ctx: Context) -> Reading:
    """Share of cross-border sections whose period-mean class (single-factor, GB 3838-2002) is at or
    better than their target class."""
    first, last, start, end = _day_bounds(ctx)
    with ctx.store.read() as conn:
        meta = service.sections_frame(conn)
        meta = meta[meta["cross_border"].astype(bool) & meta["target_class"].notna()]
        if "jurisdiction" in ctx.params:
            code = ctx.params["jurisdiction"]
            meta = meta[(meta["from_jurisdiction"] == code) | (meta["to_jurisdiction"] == code)]
        long = service.samples_frame(conn, sections=meta["code"].tolist(), start=start, end=end)
    period = {"first_day": first.isoformat(), "last_day": last.isoformat()}
    long = long[long["time"] < end] if len(long) else long
    if long.empty:
        return Reading(None, None, {"sections_with_samples": 0, "cross_border_sections": len(meta), **period})
    means = period_mean(to_wide(long.assign(unit="")))
    means = means.reset_index() if "section" not in means.columns else means
    info = meta.set_index("code")
    waterbody = info["waterbody"].reindex(means["section"]).to_numpy()
    result = classify(means, waterbody)
    classes = list(result.samples["water_class"])
    targets = [WaterClass(t) for t in info["target_class"].reindex(means["section"])]
    rows = [(str(s), c, t) for s, c, t in zip(means["section"], classes, targets, strict=True) if c is not None]
    if not rows:
        return Reading(None, None, {"sections_with_samples": 0, "cross_border_sections": len(meta), **period})
    meeting = [s for s, c, t in rows if c.rank <= t.rank]
    return Reading(
        value=100.0 * len(meeting) / len(rows),
        as_of=long["time"].max().to_pydatetime().astimezone(dt.UTC),
        details={
            "sections_evaluated": len(rows),
            "sections_meeting_target": len(meeting),
            "cross_border_sections": len(meta),
            "failing": sorted(f"{s} {c.value}>{t.value}" for s, c, t in rows if c.rank > t.rank),
            **period,
        },
    )


def _latest_class(ctx: Context) -> Reading:
    """Worst latest class (rank 1 = I … 6 = worse than V) of the sections a jurisdiction owns.

    For each section of the jurisdiction (and of the places inside it), the GB 3838-2002 class of its most
    recent sample in the year before ``to``; the value is the worst of them, the details list each.
    """
    _first, last, _start, end = _day_bounds(ctx)
    start = end - dt.timedelta(days=LATEST_WINDOW_DAYS)
    code = ctx.params["jurisdiction"]
    with ctx.store.read() as conn:
        meta = service.sections_frame(conn, jurisdiction=code)
        long = service.samples_frame(conn, sections=meta["code"].tolist(), start=start, end=end) if len(meta) else None
    period = {"window_days": LATEST_WINDOW_DAYS, "last_day": last.isoformat(), "sections_owned": len(meta)}
    if long is None or long.empty:
        return Reading(None, None, {**period, "reason": f"no samples of the sections of {code} in the window"})
    classes = service.classify_wide(to_wide(long.assign(unit="")), meta.set_index("code"))
    classes = classes[classes["water_class"].notna()].sort_values("time")
    latest = classes.groupby("section").tail(1)
    if latest.empty:
        return Reading(None, None, {**period, "reason": "no sample could be classified"})
    ranks = {str(r.section): WaterClass(str(r.water_class)).rank for r in latest.itertuples()}
    worst = max(ranks, key=lambda s: ranks[s])
    rivers = meta.set_index("code")["river"]
    return Reading(
        value=float(ranks[worst]),
        as_of=latest["time"].max().to_pydatetime().astimezone(dt.UTC),
        details={
            **period,
            "class": WaterClass.from_rank(ranks[worst]).value,
            "worst_section": worst,
            "river": str(rivers.get(worst, "")),
            "sections": {s: WaterClass.from_rank(r).value for s, r in sorted(ranks.items())},
        },
    )


#: how far back :func:`_latest_class` looks for a section's latest sample [days]
LATEST_WINDOW_DAYS = 366


def indicators() -> list[Indicator]:
    """The water module's indicators."""
    return [
        Indicator(
            key="water.latest_class",
            name="Latest water class of a jurisdiction's sections (worst section)",
            description=(
                "The GB 3838-2002 class (single-factor, 21 items of the 2011 method) of each section's most "
                "recent sample within a year before the day, over the sections the jurisdiction owns; the value "
                "is the worst as a rank, 1 = class I … 5 = class V, 6 = worse than V (details: each section). "
                "Read by the industry siting as the water class of the river receiving a park's city."
            ),
            unit="class rank",
            comparator=Comparator.LE,
            target=3,
            compute=_latest_class,
            params=(
                Param("jurisdiction", ParamKind.JURISDICTION, "the sections' owner (city or province)", True),
                Param("to", ParamKind.DAY, "last day looked at, inclusive; default: today"),
            ),
            module="water",
        ),
        Indicator(
            key="water.cross_border_meeting_target",
            name="Cross-border sections meeting their target class (跨界断面水质达标率)",
            description=(
                "Share of the cross-border sections (cross_border = true, with a target class) whose period-mean "
                "class — GB 3838-2002 single-factor method over the 21 evaluated items of the 2011 method, "
                "full-value comparison — is at or better than the section's target class. Sections without "
                "samples in the period are left out. Default period: this calendar year to date; optionally "
                "only the sections where water leaves or enters one jurisdiction. The shipped Haihe targets "
                "are assumptions (target_class_assumed) until each jurisdiction publishes its own."
            ),
            unit="%",
            comparator=Comparator.GE,
            target=None,
            compute=_cross_border_meeting_target,
            params=(
                Param("jurisdiction", ParamKind.JURISDICTION, "only sections where water leaves or enters it"),
                Param("from", ParamKind.DAY, "first day counted (China Standard Time); default: 1 January"),
                Param("to", ParamKind.DAY, "last day counted, inclusive; default: today"),
            ),
            module="water",
        ),
    ]


__all__ = ["indicators"]
