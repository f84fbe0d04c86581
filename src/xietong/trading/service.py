"""Registry operations on the store: issue, allocate, auction, surrender, retire, cancel, bank.

Each is one :func:`~xietong.exchange.actions.audited_write` transaction (all-or-nothing; refusals are in
the audit log too), idempotent with a client key (:func:`run_operation`), and checks ownership by
jurisdiction. The rules come from the pure core: :mod:`xietong.trading.serials` moves the blocks (and refuses
more units than held, serials outside the account, non-integer or negative quantities),
:mod:`xietong.trading.operations` checks surrenders (acceptance, banking, caps) under the market's rules in
force. Transfers between accounts, with their acceptance and approvals, are in :mod:`xietong.trading.transfers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.config import DISPLAY_TZ
from xietong.errors import InputError, Location
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.trading import book, ledger, oplog, registry, rules, serials
from xietong.trading.domain import TradingScope
from xietong.trading.enums import AccountKind, BlockState, OperationKind
from xietong.trading.operations import check_surrender
from xietong.trading.registry import Account
from xietong.trading.tables import trading_installation_year, trading_operation, trading_unit_type
from xietong.trading.units import UnitType

Body = Callable[[Connection, oplog.NewOperation, datetime], dict[str, Any]]
SerialRanges = list[tuple[int, int]] | None


def today_cst(now: datetime | None = None) -> date:
    """Today in China Standard Time (rule editions and deadlines are dates there)."""
    return (now or utcnow()).astimezone(DISPLAY_TZ).date()


def run_operation(
    store: Store,
    principal: Principal,
    kind: OperationKind,
    request: Mapping[str, Any],
    body: Body,
    *,
    target: str,
) -> dict[str, Any]:
    """Run ``body`` in one audited transaction, idempotent with ``request["client_key"]``.

    A retry with the same key and the same request returns the first answer (``replayed: true``) and
    changes nothing; the same key with another request is refused (409).
    """
    key = request.get("client_key")
    digest = ledger.request_hash(request)
    try:
        return _run_once(store, principal, kind, request, body, target=target, key=key, digest=digest)
    except sa.exc.IntegrityError:
        # the same key sent twice at the same moment: the unique (actor, client_key) index let one commit
        # and rolled the other back whole; answer it with the first one's answer
        if not key:
            raise
        with store.read() as conn:
            earlier = ledger.find_by_key(conn, principal.name, key, digest)
        if earlier is None:
            raise
        return earlier


def _run_once(
    store: Store,
    principal: Principal,
    kind: OperationKind,
    request: Mapping[str, Any],
    body: Body,
    *,
    target: str,
    key: str | None,
    digest: str,
) -> dict[str, Any]:
    # the operations lock the holdings they touch (ledger.lock_holdings), so they need not queue behind
    # every other write of the exchange: the audit chain is locked only to append their entry
    with actions.audited_write(store, principal, f"trading.{kind.value}", target, serialise=False) as work:
        earlier = ledger.find_by_key(work.conn, principal.name, key, digest)
        if earlier is not None:
            work.detail = {"replayed_operation": earlier["id"], "client_key": key}
            return earlier
        skeleton = oplog.NewOperation(kind, oplog.COMPLETED, str(request.get("unit_type", "")), 0)
        skeleton.client_key = key
        skeleton.request_hash = digest if key else None
        out = body(work.conn, skeleton, utcnow())
        if key:
            oplog.store_answer(work.conn, out["id"], out)
        work.target = f"operation {out['id']}"
        work.detail = {
            k: out.get(k)
            for k in ("kind", "state", "unit_type", "quantity", "from_account", "to_account", "year", "late")
        }
        return out


def serial_ranges_arg(serial_ranges: Iterable[Iterable[int]] | None) -> SerialRanges:
    """Serial ranges as given by a caller (``[[first, last], …]``), checked to be pairs; ``None`` stays ``None``."""
    if serial_ranges is None:
        return None
    out: list[tuple[int, int]] = []
    for pair in serial_ranges:
        values = list(pair)
        if len(values) != 2:
            raise InputError(
                "a serial range is a pair",
                expected="[first, last]",
                given=repr(values),
                where=Location(field="serials"),
            )
        out.append((values[0], values[1]))
    return out


def quantity_arg(quantity: object, serial_ranges: SerialRanges) -> int:
    """The number of units moved: the quantity given, or the size of the serial ranges (not both)."""
    if serial_ranges is not None:
        if quantity is not None:
            raise InputError(
                "give either a quantity or serial ranges",
                expected="quantity or serials",
                given="both",
                where=Location(field="quantity"),
            )
        return sum(int(last) - int(first) + 1 for first, last in serial_ranges)
    return serials.check_quantity(quantity)


def check_accepts(account: Account, unit: UnitType, on: date) -> None:
    """Refuse a unit type the receiving account's market does not accept (rules ``[[units]]`` rows)."""
    if account.market is None:
        return
    market_rules = rules.load(account.market, "auto", on=on)
    if market_rules.accepts(unit) is None:
        names = "; ".join(r.name for r in market_rules.units) or "no unit types (rows switched off?)"
        raise InputError(
            f"unit type {unit.code} is not accepted by the receiving market {market_rules.label} (account {account.code})",
            expected=f"a unit type under one of: {names}",
            given=unit.code,
            where=Location(source=f"{market_rules.market}_{market_rules.edition}.toml", field="units"),
            hint="rule: a market only takes the unit types its rules list (rules file, [[units]] rows)",
        )


