"""The registry of standards: editions in force by date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from xietong import standards
from xietong.errors import InputError, NotFoundError


def test_hj633_switches_on_2026_03_01() -> None:
    assert standards.in_force("hj633", date(2026, 2, 28)) == "2012"
    assert standards.in_force("hj633", date(2026, 3, 1)) == "2026"
    assert standards.in_force("hj633", date(2013, 3, 1)) == "2012"
    days = np.array(["2014-01-01", "2026-02-28", "2026-03-01", "2030-01-01"], dtype="datetime64[D]")
    assert standards.in_force_array("hj633", days).tolist() == ["2012", "2012", "2026", "2026"]


def test_unknown_standard_or_edition() -> None:
    with pytest.raises(NotFoundError, match="hj633"):
        standards.editions("hj999")
    with pytest.raises(InputError, match="2012, 2026"):
        standards.check_edition("hj633", "2020")
