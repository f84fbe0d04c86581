"""Computed classes against the classes CNEMC published (Haihe basin and Jing-Jin-Ji, Nov 2025 and Feb 2026).

The evidence asked for by issue 5: on the rows that have a published class and enough values, the class
computed from the measured values agrees with the published one on at least 98 % of the rows; every
disagreement carries a reason. Issue 12: a row lacking some of pH, DO, CODMn, NH3-N and TP is compared on
the items it has and flagged partial, as CNEMC publishes it.
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
from xietong.water.standard import cnemc_decimals

CNEMC = Path(__file__).parents[2] / "data" / "water" / "cnemc_surface_water_haihe_2025-11.csv"
CNEMC_FEB = Path(__file__).parents[2] / "data" / "water" / "cnemc_surface_water_haihe_2026-02.csv"


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
        "partial": False,
        "missing_items": [],
        "reason": None,
    }
    assert doc["method"]["comparison"] == "rounded"
    assert doc["method"]["decimals"]["nh3n"] == 2
    assert doc["method"]["decimals_source"] == "the precision the file displays"


def test_nov_2025_partial_row_and_rows_without_a_class(frame: pd.DataFrame) -> None:
    """Nov 2025: one row without pH carries a published class (compared as partial, and it agrees); the
    32 rows without a published class all lack a required item, 30 of them at stations in maintenance."""
    report = agreement_report(frame)
    assert (report["partial_compared"], report["partial_agreeing"]) == (1, 1)
    (row,) = [r for r in report["rows"] if r["partial"]]
    assert row["missing_items"] == ["ph"] and row["agrees"]
    assert all(r["missing_items"] for r in report["not_compared"])
    assert sum("station status 维护" in r["reason"] for r in report["not_compared"]) == 30


def test_feb_2026_partial_rows_get_the_published_class_of_the_items_measured() -> None:
    """Held-out Feb 2026 pages: 29 rows lack some required items and still carry a published class;
    the class of the items measured is that class on every one. The 3 rows not compared have no value
    for any evaluated item and no published class."""
    report = agreement_report(load_cnemc_realtime(CNEMC_FEB))
    assert (report["compared"], report["agreeing"]) == (124, 124)
    assert (report["partial_compared"], report["partial_agreeing"]) == (29, 29)
    assert len(report["not_compared"]) == 3
    assert all(r["reason"] == "no published class; no value for any evaluated item" for r in report["not_compared"])
    by_time = {(r["section_name"], r["time"][:16]): r for r in report["rows"]}
    sancha = by_time[("三岔口", "2026-02-06T09:00")]  # only pH and DO measured
    assert sancha["missing_items"] == ["codmn", "nh3n", "tp"]
    assert (sancha["published_class"], sancha["computed_class"], sancha["deciding_items"]) == ("I", "I", ["ph", "do"])


def test_feb_2026_values_are_compared_at_the_precision_the_pages_display() -> None:
    """Feb 2026 pages display CODMn with 2 decimals: 兆通 2026-02-08 12:00 has CODMn 2.04 (class Ⅱ, as
    published); rounded to the 1 decimal of the Nov 2025 pages it would be 2.0, class Ⅰ."""
    feb = load_cnemc_realtime(CNEMC_FEB)
    assert agreement_report(feb)["method"]["decimals"]["codmn"] == 2
    nov_precision = agreement_report(feb, decimals=cnemc_decimals())
    (wrong,) = [r for r in nov_precision["rows"] if not r["agrees"]]
    assert (wrong["section_name"], wrong["published_class"], wrong["computed_class"]) == ("兆通", "II", "I")


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


def test_a_row_missing_a_required_item_is_compared_as_partial() -> None:
    report = agreement_report(small(published_class=["II", None], tp=[np.nan, 0.05]))
    (row,) = report["rows"]
    assert (row["partial"], row["missing_items"], row["computed_class"]) == (True, ["ph", "tp"], "II")
    assert (report["compared"], report["partial_compared"]) == (1, 1)
    assert [r["reason"] for r in report["not_compared"]] == ["no published class; no value for ph"]


def test_a_row_without_any_evaluated_value_is_not_compared() -> None:
    frame = small(published_class=["II"], do=[np.nan], codmn=[np.nan], nh3n=[np.nan], tp=[np.nan])
    report = agreement_report(frame)
    assert report["compared"] == 0 and report["agreement"] is None
    (skipped,) = report["not_compared"]
    assert skipped["reason"] == "no value for any evaluated item"
    assert skipped["missing_items"] == ["ph", "do", "codmn", "nh3n", "tp"]


def test_required_items_can_be_chosen() -> None:
    report = agreement_report(small(published_class=["II"], ph=[np.nan]), required=["do", "codmn", "nh3n", "tp"])
    assert report["rows"][0]["partial"] is False


def test_frame_without_published_class() -> None:
    with pytest.raises(InputError, match="published_class"):
        agreement_report(pd.DataFrame({"section": ["x"], "time": [0], "do": [1.0]}))