def _open(account: Account) -> Account:
    if account.closed:
        raise InputError(f"account {account.code} is closed", expected="an open account", given=account.code)
    return account


# -- issue ---------------------------------------------------------------------------------------------------


def issue(
    store: Store,
    principal: Principal,
    unit_type: str,
    quantity: object,
    to_account: str,
    *,
    client_key: str | None = None,
) -> dict[str, Any]:
    """Create ``quantity`` new units of ``unit_type`` in ``to_account`` (the issuing jurisdiction's registry
    authority; serials continue after the last issued)."""
    principal.require(TradingScope.ISSUE, "issue units")
    q = serials.check_quantity(quantity)
    request = {"op": "issue", "unit_type": unit_type, "quantity": q, "to_account": to_account, "client_key": client_key}

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        unit, issuer = registry.get_unit_type(conn, unit_type)
        registry.require_acts_for(principal, issuer, f"issue {unit_type}")
        account = _open(registry.get_account(conn, to_account))
        registry.require_acts_for(principal, account.jurisdiction, f"issue into account {to_account}")
        check_accepts(account, unit, today_cst(now))
        top = conn.execute(
            sa.select(trading_unit_type.c.issued).where(trading_unit_type.c.code == unit_type).with_for_update()
        ).scalar_one()
        ledger.lock_holdings(conn, [(to_account, unit_type)])
        result = serials.issue(
            serials.empty_blocks(), unit_type=unit_type, quantity=q, account=to_account, first_serial=int(top) + 1
        )
        op.kind, op.unit_type, op.quantity, op.to_account = OperationKind.ISSUE, unit_type, q, to_account
        op_id = oplog.insert(conn, op, principal, now)
        ledger.insert_blocks(conn, result.blocks, operation_id=op_id)
        moved = ledger.log_moves(conn, result.moved, operation_id=op_id, at=now)
        ledger.adjust_holdings(conn, {(to_account, unit_type): (q, 0)})
        conn.execute(
            trading_unit_type.update()
            .where(trading_unit_type.c.code == unit_type)
            .values(issued=trading_unit_type.c.issued + q)
        )
        return oplog.answer(op, op_id, serials=moved)

    return run_operation(store, principal, OperationKind.ISSUE, request, body, target=f"{unit_type} → {to_account}")


