"""Market data in the store: the pilot markets' daily quotes, and price and volume series over them.

:func:`ingest_quotes` reads a quotes file with :func:`xietong.trading.formats.read_pilot_quotes` (its quirks:
``-`` for no trade, ``10000 t`` and ``"35,000"`` volumes, Beijing's exchange under two names; rows it refuses
come back as problems naming line and column) and writes one row per market, product and day: a new day is
inserted, a changed one updated, an unchanged one skipped. ``strict=True`` refuses the whole file when any
row was refused. Each market's quotes belong to its jurisdiction; markets outside the region to the region.
:func:`series` runs :func:`xietong.trading.market.market_series` over the stored quotes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading.domain import TradingScope
from xietong.trading.enums import PilotMarket
from xietong.trading.formats import read_pilot_quotes
from xietong.trading.market import FREQUENCIES, market_series
from xietong.trading.registry import require_acts_for
from xietong.trading.tables import trading_quote

PRICE_COLUMNS = ("open_cny_t", "high_cny_t", "low_cny_t", "avg_price_cny_t", "volume_t", "turnover_cny")


def market_owner(market: str) -> str | None:
    """The jurisdiction whose exchange runs ``market`` (``None``: outside the region)."""
    place = region.find(PilotMarket(market).value)
    return place.code if place is not None and place.jurisdiction else None


def _value(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def ingest_quotes(store: Store, principal: Principal, path: Path, *, strict: bool = False) -> dict[str, Any]:
    """Write the quotes of ``path``; returns counts (``read``: rows the reader kept) and the problems of the rows
    it refused (a problem may summarise several rows: "N more rows: …")."""
    principal.require(TradingScope.PUBLISH, "publish market quotes")
    quotes, problems = read_pilot_quotes(Path(path))
    if strict and problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problems in {Path(path).name}; nothing was written")
    for market in sorted(set(quotes["market"])):
        require_acts_for(principal, market_owner(market), f"publish the quotes of the {market} market")
    counts = {"read": len(quotes), "inserted": 0, "updated": 0, "unchanged": 0, "n_problems": len(problems)}
    source = Path(path).name[:200]
    with actions.audited_write(store, principal, "trading.quotes.ingest", f"file {source}") as work:
        conn, now = work.conn, utcnow()
        q = trading_quote
        existing = {
            (r.market, r.product, r.day): r
            for r in conn.execute(sa.select(q).where(q.c.market.in_(sorted(set(quotes["market"])))))
        }
        inserts = []
        for rec in quotes.to_dict("records"):
            key = (rec["market"], rec["product"], rec["date"].date())
            values = {c: _value(rec[c]) for c in PRICE_COLUMNS} | {
                "exchange": rec["exchange"],
                "traded": bool(rec["traded"]),
            }
            old = existing.get(key)
            if old is None:
                inserts.append(
                    {"market": key[0], "product": key[1], "day": key[2], **values, "source": source, "recorded_at": now}
                )
            elif all(getattr(old, k) == v for k, v in values.items()):
                counts["unchanged"] += 1
            else:
                conn.execute(
                    q.update()
                    .where(q.c.market == key[0], q.c.product == key[1], q.c.day == key[2])
                    .values(**values, source=source, recorded_at=now)
                )
                counts["updated"] += 1
        if inserts:
            conn.execute(q.insert(), inserts)
        counts["inserted"] = len(inserts)
        work.detail = dict(counts)
    return counts | {"problems": [p.as_dict() for p in problems[:100]]}


def quotes_frame(
    store: Store, *, market: str | None = None, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Stored quotes in the shape of :func:`read_pilot_quotes` (``date`` as datetime64)."""
    q = trading_quote
    stmt = sa.select(q).order_by(q.c.market, q.c.product, q.c.day)
    if market:
        stmt = stmt.where(q.c.market == PilotMarket(market).value)
    if start:
        stmt = stmt.where(q.c.day >= start)
    if end:
        stmt = stmt.where(q.c.day <= end)
    cols = [c.name for c in q.columns]
    with store.read() as conn:
        frame = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=cols)
    frame["date"] = pd.to_datetime(frame["day"])
    for c in PRICE_COLUMNS:
        frame[c] = frame[c].astype(np.float64)
    frame["traded"] = frame["traded"].astype(bool)
    return frame.drop(columns=["day"])


def series(
    store: Store,
    principal: Principal,
    *,
    market: str | None = None,
    freq: str = "month",
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Volume [t], turnover [CNY], volume-weighted price [CNY/t] and trading days per market and period."""
    principal.require(Scope.READ, "read market data")
    if freq not in FREQUENCIES:
        raise InputError(
            "unknown frequency", expected=", ".join(FREQUENCIES), given=repr(freq), where=Location(field="freq")
        )
    if market is not None and market not in {m.value for m in PilotMarket}:
        raise InputError(
            "unknown market",
            expected=", ".join(m.value for m in PilotMarket),
            given=repr(market),
            where=Location(field="market"),
        )
    frame = quotes_frame(store, market=market, start=start, end=end)
    if frame.empty:
        return pd.DataFrame(
            columns=["market", "period", "volume_t", "turnover_cny", "trading_days", "quoted_days", "price_cny_t"]
        )
    out = market_series(frame, freq=freq)
    out["period"] = out["period"].astype(str)
    return out


__all__ = ["PRICE_COLUMNS", "ingest_quotes", "market_owner", "quotes_frame", "series"]
