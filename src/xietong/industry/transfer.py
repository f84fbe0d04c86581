"""Technology contracts in the store (I2): import, flows between jurisdictions by year, the Beijing outflow.

Contracts are read by :func:`xietong.industry.techtransfer.read_contracts` (CSV; columns ``contract, seller,
seller_jurisdiction, buyer, buyer_jurisdiction, type, value_cny, date``) and stored as a system-versioned
pair (``industry_tech_contract`` / ``_history``): a contract number seen again with other values is a new
revision. An import is all-or-nothing: any bad cell, or a contract number twice in the file, refuses the
whole file. A contract is published by the jurisdiction of its seller or of its buyer (the technology
markets register the contracts of their sellers; a buyer may record what it buys).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location, PermissionDeniedError, Problem
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.industry import techtransfer
from xietong.industry.service import finish_batch, new_batch, require_publish, versioned_upsert
from xietong.industry.tables import industry_tech_contract, industry_tech_contract_history
from xietong.store.clock import utcnow
from xietong.store.session import Store


def read_file(path: str | Path | IO[str], *, source: str | None = None) -> pd.DataFrame:
    """A contracts file, validated whole: every problem (file, row, field) refuses it."""
    name = source or (Path(path).name if isinstance(path, (str, Path)) else "contracts")
    frame, problems = techtransfer.read_contracts(path, source=name)
    dup = frame["contract"].astype(str).str.strip().duplicated(keep="first")
    problems += [
        Problem("contract number used twice", Location(name, int(r), "contract"), "one row per contract", repr(c))
        for c, r in zip(frame.loc[dup, "contract"], frame.loc[dup, "row"], strict=True)
    ]
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} problem(s) in the contracts of {name}; nothing was written"
        )
    if frame.empty:
        raise InputError("no contracts in the file", expected="at least one row", given="none", where=Location(name))
    return frame


def _may_publish(principal: Principal, seller: str, buyer: str) -> bool:
    return any(region.find(j) is not None and principal.may_act_for(j) for j in (seller, buyer)) or (
        principal.region_level and principal.has(Scope.ADMIN)
    )


def import_contracts(store: Store, principal: Principal, frame: pd.DataFrame, *, source: str) -> dict[str, Any]:
    """Store validated contracts (audited, all-or-nothing)."""
    require_publish(principal, "publish technology contracts")
    for rec in frame.itertuples(index=False):
        if not _may_publish(principal, str(rec.seller_jurisdiction), str(rec.buyer_jurisdiction)):
            raise PermissionDeniedError(
                f"{principal.describe()} may not publish contract {rec.contract} (row {rec.row} of {source})",
                expected=f"a principal of the seller's ({rec.seller_jurisdiction}) or the buyer's "
                f"({rec.buyer_jurisdiction}) jurisdiction",
                hint="nothing was written",
            )
    counts = {"read": len(frame), "new": 0, "revised": 0, "unchanged": 0}
    with actions.audited_write(store, principal, "industry.contracts.import", source) as work:
        conn, now = work.conn, utcnow()
        batch = new_batch(conn, principal, "industry.contracts", "csv", source, now)
        for rec in frame.itertuples(index=False):
            values = {
                "seller": str(rec.seller), "seller_jurisdiction": str(rec.seller_jurisdiction),
                "buyer": str(rec.buyer), "buyer_jurisdiction": str(rec.buyer_jurisdiction), "type": str(rec.type),
                "value_cny": float(str(rec.value_cny)), "signed_on": pd.Timestamp(str(rec.date)).date(),
            }  # fmt: skip
            outcome = versioned_upsert(
                conn,
                (industry_tech_contract, industry_tech_contract_history),
                {"contract": str(rec.contract).strip()},
                values,
                batch_id=batch,
                now=now,
            )
            counts[outcome] += 1
        finish_batch(conn, batch, counts)
        work.target = f"batch {batch}"
        work.detail = {"source": source, **counts}
    return {"batch_id": batch, **counts}


def contracts_frame(store: Store, principal: Principal) -> pd.DataFrame:
    """The stored contracts in the core's layout (``date`` as a timestamp)."""
    principal.require(Scope.READ, "read technology contracts")
    c = industry_tech_contract.c
    q = sa.select(
        c.contract, c.seller, c.seller_jurisdiction, c.buyer, c.buyer_jurisdiction, c.type, c.value_cny,
        c.signed_on.label("date"),
    ).order_by(c.signed_on, c.contract)  # fmt: skip
    with store.read() as conn:
        frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(q)], columns=list(techtransfer.CONTRACT_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value_cny"] = frame["value_cny"].astype("float64")
    return frame


def flows(store: Store, principal: Principal, *, year: int | None = None, level: str = "province") -> pd.DataFrame:
    """``year, from, to, contracts, value_cny`` of the stored contracts (one year, or all)."""
    out = techtransfer.flows(contracts_frame(store, principal), level=level)
    return out if year is None else out[out["year"] == year].reset_index(drop=True)


def matrix(store: Store, principal: Principal, year: int, *, level: str = "province") -> pd.DataFrame:
    """Seller × buyer value [CNY] of ``year``."""
    return techtransfer.flow_matrix(contracts_frame(store, principal), year, level=level)


def beijing_outflow(store: Store, principal: Principal) -> pd.DataFrame:
    """The indicator “technology contracts flowing from Beijing to Tianjin and Hebei” by year, from the store."""
    return techtransfer.beijing_to_tianjin_hebei(contracts_frame(store, principal))


__all__ = ["beijing_outflow", "contracts_frame", "flows", "import_contracts", "matrix", "read_file"]
