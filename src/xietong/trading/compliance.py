"""The compliance engine: status per installation-year, what is still owed, statements.

Vectorised over installation-years (one pandas/NumPy pass, no Python loop per row). Input: a long frame,
one row per installation and compliance year (:data:`INPUT_COLUMNS`); output: the same rows with the
market edition, trading period, deadline, cumulative balance, the amount still owed and the code.

Codes (EU Transaction Log legend, see ``docs/trading.md``): the letter is the status *at the deadline*
(30 April of year X+1 in the EU and the UK):

* C: verified emissions not entered by the deadline (``emissions_state = not_reported``, or
  ``entered_late``). 0 is an entered value; ``absent`` (no figure was due) counts as 0 t.
* No code for an ``excluded`` year, unless the market's ``[excluded_years]`` rule gives it the cumulative
  status (UK: only an operator excluded in every year so far is EXCLUDED).
* E: entered but not verified by the deadline (``unverified``).
* D: corrected by the competent authority after the deadline (``corrected_late``).
* A: balance ≥ 0, B: balance < 0, where the balance is the units surrendered minus the verified
  emissions, cumulated from the start of the trading period (``cumulative_period``; phase 3 carries a
  phase-2 deficit in, Regulation (EU) No 389/2013 Annex XIV [R]) or of the year alone (``per_year``).
* A trailing ``*`` when the data changed after the deadline (late entry, late surrender, correction).

The EUTL's wide tables hold final values only; without the ``*_late`` columns every value counts as known
at the deadline (see :mod:`xietong.trading.replay` for what this means for starred codes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError, Location
from xietong.trading import rules as market_rules
from xietong.trading.enums import ComplianceBasis, ComplianceCode, EmissionsState, ExcludedYears, UkStatus

#: columns of the engine's input (the first four are required)
INPUT_COLUMNS: tuple[str, ...] = (
    "installation",
    "year",
    "verified_t",  # verified emissions [t CO2e]; NaN when no number was entered
    "surrendered_t",  # units surrendered for the year [t CO2e]; NaN = 0
    "emissions_state",  # EmissionsState value; default: reported when verified_t is a number
    "surrendered_late_t",  # part of surrendered_t handed in after the deadline [t CO2e]
    "entered_late",  # verified emissions entered after the deadline
    "unverified",  # entered but not verified by the deadline
    "corrected_late",  # corrected by the competent authority after the deadline
    "first_year",  # first year of the obligation (earlier years: not applicable)
)


def _bool_col(frame: pd.DataFrame, name: str) -> npt.NDArray[np.bool_]:
    if name not in frame:
        return np.zeros(len(frame), dtype=bool)
    return np.asarray(frame[name].fillna(False).to_numpy(dtype=bool), dtype=bool)


def _float_col(frame: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    if name not in frame:
        return np.zeros(len(frame), dtype=np.float64)
    return np.asarray(pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan))


def _validate(frame: pd.DataFrame) -> None:
    missing = [c for c in INPUT_COLUMNS[:4] if c not in frame]
    if missing:
        raise InputError(
            "the installation-years frame lacks required columns",
            expected=", ".join(INPUT_COLUMNS[:4]),
            given=", ".join(map(str, frame.columns)),
            where=Location(field=missing[0]),
        )
    if frame.duplicated(["installation", "year"]).any():
        row = int(np.flatnonzero(frame.duplicated(["installation", "year"]).to_numpy())[0])
        raise InputError(
            "one installation-year appears twice",
            expected="one row per installation and year",
            given=f"{frame['installation'].iloc[row]} {frame['year'].iloc[row]}",
            where=Location(row=row + 1, field="year"),
        )
    for col in ("verified_t", "surrendered_t"):
        values = _float_col(frame, col)
        bad = np.flatnonzero(values < 0)
        if len(bad):
            raise InputError(
                f"negative {col}",
                expected="a quantity >= 0 [t CO2e]",
                given=str(values[bad[0]]),
                where=Location(row=int(bad[0]) + 1, field=col),
            )


def _states(frame: pd.DataFrame, verified: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    if "emissions_state" not in frame:
        return np.where(np.isnan(verified), EmissionsState.NOT_REPORTED.value, EmissionsState.REPORTED.value).astype(
            object
        )
    states = frame["emissions_state"].astype(object).to_numpy()
    known = {s.value for s in EmissionsState}
    filled = np.where(
        pd.isna(states),
        np.where(np.isnan(verified), EmissionsState.NOT_REPORTED.value, EmissionsState.REPORTED.value),
        states,
    )
    bad = np.flatnonzero(~np.isin(filled.astype(str), list(known)))
    if len(bad):
        raise InputError(
            "unknown emissions state",
            expected=", ".join(sorted(known)),
            given=repr(filled[bad[0]]),
            where=Location(row=int(bad[0]) + 1, field="emissions_state"),
        )
    return np.asarray(filled, dtype=object)


def _group_cumsum(keys: Sequence[npt.ArrayLike], values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cumulative sum of ``values`` within runs of equal keys (rows already sorted by the keys)."""
    n = len(values)
    if n == 0:
        return values.copy()
    start = np.zeros(n, dtype=bool)
    start[0] = True
    for k in keys:
        arr = np.asarray(k)
        start[1:] |= arr[1:] != arr[:-1]
    total = np.cumsum(values)
    offset = np.where(start, total - values, np.nan)
    offset = pd.Series(offset).ffill().to_numpy()
    return np.asarray(total - offset)


