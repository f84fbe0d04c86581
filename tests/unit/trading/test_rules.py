"""Market rules as data: editions by date, sources on every row, unconfirmed rows switchable."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

import numpy as np
import pytest

from xietong.errors import InputError, NotFoundError
from xietong.trading import rules
from xietong.trading.enums import ComplianceBasis, ExcludedYears, UnitKind
from xietong.trading.units import UnitType

EUA_P1 = UnitType("EUA-P1", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase1")
EUA_P2 = UnitType("EUA-P2", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase2")
CHENGDE_FOREST = UnitType(
    "HB-FOREST-CHENGDE-2016", UnitKind.OFFSET_CREDIT, "hebei_forestry", origin="hebei-chengde", project_type="forestry"
)


def test_every_registered_edition_loads_and_every_row_names_its_source() -> None:
    folder = resources.files("xietong.trading").joinpath("rules")
    for market in rules.markets():
        for ed in rules.editions(market):
            raw = tomllib.loads(folder.joinpath(f"{market}_{ed.edition}.toml").read_text("utf-8"))
            assert raw["market"] == market and raw["edition"] == ed.edition
            for section, rows in raw.items():
                for row in rows if isinstance(rows, list) else [rows] if isinstance(rows, dict) else []:
                    assert row.get("source"), f"{market} {ed.edition} [{section}] has no source"
                    assert isinstance(row.get("confirmed"), bool), f"{market} {ed.edition} [{section}] lacks confirmed"
            assert rules.load(market, ed.edition).market == market


def test_the_edition_in_force_follows_the_date() -> None:
    assert rules.in_force("eu_ets", date(2007, 12, 31)) == "phase1"
    assert rules.in_force("eu_ets", date(2008, 1, 1)) == "phase2"
    assert rules.in_force("eu_ets", date(2019, 6, 1)) == "phase3"
    assert rules.in_force_years("eu_ets", np.array([2005, 2012, 2013])).tolist() == ["phase1", "phase2", "phase3"]
    assert rules.load("eu_ets", "auto", on=date(2010, 5, 1)).edition == "phase2"


def test_unknown_market_or_edition_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError, match="unknown market"):
        rules.editions("mars_ets")
    with pytest.raises(InputError, match="unknown edition"):
        rules.load("eu_ets", "phase9")


def test_eu_deadline_is_30_april_of_the_following_year() -> None:
    deadline = rules.load("eu_ets", "phase2").require_deadline()
    assert deadline.for_year(2010) == date(2011, 4, 30)
    assert deadline.for_years(np.array([2010, 2011])).astype(str).tolist() == ["2011-04-30", "2012-04-30"]


def test_uk_rows_typed_from_the_compliance_report_are_confirmed() -> None:
    uk = rules.load("uk_ets", "2021")
    basis = uk.require_basis()
    assert basis.confirmed and basis.basis is ComplianceBasis.CUMULATIVE_PERIOD
    assert basis.excluded_years is ExcludedYears.CUMULATIVE
    assert uk.require_deadline().confirmed


def test_no_banking_from_phase_1_into_phase_2_but_from_phase_2_into_phase_3() -> None:
    with pytest.raises(InputError, match="banking from phase1 into phase2 is not allowed"):
        rules.load("eu_ets", "phase2").bank("phase1", "phase2")
    assert rules.load("eu_ets", "phase3").bank("phase2", "phase3").allowed
    with pytest.raises(InputError, match="no rule allows banking"):
        rules.load("eu_ets", "phase3").bank("phase1", "phase3")


def test_switching_off_unconfirmed_rows_removes_them_and_names_what_is_missing() -> None:
    full = rules.load("beijing_pilot", "2013")
    assert full.unconfirmed  # every Beijing row is recalled, not read
    strict = rules.load("beijing_pilot", "2013", include_unconfirmed=False)
    assert strict.limits == () and strict.units == () and strict.deadline is None
    with pytest.raises(InputError, match="compliance deadline"):
        strict.require_deadline()
    # confirmed rows stay: the EU phase-2 penalty was read in two sources
    assert [p.amount for p in rules.load("eu_ets", "phase2", include_unconfirmed=False).penalties] == [100]


def test_acceptance_rows_match_unit_attributes() -> None:
    bj = rules.load("beijing_pilot", "2013")
    assert bj.accepts(CHENGDE_FOREST) is not None
    assert bj.accepts(EUA_P2) is None
    assert bj.accepted([CHENGDE_FOREST, EUA_P2]) == {CHENGDE_FOREST.code}
    assert rules.load("eu_ets", "phase3").accepts(EUA_P2) is not None
    assert rules.load("eu_ets", "phase3").accepts(EUA_P1) is None


def test_cross_jurisdiction_transfers_name_their_approver() -> None:
    assert rules.load("beijing_pilot", "2013").transfer_approvers()
    assert rules.load("eu_ets", "phase3").transfer_approvers() == []
