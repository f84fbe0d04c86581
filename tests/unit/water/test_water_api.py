"""The public surface of xietong.water: what a service, the CLI and notebooks import."""

from __future__ import annotations

import xietong.water as water


def test_all_names_exist_and_are_sorted() -> None:
    assert water.__all__ == sorted(water.__all__, key=lambda n: (n[0].islower(), n))
    for name in water.__all__:
        assert getattr(water, name) is not None


def test_surface_used_by_the_service() -> None:
    assert {
        "classify",
        "agreement_report",
        "load_cnemc_realtime",
        "read_samples",
        "to_wide",
        "evaluate_river",
        "compare_periods",
        "haihe_network",
        "downstream",
        "downstream_jurisdictions",
        "WaterClass",
    } <= set(water.__all__)
