"""Backtest of the heavy-pollution warning rule sets on winter 2016-17, observed AQI as a perfect forecast.

Reads the shared real data (never bundled with the package):

* ``spte2m_pm25_daily_jjj_2014_2016.csv``: daily city-mean PM2.5 of the 13 Jing-Jin-Ji cities
  (2014-01-01..2016-12-30; exact zeros are missing values; extremes smoothed by the package authors).
* ``beijing_multisite_uci/PRSA_Data_<site>_20130301-20170228.csv``: hourly PM2.5 at 12 Beijing sites. The
  11 urban/suburban sites make Beijing's city value; Dingling (1002A) is the background site and is left
  out. A site-day counts with >= 20 valid hours (GB 3095-2012 Table 4 [C:S9]); the city value is the mean of
  the valid site-days.

The daily AQI is a **PM2.5-only proxy** (:func:`xietong.air.warning.pm25_aqi_proxy`, HJ 633-2012 PM2.5
24-h IAQI): a lower bound of the real AQI. Episodes are found on the whole record, then clipped to the
report period, and written as ``docs/warning-backtest-2016-17.md`` with a PNG plot. matplotlib is needed
only here (``pip install -e '.[dev]'``).

    .venv/bin/python scripts/warning_backtest.py [--data ../shared/data/air] [--from 2016-12-01 --to 2017-01-31]
        [--rules key-regions-2024 ...] [--csv timeline.csv]
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from xietong import region
from xietong.air.warning import WarningLevel, backtest, load_rules, pm25_aqi_proxy, recommend, rule_sets

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "air"
SPTE2M = "spte2m_pm25_daily_jjj_2014_2016.csv"
UCI_DIR = "beijing_multisite_uci"
UCI_BACKGROUND_SITE = "Dingling"  # 1002A, the background site of Beijing's national-control network
MIN_HOURS_PER_DAY = 20  # GB 3095-2012 Table 4: a valid 24-h mean needs >= 20 hourly values [C:S9]

CHAR = {"none": ".", "blue": "B", "yellow": "Y", "orange": "O", "red": "R"}
COLOUR = {"none": "#f2f2f2", "blue": "#3b7dd8", "yellow": "#f5d000", "orange": "#ff7e00", "red": "#d7191c"}
UCI_SERIES = "Beijing (UCI, 11 sites)"


def read_spte2m(path: Path) -> pd.DataFrame:
    """Daily AQI proxy of the 13 cities: ``series``, ``city``, ``date``, ``pm25_ug_m3``, ``aqi``."""
    raw = pd.read_csv(path, usecols=["city", "date_derived", "pm25_daily"])
    pm25 = raw["pm25_daily"].astype(float).where(raw["pm25_daily"] != 0)  # exact zeros are missing values
    out = pd.DataFrame(
        {
            "series": raw["city"].astype(str) + " (SpTe2M)",
            "city": raw["city"].astype(str),
            "date": pd.to_datetime(raw["date_derived"]).dt.date,
            "pm25_ug_m3": pm25,
        }
    )
    out["aqi"] = pm25_aqi_proxy(out["pm25_ug_m3"])
    return out


def read_uci_hourly(folder: Path) -> pd.DataFrame:
    """Hourly PM2.5 of the 11 non-background UCI sites: ``station``, ``time`` (local), ``pm25_ug_m3``.

    The UCI ``hour`` (0-23, China Standard Time) is taken as the start of the averaging hour (assumption).
    """
    frames = []
    for path in sorted(folder.glob("PRSA_Data_*_*.csv")):
        if UCI_BACKGROUND_SITE in path.name:
            continue
        frames.append(pd.read_csv(path, usecols=["year", "month", "day", "hour", "PM2.5", "station"]))
    raw = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(
        {
            "station": raw["station"],
            "time": pd.to_datetime(raw[["year", "month", "day", "hour"]]),
            "pm25_ug_m3": raw["PM2.5"].astype(float),
        }
    )


def uci_daily(hourly: pd.DataFrame) -> pd.DataFrame:
    """Beijing daily AQI proxy: valid site-days (>= 20 h), their mean, then the PM2.5 IAQI."""
    day = hourly["time"].dt.date
    site_day = hourly.groupby(["station", day])["pm25_ug_m3"].agg(["mean", "count"])
    valid = site_day[site_day["count"] >= MIN_HOURS_PER_DAY]["mean"]
    city_day = valid.groupby(level=1).agg(["mean", "count"])
    out = pd.DataFrame(
        {
            "series": UCI_SERIES,
            "city": "Beijing",
            "date": city_day.index,
            "pm25_ug_m3": city_day["mean"].to_numpy(),
            "sites": city_day["count"].to_numpy(),
        }
    )
    out["aqi"] = pm25_aqi_proxy(out["pm25_ug_m3"])
    return out.reset_index(drop=True)


def uci_rolling_windows(hourly: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """Beijing 24-h rolling windows, one starting every hour: a forecast frame for recommend().

    City hourly value = mean of the sites reporting that hour; a window needs >= 20 of its 24 hours.
    """
    city = hourly.groupby("time")["pm25_ug_m3"].mean().asfreq("h")
    mean24 = city.rolling(24, min_periods=MIN_HOURS_PER_DAY).mean()  # value at t covers [t-23 h, t+1 h)
    start = (mean24.index - pd.Timedelta(hours=23)).tz_localize("Asia/Shanghai")
    frame = pd.DataFrame(
        {
            "city": "Beijing",
            "start": start,
            "end": start + pd.Timedelta(hours=24),
            "aqi_high": pm25_aqi_proxy(mean24.to_numpy()),
        }
    )
    frame["aqi_low"] = frame["aqi_high"]
    keep = (frame["start"] >= pd.Timestamp(first, tz="Asia/Shanghai")) & (
        frame["end"] <= pd.Timestamp(last, tz="Asia/Shanghai") + pd.Timedelta(days=1)
    )
    frame = frame[keep & frame["aqi_high"].notna()].reset_index(drop=True)
    frame["issued_at"] = frame["start"].min()
    return frame


def rolling_episodes(windows: pd.DataFrame, rules: list[str], start: date, end: date) -> pd.DataFrame:
    """recommend() on the rolling windows, episodes overlapping the period, times in +08:00."""
    rows = []
    lo = pd.Timestamp(start, tz="Asia/Shanghai")
    hi = pd.Timestamp(end, tz="Asia/Shanghai") + pd.Timedelta(days=1)
    for r in rules:
        if not load_rules(r).rolling_windows:
            continue
        rec = recommend(windows, r)
        rec = rec[(rec["level"] != "none") & (rec["end"] > lo) & (rec["start"] < hi)]
        for _, row in rec.iterrows():
            rows.append(
                {
                    "rules": r,
                    "start (+08:00)": row["start"].tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M"),
                    "end (+08:00)": row["end"].tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M"),
                    "hours": int((row["end"] - row["start"]) / pd.Timedelta(hours=1)),
                    "level": str(row["level"]),
                    "clause": row["clause"],
                    "max AQI": f"{row['max_aqi_high']:.0f}",
                }
            )
    return pd.DataFrame(rows)


def timelines(series: pd.DataFrame, rules: list[str], start: date, end: date) -> pd.DataFrame:
    """backtest() per data series (two series may be the same city), with the series name kept."""
    parts = []
    for name, group in series.groupby("series", sort=False):
        bt = backtest(group[["city", "date", "aqi"]], rules, start=start, end=end)
        bt.insert(0, "series", name)
        parts.append(bt)
    return pd.concat(parts, ignore_index=True)


def episode_table(tl: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per series, rule set and episode inside the period (first and last day, level, clause)."""
    inside = tl[tl["episode"].notna()]
    if inside.empty:
        return pd.DataFrame(columns=["rules", "series", "first day", "last day", "days", "level", "clause", "max AQI"])
    grouped = inside.groupby(["rules", "series", "episode"], sort=False)
    out = grouped.agg(
        first=("date", "min"),
        last=("date", "max"),
        days=("date", "size"),
        level=("level", "first"),
        clause=("clause", "first"),
        max_aqi=("aqi", "max"),
    ).reset_index()
    out["first day"] = out["first"].dt.strftime("%Y-%m-%d")
    out["last day"] = out["last"].dt.strftime("%Y-%m-%d")
    out["max AQI"] = out["max_aqi"].map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    rank = {name: i for i, name in enumerate(order)}
    out = out.sort_values(
        ["rules", "series", "first"], key=lambda c: c.map(rank) if c.name == "series" else c, kind="stable"
    )
    out = out.sort_values(
        "rules", key=lambda c: c.map({r: i for i, r in enumerate(dict.fromkeys(tl["rules"]))}), kind="stable"
    )
    return out[["rules", "series", "first day", "last day", "days", "level", "clause", "max AQI"]]


