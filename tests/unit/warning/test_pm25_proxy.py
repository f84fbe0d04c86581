"""PM2.5-only daily AQI proxy: HJ 633-2012 Table 1 PM2.5 24-h breakpoints, interpolation, ceiling [C:S1]."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xietong.air.warning import IAQI_BREAKPOINTS, PM25_24H_BREAKPOINTS_UG_M3, pm25_aqi_proxy
from xietong.errors import InputError


@pytest.mark.parametrize(
    ("pm25_ug_m3", "iaqi"),
    list(zip(PM25_24H_BREAKPOINTS_UG_M3, IAQI_BREAKPOINTS, strict=True)),
)
def test_breakpoints_map_exactly(pm25_ug_m3: float, iaqi: float) -> None:
    assert pm25_aqi_proxy(pm25_ug_m3) == iaqi


def test_breakpoint_table_is_hj633_2012() -> None:
    assert PM25_24H_BREAKPOINTS_UG_M3 == (0, 35, 75, 115, 150, 250, 350, 500)
    assert IAQI_BREAKPOINTS == (0, 50, 100, 150, 200, 300, 400, 500)


@pytest.mark.parametrize(
    ("pm25_ug_m3", "iaqi"),
    # STANDARDS.md §1.8 test vectors [D], 2012 column, plus the warning thresholds' neighbours
    [(1, 2), (36, 52), (50, 69), (60, 82), (61, 83), (76, 102), (151, 201), (150.5, 201), (250.1, 301), (115.1, 151)],
)
def test_between_breakpoints_rounds_up(pm25_ug_m3: float, iaqi: float) -> None:
    assert pm25_aqi_proxy(pm25_ug_m3) == iaqi


def test_above_the_table_is_500_the_end_of_the_aqi_range() -> None:
    assert pm25_aqi_proxy(620.0) == 500


def test_arrays_series_and_missing_values() -> None:
    out = pm25_aqi_proxy(np.array([35.0, np.nan, 151.0]))
    assert np.isnan(out[1]) and out[0] == 50 and out[2] == 201
    s = pd.Series([75.0, np.nan], index=["a", "b"], name="pm25")
    got = pm25_aqi_proxy(s)
    assert isinstance(got, pd.Series)
    assert got.index.tolist() == ["a", "b"] and got["a"] == 100 and np.isnan(got["b"])


def test_negative_concentration_is_refused() -> None:
    with pytest.raises(InputError, match=r"negative PM2\.5"):
        pm25_aqi_proxy([10.0, -1.0])
