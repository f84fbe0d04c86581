"""Migration 0005: a store written before the Merkle log and encrypted secrets keeps every entry, verifies,
gets its first signed head and has its webhook secrets encrypted at the first use of the keys.

The entries and the subscription below are written for the test, the way the code of revision 0004 wrote
them (hash chain only, plain secret).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from tests.conftest import ENGINES, _pg_admin
from xietong.config import Settings
from xietong.exchange import audit, audit_tree, notify
from xietong.exchange.bootstrap import initialise
from xietong.exchange.crypto import SigningKey, secret_box
from xietong.store.session import Store, alembic_config
from xietong.store.tables import audit_head, audit_log, webhook_subscription

pytestmark = pytest.mark.integration
PLAIN_SECRET = "legacy-plain-secret-4711"


@pytest.fixture(params=ENGINES)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings of an empty database (no schema yet) on each engine."""
    if request.param == "sqlite":
        yield Settings.from_env({}, data_dir=tmp_path / "data")
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    name = f"xt_migrate_{os.getpid()}_{abs(hash(tmp_path)) % 10**8}"
    admin = _pg_admin(server_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield Settings.from_env({}, data_dir=tmp_path / "data", database_url=url)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _write_as_0004(store: Store, count: int) -> None:
    """Chained entries and a plain-secret subscription, as revision 0004 stored them."""
    at = datetime(2026, 11, 30, 8, tzinfo=UTC)
    with store.write() as conn:
        prev = audit.GENESIS_HASH
        for seq in range(1, count + 1):
            row = {"seq": seq, "at": at + timedelta(seconds=seq), "actor": "operator", "jurisdiction_code": None,
                   "action": "test.legacy", "outcome": "ok", "target": f"legacy {seq}", "detail": f'{{"n":{seq}}}'}  # fmt: skip
            payload = audit.entry_payload(
                seq, row["at"], "operator", None, "test.legacy", "ok", row["target"], row["detail"]
            )
            digest = audit.chain_hash(prev, payload)
            conn.execute(audit_log.insert().values(**row, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(audit_head.update().values(seq=count, hash=prev))
        conn.execute(
            webhook_subscription.insert().values(
                jurisdiction_code=None, url="http://127.0.0.1:9/hook", secret=PLAIN_SECRET, events="*",
                created_by="operator", created_at=at,
            )
        )  # fmt: skip


def test_an_existing_chain_migrates_without_losing_entries(empty: Settings) -> None:
    store = Store(empty)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0004")
    _write_as_0004(store, 37)
    initialise(store)  # upgrade to head, then the first use of the keys
    key = SigningKey.from_file(empty.audit_key_path, create=False)
    with store.read() as conn:
        assert [e.target for e in audit.entries(conn, limit=100, action="test.legacy")] == [
            f"legacy {i}" for i in range(1, 38)
        ]
        result = audit.verify(conn, public_key=key.public_key)
        assert result.ok, result.reason
        assert result.signed_size == result.head_seq  # the migrated log got a signed head covering all of it
        head = audit_tree.head_document(conn, key.public_key)
        proof = audit_tree.inclusion(conn, 5)
        secret = conn.execute(sa.select(webhook_subscription.c.secret)).scalar_one()
    assert head["tree_size"] >= 37 and proof["tree_size"] == head["tree_size"]
    assert secret.startswith("v1:") and PLAIN_SECRET not in secret
    assert notify.stored_secret(secret_box(empty.secrets_key_path), secret) == PLAIN_SECRET
    assert initialise(store).revision_after == store.current_revision()  # running it again changes nothing
    with store.read() as conn:
        assert conn.execute(sa.select(webhook_subscription.c.secret)).scalar_one() == secret
    store.dispose()
    if store.dialect == "sqlite":
        raw = b"".join(p.read_bytes() for p in empty.data_dir.glob("xietong.db*"))
        assert PLAIN_SECRET.encode() not in raw


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_file_is_private_and_an_open_one_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    store = Store(Settings.from_env({}, data_dir=data))
    store.ensure_schema()
    store.dispose()
    assert (mode(data), mode(data / "xietong.db")) == (0o700, 0o600)
    assert all(mode(p) == 0o600 for p in data.glob("xietong.db*"))
    data.chmod(0o755)
    (data / "xietong.db").chmod(0o644)
    Store(Settings.from_env({}, data_dir=data)).dispose()
    assert (mode(data), mode(data / "xietong.db")) == (0o700, 0o600)
