"""The audit log's Merkle tree and signed tree heads in the store (RFC 9162 §2.1, §4.10).

Every appended entry adds its leaf and the complete subtrees it closes to ``audit_tree`` and a signed tree
head for the new size to ``audit_tree_head``, in the writer's transaction, under the chain-head lock. The
heads are signed with the Ed25519 key file outside the store (:mod:`xietong.exchange.crypto`), so whoever
can rewrite the database but not read that file can recompute every hash but cannot sign the result.

Proofs are answered from the stored subtrees: an inclusion proof (RFC 9162 §2.1.3) for an entry and a
consistency proof (§2.1.4) between two sizes read at most ``log2(n)²`` rows.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.errors import AuditChainError, InputError, NotFoundError
from xietong.exchange import merkle
from xietong.exchange.checkpoint import Checkpoint, TreeHead, sign, timestamp_ms
from xietong.exchange.crypto import SigningKey, note_key_id
from xietong.store import bulk
from xietong.store.clock import utcnow
from xietong.store.tables import audit_head, audit_tree, audit_tree_head


@dataclass(frozen=True, slots=True)
class Head:
    """The chain head row: last entry, its chain hash, the log's origin and its Merkle frontier."""

    seq: int
    hash: str
    origin: str
    frontier: list[bytes]


def split_frontier(size: int, raw: bytes | None) -> list[bytes]:
    data = bytes(raw or b"")
    if len(data) != size.bit_count() * merkle.HASH_SIZE:
        raise AuditChainError(
            "the audit head's Merkle frontier does not fit the log size",
            expected=f"{size.bit_count()} hashes for {size} entries",
            given=f"{len(data)} bytes",
            hint="run `xietong audit verify` to find what was changed",
        )
    return [data[i : i + merkle.HASH_SIZE] for i in range(0, len(data), merkle.HASH_SIZE)]


def load_head(conn: Connection, *, for_update: bool = False) -> Head:
    q = sa.select(audit_head.c.seq, audit_head.c.hash, audit_head.c.origin, audit_head.c.frontier).where(
        audit_head.c.id == 1
    )
    if for_update and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).one()
    seq = int(row.seq)
    return Head(seq, str(row.hash), str(row.origin), split_frontier(seq, row.frontier))


def add_leaf(conn: Connection, head: Head, leaf: bytes) -> merkle.Appended:
    """Store the leaf of entry ``head.seq + 1`` and the subtrees it completes; returns the new frontier."""
    step = merkle.append(head.seq, head.frontier, leaf)
    add_nodes(conn, step.nodes)
    return step


def add_nodes(conn: Connection, nodes: Iterable[tuple[int, int, bytes]]) -> None:
    """Store leaves and subtrees ``(level, index, hash)`` (what :func:`xietong.exchange.merkle.append` closed)."""
    bulk.insert_rows(conn, audit_tree, [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes])


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A stored signed tree head."""

    head: TreeHead
    key_id: str
    signature: bytes

    def checkpoint(self, public_key: bytes) -> Checkpoint:
        return Checkpoint(self.head, self.signature, public_key)


def sign_head(conn: Connection, key: SigningKey, origin: str, size: int, root: bytes, at_ms: int) -> SignedHead:
    """Sign the tree head of ``size`` entries and store it."""
    head = TreeHead(origin, size, root, at_ms)
    signed = SignedHead(head, note_key_id(origin, key.public_key).hex(), sign(head, key))
    conn.execute(
        audit_tree_head.insert().values(
            tree_size=size, root_hash=root, timestamp_ms=at_ms, key_id=signed.key_id, signature=signed.signature
        )
    )
    return signed


def _signed(origin: str, row: Any) -> SignedHead:
    return SignedHead(
        TreeHead(origin, int(row.tree_size), bytes(row.root_hash), int(row.timestamp_ms)),
        str(row.key_id),
        bytes(row.signature),
    )


def signed_head(conn: Connection, origin: str, *, at_most: int | None = None) -> SignedHead | None:
    """The signed head of the largest size (at most ``at_most``), or ``None``."""
    q = sa.select(audit_tree_head).order_by(audit_tree_head.c.tree_size.desc()).limit(1)
    if at_most is not None:
        q = q.where(audit_tree_head.c.tree_size <= at_most)
    row = conn.execute(q).first()
    return _signed(origin, row) if row is not None else None


def signed_before(conn: Connection, origin: str, *, at_most: int, timestamp_ms: int) -> SignedHead | None:
    """The largest signed head of at most ``at_most`` entries signed no later than ``timestamp_ms``."""
    q = (
        sa.select(audit_tree_head)
        .where(audit_tree_head.c.tree_size <= at_most, audit_tree_head.c.timestamp_ms <= timestamp_ms)
        .order_by(audit_tree_head.c.tree_size.desc())
        .limit(1)
    )
    row = conn.execute(q).first()
    return _signed(origin, row) if row is not None else None


def signed_head_of(conn: Connection, origin: str, size: int) -> SignedHead | None:
    row = conn.execute(sa.select(audit_tree_head).where(audit_tree_head.c.tree_size == size)).first()
    return _signed(origin, row) if row is not None else None


def signed_sizes(conn: Connection, at_most: int) -> list[int]:
    """Every size with a signed head, ascending, up to ``at_most`` (for bisecting a damaged log)."""
    q = sa.select(audit_tree_head.c.tree_size).where(audit_tree_head.c.tree_size <= at_most)
    return [int(s) for s in conn.execute(q.order_by(audit_tree_head.c.tree_size)).scalars()]


def largest_signed_size(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(audit_tree_head.c.tree_size), 0))).scalar_one())


def seal(conn: Connection, key: SigningKey) -> SignedHead | None:
    """Sign the current head if no signed head covers it yet (a migrated log); call with the head locked."""
    head = load_head(conn, for_update=True)
    latest = signed_head(conn, head.origin)
    if head.seq == 0 or (latest is not None and latest.head.size >= head.seq):
        return None
    return sign_head(conn, key, head.origin, head.seq, merkle.fold(head.frontier), timestamp_ms(utcnow()))


# -- proofs ----------------------------------------------------------------------------------------------


def fetch_nodes(conn: Connection, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the given ``(level, index)`` subtrees."""
    wanted = sorted(set(keys))
    out: dict[tuple[int, int], bytes] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        q = sa.select(audit_tree.c.level, audit_tree.c.idx, audit_tree.c.hash).where(
            sa.tuple_(audit_tree.c.level, audit_tree.c.idx).in_(chunk)
        )
        out.update({(int(r.level), int(r.idx)): bytes(r.hash) for r in conn.execute(q)})
    missing = [k for k in wanted if k not in out]
    if missing:
        level, index = missing[0]
        raise AuditChainError(
            "the audit log's Merkle tree is incomplete",
            expected=f"the subtree of 2**{level} leaves from leaf {index << level}",
            given=f"{len(missing)} stored subtree(s) missing",
            hint="run `xietong audit verify` to find what was changed",
        )
    return out


