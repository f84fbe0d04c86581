"""The compliance engine reads like the EUTL legend and the UK report's key.

The installation-years below are written for the tests (not real installations); the real ones are
replayed in ``test_replay.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.trading import compliance_status, statement, uk_status


def years(rows: list[tuple[int, int, float, float]], **extra: list[object]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["installation", "year", "verified_t", "surrendered_t"])
    for k, v in extra.items():
        frame[k] = v
    return frame


def codes(result: pd.DataFrame) -> list[object]:
    return result["code"].tolist()


def test_a_when_surrendered_covers_verified_b_when_short() -> None:
    r = compliance_status(years([(1, 2009, 100, 100), (2, 2009, 100, 99)]), "eu_ets")
    assert codes(r) == ["A", "B"]
    assert r["owed_t"].tolist() == [0.0, 1.0]


def test_balances_cumulate_within_the_trading_period() -> None:
    # 2005: 45 over, 2007: 45 short → cumulated 0 → A; a new period starts from zero
    r = compliance_status(
        years([(1, 2005, 100, 145), (1, 2006, 100, 100), (1, 2007, 100, 55), (1, 2008, 100, 90)]), "eu_ets"
    )
    assert codes(r) == ["A", "A", "A", "B"]
    assert r["balance_t"].tolist() == [45.0, 45.0, 0.0, -10.0]


def test_a_deficit_stays_until_it_is_made_good() -> None:
    r = compliance_status(years([(1, 2008, 100, 40), (1, 2009, 100, 100), (1, 2010, 100, 160)]), "eu_ets")
    assert codes(r) == ["B", "B", "A"]


def test_phase_3_carries_a_phase_2_deficit_but_not_a_surplus() -> None:
    short = compliance_status(years([(1, 2012, 100, 90), (1, 2013, 100, 100)]), "eu_ets")
    assert codes(short) == ["B", "B"]
    surplus = compliance_status(years([(1, 2012, 100, 150), (1, 2013, 100, 60)]), "eu_ets")
    assert codes(surplus) == ["A", "B"]


def test_c_when_emissions_were_not_entered_and_zero_is_an_entered_value() -> None:
    r = compliance_status(
        years(
            [(1, 2010, np.nan, 0), (2, 2010, 0, 0), (3, 2010, np.nan, 0)],
            emissions_state=["not_reported", "reported", "absent"],
        ),
        "eu_ets",
    )
    assert codes(r) == ["C", "A", "A"]


def test_a_star_marks_data_changed_after_the_deadline_and_the_letter_is_the_status_at_the_deadline() -> None:
    r = compliance_status(
        years(
            [(1, 2010, 100, 100), (2, 2010, 100, 100), (3, 2010, 100, 100)],
            surrendered_late_t=[30, 0, 0],
            entered_late=[False, True, False],
            corrected_late=[False, False, True],
        ),
        "eu_ets",
    )
    assert codes(r) == ["B*", "C*", "D*"]
    assert r["owed_t"].tolist() == [0.0, 0.0, 0.0]  # finally every unit was surrendered


def test_e_when_entered_but_not_verified() -> None:
    assert codes(compliance_status(years([(1, 2010, 100, 100)], unverified=[True]), "eu_ets")) == ["E"]


def test_excluded_years_have_no_eu_code() -> None:
    r = compliance_status(years([(1, 2010, np.nan, 0)], emissions_state=["excluded"]), "eu_ets")
    assert codes(r) == [None]
    assert r["reason"].tolist() == ["excluded"]


def test_uk_excluded_year_keeps_the_cumulative_status_unless_never_obliged() -> None:
    r = compliance_status(
        years(
            [
                (1, 2021, 100, 0),
                (1, 2022, np.nan, 0),
                (1, 2023, np.nan, 90),
                (2, 2021, np.nan, 0),
                (2, 2022, np.nan, 0),
            ],
            emissions_state=["reported", "excluded", "excluded", "excluded", "excluded"],
        ),
        "uk_ets",
    )
    assert uk_status(r).tolist() == ["B", "B", "B", "EXCLUDED", "EXCLUDED"]


def test_uk_years_before_the_first_year_of_operation_are_not_applicable() -> None:
    r = compliance_status(years([(1, 2021, np.nan, 0), (1, 2022, 50, 50)], first_year=[2022, 2022]), "uk_ets")
    assert uk_status(r).tolist() == ["NOT_APPLICABLE", "A"]


def test_beijing_compares_each_year_on_its_own() -> None:
    r = compliance_status(years([(1, 2015, 100, 150), (1, 2016, 100, 60)]), "beijing_pilot")
    assert codes(r) == ["A", "B"]
    assert r["deadline"].astype(str).tolist() == ["2016-06-15", "2017-06-15"]


def test_switching_off_unconfirmed_rules_names_the_missing_rule() -> None:
    with pytest.raises(InputError, match="the rules of beijing_pilot 2013 have no trading period"):
        compliance_status(years([(1, 2015, 100, 100)]), "beijing_pilot", include_unconfirmed=False)


def test_bad_input_is_refused_with_the_row_named() -> None:
    with pytest.raises(InputError, match="appears twice"):
        compliance_status(years([(1, 2010, 1, 1), (1, 2010, 2, 2)]), "eu_ets")
    with pytest.raises(InputError, match="negative surrendered_t") as err:
        compliance_status(years([(1, 2010, 1, -1)]), "eu_ets")
    assert err.value.problem.where.row == 1
    with pytest.raises(InputError, match="lacks required columns"):
        compliance_status(pd.DataFrame({"installation": [1], "year": [2010]}), "eu_ets")


def test_statement_sums_per_installation_and_period_and_shows_what_is_owed() -> None:
    r = compliance_status(
        years([(1, 2008, 100, 40), (1, 2009, 100, 100), (2, 2008, 10, 10)], country=["AT", "AT", "IE"]), "eu_ets"
    )
    per_inst = statement(r).set_index("installation")
    assert per_inst.loc[1, "owed_t"] == 60.0
    assert per_inst.loc[1, "n_B"] == 2
    assert per_inst.loc[2, "share_compliant"] == 1.0
    per_country = statement(r, by="country").set_index("country")
    assert per_country.loc["AT", "verified_t"] == 200.0
    assert per_country.loc["AT", "owed_t"] == 60.0


def test_the_engine_is_vectorised_over_many_installation_years() -> None:
    n_inst, n_years = 2000, 16
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "installation": np.repeat(np.arange(n_inst), n_years),
            "year": np.tile(np.arange(2005, 2005 + n_years), n_inst),
            "verified_t": rng.integers(0, 1000, n_inst * n_years).astype(float),
        }
    )
    frame["surrendered_t"] = frame["verified_t"]
    r = compliance_status(frame, "eu_ets")
    assert (r["code"] == "A").all()
