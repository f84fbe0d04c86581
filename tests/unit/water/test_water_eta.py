"""ETA along a small river graph with known distances and velocities, and exceedance detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from xietong.water import build_network, downstream, downstream_jurisdictions
from xietong.water.incidents import find_exceedances

#    A (110000) --36 km @ 1.0 m/s--> B (131000) --18 km @ 0.5 m/s--> D (120000)
#     \--------- 7.2 km @ 0.2 m/s --> C (131000) --54 km @ 1.5 m/s--/
SECTIONS = pd.DataFrame(
    {
        "code": ["A", "B", "C", "D"],
        "name": ["a", "b", "c", "d"],
        "river": ["r"] * 4,
        "basin": ["海河流域"] * 4,
        "jurisdiction": ["110000", "131000", "131000", "120000"],
        "waterbody": ["river"] * 4,
        "target_class": ["III"] * 4,
    }
)
LINKS = pd.DataFrame(
    {
        "from_section": ["A", "B", "A", "C"],
        "to_section": ["B", "D", "C", "D"],
        "distance_km": ["36", "18", "7.2", "54"],
        "velocity_m_s": ["1.0", "0.5", "0.2", "1.5"],
        "approximate": ["false", "false", "false", "true"],
    }
)


def test_eta_is_the_sum_of_distance_over_velocity_along_the_fastest_path() -> None:
    net = build_network(SECTIONS, LINKS)
    start = datetime(2025, 11, 18, tzinfo=UTC)
    out = downstream(net, "A", start=start).set_index("section")
    # A→B 36 000 m / 1.0 m/s = 10 h; A→C 7 200 / 0.2 = 10 h; B→D 18 000 / 0.5 = 10 h; C→D 54 000 / 1.5 = 10 h
    assert out.loc["B", "travel_time_h"] == pytest.approx(10.0)
    assert out.loc["C", "travel_time_h"] == pytest.approx(10.0)
    assert out.loc["D", "travel_time_h"] == pytest.approx(20.0)
    assert out.loc["D", "arrival"] == start + timedelta(hours=20)
    assert out.loc["B", "distance_km"] == 36.0


def test_the_faster_branch_decides_and_flags_approximate_links() -> None:
    slow_b = LINKS.assign(velocity_m_s=["1.0", "0.25", "0.2", "1.5"])  # B→D now 20 h: via C is faster
    out = downstream(build_network(SECTIONS, slow_b), "A").set_index("section")
    assert out.loc["D", "travel_time_h"] == pytest.approx(20.0)
    assert out.loc["D", "path"] == ("A", "C", "D") and bool(out.loc["D", "approximate"])
    assert out.loc["D", "distance_km"] == pytest.approx(61.2)
    parties = downstream_jurisdictions(downstream(build_network(SECTIONS, slow_b), "A"))
    assert list(parties["jurisdiction"]) == ["131000", "120000"]
    assert list(parties["travel_time_h"]) == pytest.approx([10.0, 20.0])


def _classified(items: list[str]) -> pd.DataFrame:
    t0 = pd.Timestamp("2025-11-01T08:00+08:00")
    return pd.DataFrame(
        {
            "section": ["A"] * len(items),
            "time": [t0 + pd.Timedelta(hours=4 * i) for i in range(len(items))],
            "water_class": ["V" if s else "II" for s in items],
            "target_class": ["III"] * len(items),
            "target_exceeding_items": items,
            "nh3n": [1.8 if "nh3n" in s else 0.2 for s in items],
            "codmn": [12.0 if "codmn" in s else 2.0 for s in items],
        }
    )


def test_exceedance_needs_n_consecutive_samples_on_the_same_item() -> None:
    assert find_exceedances(_classified(["nh3n", "nh3n", ""]), consecutive=2) == []
    assert find_exceedances(_classified(["nh3n", "codmn", "nh3n"]), consecutive=2) == []
    [ex] = find_exceedances(_classified(["", "codmn nh3n", "nh3n", "nh3n codmn"]), consecutive=3)
    assert (ex.section, ex.item, ex.values) == ("A", "nh3n", [1.8, 1.8, 1.8])
    assert ex.first_time == pd.Timestamp("2025-11-01T12:00+08:00")
    [both] = find_exceedances(_classified(["codmn nh3n", "nh3n codmn"]), consecutive=2)
    assert both.item == "codmn"  # GB 3838 Table 1 order: CODMn before NH3-N
    assert find_exceedances(_classified(["nh3n"]), consecutive=2) == []
