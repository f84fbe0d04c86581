"""Many immediate transfers in one transaction (group commit): the registry's throughput path.

:func:`xietong.trading.transfers.initiate` with ``accept=True`` runs one transaction per transfer, and on
PostgreSQL most of its cost is per transaction, not per unit moved: about fifteen statements, the commit,
and the audit chain's head held from the entry's append to the commit (``bench/RESULTS.md``).
:func:`initiate_many` applies a list of such requests in one transaction with a fixed number of statements
(the accounts, unit types, client keys, holdings and blocks read once; operations, blocks, movements, steps,
holdings, webhook deliveries and audit entries written one statement each).

Each request is decided on its own, in order, exactly as if the requests had been sent one after another
to ``initiate(..., accept=True)``: the same checks and errors (unknown account or unit type, permission,
same account, closed account, unit type not accepted by the receiving market, more units than the sender
holds), the same blocks chosen, the same answer, one audit entry each (``trading.transfer``, ``ok`` or
``failed``/``denied``), the same client-key rule (same key and content: the first answer again, marked
``replayed``; same key, other content: 409). A refused request is answered by its error and writes
nothing but its audit entry; it does not stop the others. A request that would need the receiver to
accept later or a market's approval (a transfer between province-level jurisdictions under rules that ask
for it) is refused here: it has steps after this transaction, so send it to ``initiate``.

The holdings of every account involved are locked in one sorted ``SELECT … FOR UPDATE``, so two batches
(or a batch and single operations) touching the same units run one after the other and the second sees
what the first left; the audit chain's head is locked only to append the batch's entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.errors import InputError, Location, NotFoundError, XietongError
from xietong.exchange import actions, notify
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading import book, ledger, oplog, registry
from xietong.trading.domain import TradingEvent, TradingScope
from xietong.trading.enums import OperationKind, TransferState
from xietong.trading.registry import Account
from xietong.trading.service import check_accepts, quantity_arg, serial_ranges_arg, today_cst
from xietong.trading.tables import trading_operation
from xietong.trading.transfers import required_approvals
from xietong.trading.units import UnitType

ACTION = f"trading.{OperationKind.TRANSFER.value}"
_STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("initiate", TransferState.INITIATED.value, {}),
    ("accept", TransferState.COMPLETED.value, {}),
]
Answer = dict[str, Any] | XietongError


@dataclass(slots=True)
class _Item:
    """One request of the batch as it is decided."""

    request: dict[str, Any]  # canonical, as ``initiate`` builds it (its hash is the idempotency digest)
    digest: str
    quantity: int | None = None
    ranges: list[tuple[int, int]] | None = None
    error: XietongError | None = None
    replay_of: dict[str, Any] | None = None  # the stored answer of its client key (replayed)
    replay_item: _Item | None = None  # the item earlier in this batch with its client key
    op: oplog.NewOperation | None = None
    moved: list[tuple[int, int]] = field(default_factory=list)
    sender: Account | None = None
    receiver: Account | None = None

    @property
    def target(self) -> str:
        return f"{self.request['from_account']} → {self.request['to_account']}"


def _parse(raw: Mapping[str, Any]) -> _Item:
    request = {
        "op": "transfer",
        "from_account": str(raw.get("from_account") or ""),
        "to_account": str(raw.get("to_account") or ""),
        "unit_type": str(raw.get("unit_type") or ""),
        "quantity": None,
        "serials": None,
        "accept": True,
        "note": str(raw.get("note") or ""),
        "client_key": raw.get("client_key"),
    }
    item = _Item(request, "")
    try:
        for name in ("from_account", "to_account", "unit_type"):
            if not request[name]:
                raise InputError(f"{name} is missing", expected=f"a {name} code", given="nothing",
                                 where=Location(field=name))  # fmt: skip
        ranges = serial_ranges_arg(raw.get("serials"))
        q = quantity_arg(raw.get("quantity"), ranges)
        request["quantity"], request["serials"] = q, ranges
        item.quantity, item.ranges = (None, ranges) if ranges is not None else (q, None)
    except XietongError as exc:
        item.error = exc
    item.digest = ledger.request_hash(request)
    return item


def initiate_many(store: Store, principal: Principal, requests: Sequence[Mapping[str, Any]]) -> list[Answer]:
    """Transfers that complete at once (``initiate(..., accept=True)``), many in one transaction.

    Each request is a mapping with ``from_account``, ``to_account``, ``unit_type``, ``quantity`` or
    ``serials`` (``[[first, last], …]``), optionally ``note`` and ``client_key``. Returns, in the same
    order, each request's answer (the one ``initiate`` gives) or the error that refused it.
    """
    principal.require(TradingScope.OPERATE, "transfer units")
    try:
        return _run(store, principal, [_parse(r) for r in requests])
    except sa.exc.IntegrityError:
        # a client key of this batch was committed by another transaction meanwhile (the unique
        # (actor, client_key) index rolled this one back whole): run it again, that request now replays
        if not any(r.get("client_key") for r in requests):
            raise
        return _run(store, principal, [_parse(r) for r in requests])


def _run(store: Store, principal: Principal, items: list[_Item]) -> list[Answer]:
    with actions.audited_batch(store, principal, ACTION, f"{len(items)} transfers") as work:
        now = utcnow()
        held = _decide(work.conn, principal, items, now)
        applied = [it for it in items if it.op is not None]
        answers = _write(work.conn, principal, held, applied, now)
        out: list[Answer] = []
        for it in items:
            if it.error is not None:
                work.refused(ACTION, it.target, it.error)
                out.append(it.error)
            elif it.op is not None:
                answer = answers[id(it)]
                work.done(ACTION, f"operation {answer['id']}", {k: answer.get(k) for k in _DETAIL})
                out.append(answer)
            else:
                earlier = answers[id(it.replay_item)] if it.replay_item is not None else dict(it.replay_of or {})
                earlier = earlier | {"replayed": True}
                key = it.request["client_key"]
                work.done(ACTION, it.target, {"replayed_operation": earlier["id"], "client_key": key})
                out.append(earlier)
        return out


_DETAIL = ("kind", "state", "unit_type", "quantity", "from_account", "to_account", "year", "late")


def _stored_answers(conn: Connection, actor: str, items: list[_Item]) -> dict[str, tuple[str, dict[str, Any]]]:
    keys = sorted({str(it.request["client_key"]) for it in items if it.request["client_key"]})
    if not keys:
        return {}
    o = trading_operation
    rows = conn.execute(
        sa.select(o.c.id, o.c.client_key, o.c.request_hash, o.c.result).where(
            o.c.actor == actor, o.c.client_key.in_(keys)
        )
    )
    return {str(r.client_key): (str(r.request_hash), json.loads(r.result) if r.result else {"id": r.id}) for r in rows}


def _unit_types(conn: Connection, codes: set[str]) -> dict[str, UnitType | XietongError]:
    out: dict[str, UnitType | XietongError] = {}
    for code in sorted(codes):
        try:
            out[code] = registry.get_unit_type(conn, code)[0]
        except XietongError as exc:
            out[code] = exc
    return out


def _check(principal: Principal, it: _Item, accounts: dict[str, Account], units: dict[str, Any], now: datetime) -> None:
    """The checks of ``initiate`` before anything moves, in its order; raises the first that fails."""
    r = it.request
    for code in (r["from_account"], r["to_account"]):
        if code not in accounts:
            raise NotFoundError(f"no account {code!r}", expected="an account code of the registry", given=repr(code),
                                hint="list them with `xietong trading accounts`")  # fmt: skip
    sender, receiver = accounts[r["from_account"]], accounts[r["to_account"]]
    registry.require_acts_for(principal, sender.jurisdiction, f"transfer from account {sender.code}")
    registry.require_acts_for(principal, receiver.jurisdiction, f"accept into account {receiver.code}")
    if sender.code == receiver.code:
        raise InputError("sender and receiver are the same account", expected="two different accounts",
                         given=sender.code, where=Location(field="to_account"))  # fmt: skip
    for acc in (sender, receiver):
        if acc.closed:
            raise InputError(f"account {acc.code} is closed", expected="an open account", given=acc.code)
    unit = units[r["unit_type"]]
    if isinstance(unit, XietongError):
        raise unit
    today = today_cst(now)
    check_accepts(receiver, unit, today)
    approvals = required_approvals(sender, receiver, today)
    if approvals:
        raise InputError(
            f"a transfer from {sender.code} to {receiver.code} needs approval, so it cannot complete in a batch",
            expected="a transfer that completes at once (no approval required)",
            given=", ".join(f"{a['market']}: {a['approver']}" for a in approvals),
            where=Location(field="to_account"),
            hint="send it on its own (transfers.initiate / POST …/transfers); it then waits for its approvals",
        )
    it.sender, it.receiver = sender, receiver


def _decide(conn: Connection, principal: Principal, items: list[_Item], now: datetime) -> book.Book:
    """Decide every item in order: client keys, accounts and unit types read once, then :func:`_move`."""
    stored = _stored_answers(conn, principal.name, items)
    accounts = registry.find_accounts(conn, [it.request[k] for it in items for k in ("from_account", "to_account")])
    units = _unit_types(conn, {it.request["unit_type"] for it in items if it.error is None})
    for it in items:
        if it.error is not None:
            continue
        key = it.request["client_key"]
        if key and key in stored:
            digest, answer = stored[key]
            if digest != it.digest:
                it.error = ledger.client_key_conflict(key, answer.get("id"))
            else:
                it.replay_of = answer
            continue
        try:
            _check(principal, it, accounts, units, now)
        except XietongError as exc:
            it.error = exc
    return _move(conn, items)


def _move(conn: Connection, items: list[_Item]) -> book.Book:
    """Lock the holdings of the items still standing (one sorted statement), load the senders' free blocks
    (a receiver's stored blocks matter only if it sends too, and then it is a sender) and move them in
    memory, in order; an item refused here changes nothing."""
    standing = [it for it in items if it.sender is not None and it.receiver is not None]
    senders = [(it.request["from_account"], it.request["unit_type"]) for it in standing]
    if standing:
        ledger.lock_holdings(conn, senders + [(it.request["to_account"], it.request["unit_type"]) for it in standing])
    held = book.Book.load(conn, senders, units=_most_sent(standing)) if standing else book.Book({})
    first_by_key: dict[str, _Item] = {}
    applied = 0
    for it in items:
        if it.sender is None or it.receiver is None or it.error is not None:
            continue
        key = it.request["client_key"]
        if key and key in first_by_key:  # the same key earlier in this batch: as if sent after it
            first = first_by_key[key]
            if first.digest != it.digest:
                it.error = ledger.client_key_conflict(key, "earlier in this batch")
            else:
                it.replay_item = first
            continue
        try:
            it.moved = held.move(it.sender.code, it.receiver.code, it.request["unit_type"], quantity=it.quantity,
                                 serial_ranges=it.ranges, op_index=applied)  # fmt: skip
        except XietongError as exc:
            it.error = exc
            continue
        it.op = _operation(it)
        applied += 1
        if key:
            first_by_key[key] = it
    return held


def _most_sent(items: list[_Item]) -> int | None:
    """The most units any one sender of these items asks for in all (``None`` if one asks for serials).

    Every stored block a FIFO move can take lies within the sender's lowest blocks holding that many
    units: the stored blocks it takes are always its lowest remaining ones, and it takes no more than
    asked for in all (units that arrive during the batch are in memory already)."""
    asked: dict[tuple[str, str], int] = {}
    for it in items:
        if it.quantity is None:
            return None
        key = (it.request["from_account"], it.request["unit_type"])
        asked[key] = asked.get(key, 0) + it.quantity
    return max(asked.values(), default=0)


def _operation(it: _Item) -> oplog.NewOperation:
    r = it.request
    op = oplog.NewOperation(OperationKind.TRANSFER, oplog.COMPLETED, r["unit_type"], 0)
    op.from_account, op.to_account = r["from_account"], r["to_account"]
    op.quantity = sum(last - first + 1 for first, last in it.moved)
    op.detail = {"note": r["note"]} if r["note"] else {}
    op.client_key, op.request_hash = r["client_key"], (it.digest if r["client_key"] else None)
    return op


def _write(
    conn: Connection, principal: Principal, held: book.Book, applied: list[_Item], now: datetime
) -> dict[int, dict[str, Any]]:
    """Write the applied items (in the order they were decided); returns their answers by ``id(item)``."""
    ops = [it.op for it in applied if it.op is not None]
    ids = oplog.insert_many(conn, ops, principal, now)
    held.flush(conn, ids)
    ledger.log_ranges(
        conn,
        [
            (i, op.unit_type, it.moved, op.from_account, str(op.to_account))
            for it, op, i in zip(applied, ops, ids, strict=True)
        ],
        at=now,
    )
    deltas: dict[tuple[str, str], tuple[int, int]] = {}
    for op in ops:
        for account, sign in ((str(op.from_account), -1), (str(op.to_account), 1)):
            d = deltas.get((account, op.unit_type), (0, 0))[0]
            deltas[(account, op.unit_type)] = (d + sign * op.quantity, 0)
    ledger.adjust_holdings(conn, deltas)
    oplog.add_steps_many(conn, [(i, _STEPS) for i in ids], principal, now)
    answers = {id(it): oplog.answer(op, i, serials=it.moved) for it, op, i in zip(applied, ops, ids, strict=True)}
    oplog.store_answers(
        conn, [(i, answers[id(it)]) for it, op, i in zip(applied, ops, ids, strict=True) if op.client_key]
    )
    notify.enqueue_many(
        conn,
        [(TradingEvent.TRANSFER_COMPLETED, answers[id(it)], _involved(it)) for it in applied],
    )
    return answers


def _involved(it: _Item) -> list[str]:
    return sorted({a.jurisdiction for a in (it.sender, it.receiver) if a is not None and a.jurisdiction})