# -- allocate and auction: a government account delivers units (no acceptance step) --------------------------------


def move_now(
    conn: Connection,
    op: oplog.NewOperation,
    principal: Principal,
    now: datetime,
    *,
    sender: Account,
    receiver: Account,
    unit: UnitType,
    quantity: int | None,
    serial_ranges: SerialRanges,
) -> dict[str, Any]:
    """Move units at once from ``sender`` to ``receiver`` (both already checked): lock, move the sender's
    free blocks (:class:`xietong.trading.book.Book`, plain tuples), write the blocks, log the movements and
    update the holdings."""
    check_accepts(receiver, unit, today_cst(now))
    ledger.lock_holdings(conn, [(sender.code, unit.code), (receiver.code, unit.code)])
    held = book.Book.load(conn, [(sender.code, unit.code)], units=quantity if serial_ranges is None else None)
    moved = held.move(sender.code, receiver.code, unit.code, quantity=quantity, serial_ranges=serial_ranges, op_index=0)
    op.quantity = sum(last - first + 1 for first, last in moved)
    op_id = oplog.insert(conn, op, principal, now)
    held.flush(conn, [op_id])
    ledger.log_ranges(conn, [(op_id, unit.code, moved, sender.code, receiver.code)], at=now)
    ledger.adjust_holdings(
        conn, {(sender.code, unit.code): (-op.quantity, 0), (receiver.code, unit.code): (op.quantity, 0)}
    )
    return oplog.answer(op, op_id, serials=moved)