def _carry_in(
    inst: npt.NDArray[np.object_],
    period: npt.NDArray[np.object_],
    balance: npt.NDArray[np.float64],
    carry_from: npt.NDArray[np.object_],
) -> npt.NDArray[np.float64]:
    """Per row: the deficit (≤ 0) left by the same installation at the end of ``carry_from`` (0 if none)."""
    rows = np.flatnonzero(pd.notna(carry_from))
    if len(rows) == 0:
        return np.zeros(len(balance))
    ends = (
        pd.DataFrame({"inst": inst, "period": period, "balance": balance})
        .groupby(["inst", "period"], sort=False)["balance"]
        .last()
    )
    ends = ends.clip(upper=0.0)
    idx = pd.MultiIndex.from_arrays([inst[rows], carry_from[rows]])
    out = np.zeros(len(balance))
    out[rows] = ends.reindex(idx).fillna(0.0).to_numpy()
    return out


def _rule_arrays(
    market: str, years: npt.NDArray[np.int64], include_unconfirmed: bool
) -> dict[str, npt.NDArray[np.object_]]:
    """Per row: edition, period, deadline, basis and carried period, from the editions in force."""
    editions, period = market_rules.period_of(market, years, include_unconfirmed=include_unconfirmed)
    n = len(years)
    out: dict[str, npt.NDArray[np.object_]] = {
        "edition": editions,
        "period": period,
        "deadline": np.full(n, np.datetime64("NaT", "D")),
        "basis": np.full(n, None, dtype=object),
        "carry_from": np.full(n, None, dtype=object),
        "excluded_years": np.full(n, ExcludedYears.NO_STATUS.value, dtype=object),
    }
    for ed in np.unique(editions.astype(str)):
        r = market_rules.load(market, ed, include_unconfirmed=include_unconfirmed)
        if not r.periods:
            raise r.missing("trading period")
        sel = editions == ed
        out["deadline"][sel] = r.require_deadline().for_years(years[sel])
        basis = r.require_basis()
        out["basis"][sel] = basis.basis.value
        out["excluded_years"][sel] = basis.excluded_years.value
        if basis.carry_deficit_from:
            out["carry_from"][sel] = basis.carry_deficit_from[-1]
    return out


