"""Append-only, hash-chained audit log.

Every write, every denied request and every read of a restricted dataset appends one entry. Entry
``n`` stores ``hash_n = SHA-256(hash_{n-1} + "\\n" + canonical_json(entry_n))`` where the canonical JSON
holds every column but the hashes (keys sorted, no spaces, UTF-8). Changing, inserting or deleting any
row breaks the chain from that row on; :func:`verify` names the first broken entry.

The chain head (last sequence number and hash) is kept in ``audit_head``; appending locks that row, so
concurrent writers on PostgreSQL queue instead of forking the chain. A copy of the head taken elsewhere
(``xietong audit verify`` prints it) also detects a truncated tail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.store.clock import utcnow
from xietong.store.tables import audit_head, audit_log

GENESIS_HASH = "0" * 64


class Outcome:
    """Outcomes recorded in the log."""

    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the byte-exact form that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _entry_payload(
    seq: int,
    at: datetime,
    actor: str,
    jurisdiction: str | None,
    action: str,
    outcome: str,
    target: str,
    detail: str,
) -> str:
    return canonical_json(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "jurisdiction": jurisdiction,
            "action": action,
            "outcome": outcome,
            "target": target,
            "detail": detail,
        }
    )


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    jurisdiction: str | None
    action: str
    outcome: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "jurisdiction": self.jurisdiction,
            "action": self.action,
            "outcome": self.outcome,
            "target": self.target,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def lock(conn: Connection) -> None:
    """Take the chain-head lock for the rest of the transaction.

    Writers call this first so that, on PostgreSQL, batches are applied one at a time in the order of
    their audit entries (SQLite serialises writers by itself with ``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update()).one()


def append(
    conn: Connection,
    *,
    actor: str,
    jurisdiction: str | None,
    action: str,
    outcome: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (it commits or rolls back with the write)."""
    head_q = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        head_q = head_q.with_for_update()
    head = conn.execute(head_q).one()
    seq = int(head.seq) + 1
    at = utcnow()
    detail_json = canonical_json(dict(detail or {}))
    digest = chain_hash(head.hash, _entry_payload(seq, at, actor, jurisdiction, action, outcome, target, detail_json))
    conn.execute(
        audit_log.insert().values(
            seq=seq,
            at=at,
            actor=actor,
            jurisdiction_code=jurisdiction,
            action=action,
            outcome=outcome,
            target=target[:200],
            detail=detail_json,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    conn.execute(audit_head.update().where(audit_head.c.id == 1).values(seq=seq, hash=digest))
    return AuditEntry(
        seq, at, actor, jurisdiction, action, outcome, target[:200], dict(detail or {}), head.hash, digest
    )


def _row_entry(row: Any) -> AuditEntry:
    try:
        detail = json.loads(row.detail)
    except (TypeError, ValueError):
        detail = {"unparseable": str(row.detail)}
    return AuditEntry(
        int(row.seq),
        row.at,
        row.actor,
        row.jurisdiction_code,
        row.action,
        row.outcome,
        row.target,
        detail if isinstance(detail, dict) else {"value": detail},
        row.prev_hash,
        row.hash,
    )


def entries(
    conn: Connection,
    *,
    after_seq: int = 0,
    limit: int = 100,
    action: str | None = None,
    actor: str | None = None,
    outcome: str | None = None,
) -> list[AuditEntry]:
    """Read entries in sequence order, after ``after_seq`` (keyset pagination)."""
    q = sa.select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq).limit(limit)
    if action:
        q = q.where(audit_log.c.action == action)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if outcome:
        q = q.where(audit_log.c.outcome == outcome)
    return [_row_entry(r) for r in conn.execute(q)]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :func:`verify`."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


def _iter_rows(conn: Connection, batch: int = 5000) -> Iterator[Any]:
    last = 0
    while True:
        rows = conn.execute(
            sa.select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = int(rows[-1].seq)


def verify(conn: Connection) -> VerifyResult:
    """Recompute the whole chain; stop at the first entry that does not verify."""
    head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    head_seq, head_hash = int(head.seq), str(head.hash)

    def broken(seq: int, checked: int, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, head_seq, head_hash, seq, reason)

    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _iter_rows(conn):
        seq = int(row.seq)
        if seq != expected_seq:
            return broken(expected_seq, checked, f"entry {expected_seq} is missing (the next entry is {seq})")
        if row.prev_hash != prev_hash:
            return broken(seq, checked, f"entry {seq} does not link to entry {seq - 1} (prev_hash differs)")
        payload = _entry_payload(
            seq, row.at, row.actor, row.jurisdiction_code, row.action, row.outcome, row.target, row.detail
        )
        if chain_hash(prev_hash, payload) != row.hash:
            return broken(seq, checked, f"entry {seq} was changed after it was written (hash does not match)")
        prev_hash = row.hash
        expected_seq = seq + 1
        checked += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        return broken(
            min(last_seq + 1, head_seq),
            checked,
            f"the log ends at entry {last_seq} but the chain head records entry {head_seq}: "
            "entries were removed from the end, or the head was altered",
        )
    return VerifyResult(True, checked, head_seq, head_hash)


__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "Outcome",
    "VerifyResult",
    "append",
    "canonical_json",
    "entries",
    "lock",
    "verify",
]
