"""webhook outbox, forecasts, warnings, enterprises

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "air_forecast_history",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("window_end", UtcDateTime(), nullable=False, comment="end of the forecast window"),
        sa.Column("aqi_low", sa.Integer(), nullable=False, comment="lower bound of the forecast AQI range"),
        sa.Column("aqi_high", sa.Integer(), nullable=False, comment="upper bound (decides the level)"),
        sa.Column("primary_pollutant", sa.String(length=40), nullable=True),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "city_code", "issued_at", "window_start", "revision", name=op.f("pk_air_forecast_history")
        ),
    )
    op.create_table(
        "enterprise_history",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=False, comment="performance grade A, B, C or D"),
        sa.Column("so2_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline SO2 emissions [t/day]"),
        sa.Column("nox_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline NOx emissions [t/day]"),
        sa.Column("pm_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline PM emissions [t/day]"),
        sa.Column("vocs_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline VOCs emissions [t/day]"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("city_code", "name", "revision", name=op.f("pk_enterprise_history")),
    )
    op.create_table(
        "warning",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rules", sa.String(length=40), nullable=False, comment="rule set the proposal cites"),
        sa.Column("status", sa.String(length=12), nullable=False, comment="proposed, issued or closed"),
        sa.Column("level", sa.String(length=8), nullable=False, comment="proposed level"),
        sa.Column("start_at", UtcDateTime(), nullable=False),
        sa.Column("end_at", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False, comment="answers are accepted until then"),
        sa.Column("proposer", sa.String(length=100), nullable=False),
        sa.Column("proposer_jurisdiction", sa.String(length=6), nullable=True, comment="NULL = region level"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="incremented on every change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    op.create_table(
        "air_forecast",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("window_end", UtcDateTime(), nullable=False, comment="end of the forecast window"),
        sa.Column("aqi_low", sa.Integer(), nullable=False, comment="lower bound of the forecast AQI range"),
        sa.Column("aqi_high", sa.Integer(), nullable=False, comment="upper bound (decides the level)"),
        sa.Column("primary_pollutant", sa.String(length=40), nullable=True),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["jurisdiction.code"], name=op.f("fk_air_forecast_city_code_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("city_code", "issued_at", "window_start", name=op.f("pk_air_forecast")),
    )
    op.create_table(
        "enterprise",
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=False, comment="performance grade A, B, C or D"),
        sa.Column("so2_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline SO2 emissions [t/day]"),
        sa.Column("nox_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline NOx emissions [t/day]"),
        sa.Column("pm_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline PM emissions [t/day]"),
        sa.Column("vocs_t_per_day", sa.Float(precision=53), nullable=False, comment="baseline VOCs emissions [t/day]"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["jurisdiction.code"], name=op.f("fk_enterprise_city_code_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("city_code", "name", name=op.f("pk_enterprise")),
    )
    op.create_table(
        "warning_city",
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("proposed_level", sa.String(length=8), nullable=False),
        sa.Column(
            "answer", sa.String(length=10), nullable=False, comment="pending, accept, counter, decline, no_answer"
        ),
        sa.Column("answer_level", sa.String(length=8), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column(
            "status", sa.String(length=12), nullable=False, comment="pending, issued, declined, not_issued, lifted"
        ),
        sa.Column("level", sa.String(length=8), nullable=True, comment="level in force in the city"),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_code"], ["jurisdiction.code"], name=op.f("fk_warning_city_city_code_jurisdiction")
        ),
        sa.ForeignKeyConstraint(["warning_id"], ["warning.id"], name=op.f("fk_warning_city_warning_id_warning")),
        sa.PrimaryKeyConstraint("warning_id", "city_code", name=op.f("pk_warning_city")),
    )
    op.create_table(
        "warning_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="proposed, answered, issued, upgraded, downgraded, lifted, closed",
        ),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["warning_id"], ["warning.id"], name=op.f("fk_warning_event_warning_id_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_event")),
    )
    with op.batch_alter_table("warning_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warning_event_warning_id"), ["warning_id"], unique=False)

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=6),
            nullable=True,
            comment="whose events it receives; NULL = region level (every event)",
        ),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False, comment="HMAC-SHA256 key shared with the receiver"),
        sa.Column(
            "events", sa.String(length=500), nullable=False, comment="space-separated event names or prefixes; * = all"
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_webhook_subscription_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False, comment="sent as X-Xietong-Delivery"),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="the exact JSON bytes that are signed and sent"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, comment="pending, delivered or failed"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_outbox_subscription_id_webhook_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_outbox_delivery_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True, comment="HTTP status, NULL when no response"),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_delivery_attempt_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempt_outbox_id"), ["outbox_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_outbox_id"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    op.drop_table("webhook_subscription")
    with op.batch_alter_table("warning_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_event_warning_id"))

    op.drop_table("warning_event")
    op.drop_table("warning_city")
    op.drop_table("enterprise")
    op.drop_table("air_forecast")
    op.drop_table("warning")
    op.drop_table("enterprise_history")
    op.drop_table("air_forecast_history")
