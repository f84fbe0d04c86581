"""Replay of real registries: run the compliance engine on published tables, compare with published codes.

``replay_eutl`` takes the EUTL wide tables (:func:`xietong.trading.formats.read_eutl`), runs
:func:`~xietong.trading.compliance.compliance_status` under the EU ETS rules (phase by year) and compares
the computed letter with the published A/B code (a starred code compares by its letter). ``replay_uk_ets``
does the same for one year of the UK ETS compliance report, whose surrenders are cumulative at the
report's date. :func:`mismatch_markdown` writes the mismatch report (like ``water classify``'s).

The published tables hold *final* values (the EUTL scrape of April 2021; the UK report of June 2025), not
the values known at each deadline; every mismatch is put in a class that says why (``mismatch_class``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xietong.errors import InputError, Problem
from xietong.trading.compliance import compliance_status, uk_status
from xietong.trading.formats import RegistryTables

#: mismatch classes, in the order they are tested (first match wins)
MISMATCH_CLASSES: dict[str, str] = {
    "changed_after_deadline": "published code starred: the data changed after the deadline, the tables hold only final values",
    "no_verified_emissions": "no verified emissions in the tables for that year",
    "after_starred_year": "an earlier year of the period has a starred code: its data changed after that deadline, so the cumulative balance known at this year's deadline differed from the final one",
    "earlier_years_without_code": "earlier years of the period carry verified emissions but neither a code nor a surrender (no obligation shown for them), and they enter the cumulative balance",
    "deficit_carried": "the balance is negative only through a deficit carried from an earlier year of the period",
    "surplus_carried": "the year alone is short, an earlier surplus of the period covers it",
    "other": "not explained by the classes above",
}


@dataclass(slots=True)
class ReplayReport:
    """Computed vs published codes. ``agreement`` = agreeing / compared (None when nothing compared)."""

    format: str
    market: str
    compared: int
    agreeing: int
    by_year: dict[int, float | None]
    by_published: dict[str, dict[str, int]]
    mismatches: pd.DataFrame
    not_compared: dict[str, int]
    include_unconfirmed: bool
    problems: list[Problem] = field(default_factory=list)
    years: tuple[int, int] | None = None
    other_statuses: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

    def as_dict(self, *, max_mismatches: int | None = None) -> dict[str, Any]:
        """JSON-ready: the keys the acceptance checks read, plus the details."""
        mism = self.mismatches if max_mismatches is None else self.mismatches.head(max_mismatches)
        return {
            "format": self.format,
            "market": self.market,
            "years": list(self.years) if self.years else None,
            "compared": self.compared,
            "agreeing": self.agreeing,
            "agreement": self.agreement,
            "by_year": {str(y): a for y, a in sorted(self.by_year.items())},
            "by_published": self.by_published,
            "mismatch_classes": self.mismatches["mismatch_class"].value_counts().to_dict()
            if len(self.mismatches)
            else {},
            "mismatches": _records(mism),
            "not_compared": self.not_compared,
            "other_statuses": self.other_statuses,
            "include_unconfirmed": self.include_unconfirmed,
            "problems": [p.as_dict() for p in self.problems[:100]],
            "n_problems": len(self.problems),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(pd.notna(frame), None)
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in out.to_dict("records")
    ]


def _classify_mismatches(rows: pd.DataFrame) -> pd.Series:
    """Vectorised mismatch classes (first matching rule of :data:`MISMATCH_CLASSES`)."""
    net = rows["surrendered_t"].fillna(0) - rows["verified_t"].fillna(0)
    flags = [
        rows[c].fillna(False).to_numpy(dtype=bool) if c in rows else np.zeros(len(rows), bool)
        for c in ("after_starred_year", "earlier_years_without_code")
    ]
    conditions = [
        rows["published_code"].astype(str).str.endswith("*").to_numpy(),
        rows["verified_t"].isna().to_numpy(),
        flags[0],
        flags[1],
        ((rows["computed_letter"] == "B") & (net >= 0)).to_numpy(),
        ((rows["computed_letter"] == "A") & (net < 0)).to_numpy(),
    ]
    names = list(MISMATCH_CLASSES)
    return pd.Series(np.select(conditions, names[:-1], default=names[-1]), index=rows.index)


def _history_flags(result: pd.DataFrame, published: pd.Series) -> pd.DataFrame:
    """Diagnostics per row (for the mismatch classes, never for the computation): does an earlier year of
    the same installation and period have a starred code, or verified emissions without code or surrender?"""
    keys = [result["installation"], result["period"].astype(str)]
    starred = published.astype(str).str.endswith("*").astype(np.int64)
    uncoded = (
        published.isna() & (result["verified_t"].fillna(0) > 0) & (result["surrendered_t"].fillna(0) == 0)
    ).astype(np.int64)
    out = pd.DataFrame(index=result.index)
    for name, flag in (("after_starred_year", starred), ("earlier_years_without_code", uncoded)):
        earlier = flag.groupby(keys).cumsum() - flag
        out[name] = (earlier > 0).to_numpy()
    return out


def _crosstab(published: pd.Series, computed: pd.Series) -> dict[str, dict[str, int]]:
    """published → computed → count (computed ``none`` when there is no code)."""
    frame = pd.DataFrame({"p": published.astype(str).to_numpy(), "c": computed.fillna("none").astype(str).to_numpy()})
    out: dict[str, dict[str, int]] = {}
    for rec in frame.groupby(["p", "c"]).size().reset_index(name="n").to_dict("records"):
        out.setdefault(str(rec["p"]), {})[str(rec["c"])] = int(rec["n"])
    return out


def _compare(
    result: pd.DataFrame, published: pd.Series, compare_mask: np.ndarray
) -> tuple[pd.DataFrame, dict[int, float | None], dict[str, dict[str, int]]]:
    letters = result["code"].astype(object).str[0]
    pub_letter = published.astype(object).str[0]
    cmp = result.loc[compare_mask].assign(published_code=published[compare_mask], computed_letter=letters[compare_mask])
    cmp["agrees"] = (pub_letter[compare_mask] == cmp["computed_letter"]).to_numpy()
    by_year = cmp.groupby("year")["agrees"].mean()
    by_published = _crosstab(cmp["published_code"], cmp["code"])
    years = by_year.index.to_numpy(np.int64)
    return cmp, dict(zip(years.tolist(), by_year.to_numpy(np.float64).tolist(), strict=True)), by_published


def _mismatch_frame(cmp: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    mism = cmp.loc[~cmp["agrees"]].copy()
    mism["mismatch_class"] = _classify_mismatches(mism)
    cols = [
        "installation",
        "year",
        "published_code",
        "code",
        "verified_t",
        "surrendered_t",
        "balance_t",
        "period",
        "mismatch_class",
        *extra,
    ]
    return mism[[c for c in cols if c in mism]].rename(columns={"code": "computed_code"}).reset_index(drop=True)


def _require_years(tables: RegistryTables, first: int, last: int, *, options: tuple[str, str]) -> None:
    """Refuse a reversed period, or one holding none of the tables' years: the replay would compare nothing
    and report '0 of 0' as if it had run."""
    span = f"{options[0]} {first}" if first == last else f"{options[0]} {first}, {options[1]} {last}"
    if last < first:
        raise InputError(
            f"{options[0]}/{options[1]}: the period is reversed",
            expected=f"{options[1]} on or after {options[0]}",
            given=span,
            hint="swap the two",
        )
    held = pd.to_numeric(tables.installation_years["year"], errors="coerce").dropna()
    if not held.between(first, last).any():
        known = f"{int(held.min())}–{int(held.max())}" if len(held) else "no years"
        raise InputError(
            "the registry tables hold no installation-year in the period asked for",
            expected=f"a year the tables hold ({known})",
            given=span,
            hint=f"pick years within {known}",
        )


def replay_eutl(
    tables: RegistryTables,
    *,
    first_year: int = 2005,
    last_year: int = 2019,
    include_unconfirmed: bool = True,
) -> ReplayReport:
    """Replay the EUTL tables under the EU ETS rules and compare with the published A/B codes.

    Every installation-year with a value in any table enters the engine (so cumulative balances see the
    whole period); the comparison covers ``first_year..last_year`` rows whose published code is A or B
    (starred or not). Other published codes (C, D, E) are counted in ``other_statuses``.
    """
    _require_years(tables, first_year, last_year, options=("--first-year", "--last-year"))
    years = tables.installation_years.copy()
    inst = tables.installations.dropna(subset=["account_id"]).drop_duplicates("account_id").set_index("account_id")
    years["country"] = years["installation"].map(inst["country"]) if "country" in inst else None
    result = compliance_status(
        years.drop(columns=["published_code"]), "eu_ets", include_unconfirmed=include_unconfirmed
    )
    published = (
        years.set_index(["installation", "year"])["published_code"]
        .reindex(pd.MultiIndex.from_frame(result[["installation", "year"]]))
        .reset_index(drop=True)
    )
    result = result.join(_history_flags(result, published))
    in_years = result["year"].between(first_year, last_year).to_numpy()
    has_ab = published.astype(object).str[0].isin(["A", "B"]).to_numpy()
    cmp, by_year, by_published = _compare(result, published, in_years & has_ab)
    other = in_years & published.notna().to_numpy() & ~has_ab
    other_statuses = _crosstab(published[other], result.loc[other, "code"])
    not_compared = {
        "outside the years": int((~in_years).sum()),
        "no published code": int((in_years & published.isna().to_numpy()).sum()),
        "published C, D or E": int(other.sum()),
    }
    return ReplayReport(
        format="eutl",
        market="eu_ets",
        compared=len(cmp),
        agreeing=int(cmp["agrees"].sum()),
        by_year=by_year,
        by_published=by_published,
        mismatches=_mismatch_frame(cmp, ["country"]),
        not_compared=not_compared,
        include_unconfirmed=include_unconfirmed,
        problems=list(tables.problems),
        years=(first_year, last_year),
        other_statuses=other_statuses,
    )


def replay_uk_ets(tables: RegistryTables, *, year: int, include_unconfirmed: bool = True) -> ReplayReport:
    """Replay one year of the UK ETS compliance report and compare with its A/B statuses.

    The report gives surrenders only as a cumulative total at its date (after the deadline for ``year``):
    they enter the engine as surrendered for ``year``, so the balance at ``year`` is cumulative surrenders
    minus cumulative recorded emissions 2021..``year``. Earlier years cannot be replayed from the report.
    """
    _require_years(tables, year, year, options=("--year", "--year"))
    acc = tables.installations.set_index("installation")
    rows = tables.installation_years.loc[tables.installation_years["year"] <= year].copy()
    rows["surrendered_t"] = np.where(
        rows["year"] == year, rows["installation"].map(acc["cumulative_surrenders_t"]), 0.0
    )
    result = compliance_status(
        rows.drop(columns=["published_status"]), "uk_ets", include_unconfirmed=include_unconfirmed
    )
    published = (
        rows.set_index(["installation", "year"])["published_status"]
        .reindex(pd.MultiIndex.from_frame(result[["installation", "year"]]))
        .reset_index(drop=True)
    )
    result["uk_status"] = uk_status(result)
    in_year = (result["year"] == year).to_numpy()
    has_ab = published.isin(["A", "B"]).to_numpy()
    cmp, by_year, by_published = _compare(result, published, in_year & has_ab)
    other = in_year & published.notna().to_numpy() & ~has_ab
    other_statuses = _crosstab(published[other], result.loc[other, "uk_status"])
    return ReplayReport(
        format="uk-ets",
        market="uk_ets",
        compared=len(cmp),
        agreeing=int(cmp["agrees"].sum()),
        by_year=by_year,
        by_published=by_published,
        mismatches=_mismatch_frame(cmp, ["uk_status"]),
        not_compared={
            "no published status": int((in_year & published.isna().to_numpy()).sum()),
            "published C, EXCLUDED or NOT_APPLICABLE": int(other.sum()),
        },
        include_unconfirmed=include_unconfirmed,
        problems=list(tables.problems),
        years=(year, year),
        other_statuses=other_statuses,
    )


def _md_table(frame: pd.DataFrame) -> list[str]:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        lines.append(
            "| " + " | ".join("" if pd.isna(v) else f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row) + " |"
        )
    return lines


def mismatch_markdown(report: ReplayReport, *, title: str | None = None, max_rows: int = 200) -> str:
    """The mismatch report as Markdown: totals, agreement by year, classes with their meaning, rows."""
    pct = f"{report.agreement:.2%}" if report.agreement is not None else "n/a"
    lines = [
        f"# {title or f'Compliance replay: {report.format}'}",
        "",
        f"Market rules: `{report.market}` (unconfirmed rows {'included' if report.include_unconfirmed else 'switched off'}); years {report.years}.",
        "",
        f"Compared **{report.compared}** installation-years with a published A/B code; **{report.agreeing}** agree ({pct}).",
        "",
        "## Agreement by year",
        "",
        "| year | agreement |",
        "|---|---|",
        *[f"| {y} | {a:.2%} |" for y, a in sorted(report.by_year.items()) if a is not None],
        "",
        "## Published code → computed code",
        "",
        "| published | computed | n |",
        "|---|---|---|",
        *[f"| {p} | {c} | {n} |" for p, d in sorted(report.by_published.items()) for c, n in sorted(d.items())],
    ]
    if report.other_statuses:
        lines += ["", "Other published statuses (not compared):", "", "| published | computed | n |", "|---|---|---|"]
        lines += [
            f"| {p} | {c} | {n} |" for p, d in sorted(report.other_statuses.items()) for c, n in sorted(d.items())
        ]
    lines += ["", "## Mismatch classes", "", "| class | n | meaning |", "|---|---|---|"]
    counts = report.mismatches["mismatch_class"].value_counts() if len(report.mismatches) else pd.Series(dtype=int)
    lines += [f"| {k} | {int(counts.get(k, 0))} | {v} |" for k, v in MISMATCH_CLASSES.items()]
    lines += [
        "",
        f"## Mismatching rows ({len(report.mismatches)}{f', first {max_rows}' if len(report.mismatches) > max_rows else ''})",
        "",
    ]
    lines += _md_table(report.mismatches.head(max_rows)) if len(report.mismatches) else ["None."]
    if report.problems:
        lines += ["", f"## Input problems ({len(report.problems)})", ""]
        lines += [f"- {p.describe()}" for p in report.problems[:50]]
    return "\n".join(lines) + "\n"


__all__ = ["MISMATCH_CLASSES", "ReplayReport", "mismatch_markdown", "replay_eutl", "replay_uk_ets"]
