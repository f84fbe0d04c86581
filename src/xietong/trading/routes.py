"""``/api/v1/trading/…``: the registry, operations and transfers, the compliance cycle, market data.

Thin wrappers over the trading services. Errors are ``application/problem+json`` like every router: 400
for refused input (more units than held, a unit type the receiving market does not accept, serials not in
the sender's account, a non-integer or negative quantity, a cap of the market's rules), 403 for an
account of another jurisdiction, 404 for an unknown account, unit type or operation, 409 for a client key
reused with another request or a transfer step that does not fit its state. Operations take a
``client_key`` (or an ``Idempotency-Key`` header): a retry with the same key and request returns the first
answer with ``replayed: true``. Lists are bounded (``limit`` ≤ 1,000, keyset paging with ``after``).
"""

from __future__ import annotations

import pathlib
import tempfile
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Header, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xietong.api.deps import PrincipalDep, StoreDep
from xietong.api.problems import problem_body, status_of
from xietong.errors import XietongError
from xietong.trading import batch, cycle, oplog, quotes, registry, rules, service, transfers
from xietong.trading.enums import AccountKind, EmissionRightPollutant, OperationKind, TransferStep, UnitKind
from xietong.trading.units import UnitType

router = APIRouter(prefix="/trading", tags=["trading"])
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", description="client key (or client_key in the body)")]
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many rows (≤ 1,000)")]
Quantity = int | float | None
Serials = list[tuple[int, int]] | None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(pd.notna(frame), None)
    return [{str(k): (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in out.to_dict("records")]


class UnitTypeIn(BaseModel):
    code: str = Field(examples=["HB-FOREST-CHENGDE-2026"])
    kind: UnitKind
    market: str = Field(examples=["hebei_forestry"], description="issuing market or programme")
    jurisdiction: str = Field(examples=["130000"], description="the issuing jurisdiction")
    standard: str | None = None
    origin: str | None = Field(default=None, examples=["hebei-chengde"])
    project_type: str | None = Field(default=None, examples=["forestry"])
    vintage: int | None = None
    period: str | None = None
    pollutant: EmissionRightPollutant | None = None


class AccountIn(BaseModel):
    code: str = Field(examples=["BJ-OP-0001"])
    kind: AccountKind
    name: str
    jurisdiction: str = Field(examples=["110000"], description="the owning jurisdiction")
    market: str | None = Field(default=None, examples=["beijing_pilot"], description="operator accounts: their market")
    enterprise_name: str | None = Field(default=None, description="operator accounts: the registered enterprise")
    enterprise_city: str | None = Field(default=None, description="the enterprise's city [default: jurisdiction]")


class MoveIn(BaseModel):
    unit_type: str
    quantity: Quantity = Field(default=None, description="whole units, lowest serials first")
    serials: Serials = Field(default=None, description="explicit inclusive ranges [[first, last], …] instead")
    client_key: str | None = Field(default=None, max_length=100)


class IssueIn(MoveIn):
    to_account: str


class DeliverIn(MoveIn):
    from_account: str = Field(description="a government account")
    to_account: str
    year: int | None = Field(default=None, description="allocation year (required for an allocation)")
    price_cny_t: float | None = Field(default=None, description="auction clearing price [CNY/t]")


class TransferIn(MoveIn):
    from_account: str
    to_account: str
    accept: bool = Field(default=False, description="also accept for the receiver (the caller acts for both)")
    note: str = ""


class BatchTransferIn(MoveIn):
    from_account: str
    to_account: str
    note: str = ""


#: at most this many transfers in one batch request (one transaction)
BATCH_LIMIT = 500


class BatchTransfersIn(BaseModel):
    transfers: list[BatchTransferIn] = Field(
        min_length=1,
        max_length=BATCH_LIMIT,
        description=f"transfers that complete at once, applied in order in one transaction (≤ {BATCH_LIMIT})",
    )


class EndIn(MoveIn):
    account: str
    year: int | None = Field(default=None, description="surrender: the compliance year")
    reason: str = ""


class BankIn(MoveIn):
    account: str
    to_period: str = Field(examples=["phase3"])


class StepIn(BaseModel):
    expected_version: int | None = Field(default=None, description="refuse (409) if the transfer changed since")
    market: str | None = Field(default=None, description="approve: the market you approve for")
    reason: str = ""


class EmissionsIn(BaseModel):
    records: list[dict[str, Any]] = Field(
        description="rows: account, year, verified_t [t CO2e] or emissions_state, verifier, verified_on"
    )
    source: str = "api"


# -- registry -------------------------------------------------------------------------------------------------


@router.get("/markets", operation_id="listTradingMarkets", summary="Market rules: editions, periods, unconfirmed rows")
def markets(principal: PrincipalDep) -> list[dict[str, Any]]:
    principal.require("read", "read market rules")
    out = []
    for m in rules.markets():
        for ed in rules.editions(m):
            r = rules.load(m, ed.edition)
            out.append(
                {
                    "market": m,
                    "edition": ed.edition,
                    "title": ed.title,
                    "effective": ed.effective.isoformat(),
                    "periods": [p.id for p in r.periods],
                    "deadline": None
                    if r.deadline is None
                    else f"{r.deadline.month:02d}-{r.deadline.day:02d} of year X+{r.deadline.year_offset}",
                    "units": [u.name for u in r.units],
                    "limits": [
                        {"name": x.name, "max_share_pct": x.max_share_pct, "of": x.of, "confirmed": x.confirmed}
                        for x in r.limits
                    ],
                    "approvers": r.transfer_approvers(),
                    "unconfirmed": list(r.unconfirmed),
                }
            )
    return out


@router.get("/unit-types", operation_id="listTradingUnitTypes", summary="Unit types and units issued")
def list_unit_types(store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return _records(registry.list_unit_types(store, principal))


@router.post("/unit-types", operation_id="registerTradingUnitType", summary="Register a unit type (issuer only)")
def register_unit_type(body: UnitTypeIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    unit = UnitType(
        body.code,
        body.kind,
        body.market,
        body.standard,
        body.origin,
        body.project_type,
        body.vintage,
        body.period,
        body.pollutant,
    )
    return registry.register_unit_type(store, principal, unit, jurisdiction=body.jurisdiction)


@router.get("/accounts", operation_id="listTradingAccounts", summary="Accounts")
def list_accounts(
    store: StoreDep,
    principal: PrincipalDep,
    limit: Limit = 1000,
    jurisdiction: str | None = None,
    kind: AccountKind | None = None,
    market: str | None = None,
) -> list[dict[str, Any]]:
    accs = registry.list_accounts(store, principal, jurisdiction=jurisdiction, kind=kind, market=market, limit=limit)
    return [a.as_dict() for a in accs]


@router.post("/accounts", operation_id="openTradingAccount", summary="Open an account of your jurisdiction")
def open_account(body: AccountIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    ent = (body.enterprise_city or body.jurisdiction, body.enterprise_name) if body.enterprise_name else None
    acc = registry.open_account(
        store,
        principal,
        body.code,
        kind=body.kind,
        name=body.name,
        jurisdiction=body.jurisdiction,
        market=body.market,
        enterprise=ent,
    )
    return acc.as_dict()


@router.get("/accounts/{code}", operation_id="tradingAccountStatement", summary="Account statement")
def account_statement(code: str, store: StoreDep, principal: PrincipalDep, limit: Limit = 100) -> dict[str, Any]:
    """The account, its holdings by unit type and state, compliance years, the latest operations."""
    return cycle.account_statement(store, principal, code, limit=limit)


@router.get(
    "/jurisdictions/{jurisdiction}", operation_id="tradingJurisdictionStatement", summary="Jurisdiction statement"
)
def jurisdiction_statement(jurisdiction: str, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Holdings per unit type over the jurisdiction's accounts, compliance per market and year, what is owed."""
    return cycle.jurisdiction_statement(store, principal, jurisdiction)


@router.get("/holdings", operation_id="tradingHoldings", summary="Units per account, unit type and state")
def holdings(
    store: StoreDep, principal: PrincipalDep, account: str | None = None, jurisdiction: str | None = None
) -> list[dict[str, Any]]:
    principal.require("read", "read the trading registry")
    codes = [account] if account else None
    if jurisdiction:
        codes = [a.code for a in registry.list_accounts(store, principal, jurisdiction=jurisdiction, limit=1_000_000)]
    with store.read() as conn:
        return _records(cycle.holdings_frame(conn, codes))


@router.get("/serials/{unit_type}/{serial}", operation_id="traceTradingSerial", summary="History of one serial")
def trace(
    unit_type: str, serial: Annotated[int, Path(ge=1)], store: StoreDep, principal: PrincipalDep
) -> list[dict[str, Any]]:
    principal.require("read", "read the trading registry")
    with store.read() as conn:
        registry.get_unit_type(conn, unit_type)
        return _records(oplog.trace(conn, unit_type, serial))


# -- operations -------------------------------------------------------------------------------------------------


@router.post("/issue", operation_id="issueTradingUnits", summary="Issue units (issuing jurisdiction)")
def issue(body: IssueIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.issue(
        store, principal, body.unit_type, body.quantity, body.to_account, client_key=body.client_key or key
    )


@router.post("/allocate", operation_id="allocateTradingUnits", summary="Free allocation from a government account")
def allocate(body: DeliverIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.allocate(
        store,
        principal,
        body.unit_type,
        body.quantity,
        from_account=body.from_account,
        to_account=body.to_account,
        year=body.year,  # type: ignore[arg-type]  # refused with a 400 by the service when missing
        client_key=body.client_key or key,
    )


@router.post(
    "/auction", operation_id="auctionTradingUnits", summary="Deliver auctioned units from a government account"
)
def auction(body: DeliverIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.auction(
        store,
        principal,
        body.unit_type,
        body.quantity,
        from_account=body.from_account,
        to_account=body.to_account,
        price_cny_t=body.price_cny_t,
        client_key=body.client_key or key,
    )


@router.post("/transfers", operation_id="initiateTradingTransfer", summary="Initiate a transfer")
def initiate(body: TransferIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    """The units are reserved in the sender's account until the receiver accepts and every approval the
    markets' rules name (a transfer between jurisdictions) is in; then they move."""
    return transfers.initiate(
        store,
        principal,
        body.from_account,
        body.to_account,
        body.unit_type,
        quantity=body.quantity,
        serial_ranges=body.serials,
        accept=body.accept,
        note=body.note,
        client_key=body.client_key or key,
    )


@router.post(
    "/transfers/batch", operation_id="initiateTradingTransferBatch", summary="Many immediate transfers at once"
)
def initiate_batch(body: BatchTransfersIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Transfers that complete at once (as `POST /transfers` with `accept: true`, the caller acting for both
    accounts), applied in order in one transaction. Each is checked on its own: `results[i]` is its transfer
    (`status` 201) or the problem that refused it (its 4xx `status`, nothing of it written); a refused one
    does not stop the others. A transfer that needs the receiver's acceptance or a market's approval is
    refused here: send it to `POST /transfers`. An `Idempotency-Key` covers the whole batch."""
    answers = batch.initiate_many(store, principal, [t.model_dump() for t in body.transfers])
    results: list[dict[str, Any]] = []
    for i, answer in enumerate(answers):
        if isinstance(answer, XietongError):
            status = status_of(answer)
            results.append({"index": i, "status": status, "problem": problem_body(answer, status)})
        else:
            results.append({"index": i, "status": 201, "transfer": answer})
    applied = sum(r["status"] == 201 for r in results)
    return {"applied": applied, "refused": len(results) - applied, "results": results}


@router.get("/transfers/pending", operation_id="pendingTradingTransfers", summary="Transfers waiting for a step")
def pending(
    store: StoreDep, principal: PrincipalDep, jurisdiction: str | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    return transfers.pending(store, principal, jurisdiction=jurisdiction, limit=limit)


@router.post(
    "/transfers/{operation_id}/{step}",
    operation_id="stepTradingTransfer",
    summary="accept, approve, reject or cancel a transfer",
)
def step(
    operation_id: int, step: TransferStep, body: StepIn, store: StoreDep, principal: PrincipalDep
) -> dict[str, Any]:
    """accept: the receiver's jurisdiction; approve: a market's jurisdiction (approve:trading); reject: the
    receiver or an approver; cancel: the sender, before acceptance."""
    v = body.expected_version
    if step is TransferStep.ACCEPT:
        return transfers.accept(store, principal, operation_id, expected_version=v)
    if step is TransferStep.APPROVE:
        return transfers.approve(store, principal, operation_id, market=body.market, expected_version=v)
    if step is TransferStep.REJECT:
        return transfers.reject(store, principal, operation_id, reason=body.reason, expected_version=v)
    return transfers.cancel(store, principal, operation_id, expected_version=v)


@router.post("/surrender", operation_id="surrenderTradingUnits", summary="Surrender units for a compliance year")
def surrender(body: EndIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    """Under the account's market rules in force that year; after the deadline it is recorded with ``late``."""
    return service.surrender(
        store,
        principal,
        body.account,
        body.unit_type,
        year=body.year,  # type: ignore[arg-type]  # 400 when missing
        quantity=body.quantity,
        serial_ranges=body.serials,
        client_key=body.client_key or key,
    )


@router.post("/retire", operation_id="retireTradingUnits", summary="Retire units voluntarily")
def retire(body: EndIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.retire(
        store,
        principal,
        body.account,
        body.unit_type,
        quantity=body.quantity,
        serial_ranges=body.serials,
        reason=body.reason,
        client_key=body.client_key or key,
    )


@router.post("/cancel", operation_id="cancelTradingUnits", summary="Cancel units (issuing authority)")
def cancel(body: EndIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.cancel(
        store,
        principal,
        body.account,
        body.unit_type,
        quantity=body.quantity,
        serial_ranges=body.serials,
        reason=body.reason,
        client_key=body.client_key or key,
    )


@router.post("/bank", operation_id="bankTradingUnits", summary="Bank units into a later trading period")
def bank(body: BankIn, store: StoreDep, principal: PrincipalDep, key: KeyHeader = None) -> dict[str, Any]:
    return service.bank(
        store,
        principal,
        body.account,
        body.unit_type,
        body.quantity,
        to_period=body.to_period,
        client_key=body.client_key or key,
    )


@router.get("/operations", operation_id="listTradingOperations", summary="The transaction log (keyset paging)")
def operations(
    store: StoreDep,
    principal: PrincipalDep,
    limit: Limit = 100,
    after: Annotated[int, Query(ge=0, description="only ids after this one")] = 0,
    account: str | None = None,
    kind: OperationKind | None = None,
) -> list[dict[str, Any]]:
    principal.require("read", "read the trading registry")
    with store.read() as conn:
        frame = oplog.operations_frame(
            conn, account=account, kind=kind.value if kind else None, after_id=after, limit=limit
        )
    return _records(frame)


@router.get("/operations/{operation_id}", operation_id="getTradingOperation", summary="One operation with its steps")
def operation(operation_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require("read", "read the trading registry")
    with store.read() as conn:
        return oplog.operation_view(conn, operation_id)


# -- compliance cycle and market data ---------------------------------------------------------------------------


@router.post("/emissions", operation_id="recordTradingEmissions", summary="Enter verified emissions")
def emissions(body: EmissionsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, int]:
    return cycle.record_emissions(store, principal, body.records, source=body.source)


@router.get("/compliance", operation_id="tradingCompliance", summary="Compliance code per installation-year")
def compliance(
    store: StoreDep,
    principal: PrincipalDep,
    market: str | None = None,
    jurisdiction: str | None = None,
    account: str | None = None,
    year: int | None = None,
    owed: Annotated[bool, Query(description="only installation-years that still owe units")] = False,
    limit: Limit = 1000,
    after: Annotated[int, Query(ge=0, description="skip this many rows")] = 0,
) -> list[dict[str, Any]]:
    frame = cycle.compliance(store, principal, market=market, jurisdiction=jurisdiction, account=account, year=year)
    if owed:
        frame = frame.loc[frame["owed_t"] > 0]
    return _records(frame.iloc[after : after + limit])


@router.post("/remind", operation_id="tradingRemind", summary="Queue deadline reminders (webhooks)")
def remind(
    store: StoreDep, principal: PrincipalDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> list[dict[str, Any]]:
    return cycle.remind(store, principal, days=days)


@router.post(
    "/quotes",
    operation_id="ingestTradingQuotes",
    summary="Store the pilot markets' daily quotes (CSV body)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def ingest_quotes(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    strict: Annotated[bool, Query(description="refuse the file on any refused row")] = False,
) -> dict[str, Any]:
    body = await request.body()
    with tempfile.TemporaryDirectory(prefix="xietong-upload-") as tmp:
        path = pathlib.Path(tmp) / "quotes.csv"
        path.write_bytes(body)
        return await run_in_threadpool(quotes.ingest_quotes, store, principal, path, strict=strict)


@router.get("/series", operation_id="tradingSeries", summary="Price and volume per market and period")
def series(
    store: StoreDep,
    principal: PrincipalDep,
    market: str | None = None,
    freq: Annotated[str, Query(description="day, month, quarter or year")] = "month",
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    limit: Limit = 1000,
) -> list[dict[str, Any]]:
    """Volume [t], turnover [CNY], volume-weighted mean of the daily average prices [CNY/t], trading days."""
    return _records(quotes.series(store, principal, market=market, freq=freq, start=start, end=end).head(limit))


__all__ = ["router"]