def span_hashes(conn: Connection, spans: list[tuple[int, int]]) -> list[bytes]:
    """``MTH`` of each span, from the stored subtrees (one query)."""
    nodes = fetch_nodes(conn, (key for a, b in spans for key in merkle.span_nodes(a, b)))
    return [merkle.span_hash(a, b, lambda lv, ix: nodes[(lv, ix)]) for a, b in spans]


def _check_size(size: int, log_size: int, name: str) -> None:
    if not 1 <= size <= log_size:
        raise InputError(
            f"{name} outside the log",
            expected=f"a tree size from 1 to {log_size} (the entries in the log)",
            given=str(size),
        )


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def inclusion(conn: Connection, entry: int, size: int | None = None) -> dict[str, Any]:
    """The inclusion proof of entry ``entry`` (its ``seq``) in the tree of ``size`` entries (default: all)."""
    head = load_head(conn)
    size = head.seq if size is None else size
    _check_size(size, head.seq, "size")
    if not 1 <= entry <= size:
        raise InputError("entry outside the tree", expected=f"an entry from 1 to {size}", given=str(entry))
    spans = [(entry - 1, entry), *merkle.inclusion_spans(entry - 1, size)]
    leaf, *proof = span_hashes(conn, spans)
    root = merkle.fold(head.frontier) if size == head.seq else span_hashes(conn, [(0, size)])[0]
    return {
        "entry": entry,
        "leaf_index": entry - 1,
        "tree_size": size,
        "leaf_hash": _b64(leaf),
        "proof": [_b64(p) for p in proof],
        "root_hash": _b64(root),
    }


def consistency(conn: Connection, first: int, second: int | None = None) -> dict[str, Any]:
    """The consistency proof from the tree of ``first`` entries to that of ``second`` (default: all)."""
    head = load_head(conn)
    second = head.seq if second is None else second
    _check_size(second, head.seq, "second")
    _check_size(first, second, "first")
    proof = span_hashes(conn, merkle.consistency_spans(first, second))
    roots = span_hashes(conn, [(0, first)] + ([(0, second)] if second != head.seq else []))
    second_root = merkle.fold(head.frontier) if second == head.seq else roots[1]
    return {
        "first": first,
        "second": second,
        "first_root": _b64(roots[0]),
        "second_root": _b64(second_root),
        "proof": [_b64(p) for p in proof],
    }


def head_document(conn: Connection, public_key: bytes | None) -> dict[str, Any]:
    """The latest signed head as published (``GET /api/v1/audit/head``)."""
    head = load_head(conn)
    latest = signed_head(conn, head.origin)
    if latest is None:
        raise NotFoundError(
            "the audit log has no signed tree head yet",
            hint="the first write signs one; on a migrated store run `xietong db upgrade` or `xietong audit checkpoint`",
        )
    if public_key is None or note_key_id(head.origin, public_key).hex() != latest.key_id:
        raise AuditChainError(
            "the latest tree head was not signed by this installation's audit key",
            expected=f"key id {note_key_id(head.origin, public_key).hex() if public_key else '(no key file)'}",
            given=f"key id {latest.key_id}",
            hint="check XIETONG_AUDIT_KEY_FILE: every process writing to this store must use the same key file",
        )
    doc = latest.checkpoint(public_key).as_dict()
    doc["log_size"] = head.seq
    return doc


__all__ = [
    "Head",
    "SignedHead",
    "add_leaf",
    "add_nodes",
    "consistency",
    "fetch_nodes",
    "head_document",
    "inclusion",
    "largest_signed_size",
    "load_head",
    "seal",
    "sign_head",
    "signed_before",
    "signed_head",
    "signed_head_of",
    "signed_sizes",
    "span_hashes",
    "split_frontier",
]
