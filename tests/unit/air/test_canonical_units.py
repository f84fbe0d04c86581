"""A canonical file must name its units: CO in µg/m³ and in mg/m³ differ by a factor of 1000."""

from __future__ import annotations

from pathlib import Path

import pytest

from xietong.air.formats import AirFormat, SourceInfo, read_observations
from xietong.errors import InputError


def _read(path: Path) -> None:
    for _ in read_observations(path, AirFormat.CANONICAL, SourceInfo(path.name, None)):
        pass


def test_a_canonical_csv_without_a_unit_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_units.csv"  # written for the test
    path.write_text("station,time,pollutant,value\n1003A,2016-12-16T08:00+08:00,CO,3.2\n", encoding="utf-8")
    with pytest.raises(InputError, match="names no units") as caught:
        _read(path)
    assert caught.value.problem.where.source == "no_units.csv" and caught.value.problem.where.field == "unit"


def test_a_canonical_csv_with_units_is_read(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"  # written for the test
    path.write_text("station,time,pollutant,value,unit\n1003A,2016-12-16T08:00+08:00,CO,3.2,mg/m³\n", encoding="utf-8")
    _read(path)
