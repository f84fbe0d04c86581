"""The air domain's tables: stations, hourly observations and published values, forecasts, warnings.

Defined on the platform's :data:`xietong.store.tables.metadata` (see that module for the conventions of
system-versioned pairs); registered through the domain contract.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime

air_station = sa.Table(
    "air_station",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True, comment="CNEMC station code, e.g. 1001A"),
    sa.Column("name_zh", sa.String(60), nullable=False),
    sa.Column("name_en", sa.String(80), nullable=True),
    sa.Column("city_code", sa.String(6), nullable=False, comment="GB/T 2260 code of the city the station counts in"),
    sa.Column(
        "jurisdiction_code",
        sa.String(6),
        sa.ForeignKey("jurisdiction.code"),
        nullable=True,
        index=True,
        comment="the jurisdiction that publishes it; NULL: an external station (outside the 15)",
    ),
    sa.Column("province_code", sa.String(6), nullable=True, comment="GB/T 2260 code of its province"),
    sa.Column("division_code", sa.String(6), nullable=True, comment="the city as the source names it (定州 130682)"),
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
    sa.Column("jurisdiction_code", sa.String(6), nullable=True),
    sa.Column("province_code", sa.String(6), nullable=True),
    sa.Column("division_code", sa.String(6), nullable=True),
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
