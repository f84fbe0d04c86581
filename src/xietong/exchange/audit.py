"""Append-only audit log: a hash chain, a Merkle tree and signed tree heads.

Every write, every denied request and every read of a restricted dataset appends one entry. Entry
``n`` stores ``hash_n = SHA-256(hash_{n-1} + "\\n" + canonical_json(entry_n))`` where the canonical JSON
holds every column but the hashes (keys sorted, no spaces, UTF-8). The same canonical bytes are leaf
``n - 1`` of a Merkle tree in the shape of RFC 9162 §2.1 (:mod:`xietong.exchange.audit_tree`), and each
append signs the tree head of the new size (size, root, time) with the Ed25519 key file outside the store.

The chain alone cannot stop someone who can write the database: they can rewrite an entry and recompute
every later hash, or delete the newest entries and rewind the head. The signatures can: recomputed roots no
longer match heads signed before, and a checkpoint kept elsewhere (``xietong audit checkpoint --save``)
still covers removed entries. :func:`verify` names the first bad entry in every case.

The chain head (last sequence number, hash, Merkle frontier) is kept in ``audit_head``; appending locks that
row, so concurrent writers on PostgreSQL queue instead of forking the log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import json.encoder
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.errors import AuditChainError, InputError
from xietong.exchange import audit_tree, merkle
from xietong.exchange.checkpoint import Checkpoint, timestamp_ms
from xietong.exchange.checkpoint import verify as verify_head
from xietong.exchange.crypto import SigningKey, note_key_id
from xietong.store import bulk
from xietong.store.bulk import epoch_us_column
from xietong.store.clock import utcnow
from xietong.store.tables import audit_head, audit_log
from xietong.store.tables import audit_tree as audit_tree_table

GENESIS_HASH = "0" * 64


class Outcome:
    """Outcomes recorded in the log."""

    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


_json_str: Callable[[str], str] = json.encoder.encode_basestring
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the byte-exact form that is hashed (``json.dumps`` with these
    options, the encoder built once)."""
    return _CANONICAL.encode(value)


def entry_payload(
    seq: int,
    at: datetime,
    actor: str,
    jurisdiction: str | None,
    action: str,
    outcome: str,
    target: str,
    detail: str,
) -> str:
    """``canonical_json`` of the entry's columns but the hashes: the bytes that are chained and are its Merkle leaf."""
    return _payload(seq, at.isoformat(timespec="microseconds"), actor, jurisdiction, action, outcome, target, detail)


def _payload(
    seq: int, at_iso: str, actor: str, jurisdiction: str | None, action: str, outcome: str, target: str, detail: str
) -> str:
    """:func:`entry_payload` written out key by key in sorted order with the C string escaper of ``json``: the
    same characters as ``canonical_json({...})`` (a property test checks it), without a dict or the generic
    encoder, which matters when a million entries are verified."""
    return (
        '{"action":' + _json_str(action)
        + ',"actor":' + _json_str(actor)
        + ',"at":"' + at_iso
        + '","detail":' + _json_str(detail)
        + ',"jurisdiction":' + ("null" if jurisdiction is None else _json_str(jurisdiction))
        + ',"outcome":' + _json_str(outcome)
        + ',"seq":' + str(int(seq))
        + ',"target":' + _json_str(target)
        + "}"
    )  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to append: what was done, how it ended, to what, and its detail."""

    action: str
    outcome: str
    target: str
    detail: Mapping[str, Any] | None = None


def append(
    conn: Connection,
    *,
    key: SigningKey,
    actor: str,
    jurisdiction: str | None,
    action: str,
    outcome: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (it commits or rolls back with the write).

    The entry is chained (``hash``), becomes leaf ``seq - 1`` of the Merkle tree, and the tree head of the
    new size is signed with ``key``.
    """
    entry = NewEntry(action, outcome, target, detail)
    return append_many(conn, key=key, actor=actor, jurisdiction=jurisdiction, entries=[entry])[0]


