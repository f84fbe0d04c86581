"""Interest sharing between the origin and the destination of a relocated enterprise, and between the
partners of a co-built park.

Taxes (rule ``tax_sharing``, edition ``jjj-2015``: 财预〔2015〕92号, as quoted by 新华社 and 中新社 on
2015-06-24/25; see ``data/rules/tax_sharing_jjj-2015.toml``):

1. *Which taxes*: the local part of VAT, corporate income tax and business tax (“三税”). The local part
   of each tax is itself a rule (``local_share``: VAT 25 % until 2016-04-30 and 50 % from 2016-05-01;
   corporate income tax 40 % from 2004; business tax 100 % until it was replaced by VAT on 2016-05-01).
2. *Who*: enterprises whose move the origin government led and that paid on average at least
   20 million CNY of 三税 a year in the 3 years before the move; free market moves are not shared.
3. *Split*: 50 % origin, 50 % destination of the 三税 paid after the registration change and reaching
   production.
4. *Cap*: the origin's cumulative share never passes the 三税 paid in the 3 years before the move.
5. *End*: after 3 years; if the cap is not reached by then, 2 more years; then the origin no longer
   shares (the central budget pays it a one-off subsidy, not computed here).

Xietong counts sharing years in calendar years, the start year being year 1 (an interpretation, tagged
``confirmed = false`` in the rule file). Within a year the origin's share is capped as a whole and the
remainder split between the taxes in proportion to what each would have given.

Input frames:

``enterprises``: ``enterprise, origin, destination, start_year, pre_move_local_cny, government_led``
    (``pre_move_local_cny`` = local part of the 三税 paid in the 3 years before the move [CNY]).
``taxes``: ``enterprise, year, tax, paid_cny`` and optionally ``date`` (the day the local-share edition
    is chosen by; default 31 December of ``year``; give a year that straddles 2016-05-01 as two rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from xietong.errors import InputError, Location, Problem
from xietong.industry import rules
from xietong.industry.enums import Side, Tax

ENTERPRISE_COLUMNS = ("enterprise", "origin", "destination", "start_year", "pre_move_local_cny", "government_led")
TAX_COLUMNS = ("enterprise", "year", "tax", "paid_cny")


@dataclass(slots=True)
class SharingResult:
    """Per enterprise, year and tax: each side's amount [CNY] and why; plus the rule rows used unconfirmed."""

    detail: pd.DataFrame
    edition: str
    unconfirmed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def statement(self) -> pd.DataFrame:
        """One row per jurisdiction and year: ``jurisdiction, year, side, vat_cny, cit_cny,
        business_tax_cny, total_cny`` — what each jurisdiction receives of the shared taxes."""
        d = self.detail
        rows = pd.concat(
            [
                d.assign(jurisdiction=d["origin"], side=Side.ORIGIN.value, amount=d["origin_cny"]),
                d.assign(jurisdiction=d["destination"], side=Side.DESTINATION.value, amount=d["destination_cny"]),
            ]
        )
        table = rows.pivot_table(
            index=["jurisdiction", "year", "side"], columns="tax", values="amount", aggfunc="sum", fill_value=0.0
        )
        table = table.reindex(columns=[t.value for t in Tax], fill_value=0.0)
        table.columns = [f"{c}_cny" for c in table.columns]
        table["total_cny"] = table.sum(axis=1)
        return table.reset_index()


def _int(value: Any) -> int:
    """An integer cell (row numbers) whatever pandas typed it as."""
    return int(str(value))


def _local_shares(taxes: pd.DataFrame, problems: list[Problem], source: str | None) -> tuple[np.ndarray, list[str]]:
    """Local share of each row's tax under the ``local_share`` edition in force on its date."""
    out = np.full(len(taxes), np.nan)
    used_unconfirmed: set[str] = set()
    for i, (tax, day, row) in enumerate(zip(taxes["tax"], taxes["date"], taxes["row"], strict=True)):
        edition = rules.in_force("local_share", day)
        spec = rules.load("local_share", edition)["tax"][tax]
        if spec.get("abolished"):
            problems.append(
                Problem(
                    f"{tax} did not exist on {day.isoformat()}",
                    Location(source, int(row), "tax"),
                    expected="vat or cit for amounts after 2016-04-30 (business tax was replaced by VAT)",
                    given=tax,
                )
            )
            continue
        out[i] = spec["local_share"]
        if spec.get("confirmed") is False:
            used_unconfirmed.add(f"local_share_{edition}.tax.{tax}")
    return out, sorted(used_unconfirmed)


