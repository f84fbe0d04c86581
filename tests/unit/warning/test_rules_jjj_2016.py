"""BTH unified grades of 2016 (MEP + CMA letter, kept in 2017) [C:S12][C:S13].

blue:   forecast daily AQI > 200, higher level not reached
yellow: > 200 for ≥ 2 days (48 h)
orange: > 200 for 3 days (72 h) and at least one day > 300
red:    > 200 for ≥ 4 days (96 h) and > 300 for ≥ 2 days (48 h); or daily AQI reaching 500
Natural days only (the rolling day came in 2017): boundaries in hours are checked with rolling switched on.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.warning.builder import clause, days, hours, level, windows
from xietong.air.warning import RunMeasure, WarningLevel, load_rules
from xietong.errors import InputError

RULES = "jjj-2016"
BLUE, YELLOW, ORANGE, RED, NONE = (
    WarningLevel.BLUE,
    WarningLevel.YELLOW,
    WarningLevel.ORANGE,
    WarningLevel.RED,
    WarningLevel.NONE,
)
ROLLING = dataclasses.replace(load_rules(RULES), rolling_windows=True)


def test_blue_one_day_above_200() -> None:
    assert level(days(201), RULES) is BLUE
    assert clause(days(201), RULES) == "jjj-2016/blue/a"


def test_blue_200_is_not_above_200() -> None:
    assert level(days(200), RULES) is NONE
    assert level(days(200, 200, 200, 200), RULES) is NONE


def test_no_level_for_moderate_pollution() -> None:
    # > 150 has no clause in 2016 (the 150 thresholds came with the key-region rules)
    assert level(days(151, 180, 199), RULES) is NONE


def test_yellow_two_days_above_200() -> None:
    assert level(days(201, 201), RULES) is YELLOW
    assert level(days(201, 200), RULES) is BLUE


def test_yellow_47_hours_are_not_48_with_rolling_windows() -> None:
    assert level(windows(*hours(0, 23, aqi=201)), ROLLING) is BLUE
    assert level(windows(*hours(0, 24, aqi=201)), ROLLING) is YELLOW


def test_orange_three_days_above_200_with_one_above_300() -> None:
    assert level(days(201, 301, 201), RULES) is ORANGE
    assert clause(days(201, 301, 201), RULES) == "jjj-2016/orange/a"


def test_orange_needs_a_day_above_300() -> None:
    assert level(days(201, 201, 201), RULES) is YELLOW
    assert level(days(201, 300, 201), RULES) is YELLOW


def test_orange_71_hours_are_not_72() -> None:
    assert level(windows((0, 201), (24, 301), (47, 201)), ROLLING) is YELLOW
    assert level(windows((0, 201), (24, 301), (48, 201)), ROLLING) is ORANGE


def test_red_a_four_days_above_200_and_two_above_300() -> None:
    assert level(days(201, 301, 301, 201), RULES) is RED
    assert clause(days(201, 301, 301, 201), RULES) == "jjj-2016/red/a"


def test_red_a_boundaries() -> None:
    assert level(days(201, 301, 300, 201), RULES) is ORANGE  # one day > 300
    assert level(days(301, 301, 201), RULES) is ORANGE  # 72 h only
    assert level(windows((0, 201), (24, 301), (48, 301), (71, 201)), ROLLING) is ORANGE  # 95 h
    assert level(windows((0, 201), (24, 301), (48, 301), (72, 201)), ROLLING) is RED  # 96 h
    assert level(windows((0, 201), (24, 301), (47, 301), (71, 201), (95, 201)), ROLLING) is ORANGE  # > 300 for 47 h
    assert level(windows((0, 201), (24, 301), (48, 301), (72, 201), (96, 201)), ROLLING) is RED  # > 300 for 48 h


def test_red_a_two_separate_days_above_300_switch() -> None:
    series = days(301, 201, 301, 201)
    # default [R]: "持续2天" read as consecutive
    assert level(series, RULES) is ORANGE
    red = load_rules(RULES).clause("red/a")
    assert red.and_ is not None
    total_and = dataclasses.replace(red.and_, run=RunMeasure.TOTAL)
    total = dataclasses.replace(
        load_rules(RULES),
        clauses=tuple(
            dataclasses.replace(c, and_=total_and) if c.id == red.id else c for c in load_rules(RULES).clauses
        ),
    )
    assert level(series, total) is RED


def test_red_b_reaching_500() -> None:
    assert level(days(500), RULES) is RED
    assert clause(days(500), RULES) == "jjj-2016/red/b"
    assert level(days(499), RULES) is BLUE


def test_natural_days_only() -> None:
    with pytest.raises(InputError, match="natural days") as info:
        level(windows((8, 201)), RULES)
    assert "2016-12-16T08:00:00+08:00" in str(info.value)
    assert "00:00 China Standard Time" in str(info.value)
