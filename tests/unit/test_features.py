"""The features contract: query parsing (OGC API – Features §7.15), paging, the registry, and the domains'
pure parts (the warning level in force, hour runs, approximate section points)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from xietong import features, region
from xietong.air.features import levels_in_force, runs_of
from xietong.enums import WarningLevel
from xietong.errors import InputError
from xietong.features import BBox, Interval, ItemsQuery, page_of, parse_bbox, parse_datetime, point_feature
from xietong.water.features import LOCATED_BY_JURISDICTION, LOCATED_BY_SECTION, LOCATED_BY_UNKNOWN, locate

CST_8 = datetime(2016, 12, 20, 0, 0, tzinfo=UTC)  # 2016-12-20 08:00 China Standard Time


def test_bbox_is_four_numbers_in_wgs84_and_six_drop_the_heights() -> None:
    assert parse_bbox("116,39.5,117,40.5") == BBox(116, 39.5, 117, 40.5)
    assert parse_bbox("116,39.5,0,117,40.5,100") == BBox(116, 39.5, 117, 40.5)
    for bad in ("116,39.5,117", "a,b,c,d", "116,41,117,40", "200,0,210,1", "nan,1,2,3"):
        with pytest.raises(InputError):
            parse_bbox(bad)


def test_a_bbox_across_the_antimeridian_wraps() -> None:
    box = BBox(170, -10, -170, 10)
    assert box.contains(175, 0) and box.contains(-175, 0) and not box.contains(0, 0)


def test_datetime_is_an_instant_a_cst_day_or_an_interval_with_open_ends() -> None:
    assert parse_datetime("2016-12-20T08:00:00+08:00") == Interval(CST_8, CST_8)
    assert parse_datetime("2016-12-20T00:00:00Z").instant == CST_8
    day = parse_datetime("2016-12-20")  # the hour labels 01:00 … 24:00 of the CST day
    assert (day.start, day.end) == (datetime(2016, 12, 19, 17, tzinfo=UTC), datetime(2016, 12, 20, 16, tzinfo=UTC))
    assert parse_datetime("../2016-12-20T08:00:00+08:00") == Interval(None, CST_8)
    assert parse_datetime("2016-12-20T08:00:00+08:00/..") == Interval(CST_8, None)
    assert parse_datetime("2016-12-20T08:00:00+08:00/").end is None
    for bad in ("2016-12-20T08:00:00", "yesterday", "../..", "2016-12-21T00:00Z/2016-12-20T00:00Z"):
        with pytest.raises(InputError):
            parse_datetime(bad)


def test_intervals_overlap_and_contain() -> None:
    week = Interval(CST_8, CST_8 + timedelta(days=7))
    assert week.contains(CST_8 + timedelta(days=1)) and not week.contains(CST_8 - timedelta(seconds=1))
    assert week.overlaps(CST_8 - timedelta(days=1), None) and not week.overlaps(None, CST_8 - timedelta(hours=1))


def test_an_instant_off_the_hour_belongs_to_the_hour_labelled_by_its_end() -> None:
    assert features.hour_label(CST_8) == CST_8
    assert features.hour_label(CST_8 - timedelta(minutes=30)) == CST_8


def _query(**kw: Any) -> ItemsQuery:
    return ItemsQuery(store=None, settings=None, principal=None, **kw)  # type: ignore[arg-type]


def test_page_of_filters_by_bbox_before_paging_and_counts_the_matches() -> None:
    points = [point_feature(str(i), 116 + i * 0.1, 40, {"i": i}) for i in range(10)]
    points.append(point_feature("nowhere", None, None, {}))
    page = page_of(points, _query(bbox=BBox(116.25, 39, 117, 41), limit=2, offset=1))
    assert page.number_matched == 7  # 116.3 … 116.9; the feature without geometry is never in a box
    assert [f["id"] for f in page.features] == ["4", "5"]
    assert page_of(points, _query(limit=100)).number_matched == 11


def test_point_features_are_json_safe() -> None:
    f = point_feature("x", float("nan"), 40.0, {"v": np.float64("nan"), "n": np.int64(3), "t": CST_8})
    assert f["geometry"] is None
    assert f["properties"] == {"v": None, "n": 3, "t": "2016-12-20T08:00:00+08:00"}


def test_the_registry_holds_the_platform_and_every_domain_collection_once() -> None:
    ids = list(features.registry())
    assert ids[0] == "jurisdictions"
    assert {"air-stations", "air-warning-cities", "water-sections", "water-incidents", "rail-stations",
            "transit-circle"} <= set(ids)  # fmt: skip
    assert len(ids) == len(set(ids))
    with pytest.raises(features.NotFoundError):
        features.get("parks")


def test_hour_runs_are_consecutive_hour_labels() -> None:
    h = 3_600_000_000
    t0 = int(CST_8.timestamp()) * 1_000_000
    runs = runs_of(np.array([t0 + 2 * h, t0, t0 + h, t0 + 10 * h, t0 + h]))
    assert runs == [(CST_8, CST_8 + timedelta(hours=2)), (CST_8 + timedelta(hours=10), CST_8 + timedelta(hours=10))]
    assert runs_of(np.array([], dtype=np.int64)) == []


def _warning_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Warning 1 (orange, 16–21 Dec) proposed for Beijing and Baoding on the 14th; Beijing accepts and is
    issued on the 15th, upgraded to red on the 18th, lifted on the 20th; Baoding declines. Warning 2 (red,
    Tianjin) is still under consultation."""
    d = lambda day, hour=0: datetime(2016, 12, day, hour, tzinfo=UTC)  # noqa: E731
    warnings = pd.DataFrame(
        [(1, "orange", d(16), d(21)), (2, "red", d(16), d(22))], columns=["id", "level", "start_at", "end_at"]
    )
    named = pd.DataFrame([(1, "110000"), (1, "130600"), (2, "120000")], columns=["warning_id", "city_code"])
    events = pd.DataFrame(
        [
            (1, d(14), "proposed", None, "orange"),
            (2, d(14), "proposed", None, "red"),
            (1, d(15), "answered", "110000", "orange"),
            (1, d(15, 1), "answered", "130600", None),
            (1, d(15, 2), "issued", "110000", "orange"),
            (1, d(18), "upgraded", "110000", "red"),
            (1, d(20), "lifted", "110000", None),
        ],
        columns=["warning_id", "at", "kind", "city_code", "level"],
    )
    return warnings, named, events


