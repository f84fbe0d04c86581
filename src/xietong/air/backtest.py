"""Warning backtest: replay observed daily city AQI as a perfect forecast under a rule set.

Sources of daily AQI, per city:

* **the store** — the daily city AQI that Xietong computes from the observations held now (all six
  pollutants, HJ 633 by date, evaluation sites only). With the UCI sample loaded this is Beijing.
* **the bundled SpTe2M file** (``xietong/data/spte2m_pm25_daily_jjj_2014_2016.csv.gz``; 13 cities,
  2014-01-01..2016-12-30) — daily city-mean PM2.5 only, turned into a **PM2.5-only AQI**
  (:func:`xietong.air.warning.pm25_aqi_proxy`); exact zeros are missing values; extremes are smoothed by
  the package authors. A city with store data for the period takes the store's.

Each output row says which source it came from.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xietong import region
from xietong.air import key_regions, reports, warning
from xietong.air.reports import AqiRequest, Level, ReportKind
from xietong.errors import InputError
from xietong.exchange.principals import Principal
from xietong.store.session import Store

SPTE2M = "spte2m_pm25_daily_jjj_2014_2016.csv.gz"
SOURCE_STORE = "store: daily city AQI of the evaluation sites (all pollutants)"
SOURCE_SPTE2M = "SpTe2M daily PM2.5 (PM2.5-only AQI)"
#: days read before ``start`` so that an episode already running on ``start`` keeps its level
LOOKBACK_DAYS = 10


def spte2m_daily() -> pd.DataFrame:
    """The bundled 13-city daily PM2.5 file as ``city`` (code), ``date``, ``aqi`` (PM2.5 proxy), ``pm25``."""
    raw = pd.read_csv(resources.files("xietong.data").joinpath(SPTE2M).open("rb"), compression="gzip")
    pm25 = raw["pm25"].astype(float).where(raw["pm25"] != 0)  # exact zeros are missing values
    return pd.DataFrame(
        {
            "city": raw["city"].map(lambda n: region.get(str(n)).code),
            "date": pd.to_datetime(raw["date"]),
            "pm25": pm25,
            "aqi": warning.pm25_aqi_proxy(pm25),
            "source": SOURCE_SPTE2M,
        }
    )


def store_daily(store: Store, principal: Principal, first: date, last: date) -> pd.DataFrame:
    """Daily city AQI from the store for every city with registered stations and data in the period."""
    request = AqiRequest(Level.CITY, ReportKind.DAILY, first, last)
    try:
        table = reports.aqi_table(store, principal, request)
    except InputError:
        return pd.DataFrame(columns=["city", "date", "aqi", "source"])
    local = reports.as_local(table, ReportKind.DAILY)
    out = pd.DataFrame(
        {
            "city": table["city"].astype(str),
            "date": pd.to_datetime(local["time"]),
            "aqi": pd.to_numeric(table["aqi"], errors="coerce").astype(float),
            "source": SOURCE_STORE,
        }
    )
    return out.dropna(subset=["aqi"])


def backtest_timeline(
    store: Store,
    principal: Principal,
    *,
    rules: list[str],
    start: date,
    end: date,
    use_store: bool = True,
) -> pd.DataFrame:
    """Recommended level per city and day under each rule set.

    Columns: ``rules``, ``city`` (short Chinese name: 北京, 石家庄 …), ``city_code``, ``city_en``, ``date``
    (YYYY-MM-DD), ``aqi`` (the daily AQI used), ``level`` (none, blue, yellow, orange, red), ``clause``
    (the rule clause that fired), ``episode``, ``source``.
    """
    if end < start:
        raise InputError("the period is empty", expected="--from on or before --to", given=f"{start} .. {end}")
    for r in rules:
        if r not in warning.rule_sets():
            raise InputError("unknown rule set", expected=", ".join(warning.rule_sets()), given=repr(r))
    first = start - timedelta(days=LOOKBACK_DAYS)
    bundled = spte2m_daily()
    bundled = bundled[(bundled["date"] >= pd.Timestamp(first)) & (bundled["date"] <= pd.Timestamp(end))]
    daily = bundled
    if use_store:
        own = store_daily(store, principal, first, end)
        if not own.empty:
            daily = pd.concat([bundled[~bundled["city"].isin(set(own["city"]))], own], ignore_index=True)
    if daily.empty:
        raise InputError(
            "no daily AQI for the period",
            expected="days inside 2014-01-01..2016-12-30 (the bundled file) or observations in the store",
            given=f"{start} .. {end}",
        )
    daily = daily[daily["city"].map(lambda c: _in_scope(str(c), rules))]
    sources = daily.groupby("city")["source"].first()
    out = warning.backtest(daily[["city", "date", "aqi"]], rules, start=start, end=end)
    out = out[[_in_scope(str(c), [str(r)]) for c, r in zip(out["city"], out["rules"], strict=True)]].copy()
    out["source"] = out["city"].map(sources)
    out["city_code"] = out["city"].astype(str)
    out["city"] = out["city_code"].map(lambda c: city_names(c)[0])
    out["city_en"] = out["city_code"].map(lambda c: city_names(c)[1])
    out["neighbour"] = ~out["city_code"].map(is_jurisdiction).astype(bool)
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    cols = [
        "rules", "city", "city_code", "city_en", "date", "aqi", "level", "clause", "episode", "source", "neighbour",
    ]  # fmt: skip
    out = out[[c for c in cols if c in out.columns]]
    out["level"] = out["level"].astype(str)
    return out.sort_values(["rules", "city_code", "date"], kind="stable").reset_index(drop=True)


def is_jurisdiction(code: str) -> bool:
    """Whether a city code is one of the 15 jurisdictions (the others are read-only neighbours)."""
    found = region.find(code)
    return found is not None and found.jurisdiction


def _in_scope(code: str, rules: list[str]) -> bool:
    """A jurisdiction, or a city of one of the rule sets' key-region lists (xietong/standards/key_regions.toml)."""
    return is_jurisdiction(code) or any(code in key_regions.cities_of_rules(r) for r in rules)