def _deliver(
    store: Store,
    principal: Principal,
    kind: OperationKind,
    request: dict[str, Any],
    *,
    year: int | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    principal.require(TradingScope.ISSUE, f"{kind.value} units")
    ranges = serial_ranges_arg(request.get("serials"))
    q = quantity_arg(request.get("quantity"), ranges)

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        unit, _ = registry.get_unit_type(conn, request["unit_type"])
        sender = _open(registry.get_account(conn, request["from_account"]))
        if sender.kind is not AccountKind.GOVERNMENT:
            raise InputError(
                f"{kind.value} delivers from a government account",
                expected="a government account",
                given=f"{sender.code} ({sender.kind.value})",
                where=Location(field="from_account"),
            )
        registry.require_acts_for(principal, sender.jurisdiction, f"{kind.value} from {sender.code}")
        receiver = _open(registry.get_account(conn, request["to_account"]))
        op.kind, op.unit_type, op.from_account, op.to_account = kind, unit.code, sender.code, receiver.code
        op.year, op.detail = year, detail
        return move_now(
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

    return run_operation(
        store, principal, kind, request, body, target=f"{request['unit_type']} → {request['to_account']}"
    )


def allocate(
    store: Store,
    principal: Principal,
    unit_type: str,
    quantity: object,
    *,
    from_account: str,
    to_account: str,
    year: int,
    client_key: str | None = None,
) -> dict[str, Any]:
    """Free allocation for ``year`` from a government account (the allocation counts in caps of the form
    'offsets at most x % of the year's allocation')."""
    year = _year(year)
    request = {
        "op": "allocate",
        "unit_type": unit_type,
        "quantity": quantity,
        "from_account": from_account,
        "to_account": to_account,
        "year": year,
        "client_key": client_key,
    }
    return _deliver(store, principal, OperationKind.ALLOCATE, request, year=year, detail={})


def auction(
    store: Store,
    principal: Principal,
    unit_type: str,
    quantity: object,
    *,
    from_account: str,
    to_account: str,
    price_cny_t: float | None = None,
    client_key: str | None = None,
) -> dict[str, Any]:
    """Deliver units sold at auction from a government account (the clearing price is recorded)."""
    if price_cny_t is not None and not price_cny_t >= 0:
        raise InputError(
            "a price is >= 0", expected="CNY per t", given=repr(price_cny_t), where=Location(field="price_cny_t")
        )
    request = {
        "op": "auction",
        "unit_type": unit_type,
        "quantity": quantity,
        "from_account": from_account,
        "to_account": to_account,
        "price_cny_t": price_cny_t,
        "client_key": client_key,
    }
    detail = {"price_cny_t": price_cny_t} if price_cny_t is not None else {}
    return _deliver(store, principal, OperationKind.AUCTION, request, year=None, detail=detail)


def _year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise InputError("invalid year", expected="a year such as 2026", given=repr(year), where=Location(field="year"))
    return year


# -- surrender, retire, cancel: units end their life in the account ----------------------------------------------


def _end_life(
    conn: Connection,
    op: oplog.NewOperation,
    principal: Principal,
    now: datetime,
    *,
    account: Account,
    unit: UnitType,
    state: BlockState,
    quantity: int | None,
    serial_ranges: SerialRanges,
    **extra: Any,
) -> dict[str, Any]:
    ledger.lock_holdings(conn, [(account.code, unit.code)])
    old = ledger.free_blocks(conn, account.code, unit.code)
    result = serials.end_life(
        old.blocks,
        account=account.code,
        unit_type=unit.code,
        state=state,
        quantity=quantity,
        serials=serial_ranges,
    )
    op.quantity = result.quantity
    op_id = oplog.insert(conn, op, principal, now)
    ledger.replace_blocks(conn, old, result.blocks, operation_id=op_id)
    moved = ledger.log_moves(conn, result.moved, operation_id=op_id, at=now)
    ledger.adjust_holdings(conn, {(account.code, unit.code): (-op.quantity, 0)})
    return oplog.answer(op, op_id, serials=moved, **extra)


def year_figures(conn: Connection, account: str, year: int) -> tuple[float | None, float, list[tuple[str, int]]]:
    """(verified emissions [t CO2e] or ``None``, allocation for the year [units], earlier surrenders for the
    year as ``(unit type, units)``)."""
    iy = trading_installation_year
    row = conn.execute(
        sa.select(iy.c.verified_t, iy.c.allocated_external_t).where(iy.c.account == account, iy.c.year == year)
    ).first()
    o = trading_operation
    allocated = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(o.c.quantity), 0)).where(
            o.c.kind == OperationKind.ALLOCATE.value, o.c.to_account == account, o.c.year == year
        )
    ).scalar_one()
    earlier = conn.execute(
        sa.select(o.c.unit_type, sa.func.sum(o.c.quantity))
        .where(o.c.kind == OperationKind.SURRENDER.value, o.c.from_account == account, o.c.year == year)
        .group_by(o.c.unit_type)
    ).all()
    verified = None if row is None or row.verified_t is None else float(row.verified_t)
    external = 0.0 if row is None or row.allocated_external_t is None else float(row.allocated_external_t)
    return verified, float(allocated) + external, [(str(u), int(n)) for u, n in earlier]


