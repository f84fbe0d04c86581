"""Computed classes against the classes CNEMC published (Nov 2025, Haihe basin and Jing-Jin-Ji).

The evidence asked for by issue 5: on the rows that have a published class and enough values, the class
computed from the measured values agrees with the published one on at least 98 % of the rows; every
disagreement carries a reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.water.agreement import agreement_report
from xietong.water.formats import load_cnemc_realtime

CNEMC = Path(__file__).parents[2] / "data" / "water" / "cnemc_surface_water_haihe_2025-11.csv"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return load_cnemc_realtime(CNEMC)


def test_agreement_with_published_classes_is_at_least_98_percent(frame: pd.DataFrame) -> None:
    report = agreement_report(frame)
    assert report["compared"] == 569  # 601 rows, 32 without a published class
    assert report["agreement"] is not None
    assert report["agreement"] >= 0.98
    assert report["agreeing"] == 569  # measured: every compared row agrees
    assert all(r["reason"] is None for r in report["rows"] if r["agrees"])
    assert all(r["reason"] for r in report["rows"] if not r["agrees"])


def test_full_value_comparison_explains_every_disagreement(frame: pd.DataFrame) -> None:
    """Without rounding to the published precision 12 rows disagree, each by a value just past a
    limit that the published (rounded) value meets."""
    report = agreement_report(frame, comparison="full")
    assert (report["compared"], report["agreeing"]) == (569, 557)
    wrong = [r for r in report["rows"] if not r["agrees"]]
    assert len(wrong) == 12
    for row in wrong:
        assert row["reason"] is not None
        assert "agrees under rounded-value comparison" in row["reason"]


def test_rows_not_compared_say_why(frame: pd.DataFrame) -> None:
    report = agreement_report(frame)
    assert len(report["not_compared"]) == 32
    assert all(r["reason"].startswith("no published class") for r in report["not_compared"])


def test_report_shape_is_the_cli_interface(frame: pd.DataFrame) -> None:
    report = agreement_report(frame)
    doc = json.loads(json.dumps(report, ensure_ascii=False))
    assert {"compared", "agreeing", "agreement", "rows"} <= set(doc)
    row = doc["rows"][1]
    assert row == {
        "section": "BJ02",
        "section_name": "大红门闸上",
        "time": "2025-11-18T16:00:00+08:00",
        "published_class": "II",
        "computed_class": "II",
        "agrees": True,
        "deciding_items": ["tp"],
        "reason": None,
    }
    assert doc["method"]["comparison"] == "rounded"
    assert doc["method"]["decimals"]["nh3n"] == 2


def small(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {
        "section": [f"S{i}" for i in range(n)],
        "time": [pd.Timestamp("2025-11-18T16:00+08:00")] * n,
        "do": [8.0] * n,
        "codmn": [3.0] * n,
        "nh3n": [0.2] * n,
        "tp": [0.05] * n,
    }
    return pd.DataFrame(base | columns)


def test_reason_when_the_published_class_is_worse() -> None:
    report = agreement_report(small(published_class=["Ⅳ"], ph=[np.nan]))
    (row,) = report["rows"]
    assert row["computed_class"] == "II"
    assert "better than published IV" in (row["reason"] or "")
    assert "no value here for ph" in (row["reason"] or "")


def test_reason_when_the_water_body_type_is_wrong() -> None:
    report = agreement_report(small(published_class=["III"], waterbody=["river"]))
    (row,) = report["rows"]
    assert row["computed_class"] == "II"
    assert "agrees with the lake TP limits" in (row["reason"] or "")


def test_reason_when_an_item_is_worse() -> None:
    report = agreement_report(small(published_class=["II"], nh3n=[1.2]))
    (row,) = report["rows"]
    assert row["computed_class"] == "IV"
    assert "ammonia nitrogen (NH3-N) 1.2 mg/L is class IV" in (row["reason"] or "")


def test_rows_missing_a_required_item_are_not_compared() -> None:
    report = agreement_report(small(published_class=["II", None], tp=[np.nan, 0.05]))
    assert report["compared"] == 0
    assert report["agreement"] is None
    assert [r["reason"] for r in report["not_compared"]] == ["no value for tp", "no published class"]


def test_frame_without_published_class() -> None:
    with pytest.raises(InputError, match="published_class"):
        agreement_report(pd.DataFrame({"section": ["x"], "time": [0], "do": [1.0]}))
