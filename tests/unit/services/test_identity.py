"""GB 11643-1999 identity numbers: check character, validation, masking.

Every number here is CONSTRUCTED for the test (an address code of a real county, a date and a
sequence chosen by the test, the check character computed by the slow reference below from the
standard's formula); none is a real person's number, and none is written to any file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.services import identity
from xietong.services.enums import MaskRule
from xietong.services.errors import IdentityNumberError

#: county-level address codes of GB/T 2260 used to construct numbers (Dongcheng, Chaoyang, Heping, Anci, Rongcheng)
ADDRESS_CODES = ["110101", "110105", "120101", "131002", "130629"]


def reference_check(first17: str) -> str:
    """GB 11643-1999 §5.4 written out: S = Σ a_i·W_i, W_i = 2^(i-1) mod 11 counted from the right
    (the check character is i = 1), and the check value a_1 satisfies (S + a_1) ≡ 1 (mod 11)."""
    total = 0
    for pos, ch in enumerate(first17):  # pos 0 is i = 18
        i = 18 - pos
        total += int(ch) * (2 ** (i - 1) % 11)
    value = next(a for a in range(11) if (total + a) % 11 == 1)
    return "X" if value == 10 else str(value)


def construct(address: str, birth: dt.date, seq: int) -> str:
    """A valid number constructed for the test (not a real person's)."""
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + reference_check(first17)


def test_a_check_character_worked_by_hand() -> None:
    # constructed: 110105 19900101 123. Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 7+9+0+5+0+20+2+9+54+0+0+9+0+5+8+8+6 = 142; 142 mod 11 = 10 -> check value (12 - 10) mod 11 = 2
    assert identity.check_character("11010519900101123") == "2"
    assert identity.check("110105199001011232") == "110105199001011232"


def test_check_value_ten_is_written_x_and_lower_case_x_is_accepted() -> None:
    number = next(n for s in range(1000) if (n := construct("110105", dt.date(1985, 6, 15), s)).endswith("X"))
    assert identity.check(number.lower()) == number
    assert bool(identity.validate(pd.Series([number.lower()]))["valid"].iloc[0])


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ADDRESS_CODES), dates, st.integers(0, 999))
def test_constructed_numbers_validate_and_carry_their_birth_date_and_sex(
    address: str, birth: dt.date, seq: int
) -> None:
    number = construct(address, birth, seq)
    assert identity.check_character(number[:17]) == number[17]
    row = identity.validate(pd.Series([number])).iloc[0]
    assert row["valid"]
    assert row["birth_date"].date() == birth
    assert row["sex"] == ("M" if seq % 2 else "F")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ADDRESS_CODES), dates, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_substitution_is_caught(address: str, birth: dt.date, seq: int, pos: int, shift: int) -> None:
    number = construct(address, birth, seq)
    wrong = number[:pos] + str((int(number[pos]) + shift) % 10) + number[pos + 1 :]
    row = identity.validate(pd.Series([wrong])).iloc[0]
    assert not row["valid"]  # check character, or a birth date / address code that no longer exists


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ADDRESS_CODES), dates, st.integers(0, 999), st.integers(0, 15))
def test_adjacent_transpositions_are_caught(address: str, birth: dt.date, seq: int, pos: int) -> None:
    number = construct(address, birth, seq)
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    assert not bool(identity.validate(pd.Series([swapped]))["valid"].iloc[0])


def test_each_reason_is_reported() -> None:
    good = construct("131002", dt.date(1990, 5, 17), 41)
    numbers = pd.Series(
        [
            good,
            None,
            "12345",
            "99" + good[2:],
            good[:10] + "13" + good[12:],
            good[:17] + ("0" if good[17] != "0" else "1"),
        ]
    )
    result = identity.validate(numbers)
    assert list(result["reason"]) == [None, "missing", "shape", "address_code", "birth_date", "check_character"]


def test_a_birth_date_after_as_of_is_invalid() -> None:
    number = construct("120101", dt.date(2024, 3, 1), 8)
    assert bool(identity.validate(pd.Series([number]))["valid"].iloc[0])
    assert identity.validate(pd.Series([number]), as_of=dt.date(2024, 2, 1))["reason"].iloc[0] == "birth_date"


def test_masks_hide_the_birth_date_in_lists_and_almost_everything_in_logs() -> None:
    number = construct("110105", dt.date(1990, 1, 1), 123)
    listed = identity.mask(number)
    assert listed == number[:6] + "*" * 8 + number[-4:]
    assert "19900101" not in listed
    assert identity.mask(number, MaskRule.KEEP_1_1) == number[0] + "*" * 16 + number[-1]


def test_errors_name_the_field_and_row_but_never_echo_the_number() -> None:
    good = construct("130629", dt.date(2001, 9, 9), 7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdentityNumberError) as err:
        identity.check(bad, field="applicant_id")
    text = str(err.value)
    assert "applicant_id" in text
    assert bad not in text and bad[:14] not in text
    problems = identity.problems(pd.Series([good, bad]), source="cases.csv")
    assert len(problems) == 1
    p = problems[0]
    assert (p.where.row, p.where.field, p.where.source) == (2, "identity_number", "cases.csv")
    assert bad not in p.describe()
