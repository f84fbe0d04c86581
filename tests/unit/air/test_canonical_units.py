"""A canonical file must name its units: CO in µg/m³ and in mg/m³ differ by a factor of 1000. Every value
takes its unit from its ``unit`` cell or, where the column is absent or the cell blank, from ``--unit``
(:class:`UnitOptions`); a value left with no unit is refused, never given a default.

The one- and two-row CSV/JSON files below are written for the tests (values made up, stations real codes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xietong.air.formats import (
    AirFormat,
    ObservationChunk,
    SourceInfo,
    UnitOptions,
    parse_unit_options,
    read_observations,
)
from xietong.enums import Pollutant
from xietong.errors import InputError

T = "2016-12-16T08:00+08:00"


def _chunks(path: Path, units: UnitOptions | None = None) -> list[ObservationChunk]:
    fmt = AirFormat.CANONICAL
    return list(read_observations(path, fmt, SourceInfo(path.name, None), units=units))


def _values(path: Path, units: UnitOptions | None = None) -> pd.DataFrame:
    chunks = _chunks(path, units)
    assert [p for c in chunks for p in c.problems] == []
    return pd.concat([c.values for c in chunks], ignore_index=True)


def _csv(tmp_path: Path, text: str, name: str = "feed.csv") -> Path:
    path = tmp_path / name  # written for the test
    path.write_text(text, encoding="utf-8")
    return path


def test_a_canonical_csv_without_a_unit_column_and_no_unit_option_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value\n1003A,{T},CO,3.2\n", "no_units.csv")
    with pytest.raises(InputError, match="names no units") as caught:
        _chunks(path)
    problem = caught.value.problem
    assert problem.where.source == "no_units.csv" and problem.where.field == "unit"
    assert "--unit" in str(caught.value)


def test_a_canonical_csv_with_units_is_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value,unit\n1003A,{T},CO,3.2,mg/m³\n")
    assert _values(path)["co"].tolist() == [3.2]


def test_without_a_unit_column_the_option_names_the_units_per_pollutant_and_for_the_rest(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value\n1003A,{T},CO,1.2\n1003A,{T},PM2.5,80\n")
    values = _values(path, parse_unit_options(["CO=mg/m3", "ug/m3"]))
    assert (values["co"].iat[0], values["pm25"].iat[0]) == (1.2, 80.0)


def test_co_named_in_micrograms_by_the_option_is_stored_in_milligrams(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value\n1003A,{T},CO,1200\n")
    assert _values(path, parse_unit_options(["CO=ug/m3"]))["co"].tolist() == [1.2]


def test_a_row_the_option_does_not_cover_is_refused_with_row_field_and_hint(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value\n1003A,{T},CO,1.2\n1003A,{T},PM2.5,80\n")
    chunks = _chunks(path, parse_unit_options(["CO=mg/m3"]))
    [problem] = [p for c in chunks for p in c.problems]
    assert (problem.where.source, problem.where.row, problem.where.field) == ("feed.csv", 3, "unit")
    assert "PM2.5" in (problem.expected or "") and "--unit" in (problem.hint or "")
    assert chunks[0].values["co"].tolist() == [1.2] and chunks[0].values["pm25"].isna().all()


def test_a_blank_unit_cell_without_the_option_is_refused_not_defaulted(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value,unit\n1003A,{T},PM2.5,80,µg/m³\n1003A,{T},CO,1.2,\n")
    chunks = _chunks(path)
    [problem] = [p for c in chunks for p in c.problems]
    assert problem.message == "no unit for this value"
    assert (problem.where.row, problem.where.field, problem.given) == (3, "unit", "a blank unit cell")
    assert "--unit" in (problem.hint or "")
    assert chunks[0].rejected_values == 1


def test_a_blank_unit_cell_is_filled_by_the_option(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value,unit\n1003A,{T},PM2.5,80,µg/m³\n1003A,{T},CO,1200,\n")
    values = _values(path, parse_unit_options(["CO=µg/m³"]))
    assert (values["pm25"].iat[0], values["co"].iat[0]) == (80.0, 1.2)


def test_a_filled_unit_cell_wins_over_the_option(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value,unit\n1003A,{T},CO,1.2,mg/m³\n1003A,{T},NO2,40,\n")
    values = _values(path, parse_unit_options(["ug/m3", "CO=ug/m3"]))
    assert (values["co"].iat[0], values["no2"].iat[0]) == (1.2, 40.0)


def test_a_row_without_a_value_needs_no_unit(tmp_path: Path) -> None:
    path = _csv(tmp_path, f"station,time,pollutant,value,unit\n1003A,{T},PM2.5,80,µg/m³\n1003A,{T},CO,NA,\n")
    assert _values(path)["co"].isna().all()


def test_json_null_units_are_filled_by_the_option_or_refused(tmp_path: Path) -> None:
    text = f'[{{"station": "1003A", "time": "{T}", "pollutant": "co", "value": 1200, "unit": null}}]'
    path = _csv(tmp_path, text, "feed.json")
    assert _values(path, parse_unit_options(["co=ug/m3"]))["co"].tolist() == [1.2]
    [problem] = [p for c in _chunks(path) for p in c.problems]
    assert (problem.where.source, problem.where.row, problem.where.field) == ("feed.json", 1, "unit")


def test_unit_options_accept_the_spellings_of_the_unit_and_pollutant_columns() -> None:
    units = parse_unit_options(["pm2_5=ug/m³", "PM25=µg/m3", "co=mg/m3", "μg/m³"])
    assert units == UnitOptions("µg/m³", {Pollutant.PM25: "µg/m³", Pollutant.CO: "mg/m³"})
    assert units.as_dict() == {"*": "µg/m³", "PM2.5": "µg/m³", "CO": "mg/m³"}
    assert not parse_unit_options([])


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["ppb"], "no known unit"),
        (["CO=ppm"], "no known unit"),
        (["CO="], "no known unit"),
        (["PM1=ug/m3"], "unknown pollutant"),
        (["=ug/m3"], "unknown pollutant"),
        (["ug/m3", "mg/m3"], "two units for every pollutant"),
        (["CO=mg/m3", "co=ug/m3"], "two units for CO"),
    ],
)
def test_bad_unit_options_say_what_was_expected_and_given(texts: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_unit_options(texts)
    problem = caught.value.problem
    assert problem.where.source == "--unit" and problem.expected and problem.given


def test_units_named_for_a_format_that_fixes_its_own_are_refused() -> None:
    uci = Path(__file__).parents[2] / "data" / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv"
    with pytest.raises(InputError, match="canonical files only"):
        read_observations(uci, AirFormat.UCI, SourceInfo(uci.name, None), units=parse_unit_options(["ug/m3"]))
