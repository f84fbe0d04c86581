"""The stage machine of relocation projects: signed → construction → operating, or cancelled."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from xietong.errors import ConflictError, InputError
from xietong.industry import projects
from xietong.industry.enums import Stage


def test_stages_go_forward_and_may_skip() -> None:
    assert projects.transition(None, Stage.SIGNED) is Stage.SIGNED
    assert projects.transition(Stage.SIGNED, Stage.CONSTRUCTION) is Stage.CONSTRUCTION
    assert projects.transition(Stage.SIGNED, Stage.OPERATING) is Stage.OPERATING
    assert projects.transition(Stage.CONSTRUCTION, Stage.CANCELLED) is Stage.CANCELLED


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        (Stage.OPERATING, Stage.CONSTRUCTION, "operating, a final stage"),
        (Stage.CONSTRUCTION, Stage.SIGNED, "cannot go from construction back to signed"),
        (Stage.SIGNED, Stage.SIGNED, "already at stage signed"),
        (Stage.CANCELLED, Stage.CONSTRUCTION, "cancelled, a final stage"),
        (None, Stage.CANCELLED, "cannot go from nothing back to cancelled"),
    ],
)
def test_a_stage_never_goes_backwards(current: Stage | None, new: Stage, message: str) -> None:
    with pytest.raises(ConflictError, match=message):
        projects.transition(current, new, project="P1")


def test_a_stage_dated_before_the_current_one_is_refused() -> None:
    with pytest.raises(ConflictError, match="dated before"):
        projects.transition(Stage.SIGNED, Stage.CONSTRUCTION, current_date=date(2024, 5, 1), new_date=date(2024, 4, 30))


def test_unknown_stage_names_the_stages() -> None:
    with pytest.raises(InputError, match="signed, construction, operating, cancelled"):
        projects.parse_stage("planning")


def test_history_problems_name_the_row() -> None:
    events = pd.DataFrame(
        {
            "project": ["P1", "P1", "P1", "P2", "P2"],
            "stage": ["signed", "operating", "construction", "signed", "built"],
            "date": ["2023-01-01", "2024-01-01", "2024-02-01", "2023-05-01", "2023-06-01"],
        }
    )
    problems = projects.check_history(events, source="stages.csv")
    assert [(p.where.row, p.where.field) for p in problems] == [(4, "stage"), (6, "stage")]
    assert "final stage" in problems[0].message
