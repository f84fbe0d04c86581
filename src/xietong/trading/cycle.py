"""The compliance cycle from the store: verified emissions, surrenders, codes, statements, what is owed.

* :func:`record_emissions` enters verified emissions per account and year (verifier, date), keeping every
  earlier revision (``trading_installation_year_history``); only the account's jurisdiction may.
* :func:`installation_years` builds the compliance engine's input from the store: verified emissions,
  units surrendered for each year by surrender operations (and, for accounts imported from an outside
  registry, the surrenders it published), the part surrendered after the deadline, whether the emissions
  were entered, verified or corrected after the deadline.
* :func:`compliance` runs :func:`xietong.trading.compliance.compliance_status` per market (the edition in
  force each year) and adds the account's owner; ``provisional`` marks years whose deadline has not passed.
* :func:`account_statement` / :func:`jurisdiction_statement`: holdings by unit type and state, the
  compliance years, the operations; :func:`remind` queues ``trading.deadline.approaching`` once per account
  and year that still owes units as the deadline nears.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location, Problem
from xietong.exchange import actions, notify
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading import oplog, registry, rules
from xietong.trading.compliance import compliance_status
from xietong.trading.domain import TradingEvent, TradingScope
from xietong.trading.enums import AccountKind, EmissionsState, OperationKind
from xietong.trading.registry import Account
from xietong.trading.service import today_cst
from xietong.trading.tables import (
    trading_account,
    trading_block,
    trading_installation_year,
    trading_installation_year_history,
    trading_notice,
    trading_operation,
)

#: ``source`` prefix of installation-years imported from an outside registry (their lateness is unknown)
IMPORTED = "import "


def _emission_record(rec: Mapping[str, Any], i: int, source: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(field: str, expected: str) -> None:
        problems.append(Problem(f"invalid {field}", Location(source, i + 1, field), expected, repr(rec.get(field))))

    year = rec.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        bad("year", "a year such as 2026")
    value = rec.get("verified_t")
    verified: float | None = None
    if value is not None and value != "":
        try:
            verified = float(value)
        except (TypeError, ValueError):
            verified = math.nan
        if not (math.isfinite(verified) and verified >= 0):
            bad("verified_t", "verified emissions >= 0 [t CO2e]")
    state_text = rec.get("emissions_state") or (EmissionsState.REPORTED.value if verified is not None else None)
    states = {s.value for s in EmissionsState}
    if state_text not in states or (state_text == EmissionsState.REPORTED.value) != (verified is not None):
        bad("emissions_state", "reported with a figure, or not_reported / excluded / absent without one")
    on = rec.get("verified_on")
    try:
        verified_on = date.fromisoformat(str(on)) if on else None
    except ValueError:
        verified_on = None
        bad("verified_on", "a date YYYY-MM-DD")
    if not str(rec.get("account") or "").strip():
        bad("account", "an account code")
    if problems:
        return None, problems
    return {
        "account": str(rec["account"]).strip(),
        "year": year,
        "verified_t": verified,
        "emissions_state": state_text,
        "verifier": (str(rec.get("verifier")).strip() or None) if rec.get("verifier") else None,
        "verified_on": verified_on,
    }, []


def record_emissions(
    store: Store, principal: Principal, records: Sequence[Mapping[str, Any]], *, source: str = "api"
) -> dict[str, int]:
    """Enter verified emissions (``account``, ``year``, ``verified_t`` [t CO2e] or ``emissions_state``,
    ``verifier``, ``verified_on``). All-or-nothing: one bad row refuses the batch, naming row and field.
    An unchanged row changes nothing; a changed one becomes a new revision (the earlier one is kept)."""
    principal.require(TradingScope.PUBLISH, "enter verified emissions")
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, rec in enumerate(records):
        row, found = _emission_record(rec, i, source)
        problems += found
        if row is not None:
            rows.append(row)
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} invalid emission rows in {source}; nothing was written"
        )
    with actions.audited_write(store, principal, "trading.emissions.record", f"emissions from {source}"[:200]) as work:
        for code in sorted({r["account"] for r in rows}):
            acc = registry.get_account(work.conn, code)
            registry.require_acts_for(principal, acc.jurisdiction, f"enter emissions of account {acc.code}")
        counts = upsert_years(work.conn, rows, principal=principal, source=source)
        work.detail = {"source": source, **counts}
    return counts


YEAR_VALUES = (
    "verified_t",
    "emissions_state",
    "verifier",
    "verified_on",
    "allocated_external_t",
    "surrendered_external_t",
    "published_code",
)


def upsert_years(
    conn: Connection, rows: Sequence[Mapping[str, Any]], *, principal: Principal, source: str
) -> dict[str, int]:
    """Write installation-year rows (``account``, ``year`` and any of :data:`YEAR_VALUES`): new rows are
    inserted, unchanged ones skipped, changed ones revised with the earlier revision kept in the history."""
    iy = trading_installation_year
    now = utcnow()
    codes = sorted({r["account"] for r in rows})
    existing: dict[tuple[str, int], Any] = {}
    for i in range(0, len(codes), 500):
        for found in conn.execute(sa.select(iy).where(iy.c.account.in_(codes[i : i + 500]))):
            existing[(found.account, found.year)] = found
    counts = {"read": len(rows), "written": 0, "unchanged": 0, "revised": 0}
    inserts, history = [], []
    for row in rows:
        values = {k: row.get(k) for k in YEAR_VALUES}
        old = existing.get((row["account"], row["year"]))
        if old is None:
            inserts.append(
                {
                    "account": row["account"],
                    "year": row["year"],
                    **values,
                    "source": source[:200],
                    "entered_at": now,
                    "entered_by": principal.name,
                    "revision": 1,
                    "recorded_at": now,
                }
            )
            counts["written"] += 1
            continue
        if all(_same(getattr(old, k), v) for k, v in values.items()):
            counts["unchanged"] += 1
            continue
        history.append(dict(old._mapping) | {"superseded_at": now})
        conn.execute(
            iy.update()
            .where(iy.c.account == row["account"], iy.c.year == row["year"])
            .values(**values, source=source[:200], revision=old.revision + 1, recorded_at=now)
        )
        counts["written"] += 1
        counts["revised"] += 1
    if history:
        conn.execute(trading_installation_year_history.insert(), history)
    if inserts:
        conn.execute(iy.insert(), inserts)
    return counts


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


# -- the engine's input from the store ------------------------------------------------------------------------


def _surrenders(conn: Connection, codes: Sequence[str]) -> pd.DataFrame:
    o = trading_operation
    rows = conn.execute(
        sa.select(o.c.from_account, o.c.year, o.c.late, sa.func.sum(o.c.quantity))
        .where(o.c.kind == OperationKind.SURRENDER.value, o.c.from_account.in_(codes))
        .group_by(o.c.from_account, o.c.year, o.c.late)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["installation", "year", "late", "units"])
    if frame.empty:
        return pd.DataFrame(columns=["installation", "year", "surrendered_ops_t", "surrendered_late_t"])
    frame["units"] = frame["units"].astype(np.float64)
    frame["late_units"] = np.where(frame["late"].astype(bool), frame["units"], 0.0)
    g = frame.groupby(["installation", "year"], as_index=False)
    return g.agg(surrendered_ops_t=("units", "sum"), surrendered_late_t=("late_units", "sum"))


def _deadlines(market: str, years: np.ndarray) -> np.ndarray:
    out = np.full(len(years), np.datetime64("NaT", "D"))
    for y in np.unique(years):
        deadline = rules.load(market, "auto", on=date(int(y), 1, 1)).deadline
        if deadline is not None:
            out[years == y] = np.datetime64(deadline.for_year(int(y)), "D")
    return out


def installation_years(conn: Connection, accounts: Sequence[Account]) -> pd.DataFrame:
    """The compliance engine's input for ``accounts`` of one market (one row per account and year)."""
    codes = [a.code for a in accounts]
    iy = trading_installation_year
    cols = [
        "account",
        "year",
        "verified_t",
        "emissions_state",
        "verifier",
        "verified_on",
        "surrendered_external_t",
        "published_code",
        "source",
        "entered_at",
        "revision",
        "recorded_at",
    ]
    rows = conn.execute(sa.select(*[iy.c[c] for c in cols]).where(iy.c.account.in_(codes))).all()
    years = pd.DataFrame([tuple(r) for r in rows], columns=cols).rename(columns={"account": "installation"})
    ops = _surrenders(conn, codes)
    frame = years.merge(ops, on=["installation", "year"], how="outer")
    if frame.empty:
        return frame
    frame["year"] = frame["year"].astype(np.int64)
    frame["surrendered_t"] = frame["surrendered_ops_t"].fillna(0.0) + frame["surrendered_external_t"].astype(
        np.float64
    ).fillna(0.0)
    frame["surrendered_late_t"] = frame["surrendered_late_t"].astype(np.float64).fillna(0.0)
    frame["verified_t"] = frame["verified_t"].astype(np.float64)
    market = accounts[0].market or ""
    due = _deadlines(market, frame["year"].to_numpy(np.int64))
    imported = frame["source"].fillna("").astype(str).str.startswith(IMPORTED).to_numpy()
    entered = _cst_days(frame["entered_at"])
    recorded = _cst_days(frame["recorded_at"])
    verified_on = pd.to_datetime(frame["verified_on"]).to_numpy("datetime64[D]")
    reported = frame["emissions_state"].to_numpy(object) == EmissionsState.REPORTED.value
    frame["entered_late"] = ~imported & (entered > due)
    frame["corrected_late"] = (
        ~imported & (frame["revision"].fillna(1).to_numpy() > 1) & (recorded > due) & ~(entered > due)
    )
    frame["unverified"] = ~imported & reported & (np.isnat(verified_on) | (verified_on > due))
    frame["due"] = due
    frame["provisional"] = np.datetime64(today_cst(), "D") <= due
    return frame.drop(columns=["surrendered_ops_t", "surrendered_external_t", "entered_at", "recorded_at"])


