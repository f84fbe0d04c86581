"""The audit log cannot be quietly rewritten: both tampering recipes of issue 11, done as thoroughly as someone
with write access to the database (and not to the key file) can, fail `xietong audit verify --checkpoint`
naming the first bad entry; an untouched store passes.

(a) delete the newest entries and rewind the head (chain head, Merkle frontier, signed heads and subtrees);
(b) rewrite an entry and recompute every later hash: chain hashes, Merkle leaves and subtrees, the frontier
    and the roots of the signed heads (their signatures cannot be recomputed without the key).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from tests.conftest import Engine
from xietong.cli import app
from xietong.exchange import actions, audit, merkle
from xietong.exchange.bootstrap import operator
from xietong.exchange.checkpoint import TreeHead, sign
from xietong.exchange.crypto import SigningKey, note_key_id
from xietong.store.session import Store
from xietong.store.tables import audit_head, audit_log, audit_tree, audit_tree_head

pytestmark = pytest.mark.integration


def xietong(engine: Engine, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=engine.env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _write_entries(store: Store, count: int) -> None:
    """Audited writes standing for publications (written for the test: the entries' content is arbitrary)."""
    op = operator(store)
    for i in range(count):
        actions.record(store, op, "test.note", f"note {i}", audit.Outcome.OK, {"i": i})


def _size(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(audit_head.c.seq)).scalar_one())


def _rebuild_from(
    conn: Connection, start_seq: int, *, new_key: SigningKey | None = None, signed_roots: bool = True
) -> None:
    """Recompute every hash the store holds from entry ``start_seq`` on, with the project's own functions."""
    rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).all()
    conn.execute(audit_tree.delete())
    size, frontier, prev = 0, list[bytes](), audit.GENESIS_HASH
    for r in rows:
        payload = audit.entry_payload(
            int(r.seq), r.at, r.actor, r.jurisdiction_code, r.action, r.outcome, r.target, r.detail
        )
        digest = audit.chain_hash(prev, payload)
        if r.seq >= start_seq:
            conn.execute(audit_log.update().where(audit_log.c.seq == r.seq).values(prev_hash=prev, hash=digest))
        step = merkle.append(size, frontier, merkle.leaf_hash(payload.encode("utf-8")))
        conn.execute(audit_tree.insert(), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in step.nodes])
        size, frontier, prev = size + 1, step.frontier, digest
        head = conn.execute(sa.select(audit_tree_head).where(audit_tree_head.c.tree_size == size)).first()
        if head is not None and signed_roots and (size >= start_seq or new_key is not None):
            values: dict[str, object] = {"root_hash": step.root}
            if new_key is not None:  # the attacker signs with a key of their own
                origin = conn.execute(sa.select(audit_head.c.origin)).scalar_one()
                th = TreeHead(origin, size, step.root, int(head.timestamp_ms))
                values["signature"] = sign(th, new_key)
                values["key_id"] = note_key_id(origin, new_key.public_key).hex()
            conn.execute(audit_tree_head.update().where(audit_tree_head.c.tree_size == size).values(**values))
    conn.execute(audit_head.update().values(seq=size, hash=prev, frontier=b"".join(frontier)))


def rewrite_entry(store: Store, seq: int, *, new_key: SigningKey | None = None, signed_roots: bool = True) -> None:
    """Recipe (b): change entry ``seq`` and recompute every later hash (also the roots of the signed heads,
    unless ``signed_roots`` is false)."""
    with store.write() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == seq).values(detail='{"i":"rewritten"}'))
        _rebuild_from(conn, seq, new_key=new_key, signed_roots=signed_roots)


def cut_log(store: Store, keep: int) -> None:
    """Recipe (a): delete every entry after ``keep`` and rewind the head, the tree and the signed heads."""
    with store.write() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq > keep))
        conn.execute(audit_tree_head.delete().where(audit_tree_head.c.tree_size > keep))
        _rebuild_from(conn, keep + 1)


@pytest.fixture
def logged(engine: Engine, store: Store, tmp_path: Path) -> Path:
    """A log with a checkpoint saved after its 12th test entry; returns the checkpoint file."""
    _write_entries(store, 12)
    saved = tmp_path / "checkpoint.json"
    code, out, _ = xietong(engine, "audit", "checkpoint", "--save", str(saved))
    assert code == 0, out
    return saved


