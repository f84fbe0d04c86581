"""Cached reads (``xietong.api.read_cache`` keyed on ``xietong.air.read_versions``) answer exactly what the
computation from the store answers, and a correction in the rows a read uses renews its answer at once."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.conftest import DATA, Actors, bearer
from xietong import air
from xietong.air import reports, service
from xietong.air.reports import AqiRequest, Level, ReportKind
from xietong.api.read_cache import ReadCache
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store

pytestmark = pytest.mark.integration
UCI = sorted((DATA / "air" / "uci").glob("*.csv"))  # real UCI rows of 3 Beijing sites, 2016-12-10..23

READS = [
    "/api/v1/region/jurisdictions",
    "/api/v1/air/stations",
    "/api/v1/air/observations?station=1003A&from=2016-12-12&to=2016-12-14",
    "/api/v1/air/aqi?level=city&report=daily&city=110000&from=2016-12-12&to=2016-12-18",
    "/api/v1/air/aqi?level=station&report=hourly&from=2016-12-16&to=2016-12-16",
    "/api/v1/air/aqi?level=station&report=hourly&from=2016-12-16&to=2016-12-16&format=csv",
]


def _cache(client: TestClient) -> ReadCache:
    cache: ReadCache = client.app.state.read_cache  # type: ignore[attr-defined]
    return cache


def _hourly(store: Store, day: date, station: str) -> pd.DataFrame:
    request = AqiRequest(Level.STATION, ReportKind.HOURLY, day, day, stations=(station,))
    return reports.as_local(reports.aqi_table(store, operator(store), request), ReportKind.HOURLY)


def _publish(client: TestClient, token: str, csv: str) -> None:
    r = client.post(
        "/api/v1/air/observations", content=csv.encode(), headers=bearer(token) | {"Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text


def test_a_cached_answer_is_byte_for_byte_the_computed_one(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    headers = bearer(actors.reader)
    first = {url: client.get(url, headers=headers) for url in READS}
    hits = _cache(client).hits
    again = {url: client.get(url, headers=headers) for url in READS}
    assert _cache(client).hits >= hits + len(READS)  # the second round came from the cache
    _cache(client).clear()
    fresh = {url: client.get(url, headers=headers) for url in READS}  # computed from the store again
    for url in READS:
        assert first[url].status_code == again[url].status_code == fresh[url].status_code == 200
        assert again[url].content == first[url].content == fresh[url].content, url
        assert again[url].headers["etag"] == fresh[url].headers["etag"]


def test_the_cached_aqi_is_the_engine_on_the_stored_observations(
    client: TestClient, actors: Actors, store: Store
) -> None:
    service.ingest_files(store, operator(store), UCI)
    url = "/api/v1/air/aqi?level=station&report=hourly&station=1003A&from=2016-12-12&to=2016-12-12"
    client.get(url, headers=bearer(actors.reader))
    cached = client.get(url, headers=bearer(actors.reader)).json()
    expected = _hourly(store, date(2016, 12, 12), "1003A")
    assert [r["time"] for r in cached] == expected["time"].tolist()
    assert [r["aqi"] for r in cached] == [None if pd.isna(v) else int(v) for v in expected["aqi"]]
    assert [r["primary"] for r in cached] == [None if pd.isna(v) else v for v in expected["primary"]]


def test_a_correction_renews_every_cached_answer_that_read_it(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    hourly = "/api/v1/air/aqi?level=station&report=hourly&station=1003A&from=2016-12-12&to=2016-12-12"
    daily = "/api/v1/air/aqi?level=city&report=daily&city=110000&from=2016-12-12&to=2016-12-12"
    observations = "/api/v1/air/observations?station=1003A&from=2016-12-12&to=2016-12-12"
    before = {u: client.get(u, headers=bearer(actors.reader)) for u in (hourly, daily, observations)}
    assert before[hourly].json()[0]["aqi"] != int(air.iaqi(480, "PM2.5", "24h", edition="2012"))

    # Dongsi's first hour of 2016-12-12 corrected to PM2.5 480 µg/m³ (a value written for this test)
    _publish(
        client, actors.beijing, "station,time,pollutant,value,unit\n1003A,2016-12-12T01:00+08:00,PM2.5,480,µg/m³\n"
    )

    after = {u: client.get(u, headers=bearer(actors.reader)) for u in (hourly, daily, observations)}
    assert after[hourly].json()[0]["aqi"] == int(air.iaqi(480, "PM2.5", "24h", edition="2012"))
    assert after[observations].json()["data"][0]["pm25"] == 480
    assert after[observations].json()["data"][0]["revision"] == 2
    for u in (hourly, daily, observations):
        assert after[u].headers["etag"] != before[u].headers["etag"], u
    expected = _hourly(store, date(2016, 12, 12), "1003A")
    assert [r["aqi"] for r in after[hourly].json()] == [None if pd.isna(v) else int(v) for v in expected["aqi"]]
    # a client holding the old ETag gets the new answer, not 304
    stale = client.get(hourly, headers=bearer(actors.reader) | {"If-None-Match": before[hourly].headers["etag"]})
    assert stale.status_code == 200
    assert stale.content == after[hourly].content


def test_new_hours_outside_a_read_keep_its_answer(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    url = "/api/v1/air/aqi?level=city&report=daily&city=110000&from=2016-12-12&to=2016-12-14"
    first = client.get(url, headers=bearer(actors.reader))
    _publish(client, actors.beijing, "station,time,pollutant,value,unit\n1003A,2016-12-23T05:00+08:00,NO2,40,µg/m³\n")
    misses = _cache(client).misses
    second = client.get(url, headers=bearer(actors.reader))
    assert second.content == first.content
    # the version and the station selection were looked up; the answer itself was not computed again
    assert _cache(client).misses == misses


def test_if_none_match_gives_304_without_a_body(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    for url in READS[:5]:
        first = client.get(url, headers=bearer(actors.reader))
        etag = first.headers["etag"]
        not_modified = client.get(url, headers=bearer(actors.reader) | {"If-None-Match": etag})
        assert not_modified.status_code == 304, url
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        listed = client.get(url, headers=bearer(actors.reader) | {"If-None-Match": f'"other", {etag}'})
        assert listed.status_code == 304


def test_reads_without_read_scope_are_refused_even_when_cached(
    client: TestClient, actors: Actors, store: Store
) -> None:
    service.ingest_files(store, operator(store), UCI)
    url = "/api/v1/air/aqi?level=city&report=daily&city=110000&from=2016-12-12&to=2016-12-14"
    assert client.get(url, headers=bearer(actors.reader)).status_code == 200
    refused = client.get(url, headers=bearer(actors.no_read))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_errors_are_not_cached(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    url = "/api/v1/air/observations?station=9999Z&from=2016-12-12&to=2016-12-12"
    for _ in range(2):
        r = client.get(url, headers=bearer(actors.reader))
        assert r.status_code in (400, 404, 422)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "etag" not in r.headers


def test_large_answers_are_sent_gzip_compressed_to_clients_that_accept_it(
    client: TestClient, actors: Actors, store: Store
) -> None:
    service.ingest_files(store, operator(store), UCI)
    url = "/api/v1/air/aqi?level=station&report=hourly&from=2016-12-16&to=2016-12-16"
    plain = client.get(url, headers=bearer(actors.reader) | {"Accept-Encoding": "identity"})
    packed = client.get(url, headers=bearer(actors.reader) | {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 5
    assert packed.content == plain.content  # httpx decodes the gzip body
    assert packed.headers["etag"] != plain.headers["etag"]  # two representations, two strong ETags
    refused = client.get(url, headers=bearer(actors.reader) | {"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    again = client.get(url, headers=bearer(actors.reader) | {"If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304


def test_a_station_registered_later_shows_in_cached_reads(client: TestClient, actors: Actors, store: Store) -> None:
    service.ingest_files(store, operator(store), UCI)
    hourly = "/api/v1/air/aqi?level=station&report=hourly&from=2016-12-16&to=2016-12-16"
    stations = "/api/v1/air/stations?jurisdiction=110000"
    for url in (hourly, stations, hourly, stations):  # the second round is served from the cache
        client.get(url, headers=bearer(actors.reader))
    # a station written for this test (code and coordinates invented), registered by Beijing
    r = client.post(
        "/api/v1/air/stations",
        content="code,name,city,lon,lat,background\nT901A,测试站,北京,116.40,39.90,N\n".encode(),
        headers=bearer(actors.beijing) | {"Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert "T901A" in [s["code"] for s in client.get(stations, headers=bearer(actors.reader)).json()]
    rows = client.get(hourly, headers=bearer(actors.reader)).json()
    assert {r["station"] for r in rows if r["aqi"] is None} >= {"T901A"}  # listed, without data
