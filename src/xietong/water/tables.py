"""The water domain's tables: sections, links and samples (system-versioned), pollution incidents.

Defined on the platform's :data:`xietong.store.tables.metadata` (see that module for the conventions of
system-versioned pairs); registered through the domain contract.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime

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
        sa.Column("kind", sa.String(12), nullable=False, comment="LinkKind of the water domain"),
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
        sa.Column(
            "value", sa.Float(53), nullable=False, comment="in the item's unit (WaterItem.unit of the water domain)"
        ),
        sa.Column("batch_id", sa.Integer, nullable=False, comment="ingest_batch.id"),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


# One value per section, sampling time and item; earlier revisions in the history table.
water_sample = sa.Table(
    "water_sample",
    metadata,
    sa.Column("section_code", sa.String(16), primary_key=True, comment="water_section.code"),
    sa.Column("time_utc", UtcDateTime(), primary_key=True, comment="sampling time"),
    sa.Column("item", sa.String(16), primary_key=True, comment="WaterItem of the water domain"),
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
