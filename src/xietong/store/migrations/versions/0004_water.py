"""water: sections, links and samples (system-versioned), pollution incidents

River-graph sections and links owned by jurisdictions (water_section, water_link and their _history
tables), samples one value per section, time and item (water_sample, water_sample_history), and the
incident workflow: incidents, the downstream sections with their ETAs, the notified jurisdictions and
their acknowledgements, the joint monitoring plan and the event log. Generated with alembic
autogenerate from tables.py and reviewed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "water_incident",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, comment="open, monitoring or closed"),
        sa.Column("trigger", sa.String(length=12), nullable=False, comment="exceedance or accident"),
        sa.Column("section_code", sa.String(length=16), nullable=False, comment="where the pollution is"),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="the section's jurisdiction"),
        sa.Column("started_at", UtcDateTime(), nullable=False, comment="when the pollution passed the section"),
        sa.Column("item", sa.String(length=16), nullable=True, comment="exceeding item (exceedance)"),
        sa.Column("pollutant", sa.String(length=120), nullable=True, comment="what was released (accident)"),
        sa.Column("amount", sa.Float(precision=53), nullable=True, comment="how much was released (accident)"),
        sa.Column("amount_unit", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("opened_jurisdiction", sa.String(length=6), nullable=True, comment="NULL = region level"),
        sa.Column("report", sa.Text(), nullable=True, comment="the closing report"),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="incremented on every change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_water_incident")),
    )
    with op.batch_alter_table("water_incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_water_incident_section_code"), ["section_code"], unique=False)

    op.create_table(
        "water_link",
        sa.Column("from_section", sa.String(length=16), nullable=False),
        sa.Column("to_section", sa.String(length=16), nullable=False, comment="the next section downstream"),
        sa.Column("river", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="LinkKind of the water domain"),
        sa.Column("distance_km", sa.Float(precision=53), nullable=False, comment="along the water [km]"),
        sa.Column("velocity_m_s", sa.Float(precision=53), nullable=False, comment="mean flow velocity [m/s]"),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("estimate", sa.Text(), nullable=False, comment="how distance and velocity were estimated"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("from_section", "to_section", name=op.f("pk_water_link")),
    )
    op.create_table(
        "water_link_history",
        sa.Column("from_section", sa.String(length=16), nullable=False),
        sa.Column("to_section", sa.String(length=16), nullable=False),
        sa.Column("river", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False, comment="LinkKind of the water domain"),
        sa.Column("distance_km", sa.Float(precision=53), nullable=False, comment="along the water [km]"),
        sa.Column("velocity_m_s", sa.Float(precision=53), nullable=False, comment="mean flow velocity [m/s]"),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("estimate", sa.Text(), nullable=False, comment="how distance and velocity were estimated"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("from_section", "to_section", "revision", name=op.f("pk_water_link_history")),
    )
    op.create_table(
        "water_sample",
        sa.Column("section_code", sa.String(length=16), nullable=False, comment="water_section.code"),
        sa.Column("time_utc", UtcDateTime(), nullable=False, comment="sampling time"),
        sa.Column("item", sa.String(length=16), nullable=False, comment="WaterItem of the water domain"),
        sa.Column("revision", sa.SmallInteger(), nullable=False, comment="1 for the first publication"),
        sa.Column(
            "value",
            sa.Float(precision=53),
            nullable=False,
            comment="in the item's unit (WaterItem.unit of the water domain)",
        ),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("section_code", "time_utc", "item", name=op.f("pk_water_sample")),
    )
    op.create_table(
        "water_sample_history",
        sa.Column("section_code", sa.String(length=16), nullable=False),
        sa.Column("time_utc", UtcDateTime(), nullable=False),
        sa.Column("item", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.SmallInteger(), nullable=False),
        sa.Column(
            "value",
            sa.Float(precision=53),
            nullable=False,
            comment="in the item's unit (WaterItem.unit of the water domain)",
        ),
        sa.Column("batch_id", sa.Integer(), nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("section_code", "time_utc", "item", "revision", name=op.f("pk_water_sample_history")),
    )
    op.create_table(
        "water_section",
        sa.Column("code", sa.String(length=16), nullable=False, comment="section code, e.g. HE11"),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("river", sa.String(length=80), nullable=False),
        sa.Column("basin", sa.String(length=40), nullable=False),
        sa.Column("province", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="owner, GB/T 2260 code"),
        sa.Column("waterbody", sa.String(length=8), nullable=False, comment="river or lake"),
        sa.Column("target_class", sa.String(length=4), nullable=True, comment="I..V; NULL when none is set"),
        sa.Column("target_class_assumed", sa.Boolean(), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("lat", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("cross_border", sa.Boolean(), nullable=False),
        sa.Column("from_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("to_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_water_section")),
    )
    with op.batch_alter_table("water_section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_water_section_jurisdiction_code"), ["jurisdiction_code"], unique=False)

    op.create_table(
        "water_section_history",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("river", sa.String(length=80), nullable=False),
        sa.Column("basin", sa.String(length=40), nullable=False),
        sa.Column("province", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="owner, GB/T 2260 code"),
        sa.Column("waterbody", sa.String(length=8), nullable=False, comment="river or lake"),
        sa.Column("target_class", sa.String(length=4), nullable=True, comment="I..V; NULL when none is set"),
        sa.Column("target_class_assumed", sa.Boolean(), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("lat", sa.Float(precision=53), nullable=True, comment="[degrees]"),
        sa.Column("cross_border", sa.Boolean(), nullable=False),
        sa.Column("from_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("to_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", "revision", name=op.f("pk_water_section_history")),
    )
    op.create_table(
        "water_incident_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False, comment="opened, notified, acknowledged, plan, closed"),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["water_incident.id"], name=op.f("fk_water_incident_event_incident_id_water_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_water_incident_event")),
    )
    with op.batch_alter_table("water_incident_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_water_incident_event_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "water_incident_party",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="a jurisdiction downstream"),
        sa.Column("first_section", sa.String(length=16), nullable=False),
        sa.Column("eta", UtcDateTime(), nullable=False, comment="earliest arrival at one of its sections"),
        sa.Column("notified_at", UtcDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["water_incident.id"], name=op.f("fk_water_incident_party_incident_id_water_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "jurisdiction_code", name=op.f("pk_water_incident_party")),
    )
    op.create_table(
        "water_incident_sampling",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="who samples there"),
        sa.Column("items", sa.String(length=200), nullable=False, comment="space-separated WaterItem codes"),
        sa.Column("every_h", sa.Float(precision=53), nullable=False, comment="sampling interval [h]"),
        sa.Column("start_at", UtcDateTime(), nullable=False),
        sa.Column("end_at", UtcDateTime(), nullable=True),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["water_incident.id"], name=op.f("fk_water_incident_sampling_incident_id_water_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_water_incident_sampling")),
    )
    with op.batch_alter_table("water_incident_sampling", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_water_incident_sampling_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "water_incident_section",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=16), nullable=False, comment="a section downstream"),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("distance_km", sa.Float(precision=53), nullable=False, comment="along the fastest path [km]"),
        sa.Column("travel_time_h", sa.Float(precision=53), nullable=False, comment="sum of distance / velocity [h]"),
        sa.Column("eta", UtcDateTime(), nullable=False, comment="started_at + travel_time_h"),
        sa.Column("path", sa.Text(), nullable=False, comment="JSON list of section codes"),
        sa.Column("approximate", sa.Boolean(), nullable=False, comment="an approximate link on the path"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["water_incident.id"], name=op.f("fk_water_incident_section_incident_id_water_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "section_code", name=op.f("pk_water_incident_section")),
    )


def downgrade() -> None:
    op.drop_table("water_incident_section")
    with op.batch_alter_table("water_incident_sampling", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_water_incident_sampling_incident_id"))

    op.drop_table("water_incident_sampling")
    op.drop_table("water_incident_party")
    with op.batch_alter_table("water_incident_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_water_incident_event_incident_id"))

    op.drop_table("water_incident_event")
    op.drop_table("water_section_history")
    with op.batch_alter_table("water_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_water_section_jurisdiction_code"))

    op.drop_table("water_section")
    op.drop_table("water_sample_history")
    op.drop_table("water_sample")
    op.drop_table("water_link_history")
    op.drop_table("water_link")
    with op.batch_alter_table("water_incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_water_incident_section_code"))

    op.drop_table("water_incident")
