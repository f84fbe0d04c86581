"""GIS software reads the features API: OWSLib's OGC API – Features client against a real ``xietong serve``.

The server is the installed command on 127.0.0.1 and a free port, over a data directory holding the UCI
Beijing sample (three stations, 10–23 Dec 2016), the Nov-2025 Haihe water samples with one incident
(written for this test), and the toy regional rail feed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from owslib.ogcapi.features import Features

from tests.conftest import DATA
from tests.unit.transit.test_circle import toy_feed
from xietong.air import service as air
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator
from xietong.transit.feed import write_feed
from xietong.transit.service import regional_feed_path
from xietong.water import incidents
from xietong.water import service as water


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("features-owslib")
    settings = Settings.from_env({}, data_dir=data_dir)
    store = open_store(settings)
    op = operator(store)
    air.ingest_files(store, op, sorted((DATA / "air" / "uci").glob("*.csv")))
    water.ingest_samples(store, op, DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv")
    incidents.open_incident(store, op, section="BJ12", started_at=datetime(2025, 11, 18, 8, tzinfo=UTC),
                            pollutant="ammonia", description="written for this test")  # fmt: skip
    write_feed(toy_feed(), regional_feed_path(settings))
    store.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIETONG_")} | {"XIETONG_DATA_DIR": str(data_dir)}
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xietong.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--anonymous-read",
         "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        else:
            raise AssertionError((data_dir / "server.log").read_text())
        if proc.poll() is not None:
            raise AssertionError((data_dir / "server.log").read_text())
        yield f"http://127.0.0.1:{port}/api/v1/features"
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def test_owslib_lists_the_collections_and_reads_every_one(server: str) -> None:
    api = Features(server, timeout=120)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    assert api.api()["openapi"].startswith("3.0")  # the service-desc OWSLib picks is the OpenAPI 3.0 one
    ids = api.feature_collections()
    assert set(ids) == {"jurisdictions", "boundaries", "air-stations", "air-warning-cities", "water-sections", "water-incidents",
                        "rail-stations", "transit-circle"}  # fmt: skip
    counts = {}
    for cid in ids:
        meta = api.collection(cid)
        assert meta["id"] == cid and meta["extent"]["spatial"]["bbox"]
        items = api.collection_items(cid, limit=1000)
        assert items["type"] == "FeatureCollection"
        assert items["numberReturned"] == len(items["features"]) == items["numberMatched"]
        counts[cid] = items["numberMatched"]
        for f in items["features"]:
            assert f["type"] == "Feature" and "id" in f and "properties" in f
    assert counts["jurisdictions"] == 18 and counts["air-stations"] == 136 and counts["water-sections"] == 139
    assert counts["water-incidents"] == 1 and counts["rail-stations"] == 6
    assert counts["transit-circle"] == 31  # the centre, 15 targets and 15 lines
    assert counts["air-warning-cities"] == 14


def test_owslib_filters_by_bbox_and_datetime_and_pages(server: str) -> None:
    api = Features(server, timeout=120)
    at_8 = api.collection_items("air-stations", bbox=[116.3, 39.85, 116.5, 40.0], datetime_="2016-12-20T08:00:00+08:00")
    dongsi = next(f for f in at_8["features"] if f["id"] == "1003A")["properties"]
    assert (dongsi["aqi"], dongsi["category_en"], dongsi["colour"]) == (375, "Severely polluted", "#7E0023")
    page = api.collection_items("water-sections", limit=50, offset=100)
    assert page["numberReturned"] == 39 and {link["rel"] for link in page["links"]} >= {"self", "prev"}
    one = api.collection_item("jurisdictions", "130100")
    assert one["properties"]["name_zh"] == "石家庄市"