def compliance_status(
    installation_years: pd.DataFrame,
    market: str,
    *,
    include_unconfirmed: bool = True,
) -> pd.DataFrame:
    """Compute the compliance code of every installation-year under the rules of ``market``.

    Parameters
    ----------
    installation_years:
        One row per installation and year: ``installation``, ``year``, ``verified_t`` [t CO2e],
        ``surrendered_t`` [t CO2e] and the optional columns of :data:`INPUT_COLUMNS`.
    market:
        A market of :func:`xietong.trading.rules.markets`; each year uses the edition in force on 1 January.
    include_unconfirmed:
        Use rule rows tagged ``confirmed = false`` (default); with ``False`` a missing deadline or basis
        raises an :class:`InputError` naming it.

    Returns
    -------
    The rows sorted by installation and year, with ``edition``, ``period``, ``deadline``,
    ``balance_t`` (final cumulative balance [t CO2e]), ``balance_at_deadline_t``, ``owed_t`` (units still
    owed, ≥ 0), ``code`` (:class:`ComplianceCode` value, or ``None`` when excluded, not applicable or
    outside every trading period) and ``reason`` (why there is no code).
    """
    _validate(installation_years)
    f = installation_years.sort_values(["installation", "year"], kind="stable").reset_index(drop=True)
    years = f["year"].to_numpy(np.int64)
    verified = _float_col(f, "verified_t")
    states = _states(f, verified)
    surrendered = np.nan_to_num(_float_col(f, "surrendered_t"))
    late_surrendered = np.nan_to_num(_float_col(f, "surrendered_late_t"))
    entered_late = _bool_col(f, "entered_late")
    excluded = states == EmissionsState.EXCLUDED.value
    reported = states == EmissionsState.REPORTED.value
    not_reported = states == EmissionsState.NOT_REPORTED.value
    obligation = np.where(reported, np.nan_to_num(verified), 0.0)

    r = _rule_arrays(market, years, include_unconfirmed)
    inst = f["installation"].to_numpy(object)
    period = r["period"]
    cumulative = r["basis"] == ComplianceBasis.CUMULATIVE_PERIOD.value
    net = surrendered - obligation
    cum_net = _group_cumsum([inst, period.astype(str)], net)
    balance = np.where(cumulative, cum_net, net)
    balance = balance + np.where(cumulative, _carry_in(inst, period, balance, r["carry_from"]), 0.0)
    at_deadline = balance - late_surrendered + np.where(entered_late, obligation, 0.0)

    not_applicable = years < _float_col(f, "first_year") if "first_year" in f else np.zeros(len(f), bool)
    outside = pd.isna(period)
    letter = np.where(at_deadline >= 0, "A", "B").astype(object)
    letter = np.where(_bool_col(f, "corrected_late"), "D", letter)
    letter = np.where(_bool_col(f, "unverified"), "E", letter)
    letter = np.where(not_reported | entered_late, "C", letter)
    changed = entered_late | _bool_col(f, "corrected_late") | (late_surrendered > 0)
    code = np.where(changed, letter + "*", letter).astype(object)
    reason = np.full(len(f), None, dtype=object)
    reason[outside] = "outside every trading period"
    reason[not_applicable] = "before the first year of the obligation"
    # an excluded year has no status, unless the rules give it the cumulative status (then only an
    # installation excluded in every year so far is 'excluded')
    ever_obliged = _group_cumsum([inst], (~excluded).astype(np.float64)) > 0
    cumulative_excluded = r["excluded_years"] == ExcludedYears.CUMULATIVE.value
    reason[excluded & ~(cumulative_excluded & ever_obliged)] = "excluded"
    code[pd.notna(reason)] = None

    out = f.copy()
    out["edition"] = r["edition"]
    out["period"] = period
    out["deadline"] = r["deadline"].astype("datetime64[D]")
    out["balance_t"] = balance
    out["balance_at_deadline_t"] = at_deadline
    out["owed_t"] = np.clip(-balance, 0.0, None)
    out["code"] = code
    out["reason"] = reason
    return out


def uk_status(result: pd.DataFrame) -> pd.Series:
    """The UK ETS 'Static surrender status' of each row of :func:`compliance_status`: A/B/C as the letter,
    ``EXCLUDED`` for excluded years, ``NOT_APPLICABLE`` before the first year, else missing."""
    letter = result["code"].astype(object).str[0]
    status = letter.where(letter.isin(["A", "B", "C"]))
    status = status.mask(result["reason"] == "excluded", UkStatus.EXCLUDED.value)
    status = status.mask(result["reason"] == "before the first year of the obligation", UkStatus.NOT_APPLICABLE.value)
    return status.rename("uk_status")


def statement(result: pd.DataFrame, by: str | Sequence[str] = "installation") -> pd.DataFrame:
    """Per installation (or any column(s) such as ``country``) and trading period: verified and surrendered
    totals [t CO2e], the final balance, what is still owed, and the count of each code.

    ``owed_t`` of an installation is the deficit at its last year in the period; for a group of
    installations it is the sum of theirs.
    """
    keys = [by] if isinstance(by, str) else list(by)
    last = result.sort_values("year", kind="stable").groupby(["installation", "period"], sort=False).tail(1)
    owed = last.groupby([*keys, "period"])["owed_t"].sum()
    g = result.groupby([*keys, "period"])
    out = pd.DataFrame(
        {
            "first_year": g["year"].min(),
            "last_year": g["year"].max(),
            "verified_t": g["verified_t"].sum(min_count=1),
            "surrendered_t": g["surrendered_t"].sum(min_count=1),
        }
    )
    out["owed_t"] = owed.reindex(out.index).fillna(0.0)
    codes = result.assign(code=result["code"].fillna("none")).pivot_table(
        index=[*keys, "period"], columns="code", values="year", aggfunc="count", fill_value=0
    )
    codes.columns = [f"n_{c}" for c in codes.columns]
    out = out.join(codes)
    letters = result["code"].dropna().str[0]
    on_time = (
        (letters == "A")
        .groupby([result.loc[letters.index, k] for k in keys] + [result.loc[letters.index, "period"]])
        .mean()
    )
    out["share_compliant"] = on_time.reindex(out.index)
    return out.reset_index()


__all__ = ["INPUT_COLUMNS", "ComplianceCode", "compliance_status", "statement", "uk_status"]
