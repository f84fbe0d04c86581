"""Transfers between accounts: initiated → accepted → approved by each market the rules name → completed.

* **initiate** (the sender's jurisdiction, ``operate:trading``): the units are chosen (lowest serials first,
  or explicit serial ranges) and *reserved* in the sender's account, so nothing else can move them; the
  receiving market must accept the unit type. A transfer between jurisdictions (different province-level
  jurisdictions) needs the approval each side's market names in its ``[transfers]`` row
  (:func:`xietong.trading.operations.transfer_approvers`).
* **accept** (the receiver's jurisdiction): → ``awaiting_approval``, or completed at once when no approval
  is needed. ``accept=True`` at initiation does this in the same transaction when the initiator also acts
  for the receiver.
* **approve** (``approve:trading`` of the market's jurisdiction): once every approval is in, the transfer
  completes: the reserved blocks move to the receiver, the movements are logged.
* **reject** (receiver or approver) / **cancel** (sender, before acceptance): the units are free again.

Each step is one audited transaction with a version check; the state machine is the core's
:func:`~xietong.trading.operations.advance_transfer`; webhook events are queued in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.errors import ConflictError, InputError, Location
from xietong.exchange import actions, notify
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading import ledger, oplog, registry, rules, serials
from xietong.trading.domain import TradingEvent, TradingScope
from xietong.trading.enums import OperationKind, TransferState
from xietong.trading.operations import advance_transfer, transfer_approvers
from xietong.trading.registry import Account
from xietong.trading.service import (
    SerialRanges,
    check_accepts,
    move_now,
    quantity_arg,
    run_operation,
    serial_ranges_arg,
    today_cst,
)
from xietong.trading.tables import trading_approval, trading_operation


def _province(code: str | None) -> str:
    return region.ancestors(code)[-1] if code else "region"


def required_approvals(sender: Account, receiver: Account, on: Any) -> list[dict[str, str]]:
    """The approvals a transfer needs: one per market whose rules ask for approval of a transfer between
    jurisdictions (none within one province-level jurisdiction). Each side's market is its jurisdiction's
    (the account's own market for accounts outside the region)."""
    sides: list[rules.MarketRules] = []
    for acc in (sender, receiver):
        market = registry.market_of_jurisdiction(acc.jurisdiction) or acc.market
        if market:
            sides.append(rules.load(market, "auto", on=on))
    if not sides:
        return []
    pairs = transfer_approvers(
        sides[0] if len(sides) == 2 else None,
        sides[-1],
        sender_jurisdiction=_province(sender.jurisdiction),
        receiver_jurisdiction=_province(receiver.jurisdiction),
    )
    out = []
    for market, approver in pairs:
        place = region.find(rules.market_jurisdiction(market))
        if place is not None:
            out.append({"market": market, "approver": approver, "jurisdiction": place.code})
    return out


def _names(approvals: Iterable[dict[str, str]]) -> list[str]:
    return [f"{a['market']}: {a['approver']}" for a in approvals]


def _involved(*accounts: Account) -> list[str]:
    return sorted({a.jurisdiction for a in accounts if a.jurisdiction})


def initiate(
    store: Store,
    principal: Principal,
    from_account: str,
    to_account: str,
    unit_type: str,
    *,
    quantity: object = None,
    serial_ranges: Iterable[Iterable[int]] | None = None,
    accept: bool = False,
    note: str = "",
    client_key: str | None = None,
) -> dict[str, Any]:
    """Initiate a transfer; the units are reserved in the sender's account until it completes or ends."""
    principal.require(TradingScope.OPERATE, "transfer units")
    ranges = serial_ranges_arg(serial_ranges)
    q = quantity_arg(quantity, ranges)
    request = {
        "op": "transfer",
        "from_account": from_account,
        "to_account": to_account,
        "unit_type": unit_type,
        "quantity": q,
        "serials": ranges,
        "accept": accept,
        "note": note,
        "client_key": client_key,
    }

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        found = registry.get_accounts(conn, [from_account, to_account])
        sender, receiver = found[from_account], found[to_account]
        registry.require_acts_for(principal, sender.jurisdiction, f"transfer from account {from_account}")
        if accept:
            registry.require_acts_for(principal, receiver.jurisdiction, f"accept into account {to_account}")
        if sender.code == receiver.code:
            raise InputError(
                "sender and receiver are the same account",
                expected="two different accounts",
                given=sender.code,
                where=Location(field="to_account"),
            )
        for acc in (sender, receiver):
            if acc.closed:
                raise InputError(f"account {acc.code} is closed", expected="an open account", given=acc.code)
        unit, _ = registry.get_unit_type(conn, unit_type)
        today = today_cst(now)
        check_accepts(receiver, unit, today)
        approvals = required_approvals(sender, receiver, today)
        op.kind, op.unit_type, op.from_account, op.to_account = (
            OperationKind.TRANSFER,
            unit_type,
            from_account,
            to_account,
        )
        op.required_approvals, op.detail = approvals, {"note": note} if note else {}
        if accept and not approvals:
            out = move_now(
                conn,
                op,
                principal,
                now,
                sender=sender,
                receiver=receiver,
                unit=unit,
                quantity=None if ranges is not None else q,
                serial_ranges=ranges,
            )
            done: list[tuple[str, str, dict[str, Any]]] = [
                ("initiate", TransferState.INITIATED.value, {}),
                ("accept", TransferState.COMPLETED.value, {}),
            ]
            oplog.add_steps(conn, out["id"], done, principal, now)
            notify.enqueue(conn, TradingEvent.TRANSFER_COMPLETED, out, _involved(sender, receiver))
            return out
        return _reserve(conn, op, principal, now, sender, receiver, None if ranges is not None else q, ranges, accept)

    return run_operation(
        store, principal, OperationKind.TRANSFER, request, body, target=f"{from_account} → {to_account}"
    )


def _reserve(
    conn: Connection,
    op: oplog.NewOperation,
    principal: Principal,
    now: datetime,
    sender: Account,
    receiver: Account,
    quantity: int | None,
    ranges: SerialRanges,
    accept: bool,
) -> dict[str, Any]:
    ledger.lock_holdings(conn, [(sender.code, op.unit_type)])
    old = ledger.free_blocks(conn, sender.code, op.unit_type)
    taken, rest = serials.take(
        old.blocks, account=sender.code, unit_type=op.unit_type, quantity=quantity, serials=ranges
    )
    op.quantity = int(serials.block_sizes(taken).sum())
    state = TransferState.INITIATED
    if accept:
        state = advance_transfer(state, "accept", required=_names(op.required_approvals))
    op.state = state.value
    op_id = oplog.insert(conn, op, principal, now)
    new = rest
    frame = pd.concat([new, taken], ignore_index=True)
    ledger.replace_blocks(conn, old, frame, operation_id=op_id, reserved=[False] * len(new) + [True] * len(taken))
    ledger.adjust_holdings(conn, {(sender.code, op.unit_type): (-op.quantity, op.quantity)})
    steps: list[tuple[str, str, dict[str, Any]]] = [("initiate", TransferState.INITIATED.value, {})]
    steps += [("accept", state.value, {})] if accept else []
    oplog.add_steps(conn, op_id, steps, principal, now)
    ranges_out = [[int(f), int(la)] for f, la in zip(taken["first_serial"], taken["last_serial"], strict=True)]
    out = oplog.answer(op, op_id, serials=ranges_out)
    event = TradingEvent.TRANSFER_AWAITING_APPROVAL if accept else TradingEvent.TRANSFER_INITIATED
    notify.enqueue(conn, event, out, _involved(sender, receiver) + [a["jurisdiction"] for a in op.required_approvals])
    return out


# -- steps of a pending transfer ----------------------------------------------------------------------------


def _pending(conn: Connection, operation_id: int, expected_version: int | None) -> Any:
    row = oplog.load(conn, operation_id, lock=True)
    if row.kind != OperationKind.TRANSFER.value:
        raise InputError(
            f"operation {operation_id} is a {row.kind}, not a transfer",
            expected="a transfer",
            given=row.kind,
            where=Location(field="id"),
        )
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"transfer {operation_id} changed since you read it",
            expected=f"version {expected_version}",
            given=f"version {row.version} ({row.state})",
            hint="read it again and repeat the step if it still applies",
        )
    return row