def ruler(days: pd.DatetimeIndex, width: int) -> list[str]:
    """Two header lines: labels on the 1st (MM-DD), 10th and 20th of each month, and a tick line."""
    top = [" "] * len(days)
    for k, d in enumerate(days):
        if d.day in (1, 10, 20):
            label = d.strftime("%m-%d") if d.day == 1 else f"{d.day}"
            for j, ch in enumerate(label):
                if k + j < len(days):
                    top[k + j] = ch
    ticks = ["|" if d.day == 1 else ("'" if d.day in (10, 20) else " ") for d in days]
    return [" " * width + "".join(top).rstrip(), " " * width + "".join(ticks).rstrip()]


def ascii_timeline(tl: pd.DataFrame, rules: str, days: pd.DatetimeIndex, order: list[str]) -> str:
    width = max(len(s) for s in order) + 2
    lines = ruler(days, width)
    sub = tl[tl["rules"] == rules]
    for name in order:
        rows = sub[sub["series"] == name].set_index("date")
        chars = []
        for d in days:
            if d not in rows.index:
                chars.append(" ")  # outside the record
                continue
            r = rows.loc[d]
            lvl = str(r["level"])
            chars.append("-" if lvl == "none" and pd.isna(r["aqi"]) else CHAR[lvl])
        lines.append((name.ljust(width) + "".join(chars)).rstrip())
    return "\n".join(lines)