def surrender(
    store: Store,
    principal: Principal,
    account: str,
    unit_type: str,
    *,
    year: int,
    quantity: object = None,
    serial_ranges: Iterable[Iterable[int]] | None = None,
    client_key: str | None = None,
) -> dict[str, Any]:
    """Surrender units for compliance year ``year`` under the rules of the account's market in force that
    year: the unit type must count, units of another period only where banking allows, and every cap must
    have room (each refusal names the rule). A surrender after the year's deadline is recorded and flagged
    ``late`` (its code then carries the ``*`` of a change after the deadline)."""
    principal.require(TradingScope.OPERATE, "surrender units")
    year = _year(year)
    ranges = serial_ranges_arg(serial_ranges)
    q = quantity_arg(quantity, ranges)
    request = {
        "op": "surrender",
        "account": account,
        "unit_type": unit_type,
        "year": year,
        "quantity": q,
        "serials": ranges,
        "client_key": client_key,
    }

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        acc = _open(registry.get_account(conn, account))
        registry.require_acts_for(principal, acc.jurisdiction, f"surrender from account {account}")
        if acc.market is None:
            raise InputError(
                f"account {account} has no compliance obligation",
                expected="an operator holding account of a market",
                given=f"{acc.code} ({acc.kind.value})",
                where=Location(field="account"),
            )
        unit, _ = registry.get_unit_type(conn, unit_type)
        market_rules = rules.load(acc.market, "auto", on=date(year, 1, 1))
        ledger.lock_holdings(conn, [(account, unit_type)])
        verified, allocated, earlier = year_figures(conn, account, year)
        known = registry.unit_types(conn)
        checks = check_surrender(
            market_rules,
            unit,
            q,
            year=year,
            verified_t=verified,
            allocated_t=allocated,
            already=[(known[u], n) for u, n in earlier],
        )
        deadline = market_rules.require_deadline()
        due = deadline.for_year(year)
        late = today_cst(now) > due
        op.kind, op.unit_type, op.from_account, op.to_account, op.year, op.late = (
            OperationKind.SURRENDER,
            unit_type,
            account,
            account,
            year,
            late,
        )
        op.detail = {
            "rules": market_rules.label,
            "deadline": due.isoformat(),
            "caps": [asdict(c) | {"left": c.left} for c in checks],
        }
        if late:
            op.detail["late"] = f"surrendered after the deadline {due.isoformat()} ({deadline.source})"
        return _end_life(
            conn,
            op,
            principal,
            now,
            account=acc,
            unit=unit,
            state=BlockState.SURRENDERED,
            quantity=None if ranges is not None else q,
            serial_ranges=ranges,
            warnings=[op.detail["late"]] if late else [],
        )

    return run_operation(
        store, principal, OperationKind.SURRENDER, request, body, target=f"{account} {unit_type} {year}"
    )


def retire(
    store: Store,
    principal: Principal,
    account: str,
    unit_type: str,
    *,
    quantity: object = None,
    serial_ranges: Iterable[Iterable[int]] | None = None,
    reason: str = "",
    client_key: str | None = None,
) -> dict[str, Any]:
    """Take units out of circulation voluntarily (the holder's choice, e.g. offsetting)."""
    principal.require(TradingScope.OPERATE, "retire units")
    ranges = serial_ranges_arg(serial_ranges)
    q = quantity_arg(quantity, ranges)
    request = {
        "op": "retire",
        "account": account,
        "unit_type": unit_type,
        "quantity": q,
        "serials": ranges,
        "reason": reason,
        "client_key": client_key,
    }

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        acc = _open(registry.get_account(conn, account))
        registry.require_acts_for(principal, acc.jurisdiction, f"retire units of account {account}")
        unit, _ = registry.get_unit_type(conn, unit_type)
        op.kind, op.unit_type, op.from_account, op.to_account = OperationKind.RETIRE, unit_type, account, account
        op.detail = {"reason": reason} if reason else {}
        return _end_life(
            conn,
            op,
            principal,
            now,
            account=acc,
            unit=unit,
            state=BlockState.RETIRED,
            quantity=None if ranges is not None else q,
            serial_ranges=ranges,
        )

    return run_operation(store, principal, OperationKind.RETIRE, request, body, target=f"{account} {unit_type}")


