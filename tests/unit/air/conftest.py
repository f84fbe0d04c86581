"""Fixtures for the air tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from tests.unit.air.air_reference import reference_iaqi


@pytest.fixture
def ref() -> Callable[[str | Decimal, str, str, str], int | None]:
    return reference_iaqi


def hourly_frame(rows: list[dict[str, object]], *, tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """A store-shaped frame from dicts with ``station``, ``time`` (local text) and pollutant columns."""
    frame = pd.DataFrame(rows)
    frame["time"] = pd.to_datetime(frame["time"]).dt.tz_localize(tz).dt.tz_convert("UTC")
    for col in ("so2", "no2", "o3", "co", "pm10", "pm25"):
        if col not in frame:
            frame[col] = np.nan
        frame[col] = frame[col].astype("float64")
    if "flag_bits" not in frame:
        frame["flag_bits"] = 0
    return frame


@pytest.fixture
def make_frame() -> Callable[..., pd.DataFrame]:
    return hourly_frame
