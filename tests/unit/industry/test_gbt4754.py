"""GB/T 4754-2017 codes: 20 sections, 97 divisions, the broad-sector rule of 三次产业划分规定 (2018)."""

from __future__ import annotations

import pytest

from xietong.errors import InputError
from xietong.industry import gbt4754
from xietong.industry.enums import BroadSector


def test_the_standard_has_20_sections_and_97_divisions_in_order() -> None:
    assert [s.code for s in gbt4754.sections()] == list("ABCDEFGHIJKLMNOPQRST")
    assert [d.code for d in gbt4754.divisions()] == [f"{i:02d}" for i in range(1, 98)]
    assert sum(len(s.divisions) for s in gbt4754.sections()) == 97


@pytest.mark.parametrize(
    ("code", "section", "name"),
    [("01", "A", "农业"), ("36", "C", "汽车制造业"), ("65", "I", "软件和信息技术服务业"), ("97", "T", "国际组织")],
)
def test_divisions_belong_to_their_section(code: str, section: str, name: str) -> None:
    assert gbt4754.section_of(code) == section
    assert gbt4754.name(code) == name


def test_support_activities_and_repair_are_services_under_the_2018_rule() -> None:
    # 三次产业划分规定 (2018): 05, 11 and 43 belong to the tertiary sector
    assert gbt4754.broad_sector_of("05") is BroadSector.TERTIARY
    assert gbt4754.broad_sector_of("11") is BroadSector.TERTIARY
    assert gbt4754.broad_sector_of("4320") is BroadSector.TERTIARY
    assert gbt4754.broad_sector_of("04") is BroadSector.PRIMARY
    assert gbt4754.broad_sector_of("C31") is BroadSector.SECONDARY
    assert gbt4754.broad_sector_of("E") is BroadSector.SECONDARY


def test_codes_are_normalised_with_or_without_the_section_letter() -> None:
    assert gbt4754.normalise("C36") == "36"
    assert gbt4754.normalise("c3612") == "3612"
    assert gbt4754.normalise(" I ") == "I"
    assert gbt4754.matches("3120", "31")
    assert gbt4754.matches("3120", "C")
    assert not gbt4754.matches("3130", "312")


@pytest.mark.parametrize("bad", ["99", "00", "A36", "U", "3", "C999999", "", "汽车"])
def test_unknown_codes_are_refused_with_what_was_expected(bad: str) -> None:
    assert not gbt4754.is_valid(bad)
    with pytest.raises(InputError, match="unknown GB/T 4754-2017 industry code") as err:
        gbt4754.normalise(bad)
    assert "section letter A–T" in str(err.value)


def test_check_codes_names_file_row_and_field() -> None:
    problems = gbt4754.check_codes(["36", "98", "C"], source="parks.csv", field="leading_industries", first_row=2)
    assert len(problems) == 1
    assert (problems[0].where.source, problems[0].where.row, problems[0].where.field) == (
        "parks.csv",
        3,
        "leading_industries",
    )
    assert problems[0].given == "'98'"