def append_many(
    conn: Connection,
    *,
    key: SigningKey,
    actor: str,
    jurisdiction: str | None,
    entries: Sequence[NewEntry],
) -> list[AuditEntry]:
    """Append entries of one actor in order, inside the caller's transaction (a batch of writes committed
    together). Each is chained and becomes a leaf like :func:`append`; the rows, leaves and subtrees go in
    one statement each, and one tree head is signed, for the size after the last entry (the heads of the
    sizes in between are not signed: :func:`verify` checks the latest signed head)."""
    if not entries:
        return []
    head = audit_tree.load_head(conn, for_update=True)
    at = utcnow()
    at_iso = at.isoformat(timespec="microseconds")
    seq, prev, frontier = head.seq, head.hash, head.frontier
    rows: list[dict[str, Any]] = []
    nodes: list[tuple[int, int, bytes]] = []
    out: list[AuditEntry] = []
    for e in entries:
        seq += 1
        target = e.target[:200]
        detail = dict(e.detail or {})
        detail_json = canonical_json(detail)
        payload = _payload(seq, at_iso, actor, jurisdiction, e.action, e.outcome, target, detail_json)
        digest = chain_hash(prev, payload)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "jurisdiction_code": jurisdiction,
                "action": e.action,
                "outcome": e.outcome,
                "target": target,
                "detail": detail_json,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        step = merkle.append(seq - 1, frontier, merkle.leaf_hash(payload.encode("utf-8")))
        nodes += step.nodes
        frontier = step.frontier
        out.append(AuditEntry(seq, at, actor, jurisdiction, e.action, e.outcome, target, detail, prev, digest))
        prev = digest
    bulk.insert_rows(conn, audit_log, rows)
    audit_tree.add_nodes(conn, nodes)
    audit_tree.sign_head(conn, key, head.origin, seq, merkle.fold(frontier), timestamp_ms(at))
    conn.execute(_UPDATE_HEAD, {"b_seq": seq, "b_hash": prev, "b_frontier": b"".join(frontier)})
    return out


_UPDATE_HEAD = (
    audit_head.update()
    .where(audit_head.c.id == 1)
    .values(seq=sa.bindparam("b_seq"), hash=sa.bindparam("b_hash"), frontier=sa.bindparam("b_frontier"))
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
    jurisdictions: Collection[str] | None = None,
) -> list[AuditEntry]:
    """Read entries in sequence order, after ``after_seq`` (keyset pagination).

    ``jurisdictions``: only entries of these jurisdictions (see :func:`visible_jurisdictions`); ``None``: all.
    """
    q = sa.select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq).limit(limit)
    if jurisdictions is not None:
        q = q.where(audit_log.c.jurisdiction_code.in_(sorted(jurisdictions)))
    if action:
        q = q.where(audit_log.c.action == action)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if outcome:
        q = q.where(audit_log.c.outcome == outcome)
    return [_row_entry(r) for r in conn.execute(q)]


def visible_jurisdictions(jurisdiction: str | None) -> list[str] | None:
    """The jurisdictions whose entries an administrator of ``jurisdiction`` reads: its own and those inside
    it (Hebei's administrator reads Hebei's cities); ``None`` (every entry, including region-level and
    anonymous ones) for the region's administrators."""
    if jurisdiction is None:
        return None
    return [r.code for r in region.jurisdictions() if region.is_within(r.code, jurisdiction)]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, or the first bad entry and why."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None
    root_hash: str | None = None  # base64 Merkle root of the entries as they are
    signed_size: int | None = None  # the largest tree size whose signed head verified
    key_id: str | None = None  # the key the signatures were checked with; None = not checked
    checkpoint_size: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
            "root_hash": self.root_hash,
            "signed_size": self.signed_size,
            "key_id": self.key_id,
            "checkpoint_size": self.checkpoint_size,
        }


#: a bad entry found by a check: (sequence number, why)
Finding = tuple[int, str]


@dataclass(slots=True)
class _Scan:
    leaves: bytearray
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    bad: Finding | None = None


def _row_problem(row: Sequence[Any], expected: int, prev_hash: str, payload: str) -> Finding:
    """Why entry ``row`` does not verify (called only when it does not)."""
    seq, prev, digest, stored = int(row[0]), row[8], row[9], row[10]
    if seq != expected:
        return expected, f"entry {expected} is missing (the next entry is {seq})"
    if prev != prev_hash:
        return seq, f"entry {seq} does not link to entry {seq - 1} (prev_hash differs)"
    if chain_hash(prev_hash, payload) != digest:
        return seq, f"entry {seq} was changed after it was written (hash does not match)"
    if stored is None:
        return seq, f"entry {seq} has no leaf in the Merkle tree (the tree was changed)"
    return seq, f"entry {seq} does not hash to its leaf in the Merkle tree (the entry or the tree was changed)"


