"""The industry domain's tables: parks (system-versioned), relocation projects with dated stages,
technology contracts and structure values (system-versioned).

Defined on the platform's :data:`xietong.store.tables.metadata` (see that module for the conventions of
system-versioned pairs ``X`` / ``X_history``); registered through the domain contract, created by the
domain's Alembic branch (``xietong/industry/migrations``). Lists (leading industries, aliases, source spans,
evidence) are JSON text. Like the water sections, parks carry no foreign key to ``jurisdiction``: the
owner is checked by the service (``Principal.may_act_for``) before every write.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime


def _park_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("name_zh", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column(
            "jurisdiction_code", sa.String(6), nullable=False, index=not history, comment="owner, GB/T 2260 code"
        ),
        sa.Column("level", sa.String(16), nullable=False, comment="xietong.industry.enums.ParkLevel"),
        sa.Column("kind", sa.String(32), nullable=False, comment="xietong.industry.enums.ParkKind"),
        sa.Column("partner_code", sa.String(6), nullable=True, comment="partner jurisdiction of a co-built park"),
        sa.Column("lon", sa.Float(53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column("lat", sa.Float(53), nullable=False, comment="[degrees, WGS-84]"),
        sa.Column("approximate", sa.Boolean, nullable=False, comment="the point is the jurisdiction's reference point"),
        sa.Column("area_km2", sa.Float(53), nullable=True, comment="[km²], when sourced"),
        sa.Column("leading_industries", sa.Text, nullable=False, comment="JSON list of GB/T 4754-2017 codes"),
        sa.Column("aliases", sa.Text, nullable=False, comment="JSON list of other names"),
        sa.Column("sources", sa.Text, nullable=False, comment="JSON: [{file, start, end, text}] text spans naming it"),
        sa.Column("industries_source", sa.Text, nullable=True, comment="JSON span saying what the park is for"),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("origin", sa.String(12), nullable=False, comment="seed, import or api"),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


industry_park = sa.Table(
    "industry_park",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True, comment="park code, e.g. BZSP"),
    *_park_columns(),
)

industry_park_history = sa.Table(
    "industry_park_history",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    *_park_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)


def _project_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column(
            "enterprise_city",
            sa.String(6),
            nullable=True,
            comment="city of the enterprise in the platform's registry (enterprise.city_code); NULL if not registered",
        ),
        sa.Column("origin_code", sa.String(6), nullable=False, comment="jurisdiction the enterprise leaves"),
        sa.Column("destination_code", sa.String(6), nullable=False, index=not history, comment="receiving side"),
        sa.Column("park_code", sa.String(16), nullable=True, index=not history, comment="industry_park.code"),
        sa.Column("industry_code", sa.String(8), nullable=False, comment="GB/T 4754-2017"),
        sa.Column("investment_cny", sa.Float(53), nullable=True, comment="[CNY]"),
        sa.Column("jobs", sa.Integer, nullable=True, comment="[persons]"),
        sa.Column("stage", sa.String(12), nullable=False, comment="xietong.industry.enums.Stage"),
        sa.Column("stage_date", sa.Date, nullable=False, comment="day the current stage was reached"),
        sa.Column("origin_confirmed_at", UtcDateTime(), nullable=True),
        sa.Column("origin_confirmed_by", sa.String(100), nullable=True),
        sa.Column("origin_note", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, primary_key=history, comment="1 at creation, +1 per change"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


industry_project = sa.Table(
    "industry_project",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_project_columns(),
)

industry_project_history = sa.Table(
    "industry_project_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    *_project_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

industry_project_stage = sa.Table(
    "industry_project_stage",
    metadata,
    sa.Column("project_id", sa.Integer, sa.ForeignKey("industry_project.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, comment="1 for the first stage"),
    sa.Column("stage", sa.String(12), nullable=False),
    sa.Column("date", sa.Date, nullable=False, comment="day the stage was reached"),
    sa.Column("evidence", sa.Text, nullable=False, comment="JSON: [{kind, title, url|text}]"),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_jurisdiction", sa.String(6), nullable=True, comment="NULL = region level"),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)


def _contract_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("seller", sa.String(200), nullable=False),
        sa.Column("seller_jurisdiction", sa.String(6), nullable=False, index=not history),
        sa.Column("buyer", sa.String(200), nullable=False),
        sa.Column("buyer_jurisdiction", sa.String(6), nullable=False),
        sa.Column("type", sa.String(16), nullable=False, comment="xietong.industry.enums.ContractType"),
        sa.Column("value_cny", sa.Float(53), nullable=False, comment="registered turnover [CNY]"),
        sa.Column("signed_on", sa.Date, nullable=False, comment="registration date"),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


industry_tech_contract = sa.Table(
    "industry_tech_contract",
    metadata,
    sa.Column("contract", sa.String(64), primary_key=True, comment="contract registration number"),
    *_contract_columns(),
)

industry_tech_contract_history = sa.Table(
    "industry_tech_contract_history",
    metadata,
    sa.Column("contract", sa.String(64), primary_key=True),
    *_contract_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)


def _structure_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("value", sa.Float(53), nullable=False, comment="in unit (money in CNY)"),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("batch_id", sa.Integer, nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


def _structure_keys() -> list[sa.Column[object]]:
    return [
        sa.Column("city", sa.String(6), primary_key=True, comment="GB/T 2260 code"),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("sector", sa.String(12), primary_key=True, comment="section A–T, primary/secondary/tertiary, total"),
        sa.Column("indicator", sa.String(40), primary_key=True, comment="value_added, employment …"),
        sa.Column("unit", sa.String(16), primary_key=True, comment="CNY, % or as given"),
    ]


industry_structure_value = sa.Table("industry_structure_value", metadata, *_structure_keys(), *_structure_columns())

industry_structure_value_history = sa.Table(
    "industry_structure_value_history",
    metadata,
    *_structure_keys(),
    *_structure_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

__all__ = [
    "industry_park",
    "industry_park_history",
    "industry_project",
    "industry_project_history",
    "industry_project_stage",
    "industry_structure_value",
    "industry_structure_value_history",
    "industry_tech_contract",
    "industry_tech_contract_history",
]
