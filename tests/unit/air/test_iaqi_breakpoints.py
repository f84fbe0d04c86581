"""Every breakpoint edge of every pollutant, averaging time and edition (HJ 633-2012 Table 1, HJ 633-2026
Table 3): the value itself, and the value plus and minus the smallest step of published data (1 µg/m³;
0.1 mg/m³ for CO) and of Xietong's decimal resolution (10⁻⁶ of the unit)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from tests.unit.air.air_reference import IAQI_STEPS, TABLES, reference_iaqi
from xietong.air import iaqi


def _edges() -> list[tuple[str, str, str, int, Decimal]]:
    out = []
    for edition, tables in TABLES.items():
        for (pollutant, averaging), bps in tables.items():
            for i, bp in enumerate(bps):
                out.append((edition, pollutant, averaging, i, bp))
    return out


EDGES = _edges()


def _id(e: tuple[str, str, str, int, Decimal]) -> str:
    return f"{e[0]}-{e[1]}-{e[2]}-{e[4]}"


@pytest.mark.parametrize("edge", EDGES, ids=[_id(e) for e in EDGES])
def test_breakpoint_value_gives_its_iaqi(edge: tuple[str, str, str, int, Decimal]) -> None:
    edition, pollutant, averaging, i, bp = edge
    assert iaqi(float(bp), pollutant, averaging, edition=edition) == IAQI_STEPS[i]


@pytest.mark.parametrize("edge", EDGES, ids=[_id(e) for e in EDGES])
def test_one_data_step_either_side_of_a_breakpoint(edge: tuple[str, str, str, int, Decimal]) -> None:
    edition, pollutant, averaging, i, bp = edge
    step = Decimal("0.1") if pollutant == "CO" else Decimal(1)
    for c in (bp - step, bp + step):
        if c < 0:
            continue
        expected = reference_iaqi(c, pollutant, averaging, edition)
        got = iaqi(float(c), pollutant, averaging, edition=edition)
        if expected is None:
            top = bps_top(edition, pollutant, averaging)
            special = (pollutant, averaging) in {("SO2", "1h"), ("O3", "8h")}
            # above the table: 2012 special rules → undefined; otherwise capped at 500 (AboveTable.CAP)
            assert c > top
            assert got is np.ma.masked if special else got == 500
        else:
            assert got == expected, (c, pollutant, averaging, edition)
            if c < bp:
                assert got <= IAQI_STEPS[i]
            elif c <= bps_top(edition, pollutant, averaging):
                assert got > IAQI_STEPS[i]
            else:  # HJ 633-2026 Table 3 notes 2 and 3: fixed 200 / 300 above 800
                assert got == {"SO2": 200, "O3": 300}[pollutant]


@pytest.mark.parametrize("edge", EDGES, ids=[_id(e) for e in EDGES])
def test_one_resolution_step_either_side_of_a_breakpoint(edge: tuple[str, str, str, int, Decimal]) -> None:
    """10⁻⁶ below a breakpoint stays at or below its IAQI; 10⁻⁶ above goes one above (ceiling) — in 2012.
    In 2026 both round back onto the breakpoint (GB/T 8170), so both give exactly its IAQI."""
    edition, pollutant, averaging, i, bp = edge
    tiny = Decimal("0.000001")
    top = bps_top(edition, pollutant, averaging)
    below = bp - tiny
    if below >= 0:
        got = iaqi(float(below), pollutant, averaging, edition=edition)
        assert got == (IAQI_STEPS[i] if edition == "2026" else reference_iaqi(below, pollutant, averaging, edition))
        assert got <= IAQI_STEPS[i]
    above = bp + tiny
    got_above = iaqi(float(above), pollutant, averaging, edition=edition)
    if edition == "2026":
        assert got_above == IAQI_STEPS[i]
    elif bp == top:
        special = (pollutant, averaging) in {("SO2", "1h"), ("O3", "8h")}
        assert got_above is np.ma.masked if special else got_above == 500
    else:
        assert got_above == IAQI_STEPS[i] + 1


def bps_top(edition: str, pollutant: str, averaging: str) -> Decimal:
    return TABLES[edition][(pollutant, averaging)][-1]


def test_pm_one_hour_uses_the_daily_breakpoints() -> None:
    """HJ 633-2026 §4.2.4 (and CNEMC practice under 2012): 1-h PM on the 24-h breakpoints."""
    for edition in ("2012", "2026"):
        for c in (35, 61, 76, 151):
            assert iaqi(c, "PM2.5", "1h", edition=edition) == iaqi(c, "PM2.5", "24h", edition=edition)


def test_standards_md_test_vectors() -> None:
    """STANDARDS.md §1.8 (derived from the formula; both tables)."""
    vectors = [
        ("PM2.5", "24h", 1, 2, 2),
        ("PM2.5", "24h", 35, 50, 50),
        ("PM2.5", "24h", 36, 52, 52),
        ("PM2.5", "24h", 50, 69, 80),
        ("PM2.5", "24h", 60, 82, 100),
        ("PM2.5", "24h", 61, 83, 101),
        ("PM2.5", "24h", 75, 100, 114),
        ("PM2.5", "24h", 76, 102, 115),
        ("PM2.5", "24h", 151, 201, 201),
        ("PM10", "24h", 100, 75, 86),
        ("PM10", "24h", 120, 85, 100),
        ("PM10", "24h", 150, 100, 112),
        ("SO2", "24h", 100, 75, 75),
        ("SO2", "24h", 300, 124, 124),
        ("SO2", "24h", 801, 201, 201),
        ("CO", "24h", 2.5, 63, 63),
        ("CO", "24h", 3.9, 98, 98),
        ("CO", "1h", 5.5, 55, 55),
        ("O3", "1h", 161, 52, 52),
        ("O3", "8h", 161, 101, 101),
        ("O3", "8h", 266, 201, 201),
    ]
    for pollutant, averaging, c, v2012, v2026 in vectors:
        assert iaqi(c, pollutant, averaging, edition="2012") == v2012, (pollutant, averaging, c)
        assert iaqi(c, pollutant, averaging, edition="2026") == v2026, (pollutant, averaging, c)


def test_tables_differ_only_in_the_pm_iaqi_100_breakpoints() -> None:
    """HJ 633-2026 foreword item 1: only PM10 150→120 and PM2.5 75→60 changed."""
    differing = {k for k in TABLES["2012"] if TABLES["2012"][k] != TABLES["2026"][k]}
    assert differing == {("PM10", "24h"), ("PM2.5", "24h")}
    grid = np.arange(0, 601, dtype=float)
    for pollutant in ("PM10", "PM2.5"):
        a = iaqi(grid, pollutant, "24h", edition="2012")
        b = iaqi(grid, pollutant, "24h", edition="2026")
        changed = grid[np.asarray(a != b)]
        lo, hi = (50, 250) if pollutant == "PM10" else (35, 115)
        assert changed.min() > lo
        assert changed.max() < hi