def _scan(conn: Connection, batch: int = 20_000) -> _Scan:
    """Read every entry once: check the chain and the stored leaf, collect the leaves as they hash now."""
    tree, log = audit_tree_table, audit_log
    joined = log.outerjoin(tree, sa.and_(tree.c.level == 0, tree.c.idx == log.c.seq - 1))
    at_us = epoch_us_column(log.c.at, conn.dialect.name).label("at_us")
    columns = (log.c.seq, at_us, log.c.actor, log.c.jurisdiction_code, log.c.action, log.c.outcome,
               log.c.target, log.c.detail, log.c.prev_hash, log.c.hash, tree.c.hash.label("stored_leaf"))  # fmt: skip
    scan = _Scan(bytearray())
    expected, prev_hash, last = 1, GENESIS_HASH, 0
    sha256 = hashlib.sha256
    while True:
        q = sa.select(*columns).select_from(joined).where(log.c.seq > last).order_by(log.c.seq).limit(batch)
        rows = conn.execute(q).all()
        if not rows:
            break
        # ISO 8601 times of the whole batch at once, as datetime.isoformat(timespec="microseconds") writes UTC
        stamps = np.datetime_as_string(np.array([r[1] for r in rows], dtype="datetime64[us]"), unit="us").tolist()
        for row, stamp in zip(rows, stamps, strict=True):
            seq, _, actor, jurisdiction, action, outcome, target, detail, prev, digest, stored = row
            payload = _payload(seq, stamp + "+00:00", actor, jurisdiction, action, outcome, target, detail)
            leaf = sha256(b"\x00" + payload.encode("utf-8")).digest()
            scan.leaves += leaf
            if scan.bad is None:
                if (
                    seq == expected
                    and prev == prev_hash
                    and stored == leaf
                    and sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest() == digest
                ):
                    scan.checked += 1
                else:
                    scan.bad = _row_problem(row, expected, prev_hash, payload)
            prev_hash, expected = str(digest), int(seq) + 1
        last = int(rows[-1][0])
    scan.last_seq, scan.last_hash = expected - 1, prev_hash
    return scan


def _check_head(conn: Connection, head: Any, scan: _Scan, tree: merkle.Tree) -> list[Finding]:
    """The chain head and the signed heads must end where the log ends."""
    found: list[Finding] = []
    head_seq = int(head.seq)
    if head_seq != scan.last_seq or head.hash != scan.last_hash:
        found.append(
            (
                min(scan.last_seq + 1, head_seq),
                f"the log ends at entry {scan.last_seq} but the chain head records entry {head_seq}: "
                "entries were removed from the end, or the head was altered",
            )
        )
    elif bytes(head.frontier or b"") != b"".join(tree.frontier()):
        found.append((head_seq, "the chain head's Merkle frontier does not match the entries: the head was altered"))
    signed = audit_tree.largest_signed_size(conn)
    if signed > scan.last_seq:
        found.append(
            (
                scan.last_seq + 1,
                f"entries {scan.last_seq + 1}..{signed} were removed: a tree head of {signed} entries was signed, "
                f"the log holds {scan.last_seq}",
            )
        )
    return found


def _head_problem(signed: audit_tree.SignedHead, tree: merkle.Tree, key: bytes, key_id: str) -> str | None:
    size, when = signed.head.size, signed.head.timestamp.isoformat(timespec="seconds")
    if signed.key_id != key_id:
        return f"the tree head of {size} entries was signed by key {signed.key_id}, not by the log's key {key_id}"
    if not verify_head(signed.head, signed.signature, key):
        return (
            f"the signed tree head of {size} entries does not verify: its root, time or signature was changed "
            "(a root can be recomputed, its signature cannot without the key)"
        )
    if signed.head.root != tree.root(size):
        return (
            f"the first {size} entries no longer have the Merkle root signed at {when} with key {key_id} "
            "(hashes can be recomputed, the signature cannot)"
        )
    return None


def _check_signatures(
    conn: Connection, tree: merkle.Tree, origin: str, key: bytes, limit: int
) -> tuple[list[Finding], int]:
    """Signed heads up to ``limit`` entries must verify and match the entries; bisect to the first that does
    not (every append signs a head, so this names the entry). Returns findings and the size proven."""
    if limit <= 0:
        return [], 0
    key_id = note_key_id(origin, key).hex()
    latest = audit_tree.signed_head(conn, origin, at_most=limit)
    if latest is None:
        return [(1, f"no signed tree head covers entries 1..{limit}")], 0
    why = _head_problem(latest, tree, key, key_id)
    if why is None:
        if latest.head.size == limit:
            return [], limit
        return [
            (latest.head.size + 1, f"entries {latest.head.size + 1}..{limit} are not covered by a signed tree head")
        ], latest.head.size
    sizes = audit_tree.signed_sizes(conn, latest.head.size)
    lo, hi = -1, len(sizes) - 1  # sizes[hi] is bad; sizes[lo] good (-1: the empty tree)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        probe = audit_tree.signed_head_of(conn, origin, sizes[mid])
        problem = _head_problem(probe, tree, key, key_id) if probe is not None else "its signed head was removed"
        if problem is None:
            lo = mid
        else:
            hi, why = mid, problem
    good, bad = (sizes[lo] if lo >= 0 else 0), sizes[hi]
    where = f"entry {bad}" if bad == good + 1 else f"an entry among {good + 1}..{bad}"
    return [(good + 1, f"{where} was changed after it was written: {why}")], good


