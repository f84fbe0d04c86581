"""GB 3838-2002 Table 1 as shipped, checked against the table as printed (STANDARDS.md §5), and the
GB/T 8170 rounding and exact-comparison helpers."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xietong.water.enums import GB3838_ITEMS, WaterItem
from xietong.water.standard import cnemc_decimals, method, round_half_even, table, to_grid


def test_table_has_the_24_items_in_table_order() -> None:
    rows = {item: lim.row for item, lim in table().items()}
    assert list(rows) == list(GB3838_ITEMS)
    assert [rows[i] for i in GB3838_ITEMS] == list(range(1, 25))


def test_2011_method_items() -> None:
    m = method()
    assert len(m.evaluated) == 21
    assert set(GB3838_ITEMS) - set(m.evaluated) == {WaterItem.WATER_TEMP, WaterItem.TN, WaterItem.FECAL_COLIFORM}
    assert WaterItem.TN not in m.reference_river
    assert WaterItem.TN in m.reference_lake
    assert (m.excellent_min_i_iii, m.good_min_i_iii, m.moderate_min_worse_v, m.heavy_min_worse_v) == (90, 75, 20, 40)
    assert m.min_sections == 5


def test_grid_makes_float_noise_exact() -> None:
    scale = table()[WaterItem.TP].scale
    noisy = float(np.mean([0.1, 0.2, 0.3]))  # 0.2 in decimal, 0.20000000000000004 in binary
    assert noisy != 0.2
    assert to_grid([noisy], scale)[0] == to_grid([0.2], scale)[0]
    assert to_grid([0.2000001], scale)[0] > to_grid([0.2], scale)[0]  # a reportable difference stays


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.025, 2, 0.02),  # 5 followed by nothing: to even
        (0.035, 2, 0.04),
        (0.0251, 2, 0.03),  # more than half: up
        (0.0249, 2, 0.02),
        (2.5, 0, 2.0),
        (3.5, 0, 4.0),
        (-2.5, 0, -2.0),
        (9.095148, 0, 9.0),
        (1.25, 1, 1.2),
        (1.35, 1, 1.4),
        (0.0195, 3, 0.02),
        (0.0205, 3, 0.02),
        (40000.5, 0, 40000.0),
    ],
)
def test_round_half_even_examples(value: float, decimals: int, expected: float) -> None:
    assert round_half_even([value], decimals)[0] == expected


def test_round_half_even_keeps_nan() -> None:
    assert np.isnan(round_half_even([np.nan], 2)[0])


@given(
    st.decimals(min_value=0, max_value=100000, places=6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=3),
)
def test_round_half_even_equals_decimal_quantize(value: Decimal, decimals: int) -> None:
    expected = float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))
    assert round_half_even([float(value)], decimals)[0] == expected


def test_cnemc_decimals() -> None:
    assert cnemc_decimals() == {
        WaterItem.PH: 0, WaterItem.DO: 1, WaterItem.CODMN: 1, WaterItem.NH3N: 2, WaterItem.TP: 3, WaterItem.TN: 2,
        WaterItem.WATER_TEMP: 1,
    }  # fmt: skip
