"""initial schema: region, principals, tokens, air exchange, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "air_observation",
        sa.Column("station_code", sa.String(length=16), nullable=False, comment="air_station.code"),
        sa.Column("time_utc", UtcDateTime(), nullable=False, comment="end of the averaging hour"),
        sa.Column("revision", sa.SmallInteger(), nullable=False, comment="1 for the first publication"),
        sa.Column("so2", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("no2", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("o3", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("co", sa.Float(precision=53), nullable=True, comment="[mg/m³]"),
        sa.Column("pm10", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("pm25", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column(
            "flag_bits",
            sa.Integer(),
            nullable=False,
            comment="2 bits per pollutant: 0 valid, 1 invalid, 2 not monitored",
        ),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "time_utc", name=op.f("pk_air_observation")),
    )
    op.create_table(
        "air_observation_history",
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("time_utc", UtcDateTime(), nullable=False),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("so2", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("no2", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("o3", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("co", sa.Float(precision=53), nullable=True, comment="[mg/m³]"),
        sa.Column("pm10", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column("pm25", sa.Float(precision=53), nullable=True, comment="[µg/m³]"),
        sa.Column(
            "flag_bits",
            sa.Integer(),
            nullable=False,
            comment="2 bits per pollutant: 0 valid, 1 invalid, 2 not monitored",
        ),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "time_utc", "revision", name=op.f("pk_air_observation_history")),
    )
    op.create_table(
        "air_published",
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("time_utc", UtcDateTime(), nullable=False),
        sa.Column(
            "variable",
            sa.String(length=24),
            nullable=False,
            comment="AQI, primary_pollutant, PM2.5_24h, O3_8h …",
        ),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=True),
        sa.Column("text", sa.String(length=80), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "time_utc", "variable", name=op.f("pk_air_published")),
    )
    op.create_table(
        "air_published_history",
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("time_utc", UtcDateTime(), nullable=False),
        sa.Column("variable", sa.String(length=24), nullable=False),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=True),
        sa.Column("text", sa.String(length=80), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "station_code", "time_utc", "variable", "revision", name=op.f("pk_air_published_history")
        ),
    )
    op.create_table(
        "air_station_history",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=True),
        sa.Column("lat", sa.Float(precision=53), nullable=True),
        sa.Column("background", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", "revision", name=op.f("pk_air_station_history")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False, comment="always 1"),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # the chain starts from a genesis hash; the row exists from the start so that concurrent first
    # writers on PostgreSQL lock it instead of racing to create it
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False, comment="principal name, or anonymous"),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False, comment="ok, denied or failed"),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="canonical JSON"),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "jurisdiction",
        sa.Column("code", sa.String(length=6), nullable=False, comment="GB/T 2260 code"),
        sa.Column("name_zh", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.Column("lon", sa.Float(precision=53), nullable=False, comment="representative point [degrees]"),
        sa.Column("lat", sa.Float(precision=53), nullable=False, comment="representative point [degrees]"),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["jurisdiction.code"], name=op.f("fk_jurisdiction_parent_code_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdiction")),
    )
    op.create_table(
        "principal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=6),
            nullable=True,
            comment="NULL for region-level principals (coordination office, platform operator)",
        ),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="person, service or operator"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_principal_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_principal")),
        sa.UniqueConstraint("name", name=op.f("uq_principal_name")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_id", sa.String(length=16), nullable=False, comment="public part of the token"),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the secret part, hex"),
        sa.Column("scopes", sa.String(length=200), nullable=False, comment="space-separated scopes"),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["principal_id"], ["principal.id"], name=op.f("fk_api_token_principal_id_principal")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_id", name=op.f("uq_api_token_token_id")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_principal_id"), ["principal_id"], unique=False)

    op.create_table(
        "ingest_batch",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False, comment="file name or request id"),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the input bytes"),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("committed_at", UtcDateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False, comment="JSON counts"),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["principal.id"], name=op.f("fk_ingest_batch_principal_id_principal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batch")),
    )
    op.create_table(
        "air_station",
        sa.Column("code", sa.String(length=16), nullable=False, comment="CNEMC station code, e.g. 1001A"),
        sa.Column("name_zh", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("lat", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("background", sa.Boolean(), nullable=False, comment="background (对照点) site: not in city means"),
        sa.Column("restricted", sa.Boolean(), nullable=False, comment="reads of its data are audited"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_air_station_batch_id_ingest_batch")),
        sa.ForeignKeyConstraint(
            ["city_code"], ["jurisdiction.code"], name=op.f("fk_air_station_city_code_jurisdiction")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_air_station_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_air_station")),
    )
    with op.batch_alter_table("air_station", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_air_station_jurisdiction_code"), ["jurisdiction_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("air_station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_air_station_jurisdiction_code"))

    op.drop_table("air_station")
    op.drop_table("ingest_batch")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_principal_id"))

    op.drop_table("api_token")
    op.drop_table("principal")
    op.drop_table("jurisdiction")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
    op.drop_table("air_station_history")
    op.drop_table("air_published_history")
    op.drop_table("air_published")
    op.drop_table("air_observation_history")
    op.drop_table("air_observation")