def city_names(code: str) -> tuple[str, str]:
    """Short Chinese name and English name of a city; the national list has no English names (Chinese then)."""
    found = region.find(code)
    if found is not None:
        return found.short_zh, found.name_en
    name = region.display_name(code)
    return name.removesuffix("市"), name


def observed_forecasts(store: Store, principal: Principal, rule_set: str, last: date, days: int) -> pd.DataFrame:
    """The store's observed daily city AQI of ``days`` days up to ``last`` as a perfect forecast frame
    (``city, issued_at, start, end, aqi_low, aqi_high``) for :func:`xietong.air.warning.recommend`: the
    jurisdictions and the rule set's key-region neighbours that have stations and data. Read-only: nothing is
    proposed or stored."""
    if days < 1:
        raise InputError("--days must be at least 1", expected="a number of days >= 1", given=str(days))
    daily = store_daily(store, principal, last - timedelta(days=days - 1), last)
    daily = daily[daily["city"].map(lambda c: _in_scope(str(c), [rule_set]))]
    start = pd.to_datetime(daily["date"]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    issued = pd.Timestamp(last + timedelta(days=1), tz="Asia/Shanghai").tz_convert("UTC")
    return pd.DataFrame(
        {
            "city": daily["city"].astype(str).to_numpy(),
            "issued_at": issued,
            "start": start.to_numpy(),
            "end": (start + pd.Timedelta(hours=24)).to_numpy(),
            "aqi_low": daily["aqi"].to_numpy(),
            "aqi_high": daily["aqi"].to_numpy(),
        }
    )


def summarise(timeline: pd.DataFrame) -> list[dict[str, Any]]:
    """Episodes as rows: rule set, city, first and last day, highest level."""
    rows: list[dict[str, Any]] = []
    active = timeline[timeline["level"] != "none"]
    for (rules, city), part in active.groupby(["rules", "city_code"], sort=True):
        dates = pd.to_datetime(part["date"])
        breaks = np.flatnonzero(np.diff(dates.to_numpy()) > np.timedelta64(1, "D")) + 1
        for chunk in np.split(np.arange(len(part)), breaks):
            sel = part.iloc[chunk]
            rank = sel["level"].map(lambda v: warning.WarningLevel(v).rank)
            rows.append(
                {
                    "rules": rules,
                    "city": city,
                    "city_name": region.display_name(str(city)),
                    "first": sel["date"].iloc[0],
                    "last": sel["date"].iloc[-1],
                    "days": len(sel),
                    "highest": sel["level"].iloc[int(np.argmax(rank.to_numpy()))],
                }
            )
    return rows


def plot_timeline(timeline: pd.DataFrame, path: Path) -> None:
    """A PNG of the timeline: one panel per rule set, one row per city, days coloured by level."""
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional: only this function needs it

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
        from matplotlib.colors import ListedColormap  # noqa: PLC0415
    except ImportError:
        raise InputError("plotting needs matplotlib", hint="pip install matplotlib (it is in the dev extra)") from None
    colours = ["#e9edf1", "#1e6fd9", "#f2c200", "#FF7E00", "#e00000"]
    names = list(dict.fromkeys(timeline["rules"]))
    fig, axes = plt.subplots(
        len(names), 1, figsize=(12, 1.2 + 0.35 * timeline["city"].nunique() * len(names)), squeeze=False
    )
    for ax, name in zip(axes[:, 0], names, strict=True):
        part = timeline[timeline["rules"] == name]
        grid = part.pivot(index="city_code", columns="date", values="level")
        ranks = grid.apply(lambda col: col.map(lambda v: np.nan if pd.isna(v) else warning.WarningLevel(str(v)).rank))
        ax.imshow(
            ranks.to_numpy(dtype=float),
            aspect="auto",
            cmap=ListedColormap(colours),
            vmin=0,
            vmax=4,
            interpolation="nearest",
        )
        ax.set_yticks(range(len(grid.index)), [city_names(str(c))[1] for c in grid.index], fontsize=7)
        ticks = [i for i, d in enumerate(grid.columns) if str(d).endswith(("-01", "-15"))]
        ax.set_xticks(ticks, [str(grid.columns[i]) for i in ticks], fontsize=7)
        ax.set_title(f"{name} (grey none, blue, yellow, orange, red)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


__all__ = [
    "SOURCE_SPTE2M",
    "SOURCE_STORE",
    "backtest_timeline",
    "city_names",
    "is_jurisdiction",
    "observed_forecasts",
    "plot_timeline",
    "spte2m_daily",
    "store_daily",
    "summarise",
]