def _cst_days(col: pd.Series) -> np.ndarray:
    times = pd.to_datetime(col, utc=True)
    return np.asarray(times.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).to_numpy("datetime64[D]"))


def _accounts(conn: Connection, *, market: str | None, jurisdiction: str | None, account: str | None) -> list[Account]:
    q = sa.select(trading_account).where(
        trading_account.c.kind == AccountKind.OPERATOR_HOLDING.value, trading_account.c.market.is_not(None)
    )
    if market:
        q = q.where(trading_account.c.market == market)
    if account:
        q = q.where(trading_account.c.code == account)
    accs = [registry.get_account(conn, r.code) for r in conn.execute(q.order_by(trading_account.c.code))]
    if jurisdiction:
        code = region.get(jurisdiction).code
        accs = [a for a in accs if a.jurisdiction is not None and region.is_within(a.jurisdiction, code)]
    return accs


RESULT_COLUMNS = [
    "installation",
    "jurisdiction",
    "market",
    "edition",
    "period",
    "year",
    "verified_t",
    "surrendered_t",
    "surrendered_late_t",
    "balance_t",
    "owed_t",
    "code",
    "reason",
    "due",
    "provisional",
    "verifier",
    "published_code",
]


def compliance(
    store: Store,
    principal: Principal,
    *,
    market: str | None = None,
    jurisdiction: str | None = None,
    account: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """The compliance code of every installation-year of the operator accounts selected (one engine run per
    market, editions by year). Columns: :data:`RESULT_COLUMNS`; ``installation`` is the account code."""
    principal.require(Scope.READ, "read compliance data")
    parts = []
    with store.read() as conn:
        accs = _accounts(conn, market=market, jurisdiction=jurisdiction, account=account)
        by_market: dict[str, list[Account]] = {}
        for a in accs:
            by_market.setdefault(str(a.market), []).append(a)
        for m, group in sorted(by_market.items()):
            frame = installation_years(conn, group)
            if frame.empty:
                continue
            result = compliance_status(frame, m)
            owner = {a.code: a.jurisdiction for a in group}
            parts.append(result.assign(jurisdiction=result["installation"].map(owner), market=m))
    if not parts:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    if year is not None:
        out = out.loc[out["year"] == year]
    out["due"] = pd.to_datetime(out["due"]).dt.strftime("%Y-%m-%d")
    return out[[c for c in RESULT_COLUMNS if c in out]].reset_index(drop=True)


# -- statements ------------------------------------------------------------------------------------------------


def holdings_frame(conn: Connection, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Units per account, unit type and state (``reserved`` for units of pending transfers)."""
    b = trading_block
    size = b.c.last_serial - b.c.first_serial + 1
    state = sa.case((b.c.reserved_by.is_not(None), sa.literal("reserved")), else_=b.c.state)
    q = sa.select(b.c.account, b.c.unit_type, state.label("state"), sa.func.sum(size)).group_by(
        b.c.account, b.c.unit_type, state
    )
    if codes is not None:
        q = q.where(b.c.account.in_(list(codes)))
    frame = pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=["account", "unit_type", "state", "units"])
    if frame.empty:
        return pd.DataFrame(columns=["account", "unit_type", "held", "reserved", "surrendered", "retired", "cancelled"])
    wide = frame.pivot_table(
        index=["account", "unit_type"], columns="state", values="units", aggfunc="sum", fill_value=0
    )
    for col in ("held", "reserved", "surrendered", "retired", "cancelled"):
        if col not in wide:
            wide[col] = 0
    wide = wide[["held", "reserved", "surrendered", "retired", "cancelled"]].astype(np.int64)
    return wide.reset_index().rename_axis(columns=None)


def account_statement(store: Store, principal: Principal, code: str, *, limit: int = 100) -> dict[str, Any]:
    """One account: its record, holdings by unit type and state, compliance years, latest operations."""
    principal.require(Scope.READ, "read the trading registry")
    with store.read() as conn:
        acc = registry.get_account(conn, code)
        holdings = holdings_frame(conn, [code])
        ops = oplog.operations_frame(conn, account=code, limit=100_000).tail(limit)
    years = (
        compliance(store, principal, account=code) if acc.market and acc.kind is AccountKind.OPERATOR_HOLDING else None
    )
    return {
        "account": acc.as_dict(),
        "holdings": holdings.drop(columns=["account"]).to_dict("records"),
        "compliance": [] if years is None else _records(years),
        "owed_t": 0.0 if years is None or years.empty else float(_owed_now(years)["owed_t"].sum()),
        "operations": _records(ops),
    }


def _owed_now(result: pd.DataFrame) -> pd.DataFrame:
    """The last year of each account and period: what it still owes there."""
    return result.sort_values("year").groupby(["installation", "period"], dropna=False).tail(1)


def jurisdiction_statement(store: Store, principal: Principal, jurisdiction: str) -> dict[str, Any]:
    """A jurisdiction (and those inside it): holdings per unit type, compliance per year, what is owed."""
    principal.require(Scope.READ, "read the trading registry")
    code = region.get(jurisdiction).code
    accs = registry.list_accounts(store, principal, jurisdiction=code, limit=1_000_000)
    with store.read() as conn:
        holdings = holdings_frame(conn, [a.code for a in accs])
    by_type = (
        holdings.drop(columns=["account"]).groupby("unit_type", as_index=False).sum() if len(holdings) else holdings
    )
    result = compliance(store, principal, jurisdiction=code)
    per_year: list[dict[str, Any]] = []
    if len(result):
        letters = result["code"].dropna().astype(str).str[0]
        result = result.assign(letter=letters, on_time=result["code"] == "A")
        for (m, y), g in result.groupby(["market", "year"]):
            assert isinstance(y, int | np.integer)
            coded = g["letter"].notna()
            per_year.append(
                {
                    "market": m,
                    "year": int(y),
                    "accounts": len(g),
                    **{f"n_{k}": int((g["letter"] == k).sum()) for k in ("A", "B", "C", "D", "E")},
                    "verified_t": float(g["verified_t"].sum()),
                    "surrendered_t": float(g["surrendered_t"].sum()),
                    "owed_t": float(g["owed_t"].sum()),
                    "share_on_time": float(g.loc[coded, "on_time"].mean()) if coded.any() else None,
                    "provisional": bool(g["provisional"].any()),
                }
            )
    return {
        "jurisdiction": code,
        "accounts": len(accs),
        "holdings": by_type.to_dict("records"),
        "compliance": per_year,
        "owed": _records(_owed_now(result).loc[lambda f: f["owed_t"] > 0]) if len(result) else [],
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(pd.notna(frame), None)
    recs = []
    for r in out.to_dict("records"):
        recs.append({str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()})
    return recs


# -- reminders ------------------------------------------------------------------------------------------------


def remind(store: Store, principal: Principal, *, days: int = 30) -> list[dict[str, Any]]:
    """Queue ``trading.deadline.approaching`` for each account and year still owing units whose deadline
    falls within ``days`` (once per account and year)."""
    principal.require(TradingScope.PUBLISH, "send deadline reminders")
    if not 1 <= days <= 366:
        raise InputError("days out of range", expected="1..366", given=str(days), where=Location(field="days"))
    today = today_cst()
    result = compliance(store, principal)
    if result.empty:
        return []
    due = pd.to_datetime(result["due"]).dt.date
    near = result.loc[(due >= today) & (due <= today + timedelta(days=days)) & (result["owed_t"] > 0)]
    if principal.jurisdiction is not None:
        near = near.loc[[j is not None and principal.may_act_for(j) for j in near["jurisdiction"]]]
    sent: list[dict[str, Any]] = []
    with actions.audited_write(store, principal, "trading.remind", f"deadlines within {days} days") as work:
        have = {
            (r.account, r.year)
            for r in work.conn.execute(sa.select(trading_notice).where(trading_notice.c.kind == "deadline_approaching"))
        }
        for rec in _records(near):
            if (rec["installation"], rec["year"]) in have:
                continue
            deadline = pd.Timestamp(rec["due"]).date()
            data = {
                "account": rec["installation"],
                "year": rec["year"],
                "market": rec["market"],
                "deadline": deadline.isoformat(),
                "owed_t": rec["owed_t"],
            }
            notify.enqueue(
                work.conn, TradingEvent.DEADLINE_APPROACHING, data, [rec["jurisdiction"]] if rec["jurisdiction"] else []
            )
            work.conn.execute(
                trading_notice.insert().values(
                    account=rec["installation"],
                    year=rec["year"],
                    kind="deadline_approaching",
                    deadline=deadline,
                    sent_at=utcnow(),
                )
            )
            sent.append(data)
        work.detail = {"sent": len(sent)}
    return sent


__all__ = [
    "IMPORTED",
    "RESULT_COLUMNS",
    "account_statement",
    "compliance",
    "holdings_frame",
    "installation_years",
    "jurisdiction_statement",
    "record_emissions",
    "remind",
    "upsert_years",
]