def _complete(conn: Connection, row: Any, principal: Principal, now: datetime) -> None:
    """Move the reserved blocks into the receiver's account and log the movements."""
    blocks = ledger.reserved_blocks(conn, row.id)
    quantity = int(serials.block_sizes(blocks).sum()) if len(blocks) else 0
    if quantity != int(row.quantity):  # pragma: no cover - a broken reservation would be a bug
        raise ConflictError(f"transfer {row.id} reserved {quantity} units, not {row.quantity}")
    ledger.lock_holdings(conn, [(row.from_account, row.unit_type), (row.to_account, row.unit_type)])
    ledger.release_reserved(conn, row.id, to_account=row.to_account)
    moved = blocks.assign(from_account=row.from_account, account=row.to_account)
    ledger.log_moves(conn, moved, operation_id=row.id, at=now)
    ledger.adjust_holdings(
        conn, {(row.from_account, row.unit_type): (0, -quantity), (row.to_account, row.unit_type): (quantity, 0)}
    )
    oplog.add_step(conn, row.id, "complete", TransferState.COMPLETED.value, principal, now)


def _set_state(conn: Connection, row: Any, state: TransferState, now: datetime) -> None:
    done = state in {TransferState.COMPLETED, TransferState.REJECTED, TransferState.CANCELLED}
    conn.execute(
        trading_operation.update()
        .where(trading_operation.c.id == row.id)
        .values(state=state.value, updated_at=now, completed_at=now if done else None, version=row.version + 1)
    )