def level_counts(tl: pd.DataFrame, order: list[str], rules: list[str]) -> str:
    """Markdown table: per series, the number of days per level under each rule set (e.g. R5 O2)."""
    head = "| series | " + " | ".join(rules) + " |"
    lines = [head, "|" + "---|" * (len(rules) + 1)]
    for name in order:
        cells = []
        for r in rules:
            sub = tl[(tl["series"] == name) & (tl["rules"] == r)]
            counts = sub["level"].value_counts()
            text = " ".join(
                f"{CHAR[lvl.value]}{int(counts.get(lvl.value, 0))}"
                for lvl in reversed(WarningLevel)
                if lvl is not WarningLevel.NONE and counts.get(lvl.value, 0)
            )
            cells.append(text or "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(tl: pd.DataFrame, rules: list[str], days: pd.DatetimeIndex, order: list[str], path: Path) -> None:
    import matplotlib as mpl  # noqa: PLC0415 (optional dependency of this script only)

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.colors import ListedColormap  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    levels = [lvl.value for lvl in WarningLevel]
    cmap = ListedColormap([COLOUR[v] for v in levels])
    cmap.set_bad("white")
    fig, axes = plt.subplots(len(rules), 1, figsize=(13, 3.2 * len(rules)), sharex=True, constrained_layout=True)
    axes = np.atleast_1d(axes)
    for ax, r in zip(axes, rules, strict=True):
        grid = np.full((len(order), len(days)), np.nan)
        missing = np.zeros_like(grid, dtype=bool)
        sub = tl[tl["rules"] == r]
        for i, name in enumerate(order):
            rows = sub[sub["series"] == name].set_index("date")
            for k, d in enumerate(days):
                if d in rows.index:
                    lvl = str(rows.loc[d, "level"])
                    grid[i, k] = levels.index(lvl)
                    missing[i, k] = lvl == "none" and pd.isna(rows.loc[d, "aqi"])
        masked = np.ma.masked_invalid(np.where(missing, np.nan, grid))
        ax.imshow(masked, aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(levels) - 0.5, interpolation="nearest")
        ys, xs = np.nonzero(missing)
        ax.scatter(xs, ys, marker="x", s=10, color="#888888", linewidths=0.8)
        ax.set_yticks(range(len(order)), order, fontsize=7)
        levels_text = ", ".join(lvl.value for lvl in load_rules(r).levels)
        ax.set_title(f"{r} ({levels_text})", fontsize=9, loc="left")
        ticks = [k for k, d in enumerate(days) if d.day in (1, 10, 20)]
        ax.set_xticks(ticks, [days[k].strftime("%m-%d") for k in ticks], fontsize=7)
        ax.set_xticks(np.arange(-0.5, len(days)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(order)), minor=True)
        ax.grid(which="minor", color="white", linewidth=0.4)
        ax.tick_params(which="minor", length=0)
    handles = [Patch(color=COLOUR[v], label=v) for v in levels]
    handles.append(Patch(facecolor="white", edgecolor="#888888", label="no data (x: missing day)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle("Recommended warning level per day, observed PM2.5-only AQI proxy as a perfect forecast", fontsize=10)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def report(
    tl: pd.DataFrame,
    series: pd.DataFrame,
    rolling: pd.DataFrame,
    rules: list[str],
    start: date,
    end: date,
    order: list[str],
    png_name: str,
    data: Path,
) -> str:
    days = pd.date_range(start, end, freq="D")
    eps = episode_table(tl, order)
    uci = series[(series["series"] == UCI_SERIES) & (series["date"] >= start) & (series["date"] <= end)]
    bj = tl[(tl["series"] == UCI_SERIES)]
    bj_eps = eps[eps["series"] == UCI_SERIES]
    spte_last = series.loc[series["series"] != UCI_SERIES, "date"].max()
    lines = [
        "# Warning backtest, winter 2016-17",
        "",
        f"Generated by `scripts/warning_backtest.py` from `{data.name}/` in the shared data folder. "
        f"Period {start} to {end}. Each rule set is applied to the same days, as if the observed daily AQI had "
        "been forecast exactly (a perfect forecast, natural days 00:00–24:00 China Standard Time). Only "
        "`jjj-2016` was in force then; the other rule sets show what the later rules would have recommended. "
        "Rules and switches: [docs/warning.md](warning.md).",
        "",
        "**Read with care**",
        "",
        "* The daily AQI here is a **PM2.5-only proxy**: the HJ 633-2012 PM2.5 24-h IAQI "
        "(`xietong.air.warning.pm25_aqi_proxy`). The real AQI is the maximum over six pollutants, so the "
        "proxy is a lower bound; in these winter episodes PM2.5 is the primary pollutant almost every day.",
        f"* The 13-city series are the SpTe2M daily city means (`{SPTE2M}`): they end on "
        f"**{spte_last}**, exact zeros are missing values (shown `-`), and the package authors smoothed the "
        "extremes (Beijing 2015-12-01: 266 µg/m³ there vs 473 from the UCI sites), so their peaks and "
        "therefore their levels are understated.",
        f"* `{UCI_SERIES}` is Beijing's city value from the 11 non-background sites of the UCI Beijing "
        "Multi-Site data (Dingling, the background site, is left out); a site-day needs ≥ 20 hourly values "
        f"(GB 3095-2012 Table 4). Sites per day in the period: {int(uci['sites'].min())}–"
        f"{int(uci['sites'].max())}.",
        "* Episodes are found on the whole record (2013/2014 onwards), then clipped to the period, so an "
        "episode running into the period keeps its level.",
        "",
        f"![timeline]({png_name})",
        "",
        "## Beijing, December 2016",
        "",
        "Daily PM2.5 (UCI, µg/m³) and AQI proxy, 2016-12-14..2016-12-23:",
        "",
        "| day | " + " | ".join(d.strftime("%m-%d") for d in pd.date_range("2016-12-14", "2016-12-23")) + " |",
        "|---|" + "---|" * 10,
    ]
    week = uci[(uci["date"] >= date(2016, 12, 14)) & (uci["date"] <= date(2016, 12, 23))]
    lines.append("| PM2.5 | " + " | ".join(f"{v:.0f}" for v in week["pm25_ug_m3"]) + " |")
    lines.append("| AQI proxy | " + " | ".join(f"{v:.0f}" for v in week["aqi"]) + " |")
    for r in rules:
        row = bj[bj["rules"] == r].set_index("date")
        lines.append(
            f"| {r} | " + " | ".join(str(row.loc[d, "level"]) for d in pd.date_range("2016-12-14", "2016-12-23")) + " |"
        )
    lines += ["", _named_episode(bj_eps, rolling, date(2016, 12, 16), date(2016, 12, 21))]
    lines += ["", "Beijing (UCI) episodes in the period:", "", _markdown(bj_eps.drop(columns="series")), ""]
    lines += [
        "The same Beijing data as **rolling 24-h windows**, one starting every hour (the 2017 rule: a daily AQI "
        "may be any 24 consecutive hours [S13]; a window needs ≥ 20 hourly city values), through `recommend()`. "
        "`jjj-2016` takes natural days only and is left out. Episodes overlapping the period:",
        "",
        _markdown(rolling),
        "",
    ]
    lines += [
        "## Days per level",
        "",
        "Number of days in the period at each level (R red, O orange, Y yellow, B blue; — none).",
        "",
        level_counts(tl, order, rules),
        "",
        "## Timelines",
        "",
        "One character per day: `.` none, `B` blue, `Y` yellow, `O` orange, `R` red, `-` missing AQI, "
        "blank outside the record. Column marks: `|` first of a month (labelled MM-DD), `'` the 10th and 20th.",
        "",
    ]
    for r in rules:
        lines += [f"### {r}", "", "```", ascii_timeline(tl, r, days, order), "```", ""]
    lines += ["## Episodes", "", "First and last day inside the period.", ""]
    for r in rules:
        lines += [f"### {r}", "", _markdown(eps[eps["rules"] == r].drop(columns="rules")), ""]
    return "\n".join(lines)


def _named_episode(daily_eps: pd.DataFrame, rolling: pd.DataFrame, first: date, last: date) -> str:
    """One sentence per rule set: how the episode of first..last shows in the Beijing (UCI) results."""
    parts = []
    for r, group in daily_eps.groupby("rules", sort=False):
        hit = group[(group["first day"] <= str(last)) & (group["last day"] >= str(first))]
        text = "; ".join(f"{h['level']} {h['first day']}..{h['last day']} ({h['clause']})" for _, h in hit.iterrows())
        roll = rolling[rolling["rules"] == r] if not rolling.empty else rolling
        roll = roll[
            (roll.get("start (+08:00)", pd.Series(dtype=str)) <= f"{last} 24:00")
            & (roll.get("end (+08:00)", pd.Series(dtype=str)) >= f"{first} 00:00")
        ]
        if not roll.empty:
            text += "; rolling windows: " + "; ".join(
                f"{h['level']} {h['start (+08:00)']} to {h['end (+08:00)']}" for _, h in roll.iterrows()
            )
        parts.append(f"* `{r}`: {text or 'no warning'}")
    return (
        f"**The {first}..{last} episode** in the Beijing (UCI) series (natural days, then hourly rolling 24-h windows):\n\n"
        + "\n".join(parts)
    )


def _markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    cols = list(frame.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        out.append("| " + " | ".join("" if pd.isna(row[c]) else str(row[c]) for c in cols) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the shared air data")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=date(2016, 12, 1))
    parser.add_argument("--to", dest="end", type=date.fromisoformat, default=date(2017, 1, 31))
    parser.add_argument("--rules", nargs="*", default=list(rule_sets()), help="rule-set ids (default: all)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "warning-backtest-2016-17.md")
    parser.add_argument("--csv", type=Path, default=None, help="also write the long timeline as CSV")
    args = parser.parse_args(argv)

    spte = read_spte2m(args.data / SPTE2M)
    hourly = read_uci_hourly(args.data / UCI_DIR)
    uci = uci_daily(hourly)
    rolling = rolling_episodes(
        uci_rolling_windows(hourly, args.start - timedelta(days=20), args.end), args.rules, args.start, args.end
    )
    series = pd.concat([uci, spte], ignore_index=True)
    order = [UCI_SERIES, *sorted(spte["series"].unique(), key=lambda s: region.get(s.split(" (")[0]).code)]
    tl = timelines(series, args.rules, args.start, args.end)

    png = args.out.with_suffix(".png")
    plot(tl, args.rules, pd.date_range(args.start, args.end, freq="D"), order, png)
    args.out.write_text(
        report(tl, series, rolling, args.rules, args.start, args.end, order, png.name, args.data) + "\n",
        encoding="utf-8",
    )
    if args.csv is not None:
        tl.to_csv(args.csv, index=False)
    print(f"wrote {args.out} and {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
