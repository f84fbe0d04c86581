"""National grades of 2018 (three levels, 48 h / 72 h / 96 h) [C:S15], attribution to 875号 [R].

yellow: daily AQI > 200 for ≥ 48 h
orange: > 200 for ≥ 72 h
red:    > 200 for ≥ 96 h and > 300 for ≥ 48 h; or daily AQI reaching 500
"""

from __future__ import annotations

from tests.unit.warning.builder import clause, days, hours, level, windows
from xietong.air.warning import WarningLevel, load_rules

RULES = "national-2018"
YELLOW, ORANGE, RED, NONE = WarningLevel.YELLOW, WarningLevel.ORANGE, WarningLevel.RED, WarningLevel.NONE


def test_one_day_above_200_is_no_warning_without_blue() -> None:
    assert WarningLevel.BLUE not in load_rules(RULES).levels
    assert level(days(201), RULES) is NONE
    assert level(days(300), RULES) is NONE


def test_yellow_48_hours_above_200() -> None:
    assert level(days(201, 201), RULES) is YELLOW
    assert clause(days(201, 201), RULES) == "national-2018/yellow/a"
    assert level(days(201, 200), RULES) is NONE
    assert level(windows(*hours(0, 23, aqi=201)), RULES) is NONE  # 47 h


def test_orange_72_hours_above_200_without_a_300_day() -> None:
    assert level(days(201, 201, 201), RULES) is ORANGE
    assert level(days(201, 201, 200), RULES) is YELLOW
    assert level(windows(*hours(0, 24, 47, aqi=201)), RULES) is YELLOW  # 71 h
    assert level(windows(*hours(0, 24, 48, aqi=201)), RULES) is ORANGE  # 72 h


def test_red_a_96_hours_above_200_and_48_hours_above_300() -> None:
    assert level(days(201, 301, 301, 201), RULES) is RED
    assert clause(days(201, 301, 301, 201), RULES) == "national-2018/red/a"
    assert level(days(201, 301, 300, 201), RULES) is ORANGE
    assert level(windows((0, 201), (24, 301), (48, 301), (71, 201)), RULES) is ORANGE  # 95 h
    assert level(windows((0, 201), (24, 301), (48, 301), (72, 201)), RULES) is RED  # 96 h
    assert level(windows((0, 201), (24, 301), (47, 301), (71, 201), (95, 201)), RULES) is ORANGE  # > 300 for 47 h


def test_red_b_reaching_500() -> None:
    assert level(days(500), RULES) is RED
    assert clause(days(500), RULES) == "national-2018/red/b"
    assert level(days(499.9), RULES) is NONE
