"""Monthly partitions of the observation tables (PostgreSQL, migration air_0002): the main read of a period
touches only its months (partition pruning, checked on the query plan); rows that landed in the default
partition move when their month's partition is created. SQLite keeps one table: its plan uses the key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATA
from xietong.air import partitions, service
from xietong.air.formats import AirFormat
from xietong.air.service import ObservationQuery, UnknownStations
from xietong.air.tables import air_observation
from xietong.exchange.bootstrap import operator
from xietong.store.bulk import insert_frame
from xietong.store.session import Store

NATIONAL = DATA / "air" / "cnemc_hourly_2026-03-10T09_national_extract.csv"
pytestmark = pytest.mark.integration


def _april_copy(tmp_path: Path) -> Path:
    """The March extract relabelled to 2026-04-10 09:00: written for this test (a second month of rows)."""
    text = NATIONAL.read_text(encoding="utf-8").replace("2026-03-10T0900", "2026-04-10T0900")
    out = tmp_path / "cnemc_hourly_2026-04-10T09_relabelled_for_test.csv"
    out.write_text(text, encoding="utf-8")
    return out


def _plan(store: Store, start: datetime, end: datetime) -> str:
    with store.read() as conn:
        stmt = service._observation_select(
            air_observation, conn.dialect.name, ["1001A", "2568A"], ObservationQuery(start=start, end=end)
        )
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN" if conn.dialect.name == "sqlite" else "EXPLAIN"
        return "\n".join(str(r[-1]) for r in conn.exec_driver_sql(f"{explain} {sql}"))


def test_a_read_of_one_month_touches_only_that_month(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    for path in (NATIONAL, _april_copy(tmp_path)):
        service.ingest_files(store, op, [path], fmt=AirFormat.CNEMC_HOURLY, unknown_stations=UnknownStations.REGISTER)
    plan = _plan(store, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    if store.dialect == "postgresql":
        with store.read() as conn:
            assert {"air_observation_2026_03", "air_observation_2026_04"} <= partitions.existing(conn)
        assert "air_observation_2026_03" in plan
        assert "air_observation_2026_04" not in plan and "air_observation_default" not in plan
    else:
        assert "USING PRIMARY KEY" in plan or "sqlite_autoindex_air_observation" in plan
    both = service.read_observations_frame(store, op, ObservationQuery(stations=("2568A",)))
    assert len(both) == 2  # the parent table still reads across months


def test_rows_in_the_default_partition_move_into_their_new_month(store: Store) -> None:
    t0 = int(datetime(2026, 5, 2, tzinfo=UTC).timestamp())
    frame = pd.DataFrame(
        {
            "station_code": ["1001A"],
            "time_utc": [t0 * 1_000_000],
            "revision": [1],
            **{c: [10.0] for c in ("so2", "no2", "o3", "pm10", "pm25")},
            "co": [0.5],
            "flag_bits": [0],
            "batch_id": [0],
            "recorded_at": [t0 * 1_000_000],
        }
    )  # fmt: skip — a row written for this test, straight into the table without asking for a partition
    with store.write() as conn:
        insert_frame(conn, air_observation, frame)
    with store.write() as conn:
        made = partitions.ensure_months(conn, np.array([t0]))
    read = service.read_observations_frame(store, operator(store), ObservationQuery(stations=("1001A",)))
    assert read["pm25"].tolist() == [10.0]  # kept, wherever it lives
    if store.dialect == "postgresql":
        assert "air_observation_2026_05" in made
        with store.read() as conn:
            n_default = conn.exec_driver_sql(f"SELECT count(*) FROM {partitions.SCHEMA}.air_observation_default")
            assert n_default.scalar_one() == 0
    else:
        assert made == set()


def test_months_of_epoch_seconds() -> None:
    t = [int(datetime(2026, 3, 31, 23, tzinfo=UTC).timestamp()), int(datetime(2026, 4, 1, tzinfo=UTC).timestamp())]
    assert partitions.months_of(t) == [(2026, 3), (2026, 4)]
    assert partitions.months_of([]) == []
