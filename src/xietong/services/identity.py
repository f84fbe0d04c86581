"""Citizen identity numbers (公民身份号码) under GB 11643-1999: check digit, birth date, masking.

Structure (GB 11643-1999 §4 and §5): 18 characters, the address code (positions 1–6, the county of
household registration at issue, a GB/T 2260 code), the date of birth (7–14, YYYYMMDD), the sequence
code (15–17; odd for men, even for women) and the check character (18), computed with ISO 7064
MOD 11-2 (§5.4): weights ``W_i = 2^(i-1) mod 11`` for positions counted from the right (the check
character is position 1), ``S = Σ a_i·W_i`` over positions 2–18, and the check value is the ``a_1``
for which ``(S + a_1) mod 11 == 1``; the value 10 is written ``X``.

The address code is checked for its shape only: six digits whose first two are a province-level code
of GB/T 2260. A full county check would need the GB/T 2260 edition in force when the number was
issued (counties are renamed and merged), which Xietong does not carry.

Masking (:func:`mask`). No national standard fixing which characters to show was found (searched:
GB/T 35273-2020 and JR/T 0171-2020 name de-identification but the stored copies give no digit rule).
Xietong's rule follows the structure above: ``keep_6_4`` (lists shown to case officers) hides the
8-digit birth date and keeps the address code and the last four characters, which tell two
applicants apart at a window; ``keep_1_1`` (logs, events, error messages) keeps only the first and
last characters. Errors never repeat a whole number: they show it masked with ``keep_1_1``.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from xietong.errors import Location, Problem
from xietong.services.enums import MaskRule
from xietong.services.errors import IdentityNumberError

#: ISO 7064 MOD 11-2 weights of positions 1–17 (left to right): 2^(18-i) mod 11
WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
#: check character for S mod 11 = 0..10 (GB 11643-1999 §5.4)
CHECK_CHARS = "10X98765432"
#: province-level codes of GB/T 2260 (the first two digits of an address code); 71 Taiwan, 81 Hong Kong, 82 Macao
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_SHAPE = re.compile(r"\d{17}[\dX]")


def check_character(first17: str) -> str:
    """The check character of the first 17 digits (ISO 7064 MOD 11-2, GB 11643-1999 §5.4)."""
    if not re.fullmatch(r"\d{17}", first17):
        raise IdentityNumberError(
            "the check character is computed from 17 digits",
            expected="17 digits",
            given=f"{len(first17)} characters",
            where=Location(field="identity_number"),
        )
    total = int(np.dot(np.frombuffer(first17.encode(), dtype=np.uint8).astype(np.int64) - 48, WEIGHTS))
    return CHECK_CHARS[total % 11]


def mask(number: str, rule: MaskRule | str = MaskRule.KEEP_6_4) -> str:
    """The number with its hidden characters replaced by ``*`` (see the module text for the rules)."""
    rule = MaskRule(rule)
    text = str(number).strip()
    keep_head, keep_tail = (6, 4) if rule is MaskRule.KEEP_6_4 else (1, 1)
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[-keep_tail:]


def mask_series(numbers: pd.Series, rule: MaskRule | str = MaskRule.KEEP_6_4) -> pd.Series:
    """:func:`mask` over a Series (missing values stay missing)."""
    rule = MaskRule(rule)
    return numbers.map(lambda v: v if pd.isna(v) else mask(str(v), rule))


def validate(numbers: pd.Series, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """Vectorised validation of identity numbers.

    Returns a frame on the same index: ``valid`` (bool), ``reason`` (``None`` when valid, else one of
    ``missing``, ``shape``, ``address_code``, ``birth_date``, ``check_character``), ``birth_date``
    (``datetime64``, NaT when invalid), ``sex`` (``"M"``/``"F"`` from the sequence code parity) and
    ``masked`` (``keep_6_4``). Lower-case ``x`` is accepted as ``X``. With ``as_of``, a birth date after
    it is invalid.
    """
    text = numbers.astype("string").str.strip().str.upper()
    n = len(text)
    # the first failing rule, in the order of _REASON_ORDER (0 = valid)
    code = np.zeros(n, dtype=np.int8)
    missing = text.isna().to_numpy(dtype=bool)
    shaped = text.str.fullmatch(_SHAPE.pattern).fillna(False).to_numpy(dtype=bool)
    code[~shaped] = 2
    code[missing] = 1

    good = np.flatnonzero(shaped)
    digits = np.zeros((n, 18), dtype=np.int64)
    if good.size:
        joined = "".join(text.to_numpy(dtype=object)[good]).replace("X", ":")  # ':' follows '9' in ASCII
        digits[good] = np.frombuffer(joined.encode(), dtype=np.uint8).reshape(-1, 18).astype(np.int64) - 48
    province = digits[:, 0] * 10 + digits[:, 1]
    known_province = np.isin(province, np.array(sorted(int(c) for c in PROVINCE_CODES)))
    code[(code == 0) & ~known_province] = 3

    birth = pd.to_datetime(
        text.str.slice(6, 14).where(pd.Series(shaped, index=text.index)), format="%Y%m%d", errors="coerce"
    )
    bad_birth = birth.isna().to_numpy(dtype=bool) | (birth.dt.year < 1800).fillna(False).to_numpy(dtype=bool)
    if as_of is not None:
        bad_birth |= (birth > pd.Timestamp(as_of)).fillna(False).to_numpy(dtype=bool)
    code[(code == 0) & bad_birth] = 4

    # the check value a_1 (X = 10) must be (12 - S mod 11) mod 11, S = Σ a_i·W_i over the first 17
    expected_check = (12 - (digits[:, :17] @ WEIGHTS) % 11) % 11
    code[(code == 0) & (digits[:, 17] != expected_check)] = 5

    valid = code == 0
    reason = np.array(_REASON_ORDER, dtype=object)[code]
    sex = np.where(digits[:, 16] % 2 == 1, "M", "F").astype(object)
    sex[~valid] = None
    return pd.DataFrame(
        {
            "valid": valid,
            "reason": pd.Series(reason, index=numbers.index, dtype=object),
            "birth_date": birth.where(pd.Series(valid, index=text.index)).to_numpy(),
            "sex": pd.Series(sex, index=numbers.index, dtype=object),
            "masked": mask_series(text),
        },
        index=numbers.index,
    )


_REASON_ORDER = (None, "missing", "shape", "address_code", "birth_date", "check_character")
_REASONS = {
    "missing": ("no identity number", "18 characters (GB 11643-1999)", "fill in the number"),
    "shape": ("not an 18-character identity number", "17 digits then a digit or X", "check its length and characters"),
    "address_code": (
        "the address code (characters 1–6) is not a province-level code of GB/T 2260",
        "a number starting with 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81 or 82",
        "check the first two digits",
    ),
    "birth_date": (
        "characters 7–14 are not a possible date of birth",
        "YYYYMMDD, a real day not in the future",
        "check the date of birth",
    ),
    "check_character": (
        "the check character (18th) does not match the first 17 (ISO 7064 MOD 11-2, GB 11643-1999 §5.4)",
        "the check character computed from the other 17",
        "one character was probably mistyped",
    ),
}


def problems(numbers: pd.Series, *, field: str = "identity_number", source: str | None = None) -> list[Problem]:
    """One :class:`Problem` per invalid number, naming the row and field; the number is shown masked."""
    result = validate(numbers)
    out: list[Problem] = []
    for pos, (ok, why) in enumerate(zip(result["valid"], result["reason"], strict=True)):
        if ok:
            continue
        message, expected, hint = _REASONS[str(why)]
        given = mask(str(numbers.iloc[pos]), MaskRule.KEEP_1_1) if why != "missing" else "nothing"
        out.append(
            Problem(
                f"{field}: {message}",
                Location(source=source, row=pos + 1, field=field),
                expected=expected,
                given=given,
                hint=hint,
                kind=IdentityNumberError,
            )
        )
    return out


def check(number: str, *, field: str = "identity_number", as_of: dt.date | None = None) -> str:
    """The number normalised (upper-case ``X``), or :class:`IdentityNumberError` saying why it is invalid."""
    result = validate(pd.Series([number], dtype=object), as_of=as_of)
    if bool(result["valid"].iloc[0]):
        return str(number).strip().upper()
    message, expected, hint = _REASONS[str(result["reason"].iloc[0])]
    raise IdentityNumberError(
        f"{field}: {message}",
        expected=expected,
        given=mask(str(number), MaskRule.KEEP_1_1) if number else "nothing",
        where=Location(field=field),
        hint=hint,
    )


__all__ = ["CHECK_CHARS", "WEIGHTS", "check", "check_character", "mask", "mask_series", "problems", "validate"]
