"""air: on PostgreSQL, the observation and published-value tables partitioned by month (national scale)

``air_observation``, ``air_published`` and their ``_history`` tables become ``PARTITION BY RANGE (time_utc)``
parents with one partition per calendar month (UTC) in the schema ``air_partitions`` and a default partition
for anything else; rows are copied over. The parents keep their names, columns and primary keys, so every
query and the schema comparison are unchanged, and a read of a period touches only its months (partition
pruning). The writer creates a month's partition before it writes into it (``xietong.air.partitions``).
SQLite keeps plain tables: this revision does nothing there.

Revision ID: air_0002
Revises: air_0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "air_0002"
down_revision = "air_0001"
branch_labels = None
depends_on = None

SCHEMA = "air_partitions"
TABLES = {
    "air_observation": ("station_code", "time_utc"),
    "air_observation_history": ("station_code", "time_utc", "revision"),
    "air_published": ("station_code", "time_utc", "variable"),
    "air_published_history": ("station_code", "time_utc", "variable", "revision"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table, key in TABLES.items():
        old = f"{table}_unpartitioned"
        op.execute(f"ALTER TABLE {table} RENAME TO {old}")
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{table} TO pk_{old}")
        op.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING COMMENTS, "
            f"CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(key)})) PARTITION BY RANGE (time_utc)"
        )
        op.execute(f"CREATE TABLE {SCHEMA}.{table}_default PARTITION OF {table} DEFAULT")
        op.execute(
            f"""
            DO $$
            DECLARE m timestamp;
            BEGIN
              FOR m IN SELECT DISTINCT date_trunc('month', time_utc AT TIME ZONE 'UTC') FROM {old} LOOP
                EXECUTE format(
                  'CREATE TABLE {SCHEMA}.%I PARTITION OF {table} FOR VALUES FROM (%L) TO (%L)',
                  '{table}_' || to_char(m, 'YYYY_MM'),
                  (m AT TIME ZONE 'UTC')::text, ((m + interval '1 month') AT TIME ZONE 'UTC')::text);
              END LOOP;
            END $$
            """
        )
        op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
        op.execute(f"DROP TABLE {old}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, key in TABLES.items():
        old = f"{table}_partitioned"
        op.execute(f"ALTER TABLE {table} RENAME TO {old}")
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{table} TO pk_{old}")
        op.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING COMMENTS, "
            f"CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(key)}))"
        )
        op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
        op.execute(f"DROP TABLE {old} CASCADE")
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