def _check_checkpoint(conn: Connection, tree: merkle.Tree, cp: Checkpoint, found: list[Finding]) -> list[Finding]:
    """The tree of the checkpoint's size must have its root and extend to the current tree (consistency proof
    from the stored subtrees, RFC 9162 §2.1.4)."""
    m, when = cp.head.size, cp.head.timestamp.isoformat(timespec="seconds")
    if tree.size < m:
        return [
            (
                tree.size + 1,
                f"entries {tree.size + 1}..{m} were removed: the checkpoint signed at {when} covers {m} entries, "
                f"the log holds {tree.size}",
            )
        ]
    if m and tree.root(m) != cp.head.root:
        if any(seq <= m for seq, _ in found):
            return []
        # heads signed no later than the checkpoint and still matching the entries prove their prefix intact
        intact = audit_tree.signed_before(conn, cp.head.origin, at_most=m, timestamp_ms=cp.head.timestamp_ms)
        key_id = note_key_id(cp.head.origin, cp.public_key).hex()
        good = intact.head.size if intact and _head_problem(intact, tree, cp.public_key, key_id) is None else 0
        where = f"entry {m}" if good == m - 1 else f"an entry among {good + 1}..{m}"
        return [
            (
                good + 1,
                f"{where} is not the one the checkpoint signed at {when} covers: the first {m} entries no longer "
                "have its root (entries were replaced, or removed and written again)",
            )
        ]
    spans = merkle.consistency_spans(m, tree.size) if m else []
    try:
        stored = audit_tree.span_hashes(conn, spans)
    except AuditChainError as exc:
        return [(m + 1, exc.describe())]
    if merkle.verify_consistency(m, tree.size, cp.head.root, tree.root(), stored):
        return []
    for (a, b), h in zip(spans, stored, strict=True):
        if h != merkle.span_hash(a, b, tree.node):
            return [
                (a + 1, f"the stored Merkle tree is damaged over entries {a + 1}..{b}: its proofs would not verify")
            ]
    return [(m + 1, "the consistency proof from the checkpoint does not verify")]


def verify(conn: Connection, *, public_key: bytes | None = None, checkpoint: Checkpoint | None = None) -> VerifyResult:
    """Check the whole log and name the first bad entry.

    * every entry: the hash chain, and its leaf in the stored Merkle tree;
    * the chain head, and the signed heads, end where the log ends;
    * with ``public_key`` (the log's key) or a ``checkpoint`` (whose key is then trusted): the latest signed
      head verifies and has the root of the entries as they are now; if not, the signed heads are bisected
      to the first that fails, which names the changed entry even when every hash was recomputed;
    * with a ``checkpoint``: the log still holds its entries, with its root, and the stored tree proves the
      current tree extends it.
    """
    head = conn.execute(sa.select(audit_head).where(audit_head.c.id == 1)).one()
    if checkpoint is not None and checkpoint.head.origin != head.origin:
        raise InputError(
            "the checkpoint is of another log",
            expected=f"a checkpoint of {head.origin}",
            given=checkpoint.head.origin,
        )
    scan = _scan(conn)
    tree = merkle.Tree(scan.leaves)
    found = ([scan.bad] if scan.bad else []) + _check_head(conn, head, scan, tree)
    key = checkpoint.public_key if checkpoint is not None else public_key
    signed_size = None
    if key is not None:
        limit = min([tree.size] + [seq - 1 for seq, _ in found])
        more, signed_size = _check_signatures(conn, tree, str(head.origin), key, limit)
        found += more
    if checkpoint is not None:
        found += _check_checkpoint(conn, tree, checkpoint, found)
    first = min(found, key=lambda f: f[0]) if found else None
    return VerifyResult(
        ok=first is None,
        checked=scan.checked,
        head_seq=int(head.seq),
        head_hash=str(head.hash),
        first_bad_seq=first[0] if first else None,
        reason=first[1] if first else None,
        root_hash=base64.b64encode(tree.root()).decode("ascii"),
        signed_size=signed_size,
        key_id=note_key_id(str(head.origin), key).hex() if key is not None else None,
        checkpoint_size=checkpoint.head.size if checkpoint is not None else None,
    )


__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "NewEntry",
    "Outcome",
    "VerifyResult",
    "append",
    "append_many",
    "canonical_json",
    "chain_hash",
    "entries",
    "entry_payload",
    "lock",
    "verify",
    "visible_jurisdictions",
]
