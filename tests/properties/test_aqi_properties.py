"""Properties of the IAQI/AQI core (Hypothesis), against a slow scalar reference written from the formula.

Reference: HJ 633-2012 §4.2 eq. (1) / HJ 633-2026 §4.2.4 eq. (1), IAQI rounded up (§6.2 / §4.2.6), 2026
concentrations rounded half to even first (§4.2.2-4.2.3), breakpoints typed in from the standard.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.air import SLOTS, aqi_arrays, iaqi
from xietong.air import aqi as aqi_module

#: the compiled (Numba) kernel and the pure-NumPy path must both equal the reference
ENGINES = ["numpy", "numba"] if aqi_module._kernel.KERNEL is not None else ["numpy"]


@contextmanager
def engine(name: str) -> Iterator[None]:
    saved = aqi_module._ENGINE["name"]
    aqi_module._ENGINE["name"] = name
    try:
        yield
    finally:
        aqi_module._ENGINE["name"] = saved


STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS = {
    ("SO2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("SO2", "1h"): (0, 150, 500, 650, 800),
    ("NO2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("NO2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("CO", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("CO", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("O3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("O3", "8h"): (0, 100, 160, 215, 265, 800),
}
PM = {
    "2012": {
        ("PM10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
        ("PM2.5", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
    },
    "2026": {
        ("PM10", "24h"): (0, 50, 120, 250, 350, 420, 500, 600),
        ("PM2.5", "24h"): (0, 35, 60, 115, 150, 250, 350, 500),
    },
}
KEYS = sorted([*BREAKPOINTS, ("PM10", "24h"), ("PM2.5", "24h")])


def slow_iaqi(c: Decimal, pollutant: str, averaging: str, edition: str) -> int | None:
    """One value at a time, straight from the formula, in exact rational arithmetic."""
    if edition == "2026":
        c = c.quantize(Decimal("0.1") if pollutant == "CO" else Decimal(1), rounding=ROUND_HALF_EVEN)
    bp = BREAKPOINTS.get((pollutant, averaging)) or PM[edition][(pollutant, averaging)]
    if c > bp[-1]:
        if (pollutant, averaging) in {("SO2", "1h"), ("O3", "8h")}:
            return None if edition == "2012" else {"SO2": 200, "O3": 300}[pollutant]
        return 500
    i = next(k for k in range(1, len(bp)) if c <= bp[k])
    exact = STEPS[i - 1] + Fraction(STEPS[i] - STEPS[i - 1]) * (Fraction(c) - bp[i - 1]) / (bp[i] - bp[i - 1])
    return -(-exact.numerator // exact.denominator)


decimals = st.builds(lambda units, places: Decimal(units).scaleb(-places), st.integers(0, 4_500_000), st.integers(0, 3))
editions = st.sampled_from(["2012", "2026"])
keys = st.sampled_from(KEYS)


@pytest.mark.parametrize("engine_name", ENGINES)
@settings(max_examples=300, deadline=None)
@given(values=st.lists(decimals, min_size=1, max_size=40), key=keys, edition=editions)
def test_vectorised_equals_the_slow_reference(
    engine_name: str, values: list[Decimal], key: tuple[str, str], edition: str
) -> None:
    pollutant, averaging = key
    with engine(engine_name):
        got = iaqi(np.array([float(v) for v in values]), pollutant, averaging, edition=edition)
    for v, g in zip(values, got.tolist(), strict=True):
        assert g == slow_iaqi(Decimal(str(float(v))), pollutant, averaging, edition), (v, key, edition)


@settings(max_examples=300, deadline=None)
@given(a=decimals, b=decimals, key=keys, edition=editions)
def test_iaqi_is_monotone_non_decreasing(a: Decimal, b: Decimal, key: tuple[str, str], edition: str) -> None:
    lo, hi = sorted((float(a), float(b)))
    pollutant, averaging = key
    i_lo = iaqi(lo, pollutant, averaging, edition=edition)
    i_hi = iaqi(hi, pollutant, averaging, edition=edition)
    if i_hi is np.ma.masked:  # 2012 SO2 1 h / O3 8 h above 800: defined by another indicator
        assert hi > 800
        return
    assert i_lo is not np.ma.masked
    assert i_lo <= i_hi


hourly_inputs = st.fixed_dictionaries(
    {
        "SO2_1h": st.integers(0, 700),
        "NO2_1h": st.integers(0, 3000),
        "O3_1h": st.integers(0, 1100),
        "CO_1h": st.integers(0, 1400).map(lambda x: x / 10),
        "PM10_1h": st.integers(0, 590),
        "PM2.5_1h": st.integers(0, 490),
    }
)


@pytest.mark.parametrize("engine_name", ENGINES)
@settings(max_examples=200, deadline=None)
@given(rows=st.lists(hourly_inputs, min_size=1, max_size=30), edition=editions)
def test_aqi_equals_the_max_iaqi_and_primary_holds_it(
    engine_name: str, rows: list[dict[str, float]], edition: str
) -> None:
    arrays = {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}
    with engine(engine_name):
        res = aqi_arrays(arrays, edition=edition)
    stacked = np.stack(list(res.iaqi.values()))
    expected = stacked.max(axis=0)
    if edition == "2026":
        expected = np.maximum(expected, 1)  # §4.1.1: range 1–500
    assert res.aqi.tolist() == expected.tolist()
    for j in range(len(rows)):
        holders = [i for i, v in enumerate(res.iaqi.values()) if v[j] == res.aqi[j]]
        if res.aqi[j] > 50:
            assert res.primary[j] != 0
            slots = list(res.iaqi)
            assert {SLOTS.index(slots[i]) for i in holders} == {b for b in range(7) if res.primary[j] >> b & 1}
        else:
            assert res.primary[j] == 0


@pytest.mark.parametrize("edition", ["2012", "2026"])
def test_engines_agree_on_every_input_class(edition: str) -> None:
    """Grid values, rounding ties, finer decimals, NaN, above the table and the 800 rules, with missing
    pollutants: the compiled kernel and the NumPy path give identical results, field by field."""
    rng = np.random.default_rng(3)
    n = 50_000
    base = rng.integers(0, 1300, n).astype(float)
    fine = base + rng.choice([0.0, 0.5, 0.25, 0.123456, 0.9999995], n)
    fine[rng.random(n) < 0.05] = np.nan
    arrays = {
        "SO2_1h": fine, "SO2_24h": fine[::-1].copy(), "NO2_1h": fine * 3, "O3_1h": fine,
        "O3_8h": fine * 0.8, "CO_1h": fine / 10, "PM10_24h": fine / 2, "PM2.5_1h": fine / 2.5,
    }  # fmt: skip
    results = {}
    for name in ENGINES:
        with engine(name):
            results[name] = aqi_arrays(arrays, edition=edition, missing_rule="na_unless_above_100")
    ref = results["numpy"]
    for res in results.values():
        assert res.aqi.tolist() == ref.aqi.tolist()
        assert res.aqi_available.tolist() == ref.aqi_available.tolist()
        assert res.primary.tolist() == ref.primary.tolist()
        assert res.exceedance.tolist() == ref.exceedance.tolist()
        assert res.level.tolist() == ref.level.tolist()
        assert res.incomplete.tolist() == ref.incomplete.tolist()
        assert res.beyond_table.tolist() == ref.beyond_table.tolist()
        for slot in ref.iaqi:
            assert res.iaqi[slot].tolist() == ref.iaqi[slot].tolist(), slot
