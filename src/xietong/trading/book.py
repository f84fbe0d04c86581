"""The free blocks of the accounts an operation moves units between, held in memory while the operation
(or a batch of them, :mod:`xietong.trading.batch`) runs, then written back in two statements.

:meth:`Book.load` reads the free held blocks of some ``(account, unit_type)`` keys in one query (the caller
has locked their holdings, :func:`xietong.trading.ledger.lock_holdings`); :meth:`Book.move` takes units with
:func:`xietong.trading.ranges.take` and lands them in the receiver's account, refusing before it changes
anything; :meth:`Book.flush` deletes the stored blocks that were taken or split and inserts the blocks made
in this transaction, each created by the operation that made it. A block that was made and consumed again
within one batch is never written. The stored result is the one of running the operations one after
another through :func:`xietong.trading.ledger.replace_blocks` (kept blocks keep their row and creator).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.store import bulk
from xietong.trading import ranges
from xietong.trading.enums import BlockState
from xietong.trading.tables import trading_block

HELD = BlockState.HELD.value
Key = tuple[str, str]  # (account, unit_type)


@dataclass(slots=True)
class Block:
    """A free held block: its stored row id (``None`` when made in this transaction) and the index of the
    operation that made it (in the transaction's list of operations; ``-1`` for a stored row)."""

    id: int | None
    first: int
    last: int
    creator: int = -1


_b = trading_block.c
_SIZE = _b.last_serial - _b.first_serial + 1
_WITH_RUNNING_TOTAL = (
    sa.select(
        _b.id,
        _b.account,
        _b.unit_type,
        _b.first_serial,
        _b.last_serial,
        (sa.func.sum(_SIZE).over(partition_by=(_b.account, _b.unit_type), order_by=_b.first_serial) - _SIZE).label(
            "before"
        ),
    )
    .where(
        sa.tuple_(_b.account, _b.unit_type).in_(sa.bindparam("keys", expanding=True)),
        _b.state == HELD,
        _b.reserved_by.is_(None),
    )
    .subquery("free")
)
_f = _WITH_RUNNING_TOTAL.c
#: the lowest free blocks of each key until ``units`` are covered (every block with ``units`` = -1)
_FREE = (
    sa.select(_f.id, _f.account, _f.unit_type, _f.first_serial, _f.last_serial)
    .where(sa.or_(sa.bindparam("units") < 0, _f.before < sa.bindparam("units")))
    .order_by(_f.first_serial)
)

_DELETE = trading_block.delete().where(trading_block.c.id.in_(sa.bindparam("ids", expanding=True)))


@dataclass(slots=True)
class Book:
    """Free held blocks per ``(account, unit_type)``, sorted by first serial."""

    free: dict[Key, list[Block]]
    gone: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, conn: Connection, keys: Iterable[Key], *, units: int | None = None) -> Book:
        """The free held blocks of these keys; with ``units``, only each key's lowest blocks until they
        hold that many units (accounts fragment into many blocks, and a transfer by quantity takes the
        lowest serials first: give the most units any one key sends in this transaction, so that every
        block a move could take is loaded; a key holding fewer is loaded whole, so a refusal names its
        true holding). ``None`` (serial ranges asked for): every block."""
        wanted = sorted(set(keys))
        free: dict[Key, list[Block]] = {k: [] for k in wanted}
        for r in conn.execute(_FREE, {"keys": wanted, "units": -1 if units is None else units}):
            free[(r.account, r.unit_type)].append(Block(int(r.id), int(r.first_serial), int(r.last_serial)))
        return cls(free)

    def move(
        self,
        sender: str,
        receiver: str,
        unit_type: str,
        *,
        quantity: int | None,
        serial_ranges: Sequence[tuple[int, int]] | None,
        op_index: int,
    ) -> list[ranges.Range]:
        """Move units from ``sender`` to ``receiver``; returns the ranges that arrived (merged), as
        :func:`xietong.trading.serials.move` does. Nothing changes when the move is refused."""
        blocks = self.free[(sender, unit_type)]  # a KeyError here is a bug: the sender's blocks were not loaded
        taken, rest = ranges.take(
            [(b.first, b.last) for b in blocks],
            account=sender,
            unit_type=unit_type,
            quantity=quantity,
            serial_ranges=serial_ranges,
        )
        old: dict[ranges.Range, Block | None] = {(b.first, b.last): b for b in blocks}
        kept = [old.pop(r, None) or Block(None, r[0], r[1], op_index) for r in rest]
        self.gone += [b.id for b in old.values() if b is not None and b.id is not None]
        self.free[(sender, unit_type)] = kept
        arrived = ranges.merge(taken)
        into = self.free.setdefault((receiver, unit_type), [])
        into += [Block(None, f, la, op_index) for f, la in arrived]
        into.sort(key=lambda b: b.first)
        return arrived

    def flush(self, conn: Connection, operation_ids: Sequence[int]) -> None:
        """Write the changes: delete the stored blocks taken or split, insert the blocks made (creator: the
        operation id of their operation index). Once, at the end of the transaction."""
        if self.gone:
            conn.execute(_DELETE, {"ids": self.gone})
        rows = [
            {
                "unit_type": unit_type,
                "first_serial": b.first,
                "last_serial": b.last,
                "account": account,
                "state": HELD,
                "reserved_by": None,
                "operation_id": operation_ids[b.creator],
            }
            for (account, unit_type), blocks in self.free.items()
            for b in blocks
            if b.id is None
        ]
        bulk.insert_rows(conn, trading_block, rows)


__all__ = ["Block", "Book", "Key"]
