"""trading registry

Revision ID: trading_0001
Revises:
Create Date: 2026-12-03 09:11:41.243170
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "trading_0001"
down_revision = None
branch_labels = ("trading",)
depends_on = "0004"


def upgrade() -> None:
    op.create_table(
        "trading_installation_year_history",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("verified_t", sa.Float(precision=53), nullable=True, comment="verified emissions [t CO2e]"),
        sa.Column("emissions_state", sa.String(length=14), nullable=False, comment="xietong.trading.EmissionsState"),
        sa.Column("verifier", sa.String(length=200), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column(
            "allocated_external_t", sa.Float(precision=53), nullable=True, comment="published by an outside registry"
        ),
        sa.Column(
            "surrendered_external_t", sa.Float(precision=53), nullable=True, comment="published by an outside registry"
        ),
        sa.Column("published_code", sa.String(length=16), nullable=True, comment="code the outside registry published"),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column(
            "entered_at",
            UtcDateTime(),
            nullable=False,
            comment="first entry of the year's emissions",
        ),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account", "year", "revision", name=op.f("pk_trading_installation_year_history")),
    )
    op.create_table(
        "trading_movement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False, comment="trading_operation.id"),
        sa.Column("unit_type", sa.String(length=60), nullable=False),
        sa.Column("first_serial", sa.BigInteger(), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.Column("from_account", sa.String(length=40), nullable=True, comment="NULL for an issue"),
        sa.Column(
            "to_account", sa.String(length=40), nullable=False, comment="the account holding the units afterwards"
        ),
        sa.Column("state", sa.String(length=12), nullable=False, comment="the units' state afterwards"),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_movement")),
    )
    with op.batch_alter_table("trading_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_movement_operation_id"), ["operation_id"], unique=False)
        batch_op.create_index("ix_trading_movement_unit_type_first_serial", ["unit_type", "first_serial"], unique=False)

    op.create_table(
        "trading_quote",
        sa.Column("market", sa.String(length=16), nullable=False, comment="xietong.trading.PilotMarket"),
        sa.Column("product", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="trading day (China Standard Time)"),
        sa.Column("exchange", sa.String(length=60), nullable=False),
        sa.Column("open_cny_t", sa.Float(precision=53), nullable=True),
        sa.Column("high_cny_t", sa.Float(precision=53), nullable=True),
        sa.Column("low_cny_t", sa.Float(precision=53), nullable=True),
        sa.Column("avg_price_cny_t", sa.Float(precision=53), nullable=True),
        sa.Column("volume_t", sa.Float(precision=53), nullable=True),
        sa.Column("turnover_cny", sa.Float(precision=53), nullable=True),
        sa.Column("traded", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("market", "product", "day", name=op.f("pk_trading_quote")),
    )
    op.create_table(
        "trading_unit_type",
        sa.Column("code", sa.String(length=60), nullable=False, comment="e.g. BEA-2026, HB-FOREST-CHENGDE-2026"),
        sa.Column("kind", sa.String(length=20), nullable=False, comment="xietong.trading.UnitKind"),
        sa.Column("market", sa.String(length=40), nullable=False, comment="issuing market or programme"),
        sa.Column("standard", sa.String(length=30), nullable=True),
        sa.Column("origin", sa.String(length=40), nullable=True, comment="lower-case region code, e.g. hebei-chengde"),
        sa.Column("project_type", sa.String(length=40), nullable=True),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=30), nullable=True, comment="trading period of the units"),
        sa.Column("pollutant", sa.String(length=8), nullable=True, comment="emission rights: SO2, NOx, COD, NH3-N"),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=6),
            nullable=True,
            comment="the issuing jurisdiction; NULL = a registry outside the region",
        ),
        sa.Column("issued", sa.BigInteger(), nullable=False, comment="units issued so far"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint("issued >= 0", name=op.f("ck_trading_unit_type_issued_not_negative")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_trading_unit_type_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_trading_unit_type")),
    )
    op.create_table(
        "trading_account",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False, comment="xietong.trading.AccountKind"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=6),
            nullable=True,
            comment="owner; NULL = the region (accounts of a replayed outside registry)",
        ),
        sa.Column(
            "market", sa.String(length=40), nullable=True, comment="market whose rules apply (acceptance, compliance)"
        ),
        sa.Column(
            "enterprise_city", sa.String(length=6), nullable=True, comment="enterprise.city_code of the operator"
        ),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True, comment="enterprise.name of the operator"),
        sa.Column(
            "installation", sa.String(length=40), nullable=True, comment="id in an outside registry (EUTL account)"
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_city", "enterprise_name"],
            ["enterprise.city_code", "enterprise.name"],
            name=op.f("fk_trading_account_enterprise_city_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"], ["jurisdiction.code"], name=op.f("fk_trading_account_jurisdiction_code_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_trading_account")),
    )
    with op.batch_alter_table("trading_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_account_jurisdiction_code"), ["jurisdiction_code"], unique=False)

    op.create_table(
        "trading_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_type", sa.String(length=60), nullable=False),
        sa.Column("first_serial", sa.BigInteger(), nullable=False, comment="inclusive"),
        sa.Column("last_serial", sa.BigInteger(), nullable=False, comment="inclusive"),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False, comment="xietong.trading.BlockState"),
        sa.Column("reserved_by", sa.Integer(), nullable=True, comment="the pending transfer holding it"),
        sa.Column("operation_id", sa.Integer(), nullable=False, comment="trading_operation.id that created the block"),
        sa.CheckConstraint(
            "first_serial >= 1 AND last_serial >= first_serial", name=op.f("ck_trading_block_serial_range")
        ),
        sa.ForeignKeyConstraint(
            ["account"], ["trading_account.code"], name=op.f("fk_trading_block_account_trading_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_type"], ["trading_unit_type.code"], name=op.f("fk_trading_block_unit_type_trading_unit_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_block")),
        sa.UniqueConstraint("unit_type", "first_serial", name=op.f("uq_trading_block_unit_type_first_serial")),
    )
    with op.batch_alter_table("trading_block", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trading_block_account_unit_type_state", ["account", "unit_type", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trading_block_reserved_by"), ["reserved_by"], unique=False)

    op.create_table(
        "trading_holding",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("unit_type", sa.String(length=60), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False, comment="free held units"),
        sa.Column("reserved", sa.BigInteger(), nullable=False, comment="held units reserved by pending transfers"),
        sa.CheckConstraint("held >= 0", name=op.f("ck_trading_holding_held_not_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_trading_holding_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["account"], ["trading_account.code"], name=op.f("fk_trading_holding_account_trading_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_type"], ["trading_unit_type.code"], name=op.f("fk_trading_holding_unit_type_trading_unit_type")
        ),
        sa.PrimaryKeyConstraint("account", "unit_type", name=op.f("pk_trading_holding")),
    )
    op.create_table(
        "trading_installation_year",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("verified_t", sa.Float(precision=53), nullable=True, comment="verified emissions [t CO2e]"),
        sa.Column("emissions_state", sa.String(length=14), nullable=False, comment="xietong.trading.EmissionsState"),
        sa.Column("verifier", sa.String(length=200), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column(
            "allocated_external_t", sa.Float(precision=53), nullable=True, comment="published by an outside registry"
        ),
        sa.Column(
            "surrendered_external_t", sa.Float(precision=53), nullable=True, comment="published by an outside registry"
        ),
        sa.Column("published_code", sa.String(length=16), nullable=True, comment="code the outside registry published"),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column(
            "entered_at",
            UtcDateTime(),
            nullable=False,
            comment="first entry of the year's emissions",
        ),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"], ["trading_account.code"], name=op.f("fk_trading_installation_year_account_trading_account")
        ),
        sa.PrimaryKeyConstraint("account", "year", name=op.f("pk_trading_installation_year")),
    )
    op.create_table(
        "trading_notice",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False, comment="e.g. deadline_approaching"),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account"], ["trading_account.code"], name=op.f("fk_trading_notice_account_trading_account")
        ),
        sa.PrimaryKeyConstraint("account", "year", "kind", name=op.f("pk_trading_notice")),
    )
    op.create_table(
        "trading_operation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="xietong.trading.OperationKind"),
        sa.Column(
            "state", sa.String(length=20), nullable=False, comment="TransferState for transfers; completed otherwise"
        ),
        sa.Column("unit_type", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False, comment="[units]"),
        sa.Column("from_account", sa.String(length=40), nullable=True),
        sa.Column("to_account", sa.String(length=40), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True, comment="compliance year (surrender) or allocation year"),
        sa.Column("late", sa.Boolean(), nullable=False, comment="a surrender after the compliance deadline"),
        sa.Column("required_approvals", sa.Text(), nullable=False, comment="JSON [{market, approver, jurisdiction}]"),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON: rule checks, price, note"),
        sa.Column("result", sa.Text(), nullable=True, comment="JSON answer, returned again to an idempotent retry"),
        sa.Column("client_key", sa.String(length=100), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True, comment="SHA-256 of the canonical request"),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, comment="incremented on every step"),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_trading_operation_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["from_account"], ["trading_account.code"], name=op.f("fk_trading_operation_from_account_trading_account")
        ),
        sa.ForeignKeyConstraint(
            ["to_account"], ["trading_account.code"], name=op.f("fk_trading_operation_to_account_trading_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_type"], ["trading_unit_type.code"], name=op.f("fk_trading_operation_unit_type_trading_unit_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_operation")),
        sa.UniqueConstraint("actor", "client_key", name=op.f("uq_trading_operation_actor_client_key")),
    )
    with op.batch_alter_table("trading_operation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_operation_from_account"), ["from_account"], unique=False)
        batch_op.create_index(batch_op.f("ix_trading_operation_to_account"), ["to_account"], unique=False)

    op.create_table(
        "trading_approval",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column(
            "market", sa.String(length=40), nullable=False, comment="the market whose rules ask for the approval"
        ),
        sa.Column("approver", sa.String(length=200), nullable=False, comment="as the rules name it"),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="who may give it"),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["trading_operation.id"], name=op.f("fk_trading_approval_operation_id_trading_operation")
        ),
        sa.PrimaryKeyConstraint("operation_id", "market", name=op.f("pk_trading_approval")),
    )
    op.create_table(
        "trading_operation_step",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column(
            "step", sa.String(length=20), nullable=False, comment="initiate, accept, approve, complete, reject, cancel"
        ),
        sa.Column("state", sa.String(length=20), nullable=False, comment="the operation's state after the step"),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON"),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["trading_operation.id"],
            name=op.f("fk_trading_operation_step_operation_id_trading_operation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_operation_step")),
    )
    with op.batch_alter_table("trading_operation_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_operation_step_operation_id"), ["operation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trading_operation_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_operation_step_operation_id"))

    op.drop_table("trading_operation_step")
    op.drop_table("trading_approval")
    with op.batch_alter_table("trading_operation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_operation_to_account"))
        batch_op.drop_index(batch_op.f("ix_trading_operation_from_account"))

    op.drop_table("trading_operation")
    op.drop_table("trading_notice")
    op.drop_table("trading_installation_year")
    op.drop_table("trading_holding")
    with op.batch_alter_table("trading_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_block_reserved_by"))
        batch_op.drop_index("ix_trading_block_account_unit_type_state")

    op.drop_table("trading_block")
    with op.batch_alter_table("trading_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_account_jurisdiction_code"))

    op.drop_table("trading_account")
    op.drop_table("trading_unit_type")
    op.drop_table("trading_quote")
    with op.batch_alter_table("trading_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_trading_movement_unit_type_first_serial")
        batch_op.drop_index(batch_op.f("ix_trading_movement_operation_id"))

    op.drop_table("trading_movement")
    op.drop_table("trading_installation_year_history")
