"""Special rules, GB/T 8170 rounding, ceiling exactness, inputs and what iaqi() returns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xietong.air import iaqi
from xietong.enums import Pollutant
from xietong.errors import InputError


class TestSpecialRules:
    """HJ 633-2012 Table 1 notes 2-3 (do not compute; use the 24-h / 1-h IAQI) vs HJ 633-2026 (fixed)."""

    def test_so2_one_hour_above_800_is_undefined_in_2012(self) -> None:
        assert iaqi(800, "SO2", "1h", edition="2012") == 200
        assert iaqi(801, "SO2", "1h", edition="2012") is np.ma.masked

    def test_so2_one_hour_above_800_is_200_in_2026(self) -> None:
        assert iaqi(801, "SO2", "1h", edition="2026") == 200
        assert iaqi(5000, "SO2", "1h", edition="2026") == 200

    def test_o3_eight_hour_above_800(self) -> None:
        assert iaqi(800, "O3", "8h", edition="2012") == 300
        assert iaqi(801, "O3", "8h", edition="2012") is np.ma.masked
        assert iaqi(801, "O3", "8h", edition="2026") == 300

    def test_2026_rounds_before_comparing_with_800(self) -> None:
        # 800.4 rounds to 800 (in the table), 800.5 to 800 (half to even), 800.6 to 801 (fixed rule)
        assert iaqi(800.4, "O3", "8h", edition="2026") == 300
        assert iaqi(800.5, "SO2", "1h", edition="2026") == 200
        assert iaqi(800.6, "SO2", "1h", edition="2026") == 200


class TestRounding:
    """HJ 633-2026 §4.2.2-4.2.3 with GB/T 8170: round half to even on the decimal value."""

    @pytest.mark.parametrize(
        ("given", "rounded"),
        [(35.5, 36), (36.5, 36), (60.5, 60), (61.5, 62), (60.49, 60), (60.51, 61), (59.5, 60)],
    )
    def test_integer_pollutants(self, given: float, rounded: int) -> None:
        assert iaqi(given, "PM2.5", "24h", edition="2026") == iaqi(rounded, "PM2.5", "24h", edition="2026")

    @pytest.mark.parametrize(
        ("given", "rounded"), [(2.45, 2.4), (2.35, 2.4), (2.55, 2.6), (2.65, 2.6), (2.451, 2.5), (2.449, 2.4)]
    )
    def test_co_to_one_decimal(self, given: float, rounded: float) -> None:
        # 2.45 is the binary float 2.4500000000000001776…: the decimal value 2.45 is a tie → 2.4
        assert iaqi(given, "CO", "24h", edition="2026") == iaqi(rounded, "CO", "24h", edition="2026")

    def test_2012_does_not_round(self) -> None:
        assert iaqi(35.4, "PM2.5", "24h", edition="2012") == 51
        assert iaqi(35.4, "PM2.5", "24h", edition="2026") == 50


class TestCeilingExactness:
    """§6.2 (2012) / §4.2.6 (2026): the IAQI is rounded up. Floating point must not move the ceiling."""

    def test_naive_float_formula_overshoots_where_xietong_does_not(self) -> None:
        # CO 24 h, 2.2 mg/m³: exactly 50 + (2.2 − 2)·25 = 55; in binary 2.2 − 2 = 0.20000000000000018
        naive = math.ceil((100 - 50) / (4 - 2) * (2.2 - 2) + 50)
        assert naive == 56
        assert iaqi(2.2, "CO", "24h", edition="2012") == 55
        assert iaqi(2.2, "CO", "24h", edition="2026") == 55
        # PM2.5 24 h, 4.9 µg/m³: exactly 50/35·4.9 = 7
        assert math.ceil(50 / 35 * 4.9) == 8
        assert iaqi(4.9, "PM2.5", "24h", edition="2012") == 7
        # O3 8 h, 102.4 µg/m³: exactly 50 + (2.4)·50/60 = 52
        assert math.ceil((100 - 50) / (160 - 100) * (102.4 - 100) + 50) == 53
        assert iaqi(102.4, "O3", "8h", edition="2012") == 52

    def test_exact_integer_results_stay_integers(self) -> None:
        cases = [
            ("PM2.5", "24h", 75.0, 100),
            ("CO", "24h", 2.4, 60),
            ("CO", "1h", 7.3, 73),
            ("NO2", "24h", 60.0, 75),
            ("O3", "8h", 0.1 + 0.2 + 159.7, 100),  # 160.00000000000003 in binary: the decimal 160 at 10⁻⁶
        ]
        for pollutant, averaging, c, expected in cases:
            assert iaqi(c, pollutant, averaging, edition="2012") == expected, (pollutant, c)

    def test_means_of_hourly_integers_are_exact(self) -> None:
        # 24 hours summing to 1800 give exactly 75 → IAQI 100 (2012 PM2.5), computed through a float mean
        hours = np.array([74.0] * 12 + [76.0] * 12)
        assert iaqi(hours.mean(), "PM2.5", "24h", edition="2012") == 100


class TestInputsAndOutputs:
    def test_scalar_returns_int(self) -> None:
        value = iaqi(36, "PM2.5", "24h", edition="2012")
        assert isinstance(value, int)
        assert value == 52

    def test_nan_is_masked(self) -> None:
        assert iaqi(float("nan"), "PM10", "24h", edition="2026") is np.ma.masked

    def test_array_returns_masked_int_array(self) -> None:
        out = iaqi(np.array([[35.0, np.nan], [801.0, 10.0]]), "SO2", "1h", edition="2012")
        assert isinstance(out, np.ma.MaskedArray)
        assert out.dtype == np.int64
        assert out.shape == (2, 2)
        assert out.mask.tolist() == [[False, True], [True, False]]
        assert out[0, 0] == 12
        assert out[1, 1] == 4

    def test_series_returns_nullable_series(self) -> None:
        s = pd.Series([36.0, np.nan], index=["a", "b"])
        out = iaqi(s, "PM2.5", "24h", edition="2012")
        assert out.dtype == "Int16"
        assert out.index.tolist() == ["a", "b"]
        assert out["a"] == 52
        assert out.isna().tolist() == [False, True]

    def test_accepts_the_pollutant_enum(self) -> None:
        assert iaqi(36, Pollutant.PM25, "24h", edition="2012") == 52

    def test_above_the_table_is_capped_or_masked_never_silently(self) -> None:
        assert iaqi(501, "PM2.5", "24h", edition="2026") == 500
        assert iaqi(501, "PM2.5", "24h", edition="2026", above_table="na") is np.ma.masked

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"pollutant": "PM1", "averaging": "24h", "edition": "2012"}, "unknown pollutant"),
            ({"pollutant": "O3", "averaging": "24h", "edition": "2012"}, "no 24h IAQI for O3"),
            ({"pollutant": "SO2", "averaging": "8h", "edition": "2026"}, "no 8h IAQI for SO2"),
            ({"pollutant": "SO2", "averaging": "2h", "edition": "2026"}, "unknown averaging"),
            ({"pollutant": "SO2", "averaging": "1h", "edition": "2019"}, "unknown edition"),
            ({"pollutant": "SO2", "averaging": "1h", "edition": "auto"}, "explicit edition"),
        ],
    )
    def test_bad_arguments_say_what_was_expected(self, kwargs: dict[str, str], fragment: str) -> None:
        with pytest.raises(InputError, match=fragment) as info:
            iaqi(10, kwargs["pollutant"], kwargs["averaging"], edition=kwargs["edition"])
        assert "expected" in str(info.value)

    def test_negative_concentration_is_an_input_error(self) -> None:
        with pytest.raises(InputError, match="negative concentration") as info:
            iaqi(np.array([1.0, -2.0]), "NO2", "1h", edition="2026")
        assert "position 1" in str(info.value)