@dataclass(frozen=True, slots=True)
class StepContext:
    """What a step of a pending transfer decides on."""

    conn: Connection
    row: Any
    sender: Account
    receiver: Account
    required: list[dict[str, str]]
    given: list[str]
    now: datetime


def _step(
    store: Store,
    principal: Principal,
    operation_id: int,
    step: str,
    expected_version: int | None,
    decide: Callable[[StepContext], tuple[TransferState, dict[str, Any]]],
) -> dict[str, Any]:
    with actions.audited_write(store, principal, f"trading.transfer.{step}", f"operation {operation_id}") as work:
        conn, now = work.conn, utcnow()
        row = _pending(conn, operation_id, expected_version)
        sender = registry.get_account(conn, row.from_account)
        receiver = registry.get_account(conn, row.to_account)
        required = json.loads(row.required_approvals)
        given = [f"{a['market']}: {a['approver']}" for a in oplog.approvals_given(conn, operation_id)]
        state, detail = decide(StepContext(conn, row, sender, receiver, required, given, now))
        oplog.add_step(conn, row.id, step, state.value, principal, now, detail)
        if state is TransferState.APPROVED:
            _complete(conn, row, principal, now)
            state = TransferState.COMPLETED
        if state in {TransferState.REJECTED, TransferState.CANCELLED}:
            ledger.lock_holdings(conn, [(row.from_account, row.unit_type)])
            ledger.release_reserved(conn, row.id)
            ledger.adjust_holdings(conn, {(row.from_account, row.unit_type): (int(row.quantity), -int(row.quantity))})
        _set_state(conn, row, state, now)
        view = oplog.operation_view(conn, row.id)
        event = {
            TransferState.COMPLETED: TradingEvent.TRANSFER_COMPLETED,
            TransferState.AWAITING_APPROVAL: TradingEvent.TRANSFER_AWAITING_APPROVAL,
            TransferState.REJECTED: TradingEvent.TRANSFER_REJECTED,
            TransferState.CANCELLED: TradingEvent.TRANSFER_REJECTED,
        }.get(state)
        if event is not None:
            notify.enqueue(conn, event, view, _involved(sender, receiver) + [a["jurisdiction"] for a in required])
        work.detail = {"state": state.value, **detail}
        return view


def accept(
    store: Store, principal: Principal, operation_id: int, *, expected_version: int | None = None
) -> dict[str, Any]:
    """The receiver accepts; the transfer then waits for its approvals (or completes when none is needed)."""
    principal.require(TradingScope.OPERATE, "accept a transfer")

    def decide(ctx: StepContext) -> tuple[TransferState, dict[str, Any]]:
        registry.require_acts_for(
            principal, ctx.receiver.jurisdiction, f"accept transfers into account {ctx.receiver.code}"
        )
        return advance_transfer(
            TransferState(ctx.row.state), "accept", required=_names(ctx.required), approved_by=ctx.given
        ), {}

    return _step(store, principal, operation_id, "accept", expected_version, decide)


