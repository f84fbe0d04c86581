"""The registry's transaction log: operation rows, their steps and approvals, and the answers they give.

Every operation (:class:`~xietong.trading.enums.OperationKind`) is one row of ``trading_operation``; a
transfer also has a row per step (initiate, accept, approve, complete, reject, cancel) and per approval.
:func:`answer` builds the JSON answer of an operation (also stored for an idempotent retry);
:func:`operation_view` reads one back; :func:`trace` gives every movement of one serial.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.errors import NotFoundError
from xietong.exchange.principals import Principal
from xietong.store import bulk
from xietong.trading.enums import OperationKind
from xietong.trading.ledger import canonical
from xietong.trading.tables import (
    trading_approval,
    trading_block,
    trading_movement,
    trading_operation,
    trading_operation_step,
)

COMPLETED = "completed"


@dataclass(slots=True)
class NewOperation:
    """What an operation row records when it is created."""

    kind: OperationKind
    state: str
    unit_type: str
    quantity: int
    from_account: str | None = None
    to_account: str | None = None
    year: int | None = None
    late: bool = False
    required_approvals: list[dict[str, str]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    client_key: str | None = None
    request_hash: str | None = None


def _fields(op: NewOperation) -> dict[str, Any]:
    """What the stored row and the answer of an operation both say of it."""
    return {
        "kind": op.kind.value,
        "state": op.state,
        "unit_type": op.unit_type,
        "quantity": op.quantity,
        "from_account": op.from_account,
        "to_account": op.to_account,
        "year": op.year,
        "late": op.late,
    }


def _row(op: NewOperation, principal: Principal, now: datetime) -> dict[str, Any]:
    return _fields(op) | {
        "required_approvals": canonical(op.required_approvals),
        "detail": canonical(op.detail),
        "client_key": op.client_key,
        "request_hash": op.request_hash,
        "actor": principal.name,
        "actor_jurisdiction": principal.jurisdiction,
        "created_at": now,
        "updated_at": now,
        "completed_at": now if op.state == COMPLETED else None,
        "version": 1,
    }


_INSERT = trading_operation.insert().returning(trading_operation.c.id, sort_by_parameter_order=True)


def insert(conn: Connection, op: NewOperation, principal: Principal, now: datetime) -> int:
    """Insert the operation row; returns its id."""
    return insert_many(conn, [op], principal, now)[0]


def insert_many(conn: Connection, ops: Sequence[NewOperation], principal: Principal, now: datetime) -> list[int]:
    """Insert operation rows in one statement; returns their ids in the same order."""
    if not ops:
        return []
    return [int(i) for i in conn.execute(_INSERT, [_row(op, principal, now) for op in ops]).scalars()]


_STORE_ANSWER = (
    trading_operation.update()
    .where(trading_operation.c.id == sa.bindparam("b_id"))
    .values(result=sa.bindparam("b_result"))
)


def store_answer(conn: Connection, operation_id: int, answer: dict[str, Any]) -> None:
    """Keep the answer for an idempotent retry (only operations created with a client key need it)."""
    store_answers(conn, [(operation_id, answer)])


def store_answers(conn: Connection, answers: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """:func:`store_answer` for several operations in one statement."""
    if answers:
        conn.execute(_STORE_ANSWER, [{"b_id": i, "b_result": canonical(a)} for i, a in answers])


def add_step(
    conn: Connection,
    operation_id: int,
    step: str,
    state: str,
    principal: Principal,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    add_steps(conn, operation_id, [(step, state, detail or {})], principal, now)


def add_steps(
    conn: Connection,
    operation_id: int,
    steps: Sequence[tuple[str, str, dict[str, Any]]],
    principal: Principal,
    now: datetime,
) -> None:
    """Record steps ``(step, state after it, detail)`` of an operation, in one statement."""
    add_steps_many(conn, [(operation_id, steps)], principal, now)


def add_steps_many(
    conn: Connection,
    steps: Sequence[tuple[int, Sequence[tuple[str, str, dict[str, Any]]]]],
    principal: Principal,
    now: datetime,
) -> None:
    """:func:`add_steps` of several operations ``(operation_id, steps)`` in one statement."""
    rows = [
        {
            "operation_id": operation_id,
            "step": step,
            "state": state,
            "actor": principal.name,
            "actor_jurisdiction": principal.jurisdiction,
            "at": now,
            "detail": canonical(detail),
        }
        for operation_id, op_steps in steps
        for step, state, detail in op_steps
    ]
    bulk.insert_rows(conn, trading_operation_step, rows)


def answer(
    op: NewOperation, operation_id: int, *, serials: Sequence[Sequence[int]] = (), **extra: Any
) -> dict[str, Any]:
    """The JSON answer of an operation."""
    out: dict[str, Any] = (
        {"id": operation_id}
        | _fields(op)
        | {
            "required_approvals": op.required_approvals,
            "serials": [list(map(int, s)) for s in serials],
            "detail": op.detail,
        }
    )
    return out | extra


def load(conn: Connection, operation_id: int, *, lock: bool = False) -> Any:
    """The operation row (locked for the rest of the transaction with ``lock``)."""
    q = sa.select(trading_operation).where(trading_operation.c.id == operation_id)
    row = conn.execute(q.with_for_update() if lock else q).first()
    if row is None:
        raise NotFoundError(
            f"no operation {operation_id}",
            expected="an operation id of the registry",
            given=str(operation_id),
            hint="list them with `xietong trading operations`",
        )
    return row


def approvals_given(conn: Connection, operation_id: int) -> list[dict[str, Any]]:
    a = trading_approval
    rows = conn.execute(sa.select(a).where(a.c.operation_id == operation_id).order_by(a.c.at)).all()
    return [
        {"market": r.market, "approver": r.approver, "jurisdiction": r.jurisdiction_code, "by": r.actor, "at": r.at}
        for r in rows
    ]


def operation_view(conn: Connection, operation_id: int) -> dict[str, Any]:
    """An operation as stored: the row, its steps, approvals and the serial ranges it moved."""
    row = load(conn, operation_id)
    steps = conn.execute(
        sa.select(trading_operation_step)
        .where(trading_operation_step.c.operation_id == operation_id)
        .order_by(trading_operation_step.c.id)
    ).all()
    moves = conn.execute(
        sa.select(trading_movement)
        .where(trading_movement.c.operation_id == operation_id)
        .order_by(trading_movement.c.id)
    ).all()
    reserved = conn.execute(
        sa.select(trading_block.c.first_serial, trading_block.c.last_serial)
        .where(trading_block.c.reserved_by == operation_id)
        .order_by(trading_block.c.first_serial)
    ).all()
    return {
        "id": row.id,
        "kind": row.kind,
        "state": row.state,
        "unit_type": row.unit_type,
        "quantity": int(row.quantity),
        "from_account": row.from_account,
        "to_account": row.to_account,
        "year": row.year,
        "late": bool(row.late),
        "required_approvals": json.loads(row.required_approvals),
        "approvals": approvals_given(conn, operation_id),
        "detail": json.loads(row.detail),
        "actor": row.actor,
        "created_at": row.created_at,
        "completed_at": row.completed_at,
        "version": row.version,
        "steps": [
            {"step": s.step, "state": s.state, "by": s.actor, "at": s.at, "detail": json.loads(s.detail)} for s in steps
        ],
        "reserved": [[int(r.first_serial), int(r.last_serial)] for r in reserved],
        "movements": [
            {
                "first_serial": int(m.first_serial),
                "last_serial": int(m.last_serial),
                "from_account": m.from_account,
                "to_account": m.to_account,
                "state": m.state,
            }
            for m in moves
        ],
    }


OPERATION_COLUMNS = [
    "id",
    "kind",
    "state",
    "unit_type",
    "quantity",
    "from_account",
    "to_account",
    "year",
    "late",
    "actor",
    "created_at",
    "completed_at",
]


def operations_frame(
    conn: Connection,
    *,
    account: str | None = None,
    accounts: Sequence[str] | None = None,
    kind: str | None = None,
    state: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> pd.DataFrame:
    """Operations in id order after ``after_id`` (keyset pagination), optionally of one account."""
    o = trading_operation
    q = sa.select(*[o.c[c] for c in OPERATION_COLUMNS]).where(o.c.id > after_id).order_by(o.c.id).limit(limit)
    if account:
        q = q.where(sa.or_(o.c.from_account == account, o.c.to_account == account))
    if accounts is not None:
        q = q.where(sa.or_(o.c.from_account.in_(accounts), o.c.to_account.in_(accounts)))
    if kind:
        q = q.where(o.c.kind == kind)
    if state:
        q = q.where(o.c.state == state)
    frame = pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=OPERATION_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    return frame


def trace(conn: Connection, unit_type: str, serial: int) -> pd.DataFrame:
    """Every movement of one serial, oldest first, with its operation (the EU registry's transaction log)."""
    m, o = trading_movement, trading_operation
    q = (
        sa.select(
            m.c.operation_id,
            o.c.kind,
            m.c.first_serial,
            m.c.last_serial,
            m.c.from_account,
            m.c.to_account,
            m.c.state,
            m.c.at,
            o.c.actor,
            o.c.year,
        )
        .join(o, o.c.id == m.c.operation_id)
        .where(m.c.unit_type == unit_type, m.c.first_serial <= serial, m.c.last_serial >= serial)
        .order_by(m.c.id)
    )
    cols = [
        "operation_id",
        "kind",
        "first_serial",
        "last_serial",
        "from_account",
        "to_account",
        "state",
        "at",
        "actor",
        "year",
    ]
    return pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=cols)


__all__ = [
    "COMPLETED",
    "OPERATION_COLUMNS",
    "NewOperation",
    "add_step",
    "add_steps",
    "add_steps_many",
    "answer",
    "approvals_given",
    "insert",
    "insert_many",
    "load",
    "operation_view",
    "operations_frame",
    "store_answer",
    "store_answers",
    "trace",
]
