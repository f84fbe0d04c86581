"""The forecast reader is pure: records in, the valid rows and a Problem per bad cell out, no store needed.

The records below are written for this test (constructed forecast ranges, not published forecasts)."""

from __future__ import annotations

import pandas as pd
import pytest

from xietong.air import forecast_formats, forecasts
from xietong.errors import DuplicateRecordError, InputError, UnknownJurisdictionError


def _rec(**overrides: str) -> dict[str, str]:
    base = {"city": "北京", "issued_at": "2016-12-14T16:00+08:00", "date": "2016-12-16", "aqi_low": "160",
            "aqi_high": "210", "primary": "PM2.5"}  # fmt: skip
    return base | overrides


def test_valid_rows_and_every_bad_cell_come_back_together() -> None:
    records = [
        _rec(),
        _rec(city="保定", aqi_low="300", aqi_high="250"),  # reversed range
        _rec(city="太原"),  # not a city of the region
        _rec(date="", start="2016-12-17T00:00", end="2016-12-18T00:00+08:00"),  # start without a zone
    ]
    frame, problems = forecast_formats.forecast_rows(records, "f.csv")
    assert list(frame["city"]) == ["110000"] and list(frame["row"]) == [2]
    assert frame["start"].iat[0] == pd.Timestamp("2016-12-15T16:00Z")
    assert frame["end"].iat[0] - frame["start"].iat[0] == pd.Timedelta(hours=24)
    assert [(p.message, p.where.row, p.where.field) for p in problems] == [
        ("forecast range is reversed", 3, "aqi_low"),
        ("unknown city", 4, "city"),
        ("time without a time zone", 5, "start"),
    ]
    assert problems[1].kind is UnknownJurisdictionError


def test_two_ranges_for_one_window_are_a_contradiction() -> None:
    _, problems = forecast_formats.forecast_rows([_rec(), _rec(aqi_high="230")], "f.csv")
    assert len(problems) == 1 and problems[0].kind is DuplicateRecordError and problems[0].where.row == 3


def test_parse_forecasts_refuses_the_batch_with_every_problem() -> None:
    with pytest.raises(InputError) as caught:
        forecasts.parse_forecasts([_rec(aqi_low="x"), _rec(date="2016-13-40")], "f.csv")
    assert {p.where.field for p in caught.value.problems} == {"aqi_low", "date"}
    assert forecasts.parse_forecasts is forecast_formats.parse_forecasts
