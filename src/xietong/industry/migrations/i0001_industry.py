"""industry: parks, projects, contracts, structure values (the industry domain's branch)

Parks and technology contracts and structure values as system-versioned pairs (industry_park,
industry_tech_contract, industry_structure_value and their _history tables), relocation projects with their
versions (industry_project, industry_project_history) and dated stages with evidence
(industry_project_stage). Generated with alembic autogenerate from xietong/industry/tables.py and reviewed.

Revision ID: industry_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "industry_0001"
down_revision = None
branch_labels = ("industry",)
depends_on = "0004"


def upgrade() -> None:
    op.create_table(
        "industry_park",
        sa.Column("code", sa.String(length=16), nullable=False, comment="park code, e.g. BZSP"),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="owner, GB/T 2260 code"),
        sa.Column("level", sa.String(length=16), nullable=False, comment="xietong.industry.enums.ParkLevel"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="xietong.industry.enums.ParkKind"),
        sa.Column(
            "partner_code", sa.String(length=6), nullable=True, comment="partner jurisdiction of a co-built park"
        ),
        sa.Column("lon", sa.Float(precision=53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column("lat", sa.Float(precision=53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column(
            "approximate", sa.Boolean(), nullable=False, comment="the point is the jurisdiction's reference point"
        ),
        sa.Column("area_km2", sa.Float(precision=53), nullable=True, comment="[km²], when sourced"),
        sa.Column("leading_industries", sa.Text(), nullable=False, comment="JSON list of GB/T 4754-2017 codes"),
        sa.Column("aliases", sa.Text(), nullable=False, comment="JSON list of other names"),
        sa.Column(
            "sources", sa.Text(), nullable=False, comment="JSON: [{file, start, end, text}] text spans naming it"
        ),
        sa.Column("industries_source", sa.Text(), nullable=True, comment="JSON span saying what the park is for"),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False, comment="seed, import or api"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_industry_park")),
    )
    with op.batch_alter_table("industry_park", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_park_jurisdiction_code"), ["jurisdiction_code"], unique=False)

    op.create_table(
        "industry_park_history",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="owner, GB/T 2260 code"),
        sa.Column("level", sa.String(length=16), nullable=False, comment="xietong.industry.enums.ParkLevel"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="xietong.industry.enums.ParkKind"),
        sa.Column(
            "partner_code", sa.String(length=6), nullable=True, comment="partner jurisdiction of a co-built park"
        ),
        sa.Column("lon", sa.Float(precision=53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column("lat", sa.Float(precision=53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column(
            "approximate", sa.Boolean(), nullable=False, comment="the point is the jurisdiction's reference point"
        ),
        sa.Column("area_km2", sa.Float(precision=53), nullable=True, comment="[km²], when sourced"),
        sa.Column("leading_industries", sa.Text(), nullable=False, comment="JSON list of GB/T 4754-2017 codes"),
        sa.Column("aliases", sa.Text(), nullable=False, comment="JSON list of other names"),
        sa.Column(
            "sources", sa.Text(), nullable=False, comment="JSON: [{file, start, end, text}] text spans naming it"
        ),
        sa.Column("industries_source", sa.Text(), nullable=True, comment="JSON span saying what the park is for"),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False, comment="seed, import or api"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", "revision", name=op.f("pk_industry_park_history")),
    )
    op.create_table(
        "industry_project",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column(
            "enterprise_city",
            sa.String(length=6),
            nullable=True,
            comment="city of the enterprise in the platform's registry (enterprise.city_code); NULL if not registered",
        ),
        sa.Column("origin_code", sa.String(length=6), nullable=False, comment="jurisdiction the enterprise leaves"),
        sa.Column("destination_code", sa.String(length=6), nullable=False, comment="receiving side"),
        sa.Column("park_code", sa.String(length=16), nullable=True, comment="industry_park.code"),
        sa.Column("industry_code", sa.String(length=8), nullable=False, comment="GB/T 4754-2017"),
        sa.Column("investment_cny", sa.Float(precision=53), nullable=True, comment="[CNY]"),
        sa.Column("jobs", sa.Integer(), nullable=True, comment="[persons]"),
        sa.Column("stage", sa.String(length=12), nullable=False, comment="xietong.industry.enums.Stage"),
        sa.Column("stage_date", sa.Date(), nullable=False, comment="day the current stage was reached"),
        sa.Column("origin_confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("origin_confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("origin_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="1 at creation, +1 per change"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_project")),
    )
    with op.batch_alter_table("industry_project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_project_destination_code"), ["destination_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_industry_project_park_code"), ["park_code"], unique=False)

    op.create_table(
        "industry_project_history",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column(
            "enterprise_city",
            sa.String(length=6),
            nullable=True,
            comment="city of the enterprise in the platform's registry (enterprise.city_code); NULL if not registered",
        ),
        sa.Column("origin_code", sa.String(length=6), nullable=False, comment="jurisdiction the enterprise leaves"),
        sa.Column("destination_code", sa.String(length=6), nullable=False, comment="receiving side"),
        sa.Column("park_code", sa.String(length=16), nullable=True, comment="industry_park.code"),
        sa.Column("industry_code", sa.String(length=8), nullable=False, comment="GB/T 4754-2017"),
        sa.Column("investment_cny", sa.Float(precision=53), nullable=True, comment="[CNY]"),
        sa.Column("jobs", sa.Integer(), nullable=True, comment="[persons]"),
        sa.Column("stage", sa.String(length=12), nullable=False, comment="xietong.industry.enums.Stage"),
        sa.Column("stage_date", sa.Date(), nullable=False, comment="day the current stage was reached"),
        sa.Column("origin_confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("origin_confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("origin_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="1 at creation, +1 per change"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_industry_project_history")),
    )
    op.create_table(
        "industry_structure_value",
        sa.Column("city", sa.String(length=6), nullable=False, comment="GB/T 2260 code"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "sector", sa.String(length=12), nullable=False, comment="section A–T, primary/secondary/tertiary, total"
        ),
        sa.Column("indicator", sa.String(length=40), nullable=False, comment="value_added, employment …"),
        sa.Column("unit", sa.String(length=16), nullable=False, comment="CNY, % or as given"),
        sa.Column("value", sa.Float(precision=53), nullable=False, comment="in unit (money in CNY)"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "city", "year", "sector", "indicator", "unit", name=op.f("pk_industry_structure_value")
        ),
    )
    op.create_table(
        "industry_structure_value_history",
        sa.Column("city", sa.String(length=6), nullable=False, comment="GB/T 2260 code"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "sector", sa.String(length=12), nullable=False, comment="section A–T, primary/secondary/tertiary, total"
        ),
        sa.Column("indicator", sa.String(length=40), nullable=False, comment="value_added, employment …"),
        sa.Column("unit", sa.String(length=16), nullable=False, comment="CNY, % or as given"),
        sa.Column("value", sa.Float(precision=53), nullable=False, comment="in unit (money in CNY)"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "city", "year", "sector", "indicator", "unit", "revision", name=op.f("pk_industry_structure_value_history")
        ),
    )
    op.create_table(
        "industry_tech_contract",
        sa.Column("contract", sa.String(length=64), nullable=False, comment="contract registration number"),
        sa.Column("seller", sa.String(length=200), nullable=False),
        sa.Column("seller_jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("buyer", sa.String(length=200), nullable=False),
        sa.Column("buyer_jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False, comment="xietong.industry.enums.ContractType"),
        sa.Column("value_cny", sa.Float(precision=53), nullable=False, comment="registered turnover [CNY]"),
        sa.Column("signed_on", sa.Date(), nullable=False, comment="registration date"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("contract", name=op.f("pk_industry_tech_contract")),
    )
    with op.batch_alter_table("industry_tech_contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_industry_tech_contract_seller_jurisdiction"), ["seller_jurisdiction"], unique=False
        )

    op.create_table(
        "industry_tech_contract_history",
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("seller", sa.String(length=200), nullable=False),
        sa.Column("seller_jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("buyer", sa.String(length=200), nullable=False),
        sa.Column("buyer_jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False, comment="xietong.industry.enums.ContractType"),
        sa.Column("value_cny", sa.Float(precision=53), nullable=False, comment="registered turnover [CNY]"),
        sa.Column("signed_on", sa.Date(), nullable=False, comment="registration date"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("contract", "revision", name=op.f("pk_industry_tech_contract_history")),
    )
    op.create_table(
        "industry_project_stage",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="1 for the first stage"),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("date", sa.Date(), nullable=False, comment="day the stage was reached"),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: [{kind, title, url|text}]"),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_jurisdiction", sa.String(length=6), nullable=True, comment="NULL = region level"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["industry_project.id"], name=op.f("fk_industry_project_stage_project_id_industry_project")
        ),
        sa.PrimaryKeyConstraint("project_id", "seq", name=op.f("pk_industry_project_stage")),
    )


def downgrade() -> None:
    op.drop_table("industry_project_stage")
    op.drop_table("industry_tech_contract_history")
    with op.batch_alter_table("industry_tech_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_tech_contract_seller_jurisdiction"))

    op.drop_table("industry_tech_contract")
    op.drop_table("industry_structure_value_history")
    op.drop_table("industry_structure_value")
    op.drop_table("industry_project_history")
    with op.batch_alter_table("industry_project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_project_park_code"))
        batch_op.drop_index(batch_op.f("ix_industry_project_destination_code"))

    op.drop_table("industry_project")
    op.drop_table("industry_park_history")
    with op.batch_alter_table("industry_park", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_park_jurisdiction_code"))

    op.drop_table("industry_park")
