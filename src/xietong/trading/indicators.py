"""Trading indicators that agreement tasks can bind to (published through the domain contract).

* ``trading.volume_traded``: units traded in a pilot market in a calendar year [t], summed over the stored
  daily quotes (:func:`xietong.trading.market.volume_traded`).
* ``trading.obligations_met_on_time``: share of the installation-years of a market (optionally of one
  jurisdiction) whose compliance code is A, i.e. enough units surrendered by the deadline with no change
  after it, among the installation-years that have a code [%].
"""

from __future__ import annotations

import datetime as dt

from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.trading import cycle, quotes
from xietong.trading.enums import PilotMarket
from xietong.trading.market import volume_traded


def _year(ctx: Context) -> int:
    return int(float(ctx.params["year"])) if "year" in ctx.params else ctx.now.year - 1


def _volume(ctx: Context) -> Reading:
    market = PilotMarket(ctx.params["market"]).value
    year = _year(ctx)
    frame = quotes.quotes_frame(ctx.store, market=market, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    if frame.empty:
        return Reading(None, None, {"market": market, "year": year, "quoted_days": 0})
    newest = frame["date"].max().to_pydatetime().replace(tzinfo=dt.UTC)
    return Reading(
        volume_traded(frame, market, year),
        newest,
        {"market": market, "year": year, "quoted_days": len(frame), "trading_days": int(frame["traded"].sum())},
    )


def _on_time(ctx: Context) -> Reading:
    year = _year(ctx)
    result = cycle.compliance(
        ctx.store,
        ctx.principal,
        market=ctx.params.get("market"),
        jurisdiction=ctx.params.get("jurisdiction"),
        year=year,
    )
    coded = result.loc[result["code"].notna()]
    details = {"year": year, "installation_years": len(result), "coded": len(coded)}
    if coded.empty:
        return Reading(None, None, details)
    met = int((coded["code"] == "A").sum())
    details |= {"met_on_time": met, "provisional": bool(coded["provisional"].any())}
    return Reading(100.0 * met / len(coded), None, details)


def indicators() -> list[Indicator]:
    """The trading domain's indicators."""
    markets = ", ".join(m.value for m in PilotMarket)
    return [
        Indicator(
            key="trading.volume_traded",
            name="Volume traded in a carbon market in a year (碳市场年成交量)",
            description="Units traded in a Chinese pilot carbon market in one calendar year, the sum of the daily "
            "volumes in the stored quotes (xietong trading quotes ingest); days without a published volume count 0.",
            unit="t",
            comparator=Comparator.GE,
            target=None,
            compute=_volume,
            params=(
                Param("market", ParamKind.TEXT, f"pilot market: {markets}", required=True),
                Param("year", ParamKind.NUMBER, "calendar year; default: last year"),
            ),
            module="trading",
        ),
        Indicator(
            key="trading.obligations_met_on_time",
            name="Share of compliance obligations met on time (按时履约率)",
            description="Share of the installation-years with a compliance code whose code is A: units surrendered "
            "for the year cover the verified emissions at the deadline (cumulated over the period where the "
            "market's rules say so) and nothing changed after it. Computed from the registry's verified "
            "emissions and surrenders under the market's rules in force that year.",
            unit="%",
            comparator=Comparator.GE,
            target=100,
            compute=_on_time,
            params=(
                Param("market", ParamKind.TEXT, "market of the rules files, e.g. beijing_pilot"),
                Param("jurisdiction", ParamKind.JURISDICTION, "only accounts of this jurisdiction"),
                Param("year", ParamKind.NUMBER, "compliance year; default: last year"),
            ),
            module="trading",
        ),
    ]


__all__ = ["indicators"]
