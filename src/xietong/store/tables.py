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
)
