"""Key-region grades, 环大气〔2024〕6号 [C:S16] and 环办大气函〔2019〕648号 (same content, [R]).

yellow: forecast daily AQI > 200, or > 150 for ≥ 48 h
orange: > 200 for 48 h, or > 150 for ≥ 72 h
red:    > 200 for 72 h and > 300 for ≥ 24 h
Every clause is checked at its thresholds (200/201, 150/151, 300/301) and durations (47/48 h, 71/72 h).
"""

from __future__ import annotations

import pytest

from tests.unit.warning.builder import clause, days, hours, level, windows
from xietong.air.warning import WarningLevel, load_rules

YELLOW, ORANGE, RED, NONE = WarningLevel.YELLOW, WarningLevel.ORANGE, WarningLevel.RED, WarningLevel.NONE

pytestmark = pytest.mark.parametrize("rules", ["key-regions-2019", "key-regions-2024"])


# yellow/a: 预测日AQI>200 — one day above 200 is enough


def test_yellow_a_one_day_above_200(rules: str) -> None:
    assert level(days(201), rules) is YELLOW
    assert clause(days(201), rules) == f"{rules}/yellow/a"


def test_clause_reported_is_the_first_of_its_level_in_file_order(rules: str) -> None:
    # yellow/b (> 150 from day 1) starts before yellow/a (> 200 on day 2); both fire, the id is yellow/a
    assert clause(days(151, 201), rules) == f"{rules}/yellow/a"


def test_yellow_a_200_is_not_above_200(rules: str) -> None:
    assert level(days(200), rules) is NONE


# yellow/b: 日AQI>150持续48小时及以上


def test_yellow_b_two_days_above_150(rules: str) -> None:
    assert level(days(151, 151), rules) is YELLOW
    assert clause(days(151, 151), rules) == f"{rules}/yellow/b"


def test_yellow_b_150_is_not_above_150(rules: str) -> None:
    assert level(days(151, 150), rules) is NONE
    assert level(days(150, 150, 150), rules) is NONE


def test_yellow_b_47_hours_are_not_48(rules: str) -> None:
    # rolling windows 00:00–24:00 and 23:00–23:00: the chain covers 47 h
    assert level(windows(*hours(0, 23, aqi=151)), rules) is NONE
    assert level(windows(*hours(0, 24, aqi=151)), rules) is YELLOW


def test_one_day_above_150_alone_is_not_yellow(rules: str) -> None:
    assert level(days(200), rules) is NONE
    assert level(days(151, 100, 151), rules) is NONE


# orange/a: 预测日AQI>200持续48小时


def test_orange_a_two_days_above_200(rules: str) -> None:
    assert level(days(201, 201), rules) is ORANGE
    assert clause(days(201, 201), rules) == f"{rules}/orange/a"


def test_orange_a_needs_both_days_above_200(rules: str) -> None:
    assert level(days(201, 200), rules) is YELLOW  # yellow/a (one day > 200) and yellow/b (48 h > 150)
    assert clause(days(201, 200), rules) == f"{rules}/yellow/a"


def test_orange_a_47_hours_are_not_48(rules: str) -> None:
    assert level(windows(*hours(0, 23, aqi=201)), rules) is YELLOW
    assert level(windows(*hours(0, 24, aqi=201)), rules) is ORANGE


# orange/b: 日AQI>150持续72小时及以上


def test_orange_b_three_days_above_150(rules: str) -> None:
    assert level(days(151, 151, 151), rules) is ORANGE
    assert clause(days(151, 151, 151), rules) == f"{rules}/orange/b"


def test_orange_b_third_day_at_150_stays_yellow(rules: str) -> None:
    assert level(days(151, 151, 150), rules) is YELLOW


def test_orange_b_71_hours_are_not_72(rules: str) -> None:
    assert level(windows(*hours(0, 24, 47, aqi=151)), rules) is YELLOW
    assert level(windows(*hours(0, 24, 48, aqi=151)), rules) is ORANGE


# red/a: 预测日AQI>200持续72小时且日AQI>300持续24小时及以上


def test_red_a_three_days_above_200_with_one_above_300(rules: str) -> None:
    assert level(days(201, 201, 301), rules) is RED
    assert level(days(301, 201, 201), rules) is RED
    assert clause(days(201, 301, 201), rules) == f"{rules}/red/a"


def test_red_a_300_is_not_above_300(rules: str) -> None:
    assert level(days(201, 201, 300), rules) is ORANGE


def test_red_a_needs_72_hours_above_200(rules: str) -> None:
    assert level(days(201, 301), rules) is ORANGE  # 48 h only
    assert level(days(201, 200, 301), rules) is ORANGE  # 200 breaks the > 200 chain; > 150 for 72 h is orange/b
    assert level(windows((0, 201), (24, 201), (47, 301)), rules) is ORANGE  # 71 h
    assert level(windows((0, 201), (24, 201), (48, 301)), rules) is RED  # 72 h


def test_red_a_the_300_day_must_lie_in_the_200_chain(rules: str) -> None:
    # a > 300 day separated by a clean day from the > 200 chain does not make it red
    assert level(days(201, 201, 201, 100, 301), rules) is ORANGE


def test_no_blue_in_key_region_rules(rules: str) -> None:
    assert WarningLevel.BLUE not in load_rules(rules).levels
    for series in ([201], [201, 201], [151, 151], [500]):
        assert level(days(*series), rules) is not WarningLevel.BLUE
