"""The schema: SQLAlchemy Core tables, identical on SQLite and PostgreSQL.

This module holds the platform's tables (jurisdictions, principals and tokens, ingest batches, the audit
log, webhooks, the shared enterprise registry) and the one ``metadata`` every domain defines its own tables
on (``xietong/<domain>/tables.py``, loaded through the domain contract: :func:`xietong.domains.load_tables`).
Migrations in ``xietong/store/migrations/versions`` (the platform's branch; its first four revisions also
created the phase-1 domains' tables) and in each domain's ``migrations`` package create them; a test checks
that the migrated database matches the whole metadata, so the two cannot drift.

Revisioned data are system-versioned table pairs: ``X`` holds the current revision of each record and
``X_history`` every earlier one with the time it was superseded. ``recorded_at`` / ``superseded_at`` are
transaction times, so the store as it was at time ``t`` is the rows of ``X`` with ``recorded_at <= t``
plus the rows of ``X_history`` with ``recorded_at <= t < superseded_at``.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

jurisdiction = sa.Table(
    "jurisdiction",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True, comment="GB/T 2260 code"),
    sa.Column("name_zh", sa.String(40), nullable=False),
    sa.Column("name_en", sa.String(60), nullable=False),
    sa.Column("level", sa.String(12), nullable=False),
    sa.Column("parent_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), nullable=True),
    sa.Column("lon", sa.Float(53), nullable=False, comment="representative point [degrees]"),
    sa.Column("lat", sa.Float(53), nullable=False, comment="representative point [degrees]"),
)

principal = sa.Table(
    "principal",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column(
        "jurisdiction_code",
        sa.String(6),
        sa.ForeignKey("jurisdiction.code"),
        nullable=True,
        comment="NULL for region-level principals (coordination office, platform operator)",
    ),
    sa.Column("kind", sa.String(12), nullable=False, comment="person, service or operator"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("disabled_at", UtcDateTime(), nullable=True),
)

api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_id", sa.String(16), nullable=False, unique=True, comment="public part of the token"),
    sa.Column("principal_id", sa.Integer, sa.ForeignKey("principal.id"), nullable=False, index=True),
    sa.Column("secret_sha256", sa.String(64), nullable=False, comment="SHA-256 of the secret part, hex"),
    sa.Column("scopes", sa.String(200), nullable=False, comment="space-separated scopes"),
    sa.Column("label", sa.String(200), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

ingest_batch = sa.Table(
    "ingest_batch",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("principal_id", sa.Integer, sa.ForeignKey("principal.id"), nullable=False),
    sa.Column("dataset", sa.String(40), nullable=False),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("source", sa.String(300), nullable=False, comment="file name or request id"),
    sa.Column("sha256", sa.String(64), nullable=False, comment="SHA-256 of the input bytes"),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("committed_at", UtcDateTime(), nullable=False),
    sa.Column("summary", sa.Text, nullable=False, comment="JSON counts"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False, comment="principal name, or anonymous"),
    sa.Column("jurisdiction_code", sa.String(6), nullable=True),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("outcome", sa.String(12), nullable=False, comment="ok, denied or failed"),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, comment="canonical JSON"),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False, comment="always 1"),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column(
        "origin",
        sa.String(100),
        nullable=False,
        server_default="xietong/audit",
        comment="the log's identity: first line of its signed checkpoints and the signing key's name",
    ),
    sa.Column(
        "frontier",
        sa.LargeBinary,
        nullable=True,
        comment="Merkle frontier: the complete subtrees of the current size, largest first (32 bytes each)",
    ),
)

# The Merkle tree over the audit entries (RFC 9162 §2.1): the hash of every complete subtree, level 0 being
# the leaves SHA-256(0x00 || canonical entry). Proofs read at most log2(n)^2 rows of it.
audit_tree = sa.Table(
    "audit_tree",
    metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False, comment="subtree of 2**level leaves"),
    sa.Column(
        "idx",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
        comment="covers leaves [idx * 2**level, (idx + 1) * 2**level); leaf i is entry seq i + 1",
    ),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

# Signed tree heads: one per appended entry (and one when a migrated log is sealed), signed with the Ed25519
# key file outside the store. The signed text is the checkpoint note of xietong.exchange.checkpoint.
audit_tree_head = sa.Table(
    "audit_tree_head",
    metadata,
    sa.Column("tree_size", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("timestamp_ms", sa.BigInteger, nullable=False, comment="signed time, ms since the epoch (RFC 9162)"),
    sa.Column("key_id", sa.String(8), nullable=False, comment="signed-note key id (hex) of the signing key"),
    sa.Column("signature", sa.LargeBinary(64), nullable=False, comment="Ed25519 signature of the note text"),
)

# -- notifications: per-jurisdiction webhooks through a transactional outbox ----------------------------

webhook_subscription = sa.Table(
    "webhook_subscription",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "jurisdiction_code",
        sa.String(6),
        sa.ForeignKey("jurisdiction.code"),
        nullable=True,
        comment="whose events it receives; NULL = region level (every event)",
    ),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column(
        "secret",
        sa.String(128),
        nullable=False,
        comment="HMAC-SHA256 key shared with the receiver, AES-256-GCM encrypted (v1:…) with the key file outside the store",
    ),
    sa.Column("events", sa.String(500), nullable=False, comment="space-separated event names or prefixes; * = all"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("disabled_at", UtcDateTime(), nullable=True),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(36), nullable=False, unique=True, comment="sent as X-Xietong-Delivery"),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey("webhook_subscription.id"), nullable=False),
    sa.Column("event", sa.String(60), nullable=False),
    sa.Column("body", sa.Text, nullable=False, comment="the exact JSON bytes that are signed and sent"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="pending, delivered or failed"),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
)
sa.Index("ix_outbox_due", outbox.c.status, outbox.c.next_attempt_at)

delivery_attempt = sa.Table(
    "delivery_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False, index=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True, comment="HTTP status, NULL when no response"),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
)


def _enterprise_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("industry", sa.String(60), nullable=False),
        sa.Column("grade", sa.String(2), nullable=False, comment="performance grade A, B, C or D"),
        sa.Column("so2_t_per_day", sa.Float(53), nullable=False, comment="baseline SO2 emissions [t/day]"),
        sa.Column("nox_t_per_day", sa.Float(53), nullable=False, comment="baseline NOx emissions [t/day]"),
        sa.Column("pm_t_per_day", sa.Float(53), nullable=False, comment="baseline PM emissions [t/day]"),
        sa.Column("vocs_t_per_day", sa.Float(53), nullable=False, comment="baseline VOCs emissions [t/day]"),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# Enterprise emission data are a restricted dataset: every read is written to the audit log.
enterprise = sa.Table(
    "enterprise",
    metadata,
    sa.Column("city_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    *_enterprise_columns(),
)

enterprise_history = sa.Table(
    "enterprise_history",
    metadata,
    sa.Column("city_code", sa.String(6), primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    *_enterprise_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

# Idempotency keys of writes (`Idempotency-Key` header, `xietong --idempotency-key`): the key is claimed in the
# transaction of the write it names, so it exists exactly when that write committed; the response is kept
# beside it (after the commit) for the retries to replay.
idempotency_key = sa.Table(
    "idempotency_key",
    metadata,
    sa.Column("principal_id", sa.Integer, sa.ForeignKey("principal.id"), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False, comment="method, path, query and body"),
    sa.Column("action", sa.String(80), nullable=False, comment="the audited action of the write"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("response_type", sa.String(120), nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),
)
