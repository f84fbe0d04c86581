"""The public surface of xietong.air is deliberate: __all__ lists exactly what is exported, all documented."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pandas as pd

import xietong.air as air


def test_all_names_exist_and_are_documented() -> None:
    assert sorted(air.__all__) == sorted(set(air.__all__))
    for name in air.__all__:
        obj = getattr(air, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, name


def test_no_public_name_is_left_out_of_all() -> None:
    public = {
        n for n, v in vars(air).items() if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"
    }
    assert public == set(air.__all__)


def test_level_columns(make_frame: Callable[..., pd.DataFrame]) -> None:
    frame = make_frame([{"station": "A", "time": "2026-03-10 14:00", "pm25": 260.0}])
    row = air.hourly_aqi(frame).iloc[0]
    assert (row["level"], row["level_roman"], row["category_zh"], row["colour"]) == (6, "VI", "严重污染", "#7E0023")
