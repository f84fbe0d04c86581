"""Serial blocks in the store: lock the holdings, take units with the pure core, write what changed, log it.

The building blocks of every registry operation (:mod:`xietong.trading.service` composes them inside one
:func:`~xietong.exchange.actions.audited_write` transaction, so an operation is all-or-nothing):

1. :func:`lock_holdings` locks the ``trading_holding`` rows of the accounts and unit type involved, in a fixed
   order (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writers already hold the database's write lock from
   ``BEGIN IMMEDIATE``). Two operations on the same units therefore run one after the other, and the second
   reads the blocks the first left: of two concurrent transfers of the same units exactly one succeeds.
2. :func:`free_blocks` reads the sender's free held blocks of one unit type into the core's frame;
   :func:`xietong.trading.serials.take` / ``move`` / ``end_life`` decide what moves (and refuse what cannot).
3. :func:`replace_blocks` writes only the blocks that changed (kept blocks keep their row and creating
   operation), :func:`log_moves` appends the movements linked to the operation, :func:`adjust_holdings`
   updates the counts (whose ``CHECK`` constraints refuse a negative holding should anything slip through).

Idempotency: :func:`find_by_key` looks an operation up by its actor and client key and compares the SHA-256
of the canonical request (:func:`request_hash`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from xietong.errors import ConflictError, Location, Problem
from xietong.store import bulk
from xietong.trading import serials
from xietong.trading.enums import BlockState
from xietong.trading.serials import BLOCK_COLUMNS
from xietong.trading.tables import (
    trading_block,
    trading_holding,
    trading_movement,
    trading_operation,
    trading_unit_type,
)

HELD = BlockState.HELD.value


def canonical(value: Any) -> str:
    """Sorted-key compact JSON (what is hashed and stored)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_hash(request: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request (its content, without the client key)."""
    return hashlib.sha256(canonical({k: v for k, v in request.items() if k != "client_key"}).encode()).hexdigest()


def find_by_key(conn: Connection, actor: str, client_key: str | None, digest: str) -> dict[str, Any] | None:
    """The stored answer of the operation this actor created with ``client_key``, or ``None``.

    The same key with a different request is a :class:`ConflictError` (409): the client reused a key.
    """
    if not client_key:
        return None
    row = conn.execute(
        sa.select(trading_operation.c.id, trading_operation.c.request_hash, trading_operation.c.result).where(
            trading_operation.c.actor == actor, trading_operation.c.client_key == client_key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise client_key_conflict(client_key, row.id)
    answer: dict[str, Any] = json.loads(row.result) if row.result else {"id": row.id}
    answer["replayed"] = True
    return answer


def client_key_conflict(client_key: str, first_id: object) -> ConflictError:
    """The 409 of a client key sent again with other content (operation ``first_id`` holds it)."""
    return ConflictError(
        f"client key {client_key!r} was already used for another request (operation {first_id})",
        expected="the same request as the first one sent with this key, or a new key",
        given="a request with different content",
        where=Location(field="client_key"),
        hint="a client key identifies one request: retry with the same content, or use a fresh key",
    )


_LOCK = (
    sa.select(
        trading_holding.c.account, trading_holding.c.unit_type, trading_holding.c.held, trading_holding.c.reserved
    )
    .where(sa.tuple_(trading_holding.c.account, trading_holding.c.unit_type).in_(sa.bindparam("keys", expanding=True)))
    .order_by(trading_holding.c.account, trading_holding.c.unit_type)
    .with_for_update()
)


def lock_holdings(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """Lock the holding rows ``(account, unit_type)`` (created at zero when missing), in sorted order.

    Returns ``{key: (held, reserved)}``.
    """
    wanted = sorted(set(keys))

    def select() -> dict[tuple[str, str], tuple[int, int]]:
        rows = conn.execute(_LOCK, {"keys": wanted})
        return {(r.account, r.unit_type): (int(r.held), int(r.reserved)) for r in rows}

    found = select()
    missing = [k for k in wanted if k not in found]
    if missing:
        h = trading_holding
        insert = postgresql.insert(h) if conn.dialect.name == "postgresql" else sqlite.insert(h)
        conn.execute(
            insert.on_conflict_do_nothing(),
            [{"account": a, "unit_type": u, "held": 0, "reserved": 0} for a, u in missing],
        )
        found = select()
    return found


_ADJUST = (
    trading_holding.update()
    .where(
        trading_holding.c.account == sa.bindparam("b_account"),
        trading_holding.c.unit_type == sa.bindparam("b_unit_type"),
    )
    .values(
        held=trading_holding.c.held + sa.bindparam("b_held"),
        reserved=trading_holding.c.reserved + sa.bindparam("b_reserved"),
    )
)


_BY_COLUMNS = sa.select(
    sa.func.unnest(sa.bindparam("u_account", type_=postgresql.ARRAY(sa.String))).label("account"),
    sa.func.unnest(sa.bindparam("u_unit_type", type_=postgresql.ARRAY(sa.String))).label("unit_type"),
    sa.func.unnest(sa.bindparam("u_held", type_=postgresql.ARRAY(sa.BigInteger))).label("d_held"),
    sa.func.unnest(sa.bindparam("u_reserved", type_=postgresql.ARRAY(sa.BigInteger))).label("d_reserved"),
).subquery("change")
_ADJUST_MANY = (
    trading_holding.update()
    .where(trading_holding.c.account == _BY_COLUMNS.c.account, trading_holding.c.unit_type == _BY_COLUMNS.c.unit_type)
    .values(
        held=trading_holding.c.held + _BY_COLUMNS.c.d_held,
        reserved=trading_holding.c.reserved + _BY_COLUMNS.c.d_reserved,
    )
)


def adjust_holdings(conn: Connection, changes: Mapping[tuple[str, str], tuple[int, int]]) -> None:
    """Add ``(d_held, d_reserved)`` to each locked holding row (on PostgreSQL in one ``UPDATE … FROM``
    of arrays whatever the number of rows)."""
    rows = [(a, u, dh, dr) for (a, u), (dh, dr) in sorted(changes.items()) if dh or dr]
    if len(rows) > 1 and conn.dialect.name == "postgresql":
        cols = list(zip(*rows, strict=True))
        conn.execute(
            _ADJUST_MANY,
            {"u_account": list(cols[0]), "u_unit_type": list(cols[1]), "u_held": list(cols[2]),
             "u_reserved": list(cols[3])},
        )  # fmt: skip
    elif rows:
        conn.execute(
            _ADJUST, [{"b_account": a, "b_unit_type": u, "b_held": dh, "b_reserved": dr} for a, u, dh, dr in rows]
        )


@dataclass(frozen=True, slots=True)
class Loaded:
    """An account's free blocks of one unit type as read: their row ids and the core's block frame."""

    ids: npt.NDArray[np.int64]
    blocks: pd.DataFrame


_FREE = (
    sa.select(trading_block.c.id, trading_block.c.first_serial, trading_block.c.last_serial)
    .where(
        trading_block.c.account == sa.bindparam("account"),
        trading_block.c.unit_type == sa.bindparam("unit_type"),
        trading_block.c.state == HELD,
        trading_block.c.reserved_by.is_(None),
    )
    .order_by(trading_block.c.first_serial)
)


def free_blocks(conn: Connection, account: str, unit_type: str) -> Loaded:
    """The account's free held blocks of one unit type (the core's :data:`BLOCK_COLUMNS`, by first serial)."""
    rows = conn.execute(_FREE, {"account": account, "unit_type": unit_type}).all()
    n = len(rows)
    arr = np.array([tuple(r) for r in rows], dtype=np.int64).reshape(n, 3)
    frame = pd.DataFrame(
        {
            "unit_type": pd.Series(np.full(n, unit_type, object), dtype=object),
            "first_serial": arr[:, 1],
            "last_serial": arr[:, 2],
            "account": pd.Series(np.full(n, account, object), dtype=object),
            "state": pd.Series(np.full(n, HELD, object), dtype=object),
        }
    )
    return Loaded(arr[:, 0].copy(), frame)


def replace_blocks(
    conn: Connection,
    old: Loaded,
    new: pd.DataFrame,
    *,
    operation_id: int,
    reserved: Sequence[bool] | None = None,
) -> None:
    """Replace the blocks ``old`` (read by :func:`free_blocks`) by ``new`` (core frame rows).

    A new row equal to an old one (same serials, account, free and held) keeps its stored row; the other
    old rows are deleted and the other new rows inserted as created by ``operation_id`` (reserved by it
    where ``reserved`` says so).
    """
    res = np.zeros(len(new), dtype=bool) if reserved is None else np.asarray(reserved, dtype=bool)
    o_first = old.blocks["first_serial"].to_numpy(np.int64)
    o_last = old.blocks["last_serial"].to_numpy(np.int64)
    o_acc = old.blocks["account"].to_numpy(object)
    n_first = new["first_serial"].to_numpy(np.int64)
    n_last = new["last_serial"].to_numpy(np.int64)
    n_acc = new["account"].to_numpy(object)
    n_state = new["state"].to_numpy(object)
    pos = np.searchsorted(o_first, n_first)  # old rows are sorted by first serial
    hit = pos < len(o_first)
    p = np.where(hit, pos, 0)
    same = hit & (o_first[p] == n_first) if len(o_first) else np.zeros(len(new), dtype=bool)
    if len(o_first):
        same &= (o_last[p] == n_last) & (o_acc[p] == n_acc) & (n_state == HELD) & ~res
    kept_ids = set(old.ids[p[same]].tolist()) if len(o_first) else set()
    gone = [int(i) for i in old.ids if int(i) not in kept_ids]
    if gone:
        conn.execute(trading_block.delete().where(trading_block.c.id.in_(gone)))
    ut = new["unit_type"].to_numpy(object)
    rows = [
        {
            "unit_type": ut[i],
            "first_serial": int(n_first[i]),
            "last_serial": int(n_last[i]),
            "account": n_acc[i],
            "state": n_state[i],
            "reserved_by": operation_id if res[i] else None,
            "operation_id": operation_id,
        }
        for i in np.flatnonzero(~same)
    ]
    if rows:
        conn.execute(trading_block.insert(), rows)


def _block_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    ut = frame["unit_type"].to_numpy(object)
    first = frame["first_serial"].to_numpy(np.int64)
    last = frame["last_serial"].to_numpy(np.int64)
    acc = frame["account"].to_numpy(object)
    state = frame["state"].to_numpy(object)
    return [
        {
            "unit_type": ut[i],
            "first_serial": int(first[i]),
            "last_serial": int(last[i]),
            "account": acc[i],
            "state": state[i],
        }
        for i in range(len(frame))
    ]


def insert_blocks(conn: Connection, blocks: pd.DataFrame, *, operation_id: int) -> None:
    """Insert new blocks (an issue) created by ``operation_id``."""
    rows = [r | {"reserved_by": None, "operation_id": operation_id} for r in _block_rows(blocks)]
    conn.execute(trading_block.insert(), rows)


def log_moves(conn: Connection, moved: pd.DataFrame, *, operation_id: int, at: datetime) -> list[list[int]]:
    """Append the movements (core ``moved`` frame: ``from_account`` → ``account``, ``state``) of an operation;
    returns the serial ranges ``[[first, last], …]``."""
    sender = moved["from_account"].to_numpy(object)
    rows = [
        {
            "operation_id": operation_id,
            "unit_type": r["unit_type"],
            "first_serial": r["first_serial"],
            "last_serial": r["last_serial"],
            "from_account": sender[i],
            "to_account": r["account"],
            "state": r["state"],
            "at": at,
        }
        for i, r in enumerate(_block_rows(moved))
    ]
    if rows:
        conn.execute(trading_movement.insert(), rows)
    return [[int(row["first_serial"]), int(row["last_serial"])] for row in rows]


def log_ranges(
    conn: Connection,
    moves: Iterable[tuple[int, str, Sequence[tuple[int, int]], str | None, str]],
    *,
    at: datetime,
    state: str = HELD,
) -> None:
    """Append movements ``(operation_id, unit_type, [(first, last), …], from_account, to_account)`` of
    one or many operations in one statement (what :func:`log_moves` does from a frame)."""
    rows = [
        {
            "operation_id": op_id,
            "unit_type": unit_type,
            "first_serial": first,
            "last_serial": last,
            "from_account": sender,
            "to_account": receiver,
            "state": state,
            "at": at,
        }
        for op_id, unit_type, moved, sender, receiver in moves
        for first, last in moved
    ]
    bulk.insert_rows(conn, trading_movement, rows)


def reserved_blocks(conn: Connection, operation_id: int) -> pd.DataFrame:
    """The blocks a pending transfer reserved (core frame plus ``id``)."""
    b = trading_block
    rows = conn.execute(
        sa.select(b.c.id, b.c.unit_type, b.c.first_serial, b.c.last_serial, b.c.account, b.c.state)
        .where(b.c.reserved_by == operation_id)
        .order_by(b.c.first_serial)
    ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["id", "unit_type", "first_serial", "last_serial", "account", "state"]
    )


def release_reserved(conn: Connection, operation_id: int, *, to_account: str | None = None) -> None:
    """Free the blocks of a pending transfer: back to the sender (``to_account=None``) or into the receiver's
    account (the transfer completed; the blocks are then created by the transfer)."""
    values: dict[str, Any] = {"reserved_by": None}
    if to_account is not None:
        values |= {"account": to_account, "operation_id": operation_id}
    conn.execute(trading_block.update().where(trading_block.c.reserved_by == operation_id).values(**values))


def check_store(conn: Connection) -> list[Problem]:
    """Problems of the stored registry (empty when sound): the core's invariants over every block
    (disjoint serials per unit type, each unit type adding up to what was issued), and every holding row
    equal to the blocks it counts (free held and reserved units)."""
    b = trading_block
    rows = conn.execute(
        sa.select(b.c.unit_type, b.c.first_serial, b.c.last_serial, b.c.account, b.c.state, b.c.reserved_by)
    ).all()
    blocks = pd.DataFrame([tuple(r) for r in rows], columns=[*BLOCK_COLUMNS, "reserved_by"])
    issued = {str(c): int(n) for c, n in conn.execute(sa.select(trading_unit_type.c.code, trading_unit_type.c.issued))}
    core = (
        serials.empty_blocks()
        if blocks.empty
        else blocks[list(BLOCK_COLUMNS)].astype({"first_serial": np.int64, "last_serial": np.int64})
    )
    problems: list[Problem] = serials.check_invariants(core, issued)
    held = blocks.loc[(blocks["state"] == HELD)].assign(size=lambda f: f["last_serial"] - f["first_serial"] + 1)
    held["bucket"] = np.where(held["reserved_by"].isna(), "held", "reserved")
    counted = held.groupby(["account", "unit_type", "bucket"])["size"].sum().unstack(fill_value=0)
    h = trading_holding
    for r in conn.execute(sa.select(h)):
        key = (r.account, r.unit_type)
        want = (
            int(counted.loc[key, "held"]) if key in counted.index and "held" in counted else 0,
            int(counted.loc[key, "reserved"]) if key in counted.index and "reserved" in counted else 0,
        )
        if (int(r.held), int(r.reserved)) != want:
            problems.append(
                Problem(
                    f"holding of {r.unit_type} in {r.account} differs from its blocks",
                    Location(field="held"),
                    f"held {want[0]}, reserved {want[1]}",
                    f"held {r.held}, reserved {r.reserved}",
                )
            )
    return problems


__all__ = [
    "Loaded",
    "adjust_holdings",
    "canonical",
    "check_store",
    "find_by_key",
    "free_blocks",
    "insert_blocks",
    "lock_holdings",
    "log_moves",
    "log_ranges",
    "release_reserved",
    "replace_blocks",
    "request_hash",
    "reserved_blocks",
]