def cancel(
    store: Store,
    principal: Principal,
    account: str,
    unit_type: str,
    *,
    quantity: object = None,
    serial_ranges: Iterable[Iterable[int]] | None = None,
    reason: str,
    client_key: str | None = None,
) -> dict[str, Any]:
    """The issuing authority takes units out (a correction, an expiry); the reason is required."""
    principal.require(TradingScope.ISSUE, "cancel units")
    if not reason.strip():
        raise InputError(
            "a cancellation needs its reason", expected="a reason", given="''", where=Location(field="reason")
        )
    ranges = serial_ranges_arg(serial_ranges)
    q = quantity_arg(quantity, ranges)
    request = {
        "op": "cancel",
        "account": account,
        "unit_type": unit_type,
        "quantity": q,
        "serials": ranges,
        "reason": reason,
        "client_key": client_key,
    }

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        acc = _open(registry.get_account(conn, account))
        unit, issuer = registry.get_unit_type(conn, unit_type)
        registry.require_acts_for(principal, issuer, f"cancel units of {unit_type}")
        op.kind, op.unit_type, op.from_account, op.to_account = OperationKind.CANCEL, unit_type, account, account
        op.detail = {"reason": reason}
        return _end_life(
            conn,
            op,
            principal,
            now,
            account=acc,
            unit=unit,
            state=BlockState.CANCELLED,
            quantity=None if ranges is not None else q,
            serial_ranges=ranges,
        )

    return run_operation(store, principal, OperationKind.CANCEL, request, body, target=f"{account} {unit_type}")


def _edition_with_period(market: str, period: str) -> rules.MarketRules:
    for ed in rules.editions(market):
        loaded = rules.load(market, ed.edition)
        if any(p.id == period for p in loaded.periods):
            return loaded
    known = sorted({p.id for ed in rules.editions(market) for p in rules.load(market, ed.edition).periods})
    raise InputError(
        f"{market} has no trading period {period!r}",
        expected="one of " + ", ".join(known),
        given=repr(period),
        where=Location(field="to_period"),
    )


def bank(
    store: Store,
    principal: Principal,
    account: str,
    unit_type: str,
    quantity: object,
    *,
    to_period: str,
    client_key: str | None = None,
) -> dict[str, Any]:
    """Carry units into a later trading period where the account's market allows it (``[[banking]]`` rows).

    Banked units keep their serials and stay in the account; the operation records which serials were
    banked into which period (their history shows it), and a refusal names the banking rule.
    """
    principal.require(TradingScope.OPERATE, "bank units")
    q = serials.check_quantity(quantity)
    request = {
        "op": "bank",
        "account": account,
        "unit_type": unit_type,
        "quantity": q,
        "to_period": to_period,
        "client_key": client_key,
    }

    def body(conn: Connection, op: oplog.NewOperation, now: datetime) -> dict[str, Any]:
        acc = _open(registry.get_account(conn, account))
        registry.require_acts_for(principal, acc.jurisdiction, f"bank units of account {account}")
        unit, _ = registry.get_unit_type(conn, unit_type)
        if acc.market is None or unit.period is None:
            raise InputError(
                "banking moves units of one trading period of a market into a later one",
                expected="an operator account of a market and a unit type with a trading period",
                given=f"account market {acc.market}, unit period {unit.period}",
                where=Location(field="unit_type"),
            )
        target_rules = _edition_with_period(acc.market, to_period)
        row = target_rules.bank(unit.period, to_period)
        ledger.lock_holdings(conn, [(account, unit_type)])
        old = ledger.free_blocks(conn, account, unit_type)
        taken, _ = serials.take(old.blocks, account=account, unit_type=unit_type, quantity=q)
        op.kind, op.unit_type, op.quantity, op.from_account, op.to_account = (
            OperationKind.BANK,
            unit_type,
            q,
            account,
            account,
        )
        op.detail = {
            "from_period": unit.period,
            "to_period": to_period,
            "rule": row.source,
            "rules": target_rules.label,
        }
        op_id = oplog.insert(conn, op, principal, now)
        moved = ledger.log_moves(conn, taken.assign(from_account=account), operation_id=op_id, at=now)
        return oplog.answer(op, op_id, serials=moved)

    return run_operation(
        store, principal, OperationKind.BANK, request, body, target=f"{account} {unit_type} → {to_period}"
    )


__all__ = [
    "allocate",
    "auction",
    "bank",
    "cancel",
    "check_accepts",
    "issue",
    "move_now",
    "quantity_arg",
    "retire",
    "run_operation",
    "serial_ranges_arg",
    "surrender",
    "today_cst",
    "year_figures",
]
