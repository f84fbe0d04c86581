"""Properties of the IAQI/AQI core (Hypothesis), against a slow scalar reference written from the formula.

Reference: HJ 633-2012 §4.2 eq. (1) / HJ 633-2026 §4.2.4 eq. (1), IAQI rounded up (§6.2 / §4.2.6), 2026
concentrations rounded half to even first (§4.2.2-4.2.3), breakpoints typed in from the standard.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.air import SLOTS, aqi_arrays, iaqi

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


@settings(max_examples=300, deadline=None)
@given(values=st.lists(decimals, min_size=1, max_size=40), key=keys, edition=editions)
def test_vectorised_equals_the_slow_reference(values: list[Decimal], key: tuple[str, str], edition: str) -> None:
    pollutant, averaging = key
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


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(hourly_inputs, min_size=1, max_size=30), edition=editions)
def test_aqi_equals_the_max_iaqi_and_primary_holds_it(rows: list[dict[str, float]], edition: str) -> None:
    arrays = {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}
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
