"""The store: migrations match the schema, times round-trip, the binary COPY encoder is exact."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from xietong.air.tables import air_observation
from xietong.store.bulk import epoch_us_column, fetch_frame, insert_frame
from xietong.store.session import Store
from xietong.store.tables import metadata

pytestmark = pytest.mark.integration


def test_migrated_schema_matches_the_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert store.at_head() and store.current_revision() == store.head_revision()


def test_upgrade_is_idempotent(store: Store) -> None:
    before, after = store.upgrade()
    assert before == after == store.head_revision()


def test_times_and_floats_round_trip_exactly(store: Store) -> None:
    values = np.array([0.1 + 0.2, 1 / 3, 0.2856, 1e-9, np.nan, 123456.789])
    t0 = int(datetime(2016, 12, 16, 0, tzinfo=UTC).timestamp()) * 1_000_000
    frame = pd.DataFrame(
        {
            "station_code": ["1001A"] * len(values),
            "time_utc": t0 + np.arange(len(values)) * 3_600_000_000,
            "revision": 1,
            "so2": values,
            "no2": np.nan,
            "o3": np.nan,
            "co": values / 7,
            "pm10": np.nan,
            "pm25": values * 3,
            "flag_bits": np.arange(len(values)),
            "batch_id": 1,
            "recorded_at": t0 + 123_456,
        }
    )
    with store.write() as conn:
        insert_frame(conn, air_observation, frame)
    d = store.dialect
    with store.read() as conn:
        back = fetch_frame(
            conn,
            sa.select(
                epoch_us_column(air_observation.c.time_utc, d),
                air_observation.c.so2,
                air_observation.c.co,
                air_observation.c.pm25,
                air_observation.c.flag_bits,
                epoch_us_column(air_observation.c.recorded_at, d),
            ).order_by(air_observation.c.time_utc),
            ["time_us", "so2", "co", "pm25", "flag_bits", "recorded_us"],
        )
        typed = conn.execute(sa.select(air_observation.c.time_utc, air_observation.c.recorded_at).limit(1)).one()
    np.testing.assert_array_equal(back["time_us"].astype("int64"), frame["time_utc"])
    np.testing.assert_array_equal(back["so2"].astype("float64"), values)
    np.testing.assert_array_equal(back["co"].astype("float64"), values / 7)
    np.testing.assert_array_equal(back["pm25"].astype("float64"), values * 3)
    np.testing.assert_array_equal(back["flag_bits"].astype("int64"), frame["flag_bits"])
    assert (back["recorded_us"].astype("int64") == t0 + 123_456).all()
    assert typed.time_utc == datetime(2016, 12, 16, 0, tzinfo=UTC)
    assert typed.recorded_at == datetime(2016, 12, 16, 0, 0, 0, 123_456, tzinfo=UTC)
