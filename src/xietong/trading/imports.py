"""Import a published registry (EUTL wide tables, UK ETS compliance report) into the store.

``xietong trading replay … --store`` calls :func:`import_registry` after the replay: each installation
becomes an operator holding account owned by the region (``EU-<account id>``, ``UK-<account id>``; market
``eu_ets`` / ``uk_ets``), each installation-year a row of ``trading_installation_year`` with the verified
emissions, and the allocation, surrenders and code the registry published (``*_external_t``,
``published_code``; their units are not held in this registry). ``xietong trading compliance --market
eu_ets`` then computes the same codes from the store as the replay did from the files.

UK surrenders are published only as a cumulative total at the report's date; as in
:func:`xietong.trading.replay.replay_uk_ets` they are recorded in the replayed year.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from xietong.enums import Scope
from xietong.errors import InputError, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading.cycle import IMPORTED, upsert_years
from xietong.trading.enums import AccountKind, TradingFormat
from xietong.trading.formats import RegistryTables
from xietong.trading.tables import trading_account

PREFIX = {TradingFormat.EUTL: "EU", TradingFormat.UK_ETS: "UK"}
MARKET = {TradingFormat.EUTL: "eu_ets", TradingFormat.UK_ETS: "uk_ets"}


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def _accounts(tables: RegistryTables, fmt: TradingFormat) -> list[dict[str, Any]]:
    inst = tables.installations
    key = "account_id" if fmt is TradingFormat.EUTL else "installation"
    out = []
    for rec in inst.dropna(subset=[key]).drop_duplicates(key).to_dict("records"):
        name = rec.get("installation_name") or rec.get("account_holder_name") or ""
        out.append(
            {
                "code": f"{PREFIX[fmt]}-{int(rec[key])}",
                "name": str(name)[:200] or str(rec[key]),
                "installation": str(int(rec[key])),
            }
        )
    return out


def _years(tables: RegistryTables, fmt: TradingFormat, year: int | None) -> list[dict[str, Any]]:
    y = tables.installation_years
    if fmt is TradingFormat.UK_ETS:
        if year is None:
            raise InputError("a UK ETS import needs the report year", expected="--year 2024", given="none")
        acc = tables.installations.set_index("installation")
        y = y.loc[y["year"] <= year].assign(
            surrendered_t=lambda f: (
                (f["year"] == year) * f["installation"].map(acc["cumulative_surrenders_t"]).fillna(0.0)
            ),
            published_code=y["published_status"],
        )
    rows = []
    for rec in y.to_dict("records"):
        rows.append(
            {
                "account": f"{PREFIX[fmt]}-{int(rec['installation'])}",
                "year": int(rec["year"]),
                "verified_t": _num(rec.get("verified_t")),
                "emissions_state": str(rec["emissions_state"]),
                "verifier": None,
                "verified_on": None,
                "allocated_external_t": _num(rec.get("allocated_t")),
                "surrendered_external_t": _num(rec.get("surrendered_t")),
                "published_code": None if pd.isna(rec.get("published_code")) else str(rec.get("published_code")),
            }
        )
    return rows


def import_registry(
    store: Store,
    principal: Principal,
    tables: RegistryTables,
    fmt: TradingFormat | str,
    *,
    source: str,
    year: int | None = None,
) -> dict[str, int]:
    """Write the registry's accounts and installation-years (region-owned; a region-level administrator
    only). Importing the same tables again changes nothing."""
    fmt = TradingFormat(fmt)
    if fmt not in PREFIX:
        raise InputError("only registry tables can be imported", expected="eutl or uk-ets", given=fmt.value)
    principal.require(Scope.ADMIN, "import an outside registry")
    if not principal.region_level:
        raise PermissionDeniedError(
            "accounts of an outside registry belong to the region",
            expected="a region-level administrator",
            given=principal.describe(),
        )
    accounts = _accounts(tables, fmt)
    rows = _years(tables, fmt, year)
    label = f"{IMPORTED}{fmt.value} {Path(source).name}"
    with actions.audited_write(store, principal, "trading.registry.import", label[:200]) as work:
        have = {
            r[0]
            for r in work.conn.execute(
                sa.select(trading_account.c.code).where(trading_account.c.code.like(f"{PREFIX[fmt]}-%"))
            )
        }
        new = [a for a in accounts if a["code"] not in have]
        now = utcnow()
        if new:
            work.conn.execute(
                trading_account.insert(),
                [
                    a
                    | {
                        "kind": AccountKind.OPERATOR_HOLDING.value,
                        "jurisdiction_code": None,
                        "market": MARKET[fmt],
                        "created_by": principal.name,
                        "created_at": now,
                    }
                    for a in new
                ],
            )
        counts = upsert_years(work.conn, rows, principal=principal, source=label)
        counts["accounts_added"] = len(new)
        work.detail = counts
    return counts


__all__ = ["MARKET", "PREFIX", "import_registry"]
