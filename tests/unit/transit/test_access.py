"""Door-to-door journeys on real data: Porto Alegre's TRENSURB metro and a street extract of the centre."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from xietong.cli import app
from xietong.errors import InputError
from xietong.transit.access import door_to_door, journey_table, street_times_s
from xietong.transit.gtfs import read_feed
from xietong.transit.raptor import LegKind, earliest_arrival
from xietong.transit.streets import StreetNetwork, TravelMode
from xietong.transit.timetable import Timetable, compile_timetable

DAY = date(2019, 5, 7)  # a Tuesday: service FULLW
NEAR_MERCADO = (-51.2290, -30.0280)  # about 200 m from Estação Mercado
NEAR_SAO_PEDRO = (-51.2105, -30.0070)  # about 150 m from Estação São Pedro


@pytest.fixture(scope="module")
def walk() -> StreetNetwork:
    return StreetNetwork.from_pbf(DATA / "transit" / "road" / "poa_centro.osm.pbf", TravelMode.WALK)


@pytest.fixture(scope="module")
def metro() -> tuple[Timetable, pd.DataFrame]:
    feed = read_feed(DATA / "transit" / "poa_trensurb.zip")
    return compile_timetable(feed, DAY), feed.stops


def test_street_times_leave_out_stops_beyond_the_extract(
    walk: StreetNetwork, metro: tuple[Timetable, pd.DataFrame]
) -> None:
    _, stops = metro
    t = street_times_s(walk, NEAR_MERCADO, stops)
    assert 60 < t["MR"] < 10 * 60  # a few minutes' walk
    assert t["RD"] > t["MR"]
    # Aeroporto and beyond are outside the centre extract: no made-up time
    assert t[["AP", "NH", "SL"]].isna().all()
    back = street_times_s(walk, NEAR_MERCADO, stops, to_point=True)
    assert back["MR"] == pytest.approx(t["MR"], rel=0.2)  # walking ignores oneways; snapping is symmetric


def test_door_to_door_equals_the_best_of_every_access_and_egress_stop(
    walk: StreetNetwork, metro: tuple[Timetable, pd.DataFrame]
) -> None:
    tt, stops = metro
    dep = 8 * 3600
    d2d = door_to_door(tt, stops, walk, NEAR_MERCADO, NEAR_SAO_PEDRO, dep)
    trips = [leg for leg in d2d.legs if leg.kind is LegKind.TRIP]
    assert trips and d2d.egress_stop == "SP"
    # brute force: every access stop a (leaving at dep + access) and every egress stop e
    access = street_times_s(walk, NEAR_MERCADO, stops)
    egress = street_times_s(walk, NEAR_SAO_PEDRO, stops, to_point=True)
    best = math.inf
    for a, ta in access[access <= 15 * 60].items():
        arr = earliest_arrival(tt, a, dep + math.ceil(ta)).arrival_s
        ids = list(map(str, tt.stop_ids))
        for e, te in egress[egress <= 15 * 60].items():
            best = min(best, arr[ids.index(e)] + te)
    assert d2d.arrival_s == pytest.approx(best)
    assert d2d.arrival_s < dep + d2d.direct_s  # the metro beats walking 3 km
    rows = journey_table(d2d, dict(zip(stops["stop_id"], stops["stop_name"], strict=True)))
    assert [r["leg"] for r in rows] == ["access", "trip", "egress"]
    assert np.all(np.diff([int(str(r["arrive"]).replace(":", "")) for r in rows]) >= 0)


def test_a_short_trip_is_walked(walk: StreetNetwork, metro: tuple[Timetable, pd.DataFrame]) -> None:
    tt, stops = metro
    d2d = door_to_door(tt, stops, walk, NEAR_MERCADO, (-51.2275, -30.0275), 8 * 3600)
    assert d2d.legs == () and d2d.travel_time_s == pytest.approx(d2d.direct_s) and d2d.direct_s < 10 * 60
    assert journey_table(d2d)[0]["leg"] == "street"


def test_a_point_off_the_network_is_refused(walk: StreetNetwork, metro: tuple[Timetable, pd.DataFrame]) -> None:
    _, stops = metro
    with pytest.raises(InputError, match="off the street network"):
        street_times_s(walk, (-30.0280, -51.2290), stops)  # lat,lon swapped


def test_the_trip_command_prints_the_legs() -> None:
    args = ["transit", "trip", "--gtfs", str(DATA / "transit" / "poa_trensurb.zip")]
    args += ["--osm", str(DATA / "transit" / "road" / "poa_centro.osm.pbf"), "--date", "2019-05-07", "--at", "08:00"]
    ok = CliRunner().invoke(app, [*args, "--from=-51.2290,-30.0280", "--to=-51.2105,-30.0070", "--format", "json"])
    assert ok.exit_code == 0, ok.output
    body = json.loads(ok.stdout)
    assert [leg["leg"] for leg in body["legs"]] == ["access", "trip", "egress"] and 5 < body["travel_time_min"] < 30
    bad = CliRunner().invoke(app, [*args, "--from=-30.0280", "--to=-51.2105,-30.0070"])
    assert bad.exit_code == 2 and "LON,LAT" in bad.output
