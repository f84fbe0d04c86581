"""audit log as a Merkle tree with signed tree heads; webhook secrets encrypted at rest

Adds the Merkle tree over the audit entries (audit_tree: the hash of every complete subtree, RFC 9162
§2.1), the signed tree heads (audit_tree_head) and the log's identity and frontier (audit_head.origin,
audit_head.frontier). The upgrade computes the leaves and subtrees of the entries already in the log, so an
existing hash chain migrates without losing or changing an entry; the chain columns stay and are still
verified. Signing needs the key file outside the store, which a migration does not read: the first signed
head is written by ``bootstrap.initialise`` right after the upgrade (``xietong db upgrade``, or the first
open of an embedded store), or by the next audited write, whichever comes first.

Webhook secrets are encrypted with the secrets key file on the same first use (``bootstrap.initialise``);
this migration only records the column's new meaning. A downgrade leaves them encrypted: register the
webhooks again after going back to 0004.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from xietong.exchange import merkle
from xietong.exchange.audit import entry_payload
from xietong.store.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer, "sqlite")
_COMMENT_BEFORE = "HMAC-SHA256 key shared with the receiver"
_COMMENT_AFTER = (
    "HMAC-SHA256 key shared with the receiver, AES-256-GCM encrypted (v1:…) with the key file outside the store"
)


def upgrade() -> None:
    op.create_table(
        "audit_tree",
        sa.Column(
            "level", sa.SmallInteger(), autoincrement=False, nullable=False, comment="subtree of 2**level leaves"
        ),
        sa.Column(
            "idx",
            _BIG,
            autoincrement=False,
            nullable=False,
            comment="covers leaves [idx * 2**level, (idx + 1) * 2**level); leaf i is entry seq i + 1",
        ),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_tree")),
    )
    op.create_table(
        "audit_tree_head",
        sa.Column("tree_size", _BIG, autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "timestamp_ms", sa.BigInteger(), nullable=False, comment="signed time, ms since the epoch (RFC 9162)"
        ),
        sa.Column("key_id", sa.String(length=8), nullable=False, comment="signed-note key id (hex) of the signing key"),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False, comment="Ed25519 signature of the note text"),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_tree_head")),
    )
    op.add_column(
        "audit_head",
        sa.Column(
            "origin",
            sa.String(length=100),
            server_default="xietong/audit",
            nullable=False,
            comment="the log's identity: first line of its signed checkpoints and the signing key's name",
        ),
    )
    op.add_column(
        "audit_head",
        sa.Column(
            "frontier",
            sa.LargeBinary(),
            nullable=True,
            comment="Merkle frontier: the complete subtrees of the current size, largest first (32 bytes each)",
        ),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column(
            "webhook_subscription",
            "secret",
            existing_type=sa.String(length=128),
            existing_nullable=False,
            comment=_COMMENT_AFTER,
            existing_comment=_COMMENT_BEFORE,
        )
    _build_tree(bind)


def _build_tree(bind: sa.Connection) -> None:
    """Leaves and complete subtrees of the entries already logged, and the frontier after the last one."""
    names = ("seq", "actor", "jurisdiction_code", "action", "outcome", "target", "detail")
    # the typed time column reads back what the store wrote (µs integers on SQLite, timestamptz on PostgreSQL)
    log = sa.table("audit_log", sa.column("at", UtcDateTime()), *(sa.column(c) for c in names))
    tree = sa.table("audit_tree", sa.column("level"), sa.column("idx"), sa.column("hash"))
    size, frontier, last = 0, list[bytes](), 0
    while True:
        rows = bind.execute(sa.select(log).where(log.c.seq > last).order_by(log.c.seq).limit(5000)).all()
        if not rows:
            break
        nodes: list[dict[str, object]] = []
        for r in rows:
            payload = entry_payload(
                int(r.seq), r.at, r.actor, r.jurisdiction_code, r.action, r.outcome, r.target, r.detail
            )
            step = merkle.append(size, frontier, merkle.leaf_hash(payload.encode("utf-8")))
            frontier, size = step.frontier, size + 1
            nodes.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in step.nodes)
        bind.execute(tree.insert(), nodes)
        last = int(rows[-1].seq)
    head = sa.table("audit_head", sa.column("id"), sa.column("origin"), sa.column("frontier"))
    bind.execute(
        head.update()
        .where(head.c.id == 1)
        .values(origin=f"xietong/audit/{secrets.token_hex(6)}", frontier=b"".join(frontier))
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column(
            "webhook_subscription",
            "secret",
            existing_type=sa.String(length=128),
            existing_nullable=False,
            comment=_COMMENT_BEFORE,
            existing_comment=_COMMENT_AFTER,
        )
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("frontier")
        batch.drop_column("origin")
    op.drop_table("audit_tree_head")
    op.drop_table("audit_tree")
