"""Publishing observations through the exchange: idempotency, revisions, all-or-nothing batches."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import DATA
from xietong.air import service
from xietong.air.formats import AirFormat
from xietong.air.service import ObservationQuery, UnknownStations
from xietong.air.tables import air_observation, air_observation_history
from xietong.errors import (
    DuplicateRecordError,
    InputError,
    PermissionDeniedError,
    UnitError,
    UnknownStationError,
)
from xietong.exchange import audit
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import authenticate
from xietong.store.session import Store
from xietong.store.tables import ingest_batch

UCI = sorted((DATA / "air" / "uci").glob("*.csv"))
pytestmark = pytest.mark.integration


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_uci_twice_writes_nothing_the_second_time(store: Store) -> None:
    op = operator(store)
    first = service.ingest_files(store, op, UCI).as_dict()
    assert first["written"] == first["read"] > 0
    assert first["rows"] == 3 * 14 * 24
    second = service.ingest_files(store, op, UCI).as_dict()
    assert second["written"] == 0
    assert second["revised"] == 0
    assert second["unchanged"] == first["read"]
    assert _count(store, air_observation_history) == 0


def test_uci_units_and_hour_labels(store: Store) -> None:
    """UCI CO is µg/m³ and is stored in mg/m³; the UCI hour h is the CNEMC label h:00 CST."""
    op = operator(store)
    service.ingest_files(store, op, [p for p in UCI if "Dongsi" in p.name])
    # Dongsi, 2016-12-10 hour 1: PM2.5 68, CO 1800 µg/m³ (first data rows of the file)
    t = datetime(2016, 12, 9, 17, tzinfo=UTC)  # 2016-12-10 01:00 +08:00
    frame = service.read_observations_frame(store, op, ObservationQuery(stations=("1003A",), start=t, end=t))
    assert len(frame) == 1
    assert frame["pm25"].iat[0] == 68.0
    assert frame["co"].iat[0] == pytest.approx(1.8)


def test_changed_value_is_one_revision_and_both_are_readable(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    src = next(p for p in UCI if "Tiantan" in p.name)
    service.ingest_files(store, op, [src])
    before = datetime.now(UTC)
    lines = src.read_text().splitlines()
    # line 3 is 2016-12-10 hour 1; change its PM2.5 (column 6)
    cells = lines[2].split(",")
    old_value = cells[5]
    cells[5] = str(int(old_value) + 7)
    lines[2] = ",".join(cells)
    changed = tmp_path / "tiantan-corrected.csv"
    changed.write_text("\n".join(lines) + "\n")
    result = service.ingest_files(store, op, [changed]).as_dict()
    assert result["revised"] == 1
    assert result["written"] == 1
    assert result["unchanged"] == result["read"] - 1

    t = datetime(2016, 12, 9, 17, tzinfo=UTC)
    q = ObservationQuery(stations=("1004A",), start=t, end=t)
    now = service.read_observations_frame(store, op, q)
    assert now["pm25"].iat[0] == int(old_value) + 7
    assert now["revision"].iat[0] == 2
    then = service.read_observations_frame(
        store, op, ObservationQuery(stations=("1004A",), start=t, end=t, as_of=before)
    )
    assert then["pm25"].iat[0] == int(old_value)
    assert then["revision"].iat[0] == 1
    revisions = service.revisions_of(store, op, "1004A", t)
    assert revisions["revision"].tolist() == [1, 2]
    assert revisions["pm25"].tolist() == [int(old_value), int(old_value) + 7]
    assert revisions["superseded_at"].isna().tolist() == [False, True]


def _canonical(tmp_path: Path, rows: list[str], name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_text("station,time,pollutant,value,unit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_canonical_csv_and_json_are_the_same_data(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    csv_path = _canonical(
        tmp_path,
        [
            "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³",
            "1001A,2016-12-16T08:00+08:00,CO,3.1,mg/m3",
            "1001A,2016-12-16T09:00+08:00,NO2,120,ug/m3",
        ],
    )
    first = service.ingest_files(store, op, [csv_path]).as_dict()
    assert first["written"] == 3
    json_path = tmp_path / "feed.json"
    json_path.write_text(
        '{"observations": ['
        '{"station": "1001A", "time": "2016-12-16T00:00Z", "pollutant": "pm2_5", "value": 250, "unit": "µg/m³"},'
        '{"station": "1001A", "time": "2016-12-16T08:00+08:00", "pollutant": "CO", "value": 3100, "unit": "µg/m³"},'
        '{"station": "1001A", "time": "2016-12-16T09:00+08:00", "pollutant": "NO2", "value": 120, "unit": "µg/m³"}'
        "]}"
    )
    second = service.ingest_files(store, op, [json_path]).as_dict()
    assert (second["written"], second["unchanged"]) == (0, 3)


def test_canonical_pieces_of_one_hour_merge_into_one_row(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    a = _canonical(tmp_path, ["1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³"], "a.csv")
    b = _canonical(tmp_path, ["1001A,2016-12-16T08:00+08:00,SO2,20,µg/m³"], "b.csv")
    service.ingest_files(store, op, [a])
    result = service.ingest_files(store, op, [b]).as_dict()
    assert (result["written"], result["revised"]) == (1, 0)
    t = datetime(2016, 12, 16, 0, tzinfo=UTC)
    frame = service.read_observations_frame(store, op, ObservationQuery(stations=("1001A",), start=t, end=t))
    assert (frame["pm25"].iat[0], frame["so2"].iat[0]) == (250.0, 20.0)


@pytest.mark.parametrize(
    ("row", "error", "field"),
    [
        ("9999Z,2016-12-16T08:00+08:00,PM2.5,250,µg/m³", UnknownStationError, "station"),
        ("1001A,2016-12-16T08:00,PM2.5,250,µg/m³", InputError, "time"),
        ("1001A,2016-12-16T08:00+08:00,PM2.5,-3,µg/m³", InputError, "PM2.5"),
        ("1001A,2016-12-16T08:00+08:00,PM2.5,lots,µg/m³", InputError, "value"),
        ("1001A,2016-12-16T08:00+08:00,CO,1800,mg/m³", InputError, "CO"),
        ("1001A,2016-12-16T08:00+08:00,PM1,10,µg/m³", InputError, "pollutant"),
        ("1001A,2016-12-16T08:00+08:00,PM2.5,10,ppb", InputError, "unit"),
    ],
)
def test_bad_rows_are_refused_with_file_row_and_field_and_nothing_is_written(
    store: Store, tmp_path: Path, row: str, error: type[Exception], field: str
) -> None:
    op = operator(store)
    good = "1002A,2016-12-16T08:00+08:00,PM2.5,200,µg/m³"
    path = _canonical(tmp_path, [good, row])
    with store.read() as conn:
        seeded = conn.execute(sa.select(sa.func.count()).select_from(ingest_batch)).scalar_one()  # the domains' seeds
    with pytest.raises(error) as caught:
        service.ingest_files(store, op, [path])
    message = str(caught.value)
    assert "feed.csv" in message
    assert "row 3" in message
    assert repr(field) in message or f"field {field!r}" in message or field in message
    assert _count(store, air_observation) == 0
    with store.read() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(ingest_batch)).scalar_one() == seeded
        )  # no batch of the refused file
        last = audit.entries(conn, after_seq=0, limit=1000)[-1]
    assert last.outcome == "failed"
    assert last.action == "air.ingest"


def test_co_in_micrograms_names_the_fix(store: Store, tmp_path: Path) -> None:
    path = _canonical(tmp_path, ["1001A,2016-12-16T08:00+08:00,CO,300,mg/m3"])
    with pytest.raises(UnitError, match=r"looks like µg/m³.*divide by 1000"):
        service.ingest_files(store, operator(store), [path])


def test_duplicate_rows_with_different_values_in_one_batch(store: Store, tmp_path: Path) -> None:
    path = _canonical(
        tmp_path,
        [
            "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³",
            "1001A,2016-12-16T08:00+08:00,PM2.5,251,µg/m³",
        ],
    )
    with pytest.raises(InputError, match="given twice with different values"):
        service.ingest_files(store, operator(store), [path])
    assert _count(store, air_observation) == 0


def test_exact_duplicate_rows_are_accepted_once(store: Store, tmp_path: Path) -> None:
    row = "1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³"
    result = service.ingest_files(store, operator(store), [_canonical(tmp_path, [row, row])]).as_dict()
    assert result["written"] == 1


def test_contradiction_across_chunks_of_one_batch_is_refused(store: Store, tmp_path: Path) -> None:
    """Readers stream in chunks; a key repeated in a later chunk is checked against the same batch."""
    rows = [f"1001A,2016-12-{d:02d}T{h:02d}:00+08:00,PM2.5,{d + h},µg/m³" for d in range(1, 29) for h in range(24)]
    rows.append("1001A,2016-12-01T05:00+08:00,PM2.5,999,µg/m³")
    path = _canonical(tmp_path, rows)
    with pytest.raises(DuplicateRecordError):
        service.ingest_files(store, operator(store), [path], chunk_rows=100)
    assert _count(store, air_observation) == 0


def test_tianjin_cannot_publish_for_a_beijing_station(store: Store, actors, tmp_path: Path) -> None:
    with store.read() as conn:
        tianjin = authenticate(conn, actors.tianjin)
    path = _canonical(tmp_path, ["1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³"])
    with pytest.raises(PermissionDeniedError, match="北京"):
        service.ingest_files(store, tianjin, [path])
    assert _count(store, air_observation) == 0
    with store.read() as conn:
        denied = [e for e in audit.entries(conn, limit=1000) if e.outcome == "denied"]
    assert denied and denied[-1].actor == "tianjin-feed"


def test_hebei_province_publishes_for_its_cities(store: Store, actors, tmp_path: Path) -> None:
    with store.read() as conn:
        hebei = authenticate(conn, actors.hebei)
    # 1029A is a Shijiazhuang station in the bundled CNEMC list
    path = _canonical(tmp_path, ["1029A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³"])
    assert service.ingest_files(store, hebei, [path]).as_dict()["written"] == 1


def test_cnemc_hourly_keeps_published_values_and_flags(store: Store) -> None:
    op = operator(store)
    src = DATA / "air" / "cnemc_hourly_2026-03-10T14_sample.csv"
    with pytest.raises(UnknownStationError, match="1854A"):
        service.ingest_files(store, op, [src])
    result = service.ingest_files(store, op, [src], unknown_stations=UnknownStations.SKIP).as_dict()
    assert result["skipped_unknown_station"] > 0
    assert result["published"]["written"] > 0
    t = datetime(2026, 3, 10, 6, tzinfo=UTC)
    pub = service.published_frame(store, op, ObservationQuery(stations=("1007A",), start=t, end=t))
    values = dict(zip(pub["variable"], zip(pub["value"], pub["text"], strict=True), strict=True))
    assert values["AQI"][0] == 115
    assert values["primary_pollutant"][1] == "细颗粒物(PM2.5)"


def test_a_station_list_registers_and_revises_stations(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    path = tmp_path / "stations.csv"
    path.write_text(
        "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n"
        "9001A,新站,廊坊,116.70,39.52,N,河北省,廊坊市\n"
        "1001A,万寿西宫,北京,116.3621,39.8784,N,北京市,北京市\n",
        encoding="utf-8",
    )
    result = service.ingest_files(store, op, [path], fmt=AirFormat.CNEMC_STATIONS).as_dict()
    assert result["stations"] == {"read": 2, "written": 1, "unchanged": 1, "revised": 0, "rejected": 0}
    path.write_text(path.read_text(encoding="utf-8").replace("新站", "新站点"), encoding="utf-8")
    again = service.ingest_files(store, op, [path]).as_dict()
    assert again["stations"]["revised"] == 1
    with store.read() as conn:
        from xietong.air.stations import list_stations

        frame = list_stations(conn, codes=["9001A"])
    assert frame["name_zh"].iat[0] == "新站点"
    assert frame["jurisdiction_code"].iat[0] == "131000"
    assert frame["revision"].iat[0] == 2


def test_gzip_input_is_read_transparently(store: Store, tmp_path: Path) -> None:
    import gzip

    src = UCI[0]
    gz = tmp_path / (src.name + ".gz")
    with gzip.open(gz, "wb") as fh:
        fh.write(src.read_bytes())
    plain = service.ingest_files(store, operator(store), [src]).as_dict()
    again = service.ingest_files(store, operator(store), [gz]).as_dict()
    assert again["unchanged"] == plain["written"]


def test_skip_invalid_keeps_the_good_rows_and_lists_the_bad(store: Store, tmp_path: Path) -> None:
    path = _canonical(
        tmp_path,
        ["1001A,2016-12-16T08:00+08:00,PM2.5,250,µg/m³", "1001A,2016-12-16T09:00+08:00,PM2.5,-1,µg/m³"],
    )
    result = service.ingest_files(store, operator(store), [path], skip_invalid=True).as_dict()
    assert (result["written"], result["rejected"]) == (1, 1)
    assert "negative PM2.5" in result["files"][0]["problems"][0]["detail"]


def test_ingest_batch_records_the_file_hash(store: Store, tmp_path: Path) -> None:
    import hashlib

    src = tmp_path / UCI[0].name
    shutil.copy(UCI[0], src)
    result = service.ingest_files(store, operator(store), [src])
    assert result.files[0].sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    with store.read() as conn:
        row = conn.execute(sa.select(ingest_batch).where(ingest_batch.c.id == result.files[0].batch_id)).one()
    assert row.sha256 == result.files[0].sha256
    assert pd.Series([row.format]).iat[0] == "uci"
