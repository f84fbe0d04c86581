"""The rule-set files: registered as editions, in force by date, clauses as data with sources."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from xietong import standards
from xietong.air.warning import Comparison, RunMeasure, WarningLevel, load_rules, rule_sets, rules_in_force


def test_four_rule_sets_registered_oldest_first() -> None:
    assert rule_sets() == ("jjj-2016", "national-2018", "key-regions-2019", "key-regions-2024")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2016, 12, 16), "jjj-2016"),
        (date(2018, 6, 30), "jjj-2016"),
        (date(2018, 12, 1), "national-2018"),
        (date(2019, 12, 1), "key-regions-2019"),
        (date(2024, 1, 22), "key-regions-2019"),
        (date(2024, 1, 23), "key-regions-2024"),
    ],
)
def test_rule_set_in_force_by_date(day: date, expected: str) -> None:
    assert rules_in_force(day).id == expected


def test_2019_and_2024_files_have_identical_clauses() -> None:
    def content(rules: str) -> list[tuple[object, ...]]:
        rs = load_rules(rules)
        return [(c.level, c.label, c.text, c.when, c.and_) for c in rs.clauses]

    assert content("key-regions-2019") == content("key-regions-2024")
    r19, r24 = load_rules("key-regions-2019"), load_rules("key-regions-2024")
    assert (r19.merge_gap_hours, r19.quiet_hours, r19.rolling_windows) == (
        r24.merge_gap_hours,
        r24.quiet_hours,
        r24.rolling_windows,
    )


def test_2024_red_clause_as_data() -> None:
    red = load_rules("key-regions-2024").clause("red/a")
    assert red.id == "key-regions-2024/red/a"
    assert (red.when.op, red.when.aqi, red.when.hours) == (Comparison.ABOVE, 200, 72)
    assert red.and_ is not None
    assert (red.and_.op, red.and_.aqi, red.and_.hours, red.and_.run) == (
        Comparison.ABOVE,
        300,
        24,
        RunMeasure.CONSECUTIVE,
    )
    assert red.tag == "C:S16"
    assert red.describe() == "AQI > 200 for ≥ 72 h and AQI > 300 for ≥ 24 h"


@pytest.mark.parametrize("rules", ["jjj-2016", "national-2018", "key-regions-2019", "key-regions-2024"])
def test_every_clause_has_a_source_text_and_tag(rules: str) -> None:
    rs = load_rules(rules)
    assert rs.clauses
    for c in rs.clauses:
        assert c.text and c.tag, c.id
        assert c.level in rs.levels
    assert rs.quiet_hours == 36
    assert rs.merge_gap_hours == 36


def test_blue_only_in_jjj_2016() -> None:
    with_blue = [r for r in rule_sets() if WarningLevel.BLUE in load_rules(r).levels]
    assert with_blue == ["jjj-2016"]


def test_only_jjj_2016_takes_natural_days_only() -> None:
    assert [r for r in rule_sets() if not load_rules(r).rolling_windows] == ["jjj-2016"]


def test_rule_set_switches_can_be_changed_without_editing_files() -> None:
    rs = dataclasses.replace(load_rules("key-regions-2024"), merge_gap_hours=12)
    assert rs.merge_gap_hours == 12
    assert load_rules("key-regions-2024").merge_gap_hours == 36


def test_unknown_rule_set_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="key-regions-2024"):
        load_rules("key-regions-2030")
    with pytest.raises(ValueError, match="red/a"):
        load_rules("key-regions-2024").clause("red/c")


def test_effective_dates_come_from_the_registry() -> None:
    eds = {e.edition: e.effective for e in standards.editions("warning")}
    assert load_rules("key-regions-2024").effective == eds["key-regions-2024"] == date(2024, 1, 23)