def test_an_untouched_store_passes_against_its_checkpoint(engine: Engine, store: Store, logged: Path) -> None:
    _write_entries(store, 5)  # the log grew after the checkpoint: consistent, not tampered
    code, out, _ = xietong(engine, "audit", "verify", "--checkpoint", str(logged), "--json")
    result = json.loads(out)
    assert code == 0 and result["ok"] is True
    assert result["checkpoint_size"] == json.loads(logged.read_text())["tree_size"]
    assert result["signed_size"] == result["head_seq"] == _size(store)
    code, out, _ = xietong(engine, "audit", "verify")
    assert code == 0 and "audit log OK" in out and "verified with key" in out


def test_deleting_the_newest_entries_and_rewinding_the_head_fails_naming_the_first_missing(
    engine: Engine, store: Store, logged: Path
) -> None:
    size = json.loads(logged.read_text())["tree_size"]
    cut_log(store, size - 3)
    # without an outside anchor the shorter log is consistent in itself: the remaining heads are genuine
    assert xietong(engine, "audit", "verify")[0] == 0
    code, _, err = xietong(engine, "audit", "verify", "--checkpoint", str(logged))
    assert code == 1
    assert f"BROKEN at entry {size - 2}: entries {size - 2}..{size} were removed" in err


def test_a_cut_behind_a_later_checkpoint_is_named_too(engine: Engine, store: Store, logged: Path) -> None:
    _write_entries(store, 6)
    size = json.loads(logged.read_text())["tree_size"]
    cut_log(store, size - 1)  # back to before the checkpoint, then the log grows again
    _write_entries(store, 4)
    code, out, _ = xietong(engine, "audit", "verify", "--checkpoint", str(logged), "--json")
    assert code == 1
    assert json.loads(out)["first_bad_seq"] == size


@pytest.mark.parametrize(
    ("signed_roots", "why"),
    [(True, "signed tree head of 7 entries does not verify"), (False, "no longer have the Merkle root signed at")],
)
def test_rewriting_an_entry_and_recomputing_every_hash_fails_naming_it(
    engine: Engine, store: Store, logged: Path, signed_roots: bool, why: str
) -> None:
    _write_entries(store, 3)
    rewrite_entry(store, 7, signed_roots=signed_roots)
    for args in (("--checkpoint", str(logged)), ()):
        code, out, _ = xietong(engine, "audit", "verify", *args, "--json")
        result = json.loads(out)
        assert code == 1
        assert result["first_bad_seq"] == 7
        assert "entry 7 was changed after it was written" in result["reason"]
        assert why in result["reason"]
    code, _, err = xietong(engine, "audit", "verify", "--checkpoint", str(logged))
    assert "BROKEN at entry 7" in err


def test_rewriting_only_the_chain_is_caught_by_the_merkle_leaf(engine: Engine, store: Store, logged: Path) -> None:
    with store.write() as conn:  # the recipe of issue 11 as it was written against the bare hash chain
        conn.execute(audit_log.update().where(audit_log.c.seq == 5).values(actor="someone-else"))
        rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).all()
        prev = audit.GENESIS_HASH
        for r in rows:
            payload = audit.entry_payload(
                int(r.seq), r.at, r.actor, r.jurisdiction_code, r.action, r.outcome, r.target, r.detail
            )
            prev = audit.chain_hash(prev, payload)
            conn.execute(audit_log.update().where(audit_log.c.seq == r.seq).values(hash=prev))
        conn.execute(audit_head.update().values(hash=prev))
    code, out, _ = xietong(engine, "audit", "verify", "--checkpoint", str(logged), "--json")
    assert code == 1 and json.loads(out)["first_bad_seq"] == 5


def test_re_signing_with_another_key_does_not_fool_the_checkpoint(
    engine: Engine, store: Store, logged: Path, tmp_path: Path
) -> None:
    impostor = SigningKey.from_file(tmp_path / "impostor.key")
    rewrite_entry(store, 4, new_key=impostor)
    code, out, _ = xietong(engine, "audit", "verify", "--checkpoint", str(logged), "--json")
    result = json.loads(out)
    assert code == 1
    assert result["first_bad_seq"] <= 4
    assert "was signed by key" in result["reason"]


def test_a_changed_checkpoint_file_is_refused(engine: Engine, logged: Path) -> None:
    doc = json.loads(logged.read_text())
    doc["checkpoint"] = doc["checkpoint"].replace(f"\n{doc['tree_size']}\n", f"\n{doc['tree_size'] + 1}\n")
    logged.write_text(json.dumps(doc))
    code, _, err = xietong(engine, "audit", "verify", "--checkpoint", str(logged))
    assert code == 2
    assert "signature does not verify" in err
