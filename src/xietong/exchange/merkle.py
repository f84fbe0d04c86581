"""Merkle tree hashes, inclusion and consistency proofs in the shape of RFC 9162 (Certificate Transparency 2.0).

Pure functions over 32-byte SHA-256 hashes; no I/O, no store.

* RFC 9162 §2.1.1: ``MTH({}) = SHA-256()``, a leaf is ``SHA-256(0x00 || d)`` and a node
  ``SHA-256(0x01 || left || right)``; a tree of ``n > 1`` leaves splits at ``k``, the largest power of two
  smaller than ``n``, so its left part is always a complete (perfect) subtree.
* RFC 9162 §2.1.3 (``PATH``): the inclusion proof of leaf ``m`` in a tree of ``n`` leaves, and its
  verification (§2.1.3.2).
* RFC 9162 §2.1.4 (``PROOF``/``SUBPROOF``): the consistency proof between the trees of the first ``m`` and
  the first ``n`` leaves, and its verification (§2.1.4.2).

Every hash a proof carries is the hash of a *span* of leaves ``[start, end)`` whose start is aligned to a
power of two at least as large as the span (a property of the RFC's split). Such a span is a run of at most
``log2 n`` complete subtrees (:func:`span_nodes`), so a log that keeps the hash of every complete subtree,
addressed ``(level, index)`` (level ``L`` covers leaves ``[index * 2**L, (index + 1) * 2**L)``), answers any
proof with ``O(log² n)`` stored hashes (:func:`span_hash`). :func:`append` keeps those nodes and the
*frontier* (the complete subtrees of the current size, largest first) as leaves arrive; :class:`Tree`
rebuilds every level in memory from the leaves, for verification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
#: MTH({}): the hash of the empty tree (RFC 9162 §2.1.1)
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"

#: the hash of the complete subtree at (level, index)
NodeSource = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE + left + right).digest()


def split_point(n: int) -> int:
    """``k``: the largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def span_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make up the leaves ``[start, end)``, left to right.

    ``start`` must be a multiple of a power of two that is at least ``end - start`` (true of every span
    in the RFC's recursion); the result has one node per set bit of ``end - start``.
    """
    count = end - start
    if count <= 0:
        raise ValueError(f"empty span [{start}, {end})")
    out: list[tuple[int, int]] = []
    pos = start
    for level in range(count.bit_length() - 1, -1, -1):
        if count >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"span [{start}, {end}) is not aligned to complete subtrees")
            out.append((level, pos >> level))
            pos += 1 << level
    return out


def fold(peaks: Sequence[bytes]) -> bytes:
    """The root over complete subtrees given left to right, largest first: ``H(p0, H(p1, … pk))``."""
    if not peaks:
        return EMPTY_ROOT
    root = peaks[-1]
    for peak in reversed(peaks[:-1]):
        root = node_hash(peak, root)
    return root


def span_hash(start: int, end: int, node: NodeSource) -> bytes:
    """``MTH(D[start:end])`` from the stored complete subtrees."""
    return fold([node(level, index) for level, index in span_nodes(start, end)])


# -- proofs as spans -------------------------------------------------------------------------------------


def inclusion_spans(index: int, size: int) -> list[tuple[int, int]]:
    """The spans whose hashes form ``PATH(index, D[size])`` (RFC 9162 §2.1.3.1), leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    out: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = split_point(end - start)
        if m < k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m = start + k, m - k
    out.reverse()
    return out


def consistency_spans(first: int, second: int) -> list[tuple[int, int]]:
    """The spans whose hashes form ``PROOF(first, D[second])`` (RFC 9162 §2.1.4.1), in proof order."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    out: list[tuple[int, int]] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        out.append((start, end))
    out.reverse()
    return out


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """``PATH(index, D[size])`` from stored complete subtrees."""
    return [span_hash(a, b, node) for a, b in inclusion_spans(index, size)]


def consistency_proof(first: int, second: int, node: NodeSource) -> list[bytes]:
    """``PROOF(first, D[second])`` from stored complete subtrees (empty when ``first == second``)."""
    return [span_hash(a, b, node) for a, b in consistency_spans(first, second)]


# -- verification ----------------------------------------------------------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof implies (RFC 9162 §2.1.3.2), or ``None`` when the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` leaves with ``root``."""
    return root_from_inclusion(index, size, leaf, proof) == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether ``proof`` shows the tree of ``second`` leaves extends the tree of ``first`` (RFC 9162 §2.1.4.2).

    ``first == second`` needs an empty proof and equal roots; an empty first tree is consistent with any.
    """
    if first == 0:
        return not proof and second >= 0 and first_root == EMPTY_ROOT and (second > 0 or second_root == EMPTY_ROOT)
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is itself a node of the new tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# -- growing the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Appended:
    """What one :func:`append` adds: the new frontier and the complete subtrees it closed."""

    frontier: list[bytes]
    nodes: list[tuple[int, int, bytes]]  # (level, index, hash), the leaf first

    @property
    def root(self) -> bytes:
        return fold(self.frontier)


def append(size: int, frontier: Sequence[bytes], leaf: bytes) -> Appended:
    """Add leaf hash ``leaf`` to a tree of ``size`` leaves whose frontier is ``frontier``.

    The frontier holds one complete subtree per set bit of ``size``, largest first; adding a leaf merges
    the trailing subtrees of equal size like a binary counter carries.
    """
    if len(frontier) != size.bit_count():
        raise ValueError(f"a tree of {size} leaves has {size.bit_count()} frontier hashes, not {len(frontier)}")
    peaks = list(frontier)
    nodes = [(0, size, leaf)]
    carry, level, s = leaf, 0, size
    while s & 1:
        carry = node_hash(peaks.pop(), carry)
        level += 1
        s >>= 1
        nodes.append((level, ((size + 1) >> level) - 1, carry))
    peaks.append(carry)
    return Appended(peaks, nodes)


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` of the frontier of a tree of ``size`` leaves."""
    return span_nodes(0, size) if size else []


class Tree:
    """Every level of the tree over ``leaves`` (concatenated 32-byte leaf hashes), built in memory.

    Level ``L`` holds the hashes of the ``size >> L`` complete subtrees of ``2**L`` leaves; the whole
    structure is about twice the leaf bytes (64 MB for a million leaves).
    """

    def __init__(self, leaves: bytes | bytearray) -> None:
        if len(leaves) % HASH_SIZE:
            raise ValueError("leaf hashes must be 32 bytes each")
        self.size = len(leaves) // HASH_SIZE
        levels = [bytes(leaves)]
        sha = hashlib.sha256
        while len(levels[-1]) >= 2 * HASH_SIZE:
            below = levels[-1]
            pairs = len(below) // (2 * HASH_SIZE) * 2 * HASH_SIZE
            levels.append(b"".join([sha(_NODE + below[i : i + 64]).digest() for i in range(0, pairs, 64)]))
        self.levels = levels

    def node(self, level: int, index: int) -> bytes:
        """The hash of the complete subtree at ``(level, index)``."""
        row = self.levels[level]
        if not 0 <= index < len(row) // HASH_SIZE:
            raise IndexError(f"no complete subtree ({level}, {index}) in a tree of {self.size} leaves")
        return row[index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def leaf(self, index: int) -> bytes:
        return self.node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """``MTH`` of the first ``size`` leaves (default: all)."""
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise IndexError(f"no tree of {n} leaves in {self.size}")
        return span_hash(0, n, self.node) if n else EMPTY_ROOT

    def frontier(self, size: int | None = None) -> list[bytes]:
        n = self.size if size is None else size
        return [self.node(level, index) for level, index in frontier_nodes(n)]


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Appended",
    "NodeSource",
    "Tree",
    "append",
    "consistency_proof",
    "consistency_spans",
    "fold",
    "frontier_nodes",
    "inclusion_proof",
    "inclusion_spans",
    "leaf_hash",
    "node_hash",
    "root_from_inclusion",
    "span_hash",
    "span_nodes",
    "split_point",
    "verify_consistency",
    "verify_inclusion",
]
