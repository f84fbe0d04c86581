"""The Merkle tree against the known-answer vectors of the Certificate Transparency reference implementation.

Source: google/certificate-transparency, ``cpp/merkletree/merkle_tree_test.cc`` (``kInputs``,
``kSHA256Roots``, ``kSHA256Paths``, ``kSHA256Proofs``; RFC 6962 trees, which RFC 9162 §2.1 keeps). The
C++ test numbers leaves from 1; here they are 0-based indexes.
"""

from __future__ import annotations

import hashlib

import pytest

from xietong.exchange import merkle

INPUTS = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip
LEAVES = [merkle.leaf_hash(d) for d in INPUTS]
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PATHS = {  # (leaf index, tree size) -> PATH
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
    (0, 1): [],
}  # fmt: skip
PROOFS = {  # (first, second) -> PROOF
    (1, 1): [],
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip
TREE = merkle.Tree(b"".join(LEAVES))


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert merkle.EMPTY_ROOT.hex() == EMPTY == hashlib.sha256(b"").hexdigest()
    assert merkle.fold([]) == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_the_reference_tree(size: int) -> None:
    assert TREE.root(size).hex() == ROOTS[size - 1]
    assert merkle.Tree(b"".join(LEAVES[:size])).root().hex() == ROOTS[size - 1]


def test_appending_leaf_by_leaf_gives_every_reference_root_and_stores_every_subtree() -> None:
    frontier: list[bytes] = []
    for size, leaf in enumerate(LEAVES):
        step = merkle.append(size, frontier, leaf)
        frontier = step.frontier
        assert step.root.hex() == ROOTS[size]
        for level, index, digest in step.nodes:
            assert TREE.node(level, index) == digest


@pytest.mark.parametrize(("index", "size"), sorted(PATHS))
def test_inclusion_paths(index: int, size: int) -> None:
    proof = merkle.inclusion_proof(index, size, TREE.node)
    assert [p.hex() for p in proof] == PATHS[(index, size)]
    root = bytes.fromhex(ROOTS[size - 1])
    assert merkle.verify_inclusion(index, size, LEAVES[index], proof, root)
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"WrongLeaf"), proof, root)
    assert not merkle.verify_inclusion(index, size * 2, LEAVES[index], proof, root)
    for i in range(len(proof)):
        wrong = [*proof[:i], merkle.EMPTY_ROOT, *proof[i + 1 :]]
        assert not merkle.verify_inclusion(index, size, LEAVES[index], wrong, root)


@pytest.mark.parametrize(("first", "second"), sorted(PROOFS))
def test_consistency_proofs(first: int, second: int) -> None:
    proof = merkle.consistency_proof(first, second, TREE.node)
    assert [p.hex() for p in proof] == PROOFS[(first, second)]
    r1, r2 = bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1])
    assert merkle.verify_consistency(first, second, r1, r2, proof)
    if proof:
        assert not merkle.verify_consistency(first, second, r2, r1, proof)  # roots swapped
        assert not merkle.verify_consistency(first, second, r1, r2, [])  # empty proof
        assert not merkle.verify_consistency(first, second, r1, r2, [*proof, proof[-1]])  # garbage at the end
        assert not merkle.verify_consistency(first, second, r1, r2, proof[:-1])  # one missing


def test_degenerate_consistency_cases() -> None:
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, TREE.root(5), [])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, TREE.root(5), [TREE.root(5)])
    assert not merkle.verify_consistency(2, 1, TREE.root(2), TREE.root(1), [])  # shrinking is never consistent
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_spans(3, 2)
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_spans(8, 8)
