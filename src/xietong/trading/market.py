"""Price and volume series of the pilot markets, from the quotes of :func:`xietong.trading.formats.read_pilot_quotes`.

Pure and vectorised. The price of a period is the volume-weighted mean of the daily average prices
(days without a published volume or price do not count); volumes and turnovers are sums [t, CNY].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xietong.errors import InputError, Location
from xietong.trading.enums import PilotMarket

#: pandas period aliases accepted by :func:`market_series`
FREQUENCIES: dict[str, str] = {"day": "D", "month": "M", "quarter": "Q", "year": "Y"}


def market_series(quotes: pd.DataFrame, *, freq: str = "month") -> pd.DataFrame:
    """Per market and period (``day``, ``month``, ``quarter`` or ``year``): ``volume_t``, ``turnover_cny``,
    ``price_cny_t`` (volume-weighted mean of the daily average prices), ``trading_days`` (days with a
    volume > 0) and ``quoted_days`` (rows in the quotes)."""
    if freq not in FREQUENCIES:
        raise InputError(
            "unknown frequency", expected=", ".join(FREQUENCIES), given=repr(freq), where=Location(field="freq")
        )
    q = quotes.assign(
        period=quotes["date"].dt.to_period(FREQUENCIES[freq]),
        volume_t=quotes["volume_t"].fillna(0.0),
        turnover_cny=quotes["turnover_cny"].fillna(0.0),
    )
    priced = q["avg_price_cny_t"].notna() & (q["volume_t"] > 0)
    q["weighted"] = np.where(priced, q["avg_price_cny_t"].fillna(0.0) * q["volume_t"], 0.0)
    q["weight"] = np.where(priced, q["volume_t"], 0.0)
    g = q.groupby(["market", "period"], sort=True)
    out = pd.DataFrame(
        {
            "volume_t": g["volume_t"].sum(),
            "turnover_cny": g["turnover_cny"].sum(),
            "trading_days": g["traded"].sum().astype(np.int64),
            "quoted_days": g.size().astype(np.int64),
        }
    )
    weight = g["weight"].sum()
    out["price_cny_t"] = (g["weighted"].sum() / weight).where(weight > 0)
    return out.reset_index()


def volume_traded(quotes: pd.DataFrame, market: PilotMarket | str, year: int) -> float:
    """Units traded in ``market`` in calendar ``year`` [t] (an indicator for agreement tasks)."""
    m = PilotMarket(market).value
    sel = (quotes["market"] == m) & (quotes["date"].dt.year == year)
    return float(quotes.loc[sel, "volume_t"].fillna(0.0).sum())


__all__ = ["FREQUENCIES", "market_series", "volume_traded"]
