"""Replay of the trimmed real samples: computed codes against the published ones, mismatches explained."""

from __future__ import annotations

import pytest

from tests.conftest import DATA
from xietong.errors import InputError
from xietong.trading import mismatch_markdown, read_eutl, read_uk_ets, replay_eutl, replay_uk_ets
from xietong.trading.replay import MISMATCH_CLASSES

TRADING = DATA / "trading"


def test_eutl_sample_codes_agree_and_every_mismatch_has_a_class() -> None:
    report = replay_eutl(read_eutl(TRADING / "eutl_AT_IE_20"))
    assert report.compared > 150  # the 20 installations were picked for their hard cases
    assert report.agreeing == report.compared - len(report.mismatches)
    assert set(report.by_year) <= set(range(2005, 2020))
    classes = set(report.mismatches["mismatch_class"])
    assert classes <= set(MISMATCH_CLASSES) - {"other"}
    # the three installations picked for their history show the three documented classes
    by_inst = dict(zip(report.mismatches["installation"], report.mismatches["mismatch_class"], strict=False))
    assert by_inst[93739] == "after_starred_year"
    assert by_inst[106954] == "earlier_years_without_code"
    assert by_inst[101607] in {"changed_after_deadline", "after_starred_year"}
    # unstarred rows that are not downstream of a starred year all agree
    unexplained = report.mismatches.loc[~report.mismatches["published_code"].str.endswith("*")]
    assert set(unexplained["mismatch_class"]) <= {"after_starred_year", "earlier_years_without_code"}


def test_eutl_report_as_json_has_the_acceptance_keys() -> None:
    d = replay_eutl(read_eutl(TRADING / "eutl_AT_IE_20")).as_dict()
    for key in ("compared", "agreeing", "agreement", "by_year", "mismatches"):
        assert key in d
    assert 0.0 <= d["agreement"] <= 1.0
    assert all(isinstance(k, str) for k in d["by_year"])


def test_uk_sample_2024_statuses_all_agree() -> None:
    report = replay_uk_ets(read_uk_ets(TRADING / "uk_ets_compliance_report_30.xlsx"), year=2024)
    assert report.compared == 21  # the A and B statuses of the 30 rows (23 A/B minus 2 with no status)
    assert report.agreement == 1.0
    assert report.other_statuses["EXCLUDED"] == {"EXCLUDED": 3}
    assert report.other_statuses["NOT_APPLICABLE"] == {"NOT_APPLICABLE": 2}
    assert report.other_statuses["C"] == {"C": 2}


def test_mismatch_markdown_lists_classes_and_rows() -> None:
    report = replay_eutl(read_eutl(TRADING / "eutl_AT_IE_20"))
    text = mismatch_markdown(report, title="EUTL sample")
    assert text.startswith("# EUTL sample")
    assert "## Agreement by year" in text and "## Mismatch classes" in text
    assert "| 93739 | 2014 |" in text


def test_a_period_the_tables_do_not_hold_is_refused_not_reported_as_0_of_0() -> None:
    eutl = read_eutl(TRADING / "eutl_AT_IE_20")
    with pytest.raises(InputError, match="the period is reversed"):
        replay_eutl(eutl, first_year=2019, last_year=2005)
    with pytest.raises(InputError, match=r"a year the tables hold \(2005–20\d\d\)"):
        replay_eutl(eutl, first_year=2031, last_year=2040)
    uk = read_uk_ets(TRADING / "uk_ets_compliance_report_30.xlsx")
    with pytest.raises(InputError, match=r"given --year 2030"):
        replay_uk_ets(uk, year=2030)
    # a period wider than the tables still compares the years they hold
    assert replay_eutl(eutl, first_year=1900, last_year=2199).compared > 150