def _check(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing columns in the {name} table",
            expected=", ".join(columns),
            given=", ".join(map(str, frame.columns)),
        )


def _prepare_taxes(
    taxes: pd.DataFrame, enterprises: pd.DataFrame, source: str | None
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    t = taxes.reset_index(drop=True).copy()
    if "row" not in t.columns:
        t["row"] = np.arange(2, len(t) + 2)
    valid_taxes = {x.value for x in Tax}
    bad_tax = ~t["tax"].isin(valid_taxes)
    unknown = ~t["enterprise"].isin(enterprises["enterprise"])
    paid = pd.to_numeric(t["paid_cny"], errors="coerce")
    for i in t.index[bad_tax]:
        problems.append(
            Problem(
                "unknown tax",
                Location(source, _int(t.at[i, "row"]), "tax"),
                ", ".join(sorted(valid_taxes)),
                repr(t.at[i, "tax"]),
            )
        )
    for i in t.index[unknown]:
        problems.append(
            Problem(
                "tax row of an enterprise not in the enterprise table",
                Location(source, _int(t.at[i, "row"]), "enterprise"),
                "an enterprise of the enterprise table",
                repr(t.at[i, "enterprise"]),
            )
        )
    for i in t.index[paid.isna() | (paid < 0)]:
        problems.append(
            Problem(
                "tax paid must be a number ≥ 0",
                Location(source, _int(t.at[i, "row"]), "paid_cny"),
                "≥ 0 CNY",
                repr(t.at[i, "paid_cny"]),
            )
        )
    t["paid_cny"] = paid
    if "date" in t.columns:
        t["date"] = [d if isinstance(d, date) else pd.Timestamp(d).date() for d in t["date"]]
    else:
        t["date"] = [date(int(y), 12, 31) for y in t["year"]]
    keep = ~(bad_tax | unknown | paid.isna() | (paid < 0))
    return t[keep].reset_index(drop=True), problems


def _allocate(d: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """The vectorised core: window, cap and split per enterprise and year."""
    years, ext = int(spec["period"]["years"]), int(spec["period"]["extension_years"])
    origin_frac = float(spec["split"]["origin"])
    k = (d["year"] - d["start_year"] + 1).to_numpy()
    in_main = (k >= 1) & (k <= years)
    in_ext = (k > years) & (k <= years + ext)
    eligible = d["eligible"].to_numpy(dtype=bool)
    desired = np.where(eligible & (in_main | in_ext), origin_frac * d["local_cny"].to_numpy(), 0.0)
    # the extension applies only when the cap is not reached by the end of the first period
    main_total = pd.Series(np.where(in_main, desired, 0.0)).groupby(d["enterprise"]).transform("sum").to_numpy()
    reached_in_main = main_total >= d["cap_cny"].to_numpy()
    if spec["period"].get("extension_if_cap_not_reached", True):
        desired = np.where(in_ext & reached_in_main, 0.0, desired)
    per_year = (
        pd.DataFrame({"enterprise": d["enterprise"], "year": d["year"], "desired": desired, "cap": d["cap_cny"]})
        .groupby(["enterprise", "year"], sort=True)
        .agg(desired=("desired", "sum"), cap=("cap", "first"))
    )
    cum_granted = per_year["desired"].groupby(level=0).cumsum().clip(upper=per_year["cap"])
    per_year["granted"] = cum_granted - cum_granted.groupby(level=0).shift(fill_value=0.0)
    per_year["cumulative"] = cum_granted
    keys = pd.MultiIndex.from_arrays([d["enterprise"], d["year"]])
    year_desired = per_year["desired"].reindex(keys).to_numpy()
    year_granted = per_year["granted"].reindex(keys).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(year_desired > 0, year_granted / year_desired, 0.0)
    d["sharing_year"] = k
    d["origin_cny"] = desired * factor
    d["destination_cny"] = d["local_cny"] - d["origin_cny"]
    d["origin_cumulative_cny"] = per_year["cumulative"].reindex(keys).to_numpy()
    d["basis"] = _basis(d, in_main, in_ext, reached_in_main, desired, factor)
    return d


def _basis(
    d: pd.DataFrame,
    in_main: np.ndarray,
    in_ext: np.ndarray,
    reached: np.ndarray,
    desired: np.ndarray,
    factor: np.ndarray,
) -> np.ndarray:
    """Why each row is split as it is, in words."""
    conditions = [
        ~d["government_led"].to_numpy(dtype=bool),
        ~d["eligible"].to_numpy(dtype=bool),
        d["sharing_year"].to_numpy() < 1,
        ~(in_main | in_ext),
        in_ext & reached,
        (desired > 0) & (factor < 1.0) & (factor > 0),
        (desired > 0) & (factor == 0.0),
        in_ext,
    ]
    choices = [
        "not shared: a free market move (not led by the origin government)",
        "not shared: average 三税 before the move below the threshold",
        "not shared: before the sharing start",
        "not shared: sharing period over",
        "not shared: cap reached in the first period, no extension",
        "shared until the cap was reached this year",
        "not shared: cap already reached",
        "shared: extension years (cap not reached in the first period)",
    ]
    return np.select(conditions, choices, default="shared: first period")


def share_taxes(
    enterprises: pd.DataFrame,
    taxes: pd.DataFrame,
    *,
    edition: str = "auto",
    strict: bool = False,
    source: str | None = None,
) -> SharingResult:
    """Each side's share of each tax, per enterprise and year, under the Jing-Jin-Ji rule.

    ``edition="auto"`` takes the edition in force on 1 January of each enterprise's start year (one for
    all, the latest needed). With ``strict=True`` rule rows tagged ``confirmed = false`` are refused
    (:class:`InputError`); otherwise they are used and listed in :attr:`SharingResult.unconfirmed`.
    Rows with problems (unknown tax or enterprise, negative amounts, business tax after 2016-04-30) are
    left out and returned as problems.
    """
    _check(enterprises, ENTERPRISE_COLUMNS, "enterprise")
    _check(taxes, TAX_COLUMNS, "tax")
    if edition == "auto":
        first_year = pd.to_numeric(enterprises["start_year"], errors="coerce").max()
        if pd.isna(first_year):
            raise InputError(
                "no enterprise with a start year", expected="at least one enterprise row with start_year",
                given=f"{len(enterprises)} enterprise row(s)", where=Location(source),
            )  # fmt: skip
        edition = rules.in_force("tax_sharing", date(int(first_year), 12, 31))
    spec = rules.load("tax_sharing", edition)
    t, problems = _prepare_taxes(taxes, enterprises, source)
    local, used = _local_shares(t, problems, source)
    used = rules.unconfirmed(spec, prefix=f"tax_sharing_{edition}.") + used
    if strict and used:
        raise InputError(
            "the computation needs rule rows that are not confirmed",
            expected="confirmed rows only (strict=True)",
            given=", ".join(used),
            hint="confirm the rows in the rule files or run without strict",
        )
    t = t.assign(local_share=local, local_cny=t["paid_cny"] * local)[np.isfinite(local)]
    e = enterprises.assign(
        government_led=enterprises["government_led"].astype(bool),
        cap_cny=enterprises["pre_move_local_cny"].astype("float64"),
    )
    threshold = float(spec["eligibility"]["min_avg_annual_cny"]) * int(spec["eligibility"]["years_before"])
    e["eligible"] = e["government_led"] & (e["cap_cny"] >= threshold)
    d = t.merge(
        e[["enterprise", "origin", "destination", "start_year", "cap_cny", "government_led", "eligible"]],
        on="enterprise",
    )
    d = d.sort_values(["enterprise", "year", "tax"], kind="stable").reset_index(drop=True)
    d = _allocate(d, spec)
    columns = [
        "enterprise", "origin", "destination", "year", "tax", "paid_cny", "local_share", "local_cny",
        "sharing_year", "origin_cny", "destination_cny", "origin_cumulative_cny", "cap_cny", "basis",
    ]  # fmt: skip
    return SharingResult(d[columns], edition, used, problems)


def split_output(
    output_cny: float, fractions: Mapping[str, float], *, location: str, tolerance: float = 1e-9
) -> dict[str, float]:
    """Split a co-built park's output [CNY] between partners by their agreed fractions.

    Rule ``output_split`` (``agreed-2017``, partly unconfirmed): the partners agree the fractions, which
    must add up to 1; without an agreement (empty ``fractions``) all output counts in ``location``, the
    jurisdiction where the park lies.
    """
    if not fractions:
        return {location: float(output_cny)}
    total = sum(fractions.values())
    if abs(total - 1.0) > tolerance or any(f < 0 for f in fractions.values()):
        raise InputError(
            "the agreed output fractions of a co-built park must be ≥ 0 and add up to 1",
            expected="fractions adding up to 1",
            given=f"{dict(fractions)} (sum {total:.6g})",
        )
    return {j: float(output_cny) * f for j, f in fractions.items()}


__all__ = ["ENTERPRISE_COLUMNS", "TAX_COLUMNS", "SharingResult", "share_taxes", "split_output"]