def test_the_level_in_force_follows_issue_change_and_lift_inside_the_period() -> None:
    frames = _warning_frames()
    at = lambda day: levels_in_force(*frames, datetime(2016, 12, day, 12, tzinfo=UTC))  # noqa: E731
    assert at(15)["110000"].level is WarningLevel.NONE  # issued, but the period starts on the 16th
    assert (at(17)["110000"].level, at(17)["110000"].warning_id) == (WarningLevel.ORANGE, 1)
    assert at(19)["110000"].level is WarningLevel.RED
    assert at(20)["110000"].level is WarningLevel.NONE  # lifted
    assert at(17)["130600"].level is WarningLevel.NONE  # declined: "no one size fits all"


def test_a_proposal_under_consultation_is_shown_beside_the_level() -> None:
    frames = _warning_frames()
    on_14 = levels_in_force(*frames, datetime(2016, 12, 14, 12, tzinfo=UTC))
    assert (on_14["110000"].proposed_level, on_14["110000"].proposed_warning) == (WarningLevel.ORANGE, 1)
    assert on_14["120000"].proposed_level is WarningLevel.RED
    on_17 = levels_in_force(*frames, datetime(2016, 12, 17, tzinfo=UTC))
    assert on_17["110000"].proposed_level is None  # warning 1 was decided on the 15th
    assert on_17["120000"].proposed_level is WarningLevel.RED  # warning 2 still open
    assert levels_in_force(*frames, datetime(2016, 12, 13, tzinfo=UTC)) == {}  # before any proposal


def test_a_section_without_coordinates_is_placed_at_its_jurisdiction_and_says_so() -> None:
    assert locate(116.5, 40.1, "110000") == (116.5, 40.1, LOCATED_BY_SECTION)
    shijiazhuang = region.get("130100")
    assert locate(None, float("nan"), "130100") == (shijiazhuang.lon, shijiazhuang.lat, LOCATED_BY_JURISDICTION)
    assert locate(None, None, "371600") == (None, None, LOCATED_BY_UNKNOWN)  # Binzhou: no reference point