def approve(
    store: Store,
    principal: Principal,
    operation_id: int,
    *,
    market: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Approve a transfer for one market whose rules ask for it (the market's jurisdiction only)."""
    principal.require(TradingScope.APPROVE, "approve a transfer")

    def decide(ctx: StepContext) -> tuple[TransferState, dict[str, Any]]:
        done = {g.split(": ", 1)[0] for g in ctx.given}
        open_ = [a for a in ctx.required if a["market"] not in done and (market is None or a["market"] == market)]
        mine = [a for a in open_ if registry.may_act(principal, a["jurisdiction"])]
        if not mine:
            names = ", ".join(
                f"{a['market']} ({region.display_name(a['jurisdiction'])})"
                for a in ctx.required
                if a["market"] not in done
            )
            raise InputError(
                f"{principal.describe()} has no approval to give on transfer {ctx.row.id}",
                expected=f"an approval still open: {names or 'none (all approvals are in)'}",
                given=market or "any market",
                where=Location(field="market"),
                hint="the approval of a market is given by a principal of its jurisdiction with approve:trading",
            )
        if len(mine) > 1:
            raise InputError(
                "name the market you approve for",
                expected=" or ".join(a["market"] for a in mine),
                given="no market",
                where=Location(field="market"),
            )
        a = mine[0]
        name = f"{a['market']}: {a['approver']}"
        state = advance_transfer(
            TransferState(ctx.row.state), "approve", required=_names(ctx.required), approved_by=[*ctx.given, name]
        )
        ctx.conn.execute(
            trading_approval.insert().values(
                operation_id=ctx.row.id,
                market=a["market"],
                approver=a["approver"],
                jurisdiction_code=a["jurisdiction"],
                actor=principal.name,
                at=ctx.now,
            )
        )
        return state, {"market": a["market"], "approver": a["approver"]}

    return _step(store, principal, operation_id, "approve", expected_version, decide)


def reject(
    store: Store, principal: Principal, operation_id: int, *, reason: str = "", expected_version: int | None = None
) -> dict[str, Any]:
    """The receiver (before accepting) or an approver refuses the transfer; the units are free again."""
    if not principal.has(TradingScope.APPROVE):
        principal.require(TradingScope.OPERATE, "reject a transfer")

    def decide(ctx: StepContext) -> tuple[TransferState, dict[str, Any]]:
        allowed = registry.may_act(principal, ctx.receiver.jurisdiction) or (
            principal.has(TradingScope.APPROVE)
            and any(registry.may_act(principal, a["jurisdiction"]) for a in ctx.required)
        )
        if not allowed:
            registry.require_acts_for(principal, ctx.receiver.jurisdiction, f"reject transfer {ctx.row.id}")
        return advance_transfer(TransferState(ctx.row.state), "reject"), {"reason": reason} if reason else {}

    return _step(store, principal, operation_id, "reject", expected_version, decide)


def cancel(
    store: Store, principal: Principal, operation_id: int, *, expected_version: int | None = None
) -> dict[str, Any]:
    """The sender withdraws a transfer the receiver has not accepted yet."""
    principal.require(TradingScope.OPERATE, "cancel a transfer")

    def decide(ctx: StepContext) -> tuple[TransferState, dict[str, Any]]:
        registry.require_acts_for(principal, ctx.sender.jurisdiction, f"cancel transfer {ctx.row.id}")
        return advance_transfer(TransferState(ctx.row.state), "cancel"), {}

    return _step(store, principal, operation_id, "cancel", expected_version, decide)


def pending(
    store: Store, principal: Principal, *, jurisdiction: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Transfers waiting for a step (oldest first), optionally those concerning one jurisdiction: its
    accounts send or receive, or it has an approval to give."""
    principal.require("read", "read the trading registry")
    o = trading_operation
    waiting = [TransferState.INITIATED.value, TransferState.AWAITING_APPROVAL.value]
    code = region.get(jurisdiction).code if jurisdiction else None
    with store.read() as conn:
        ids = conn.execute(
            sa.select(o.c.id).where(o.c.kind == OperationKind.TRANSFER.value, o.c.state.in_(waiting)).order_by(o.c.id)
        ).scalars()
        views = []
        for op_id in ids:
            v = oplog.operation_view(conn, int(op_id))
            owners = [registry.get_account(conn, v[k]).jurisdiction for k in ("from_account", "to_account")]
            owners += [a["jurisdiction"] for a in v["required_approvals"]]
            if code is None or any(j is not None and region.is_within(j, code) for j in owners):
                views.append(v)
            if len(views) >= limit:
                break
    return views


__all__ = ["accept", "approve", "cancel", "initiate", "pending", "reject", "required_approvals"]
