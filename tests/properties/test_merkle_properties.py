"""Proofs round-trip: the stored-subtree proofs equal the RFC 9162 definitions computed naively, verify, and
fail for any other leaf, root or size.

The naive side is the recursive text of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1
(PROOF/SUBPROOF) over the leaf data, without stored subtrees, spans or frontiers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.exchange import audit, merkle


def mth(data: list[bytes]) -> bytes:
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def path(m: int, data: list[bytes]) -> list[bytes]:
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, data[:k]), mth(data[k:])]
    return [*path(m - k, data[k:]), mth(data[:k])]


def subproof(m: int, data: list[bytes], whole: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if whole else [mth(data)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, data[:k], whole), mth(data[k:])]
    return [*subproof(m - k, data[k:], False), mth(data[:k])]


entries = st.lists(st.binary(max_size=24), min_size=1, max_size=140)


def _tree(data: list[bytes]) -> merkle.Tree:
    return merkle.Tree(b"".join(merkle.leaf_hash(d) for d in data))


@settings(max_examples=150, deadline=None)
@given(data=entries, pick=st.data())
def test_inclusion_proof_round_trip(data: list[bytes], pick: st.DataObject) -> None:
    size = pick.draw(st.integers(1, len(data)), label="size")
    index = pick.draw(st.integers(0, size - 1), label="index")
    tree = _tree(data)
    proof = merkle.inclusion_proof(index, size, tree.node)
    root = mth(data[:size])
    assert tree.root(size) == root
    assert proof == path(index, data[:size])
    leaf = merkle.leaf_hash(data[index])
    assert merkle.verify_inclusion(index, size, leaf, proof, root)
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(data[index] + b"!"), proof, root)
    if size > 1:
        assert not merkle.verify_inclusion((index + 1) % size, size, leaf, proof, root) or (
            data[(index + 1) % size] == data[index]
        )
    if size < len(data):
        assert not merkle.verify_inclusion(index, size, leaf, proof, mth(data[: size + 1]))


@settings(max_examples=150, deadline=None)
@given(data=entries, pick=st.data())
def test_consistency_proof_round_trip(data: list[bytes], pick: st.DataObject) -> None:
    second = pick.draw(st.integers(1, len(data)), label="second")
    first = pick.draw(st.integers(1, second), label="first")
    tree = _tree(data)
    proof = merkle.consistency_proof(first, second, tree.node)
    assert proof == subproof(first, data[:second], True)
    r1, r2 = mth(data[:first]), mth(data[:second])
    assert merkle.verify_consistency(first, second, r1, r2, proof)
    changed = [*data[:second]]
    changed[pick.draw(st.integers(0, first - 1), label="changed entry")] += b"!"
    assert not merkle.verify_consistency(first, second, mth(changed[:first]), r2, proof)
    if first < second:
        assert not merkle.verify_consistency(first, second, r1, mth(changed), proof)


@settings(max_examples=100, deadline=None)
@given(data=entries)
def test_appending_keeps_the_frontier_and_the_subtrees_of_the_naive_tree(data: list[bytes]) -> None:
    tree = _tree(data)
    frontier: list[bytes] = []
    for size, d in enumerate(data):
        step = merkle.append(size, frontier, merkle.leaf_hash(d))
        frontier = step.frontier
        assert step.root == mth(data[: size + 1])
        assert frontier == tree.frontier(size + 1)
        assert all(tree.node(level, index) == h for level, index, h in step.nodes)


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(1, 2**62),
    at=st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(9999, 1, 1), timezones=st.just(dt.UTC)),
    actor=texts,
    jurisdiction=st.none() | texts,
    action=texts,
    outcome=texts,
    target=texts,
    detail=texts,
)
def test_the_fast_entry_payload_is_the_canonical_json_of_the_entry(
    seq: int, at: dt.datetime, actor: str, jurisdiction: str | None, action: str, outcome: str, target: str, detail: str
) -> None:
    """What is chained and hashed as a leaf must stay byte for byte what json.dumps(sort_keys=True) wrote."""
    reference = json.dumps(
        {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "jurisdiction": jurisdiction,
         "action": action, "outcome": outcome, "target": target, "detail": detail},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    assert audit.entry_payload(seq, at, actor, jurisdiction, action, outcome, target, detail) == reference
    us = (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    stamp = np.datetime_as_string(np.array([us], dtype="datetime64[us]"), unit="us")[0]
    assert stamp + "+00:00" == at.isoformat(timespec="microseconds")  # the batch formatting of audit.verify
