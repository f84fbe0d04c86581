"""The schema: SQLAlchemy Core tables, identical on SQLite and PostgreSQL.

Migrations in ``xietong/store/migrations/versions`` create these tables; a test checks that the
migrated database matches this metadata, so the two cannot drift.

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

air_station = sa.Table(
    "air_station",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True, comment="CNEMC station code, e.g. 1001A"),
    sa.Column("name_zh", sa.String(60), nullable=False),
    sa.Column("name_en", sa.String(80), nullable=True),
    sa.Column("city_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), nullable=False),
    sa.Column("jurisdiction_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), nullable=False, index=True),
    sa.Column("lon", sa.Float(53), nullable=True, comment="[degrees]"),
    sa.Column("lat", sa.Float(53), nullable=True, comment="[degrees]"),
    sa.Column("background", sa.Boolean, nullable=False, comment="background (对照点) site: not in city means"),
    sa.Column("restricted", sa.Boolean, nullable=False, comment="reads of its data are audited"),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batch.id"), nullable=True),
)

air_station_history = sa.Table(
    "air_station_history",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("name_zh", sa.String(60), nullable=False),
    sa.Column("name_en", sa.String(80), nullable=True),
    sa.Column("city_code", sa.String(6), nullable=False),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False),
    sa.Column("lon", sa.Float(53), nullable=True),
    sa.Column("lat", sa.Float(53), nullable=True),
    sa.Column("background", sa.Boolean, nullable=False),
    sa.Column("restricted", sa.Boolean, nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
    sa.Column("batch_id", sa.Integer, nullable=True),
)

#: value columns of ``air_observation``, in :data:`xietong.enums.POLLUTANTS` order
OBSERVATION_VALUE_COLUMNS = ("so2", "no2", "o3", "co", "pm10", "pm25")


def _observation_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("so2", sa.Float(53), nullable=True, comment="[µg/m³]"),
        sa.Column("no2", sa.Float(53), nullable=True, comment="[µg/m³]"),
        sa.Column("o3", sa.Float(53), nullable=True, comment="[µg/m³]"),
        sa.Column("co", sa.Float(53), nullable=True, comment="[mg/m³]"),
        sa.Column("pm10", sa.Float(53), nullable=True, comment="[µg/m³]"),
        sa.Column("pm25", sa.Float(53), nullable=True, comment="[µg/m³]"),
        sa.Column(
            "flag_bits",
            sa.Integer,
            nullable=False,
            comment="2 bits per pollutant: 0 valid, 1 invalid, 2 not monitored",
        ),
        sa.Column("batch_id", sa.Integer, nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# Observations are a system-versioned pair: the current revision of each station-hour lives in
# ``air_observation`` (one row per station and hour), earlier revisions move to
# ``air_observation_history`` with the time they were superseded. The two tables carry no foreign keys:
# the exchange checks station and batch before it writes (stations and batches are never deleted), and
# foreign-key triggers more than doubled PostgreSQL bulk-load time (bench/RESULTS.md).
air_observation = sa.Table(
    "air_observation",
    metadata,
    sa.Column("station_code", sa.String(16), primary_key=True, comment="air_station.code"),
    sa.Column("time_utc", UtcDateTime(), primary_key=True, comment="end of the averaging hour"),
    sa.Column("revision", sa.SmallInteger, nullable=False, comment="1 for the first publication"),
    *_observation_columns(),
)

air_observation_history = sa.Table(
    "air_observation_history",
    metadata,
    sa.Column("station_code", sa.String(16), primary_key=True),
    sa.Column("time_utc", UtcDateTime(), primary_key=True),
    sa.Column("revision", sa.SmallInteger, primary_key=True),
    *_observation_columns(),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)


def _published_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("value", sa.Float(53), nullable=True),
        sa.Column("text", sa.String(80), nullable=True),
        sa.Column("batch_id", sa.Integer, nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# Values a monitoring centre published beside the hourly concentrations (its AQI, primary pollutant,
# 24-h and 8-h averages), kept as published; versioned like the observations.
air_published = sa.Table(
    "air_published",
    metadata,
    sa.Column("station_code", sa.String(16), primary_key=True),
    sa.Column("time_utc", UtcDateTime(), primary_key=True),
    sa.Column("variable", sa.String(24), primary_key=True, comment="AQI, primary_pollutant, PM2.5_24h, O3_8h …"),
    sa.Column("revision", sa.SmallInteger, nullable=False),
    *_published_columns(),
)

air_published_history = sa.Table(
    "air_published_history",
    metadata,
    sa.Column("station_code", sa.String(16), primary_key=True),
    sa.Column("time_utc", UtcDateTime(), primary_key=True),
    sa.Column("variable", sa.String(24), primary_key=True),
    sa.Column("revision", sa.SmallInteger, primary_key=True),
    *_published_columns(),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
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

# -- heavy-pollution warnings: forecasts, consultation, enterprises ------------------------------------


def _forecast_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("window_end", UtcDateTime(), nullable=False, comment="end of the forecast window"),
        sa.Column("aqi_low", sa.Integer, nullable=False, comment="lower bound of the forecast AQI range"),
        sa.Column("aqi_high", sa.Integer, nullable=False, comment="upper bound (decides the level)"),
        sa.Column("primary_pollutant", sa.String(40), nullable=True),
        sa.Column("revision", sa.SmallInteger, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


air_forecast = sa.Table(
    "air_forecast",
    metadata,
    sa.Column("city_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), primary_key=True),
    sa.Column("issued_at", UtcDateTime(), primary_key=True),
    sa.Column("window_start", UtcDateTime(), primary_key=True),
    *_forecast_columns(),
)

air_forecast_history = sa.Table(
    "air_forecast_history",
    metadata,
    sa.Column("city_code", sa.String(6), primary_key=True),
    sa.Column("issued_at", UtcDateTime(), primary_key=True),
    sa.Column("window_start", UtcDateTime(), primary_key=True),
    *_forecast_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

warning = sa.Table(
    "warning",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("rules", sa.String(40), nullable=False, comment="rule set the proposal cites"),
    sa.Column("status", sa.String(12), nullable=False, comment="proposed, issued or closed"),
    sa.Column("level", sa.String(8), nullable=False, comment="proposed level"),
    sa.Column("start_at", UtcDateTime(), nullable=False),
    sa.Column("end_at", UtcDateTime(), nullable=False),
    sa.Column("deadline", UtcDateTime(), nullable=False, comment="answers are accepted until then"),
    sa.Column("proposer", sa.String(100), nullable=False),
    sa.Column("proposer_jurisdiction", sa.String(6), nullable=True, comment="NULL = region level"),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False, comment="JSON"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, comment="incremented on every change"),
)

warning_city = sa.Table(
    "warning_city",
    metadata,
    sa.Column("warning_id", sa.Integer, sa.ForeignKey("warning.id"), primary_key=True),
    sa.Column("city_code", sa.String(6), sa.ForeignKey("jurisdiction.code"), primary_key=True),
    sa.Column("proposed_level", sa.String(8), nullable=False),
    sa.Column("answer", sa.String(10), nullable=False, comment="pending, accept, counter, decline, no_answer"),
    sa.Column("answer_level", sa.String(8), nullable=True),
    sa.Column("answer_reason", sa.Text, nullable=True),
    sa.Column("answered_by", sa.String(100), nullable=True),
    sa.Column("answered_at", UtcDateTime(), nullable=True),
    sa.Column("status", sa.String(12), nullable=False, comment="pending, issued, declined, not_issued, lifted"),
    sa.Column("level", sa.String(8), nullable=True, comment="level in force in the city"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

warning_event = sa.Table(
    "warning_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("warning_id", sa.Integer, sa.ForeignKey("warning.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column(
        "kind",
        sa.String(20),
        nullable=False,
        comment="proposed, answered, issued, upgraded, downgraded, lifted, closed",
    ),
    sa.Column("city_code", sa.String(6), nullable=True),
    sa.Column("level", sa.String(8), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
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

# -- cooperation agreements: imported texts, their tasks, tracking state and history, indicators --------

agreement = sa.Table(
    "agreement",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("title_key", sa.String(300), nullable=False, index=True, comment="normalised title: finds revisions"),
    sa.Column("parties", sa.Text, nullable=False, comment="JSON: [{code, name, name_zh}]"),
    sa.Column("signed_on", sa.Date, nullable=True, comment="date of the agreement, when the text gives one"),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("source", sa.String(300), nullable=True, comment="file name of the imported text"),
    sa.Column("sha256", sa.String(64), nullable=False, comment="SHA-256 of the imported file's bytes"),
    sa.Column("revision", sa.Integer, nullable=False, comment="1 for the first import, +1 per revised text"),
    sa.Column("sections", sa.Text, nullable=False, comment="JSON: the sections of the core document"),
    sa.Column("text", sa.Text, nullable=False, comment="the text the task spans point into"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("imported_by", sa.String(100), nullable=False, comment="who imported the current revision"),
    sa.Column("imported_at", UtcDateTime(), nullable=False),
)

agreement_import = sa.Table(
    "agreement_import",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source", sa.String(300), nullable=True),
    sa.Column("imported_by", sa.String(100), nullable=False),
    sa.Column("imported_at", UtcDateTime(), nullable=False),
    sa.Column("summary", sa.Text, nullable=False, comment="JSON counts: added, updated, unchanged, retired, restored"),
)


def _task_state_columns() -> list[sa.Column[object]]:
    """Tracking state of a task: the same columns in ``agreement_task`` and in each of its versions in
    ``agreement_task_history`` (which also keeps the indicator bindings of the version)."""
    return [
        sa.Column("area", sa.String(24), nullable=False, comment="xietong.agreements.Area"),
        sa.Column("lead", sa.Text, nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("partners", sa.Text, nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("in_text", sa.Boolean, nullable=False, comment="false once a revised text no longer has it"),
        sa.Column("status", sa.String(12), nullable=False, comment="xietong.agreements.track.Status"),
        sa.Column("progress_pct", sa.Float(53), nullable=False, comment="[%], 0 to 100"),
        sa.Column("weight", sa.Float(53), nullable=False, comment="weight in progress roll-ups, >= 0"),
        sa.Column("due", sa.Date, nullable=True, comment="due day (China Standard Time)"),
        sa.Column("milestones", sa.Text, nullable=False, comment="JSON: [{title, due, done}]"),
        sa.Column("evidence", sa.Text, nullable=False, comment="JSON: [{id, kind, title, url|text|sha256 …}]"),
        sa.Column("note", sa.Text, nullable=True),
    ]


agreement_task = sa.Table(
    "agreement_task",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("task_id", sa.String(24), primary_key=True, comment="stable id: hash of the task text"),
    sa.Column("position", sa.Integer, nullable=False, comment="order in the current text"),
    sa.Column("number", sa.String(24), nullable=False, comment="section number . task index"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("span_start", sa.Integer, nullable=False),
    sa.Column("span_end", sa.Integer, nullable=False),
    sa.Column("section", sa.Text, nullable=True),
    sa.Column("section_number", sa.String(24), nullable=True),
    sa.Column("section_path", sa.Text, nullable=False, comment="JSON list of headings"),
    sa.Column("measure", sa.Text, nullable=True),
    sa.Column("bodies", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("projects", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("strength", sa.String(10), nullable=False),
    sa.Column("corrected", sa.Boolean, nullable=False, comment="area/lead/partners set by hand: imports keep them"),
    *_task_state_columns(),
    sa.Column("version", sa.Integer, nullable=False, comment="1 at import, +1 per change"),
    sa.Column("evidence_seq", sa.Integer, nullable=False, comment="highest evidence number ever used"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

agreement_task_history = sa.Table(
    "agreement_task_history",
    metadata,
    sa.Column("agreement_id", sa.Integer, primary_key=True),
    sa.Column("task_id", sa.String(24), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("action", sa.String(20), nullable=False, comment="import, update, csv, bind, unbind, file"),
    sa.Column("changed", sa.Text, nullable=False, comment="JSON list of the fields this version changed"),
    *_task_state_columns(),
    sa.Column("indicators", sa.Text, nullable=False, comment="JSON: the task's indicator bindings at this version"),
    sa.ForeignKeyConstraint(["agreement_id", "task_id"], ["agreement_task.agreement_id", "agreement_task.task_id"]),
)

agreement_file = sa.Table(
    "agreement_file",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True, comment="SHA-256 of the content"),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("media_type", sa.String(120), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("uploaded_at", UtcDateTime(), nullable=False),
)

indicator_binding = sa.Table(
    "indicator_binding",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("agreement_id", sa.Integer, nullable=False),
    sa.Column("task_id", sa.String(24), nullable=False),
    sa.Column("indicator", sa.String(80), nullable=False, comment="key in the indicator registry"),
    sa.Column("params", sa.Text, nullable=False, comment="canonical JSON of the indicator's parameters"),
    sa.Column("comparator", sa.String(2), nullable=False, comment="ge, le, gt, lt or eq"),
    sa.Column("target", sa.Float(53), nullable=False, comment="in the indicator's unit"),
    sa.Column("bound_by", sa.String(100), nullable=False),
    sa.Column("bound_at", UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(["agreement_id", "task_id"], ["agreement_task.agreement_id", "agreement_task.task_id"]),
    sa.UniqueConstraint("agreement_id", "task_id", "indicator", "params"),
)

indicator_value = sa.Table(
    "indicator_value",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator", sa.String(80), nullable=False),
    sa.Column("params", sa.Text, nullable=False, comment="canonical JSON of the parameters"),
    sa.Column("value", sa.Float(53), nullable=True, comment="NULL when the store holds nothing to compute it from"),
    sa.Column("as_of", UtcDateTime(), nullable=True, comment="time of the newest data the value reflects"),
    sa.Column("details", sa.Text, nullable=False, comment="JSON"),
    sa.Column("computed_at", UtcDateTime(), nullable=False),
    sa.Column("computed_by", sa.String(100), nullable=False),
)
sa.Index("ix_indicator_value_series", indicator_value.c.indicator, indicator_value.c.params, indicator_value.c.id)

# -- surface water: sections, links, samples (system-versioned), incidents ------------------------------


def _water_section_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("river", sa.String(80), nullable=False),
        sa.Column("basin", sa.String(40), nullable=False),
        sa.Column("province", sa.String(20), nullable=False),
        sa.Column("city", sa.String(40), nullable=False),
        sa.Column(
            "jurisdiction_code", sa.String(6), nullable=False, index=not history, comment="owner, GB/T 2260 code"
        ),
        sa.Column("waterbody", sa.String(8), nullable=False, comment="river or lake"),
        sa.Column("target_class", sa.String(4), nullable=True, comment="I..V; NULL when none is set"),
        sa.Column("target_class_assumed", sa.Boolean, nullable=False),
        sa.Column("lon", sa.Float(53), nullable=True, comment="[degrees]"),
        sa.Column("lat", sa.Float(53), nullable=True, comment="[degrees]"),
        sa.Column("cross_border", sa.Boolean, nullable=False),
        sa.Column("from_jurisdiction", sa.String(6), nullable=True),
        sa.Column("to_jurisdiction", sa.String(6), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# Sections carry no foreign key to ``jurisdiction``: the Haihe graph reaches into Shanxi, Henan and
# Shandong, which are not jurisdictions of the exchange (their sections are kept by the region).
water_section = sa.Table(
    "water_section",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True, comment="section code, e.g. HE11"),
    *_water_section_columns(),
)

water_section_history = sa.Table(
    "water_section_history",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    *_water_section_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)


def _water_link_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("river", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False, comment="xietong.water.LinkKind"),
        sa.Column("distance_km", sa.Float(53), nullable=False, comment="along the water [km]"),
        sa.Column("velocity_m_s", sa.Float(53), nullable=False, comment="mean flow velocity [m/s]"),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.Column("estimate", sa.Text, nullable=False, comment="how distance and velocity were estimated"),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


water_link = sa.Table(
    "water_link",
    metadata,
    sa.Column("from_section", sa.String(16), primary_key=True),
    sa.Column("to_section", sa.String(16), primary_key=True, comment="the next section downstream"),
    *_water_link_columns(),
)

water_link_history = sa.Table(
    "water_link_history",
    metadata,
    sa.Column("from_section", sa.String(16), primary_key=True),
    sa.Column("to_section", sa.String(16), primary_key=True),
    *_water_link_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)


def _water_sample_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("value", sa.Float(53), nullable=False, comment="in the item's unit (xietong.water.WaterItem.unit)"),
        sa.Column("batch_id", sa.Integer, nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# One value per section, sampling time and item; earlier revisions in the history table.
water_sample = sa.Table(
    "water_sample",
    metadata,
    sa.Column("section_code", sa.String(16), primary_key=True, comment="water_section.code"),
    sa.Column("time_utc", UtcDateTime(), primary_key=True, comment="sampling time"),
    sa.Column("item", sa.String(16), primary_key=True, comment="xietong.water.WaterItem"),
    sa.Column("revision", sa.SmallInteger, nullable=False, comment="1 for the first publication"),
    *_water_sample_columns(),
)

water_sample_history = sa.Table(
    "water_sample_history",
    metadata,
    sa.Column("section_code", sa.String(16), primary_key=True),
    sa.Column("time_utc", UtcDateTime(), primary_key=True),
    sa.Column("item", sa.String(16), primary_key=True),
    sa.Column("revision", sa.SmallInteger, primary_key=True),
    *_water_sample_columns(),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

water_incident = sa.Table(
    "water_incident",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("status", sa.String(12), nullable=False, comment="open, monitoring or closed"),
    sa.Column("trigger", sa.String(12), nullable=False, comment="exceedance or accident"),
    sa.Column("section_code", sa.String(16), nullable=False, index=True, comment="where the pollution is"),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False, comment="the section's jurisdiction"),
    sa.Column("started_at", UtcDateTime(), nullable=False, comment="when the pollution passed the section"),
    sa.Column("item", sa.String(16), nullable=True, comment="exceeding item (exceedance)"),
    sa.Column("pollutant", sa.String(120), nullable=True, comment="what was released (accident)"),
    sa.Column("amount", sa.Float(53), nullable=True, comment="how much was released (accident)"),
    sa.Column("amount_unit", sa.String(20), nullable=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False, comment="JSON"),
    sa.Column("opened_by", sa.String(100), nullable=False),
    sa.Column("opened_jurisdiction", sa.String(6), nullable=True, comment="NULL = region level"),
    sa.Column("report", sa.Text, nullable=True, comment="the closing report"),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, comment="incremented on every change"),
)

water_incident_section = sa.Table(
    "water_incident_section",
    metadata,
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("water_incident.id"), primary_key=True),
    sa.Column("section_code", sa.String(16), primary_key=True, comment="a section downstream"),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False),
    sa.Column("distance_km", sa.Float(53), nullable=False, comment="along the fastest path [km]"),
    sa.Column("travel_time_h", sa.Float(53), nullable=False, comment="sum of distance / velocity [h]"),
    sa.Column("eta", UtcDateTime(), nullable=False, comment="started_at + travel_time_h"),
    sa.Column("path", sa.Text, nullable=False, comment="JSON list of section codes"),
    sa.Column("approximate", sa.Boolean, nullable=False, comment="an approximate link on the path"),
)

water_incident_party = sa.Table(
    "water_incident_party",
    metadata,
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("water_incident.id"), primary_key=True),
    sa.Column("jurisdiction_code", sa.String(6), primary_key=True, comment="a jurisdiction downstream"),
    sa.Column("first_section", sa.String(16), nullable=False),
    sa.Column("eta", UtcDateTime(), nullable=False, comment="earliest arrival at one of its sections"),
    sa.Column("notified_at", UtcDateTime(), nullable=False),
    sa.Column("acknowledged_by", sa.String(100), nullable=True),
    sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
    sa.Column("ack_note", sa.Text, nullable=True),
)

water_incident_sampling = sa.Table(
    "water_incident_sampling",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("water_incident.id"), nullable=False, index=True),
    sa.Column("section_code", sa.String(16), nullable=False),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False, comment="who samples there"),
    sa.Column("items", sa.String(200), nullable=False, comment="space-separated WaterItem codes"),
    sa.Column("every_h", sa.Float(53), nullable=False, comment="sampling interval [h]"),
    sa.Column("start_at", UtcDateTime(), nullable=False),
    sa.Column("end_at", UtcDateTime(), nullable=True),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UtcDateTime(), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)

water_incident_event = sa.Table(
    "water_incident_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("water_incident.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False, comment="opened, notified, acknowledged, plan, closed"),
    sa.Column("jurisdiction_code", sa.String(6), nullable=True),
    sa.Column("detail", sa.Text, nullable=False, comment="JSON"),
)
