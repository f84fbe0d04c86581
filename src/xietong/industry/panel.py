"""Readers of economic-structure tables: one long frame with GB/T 2260 city codes, and its checks.

Two layouts are read (the header tells which):

``long``
    ``city, year, sector, indicator, value, unit`` — one value per row. ``city`` is a GB/T 2260 code
    or a name Xietong knows (``石家庄``, ``Shijiazhuang``); ``sector`` a GB/T 4754-2017 section letter
    (``C``), a broad sector (``primary``/``secondary``/``tertiary`` or 第一/第二/第三产业) or ``total``;
    ``unit`` a money unit (``CNY``/元, ``10k CNY``/万元, ``100m CNY``/亿元: values are converted to CNY),
    ``%`` for a sector's share of the total, or any other unit (persons …), kept as given.
``wide``
    The layout of the shared city panel (China City Statistical Yearbook figures, see
    ``../shared/data/README.md``, section industry/): one row per city and year with ``city_id``
    (GB/T 2260), ``year``, ``gdpct01`` (GDP [100 million CNY]), ``gdpct02..04`` (primary, secondary,
    tertiary shares of GDP [%]) and ``gdp_primind``, ``gdp_secind``, ``gdp_terind`` (value added by
    sector [10,000 CNY]). It becomes indicator ``value_added``: the three sectors in CNY, ``total`` =
    GDP in CNY, and the reported shares in ``%``.

The long frame (:attr:`Panel.frame`): ``city`` (str, GB/T 2260), ``year`` (int64), ``sector`` (str),
``indicator`` (str), ``value`` (float64), ``unit`` (str), ``row`` (int64: line in the file, the header
being line 1). Empty values are left out (the panel has gaps); cells that are not numbers, unknown
cities, sectors or units become :class:`Problem` s naming file, row and field, and their rows are left
out. :func:`check_consistency` then reports — never repairs — rows whose sector shares do not add up to
100 %, whose sector values do not add up to the total, or whose reported share differs from the share
of the values, beyond a tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from xietong import region
from xietong.errors import FormatDetectionError, InputError, Location, Problem
from xietong.industry import gbt4754
from xietong.industry._csv import read_text_csv
from xietong.industry.enums import BroadSector

LONG_COLUMNS = ("city", "year", "sector", "indicator", "value", "unit")
#: wide-panel value columns [10,000 CNY] and their sector
WIDE_VALUE_COLUMNS = {"gdp_primind": "primary", "gdp_secind": "secondary", "gdp_terind": "tertiary"}
#: wide-panel share columns [% of GDP] and their sector
WIDE_SHARE_COLUMNS = {"gdpct02": "primary", "gdpct03": "secondary", "gdpct04": "tertiary"}
WIDE_TOTAL_COLUMN = "gdpct01"  # GDP [100 million CNY]
WIDE_VALUE_CNY = 1e4
WIDE_TOTAL_CNY = 1e8
TOTAL = "total"
PERCENT = "%"
#: money units and their factor to CNY
MONEY_UNITS: dict[str, float] = {
    "cny": 1.0,
    "元": 1.0,
    "10k cny": 1e4,
    "万元": 1e4,
    "100m cny": 1e8,
    "亿元": 1e8,
}
_BROAD_ALIASES = {
    "primary": "primary",
    "第一产业": "primary",
    "secondary": "secondary",
    "第二产业": "secondary",
    "tertiary": "tertiary",
    "第三产业": "tertiary",
    "total": TOTAL,
    "合计": TOTAL,
    "总计": TOTAL,
}
#: default tolerances of :func:`check_consistency`
SHARE_TOLERANCE_PP = 0.5
TOTAL_TOLERANCE_REL = 0.005


@dataclass(slots=True)
class Panel:
    """A structure table in the long layout, with the problems found while reading it."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None
    layout: str = "long"

    def require_clean(self) -> Panel:
        """``self`` when no problem was found; else an :class:`InputError` listing them all."""
        if self.problems:
            raise InputError.refuse(
                self.problems,
                summary=f"{len(self.problems)} problems in the structure table {self.source or ''}".strip(),
                hint="fix the rows named above; nothing was computed",
            )
        return self


def _int(value: object) -> int:
    """An integer cell (row numbers) whatever pandas typed it as."""
    return int(str(value))


def _city_codes(raw: pd.Series, source: str | None, rows: pd.Series, problems: list[Problem]) -> pd.Series:
    codes: dict[str, str | None] = {}
    for key in pd.unique(raw.astype(str)):
        text = str(key).removesuffix(".0")
        found = region.find(text)
        codes[key] = found.code if found is not None else None
    out = raw.astype(str).map(codes)
    for idx in out.index[out.isna()]:
        problems.append(
            Problem(
                "unknown city",
                Location(source, int(rows[idx]), "city"),
                expected="a GB/T 2260 code or a name of the Beijing–Tianjin–Hebei jurisdictions",
                given=repr(raw[idx]),
                hint="run `xietong region list` to see the codes",
            )
        )
    return out


def _numbers(raw: pd.Series, name: str, source: str | None, rows: pd.Series, problems: list[Problem]) -> pd.Series:
    text = raw.astype("string").str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & text.notna() & (text != "")
    for idx in raw.index[bad]:
        problems.append(
            Problem(f"{name} is not a number", Location(source, int(rows[idx]), name), "a number", repr(raw[idx]))
        )
    return values.astype("float64")


def _sectors(raw: pd.Series, source: str | None, rows: pd.Series, problems: list[Problem]) -> pd.Series:
    mapping: dict[str, str | None] = {}
    for key in pd.unique(raw.astype(str)):
        text = key.strip()
        alias = _BROAD_ALIASES.get(text.casefold())
        if alias is not None:
            mapping[key] = alias
        elif len(text) == 1 and gbt4754.is_valid(text):
            mapping[key] = text.upper()
        else:
            mapping[key] = None
    out = raw.astype(str).map(mapping)
    for idx in out.index[out.isna()]:
        problems.append(
            Problem(
                "unknown sector",
                Location(source, int(rows[idx]), "sector"),
                expected="a GB/T 4754-2017 section letter A–T, primary, secondary, tertiary or total",
                given=repr(raw[idx]),
            )
        )
    return out


def _units(raw: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Money converted to CNY; ``%`` and other units kept as given."""
    key = raw.fillna("").astype(str).str.strip()
    factor = key.str.casefold().map(MONEY_UNITS)
    money = factor.notna()
    values = values.where(~money, values * factor)
    units = key.where(~money, "CNY")
    return values, units


def from_long(df: pd.DataFrame, *, source: str | None = None, first_row: int = 2) -> Panel:
    """Read a long table (columns :data:`LONG_COLUMNS`); see the module docstring."""
    missing = [c for c in LONG_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            "missing columns in the long structure table",
            expected=", ".join(LONG_COLUMNS),
            given=", ".join(map(str, df.columns)),
            where=Location(source),
        )
    problems: list[Problem] = []
    rows = pd.Series(np.arange(first_row, first_row + len(df), dtype="int64"), index=df.index)
    city = _city_codes(df["city"], source, rows, problems)
    year = _numbers(df["year"], "year", source, rows, problems)
    sector = _sectors(df["sector"], source, rows, problems)
    value = _numbers(df["value"], "value", source, rows, problems)
    value, unit = _units(df["unit"], value)
    indicator = df["indicator"].fillna("").astype(str).str.strip()
    for idx in indicator.index[indicator == ""]:
        problems.append(Problem("empty indicator", Location(source, int(rows[idx]), "indicator"), "a name", "''"))
    ok = city.notna() & year.notna() & sector.notna() & value.notna() & (indicator != "")
    frame = pd.DataFrame(
        {
            "city": city[ok].astype(str),
            "year": year[ok].astype("int64"),
            "sector": sector[ok].astype(str),
            "indicator": indicator[ok],
            "value": value[ok],
            "unit": unit[ok].astype(str),
            "row": rows[ok],
        }
    ).reset_index(drop=True)
    return Panel(frame, problems, source, "long")


def from_wide(df: pd.DataFrame, *, source: str | None = None, first_row: int = 2) -> Panel:
    """Read the wide layout of the shared city panel; see the module docstring."""
    needed = ["city_id", "year", *WIDE_VALUE_COLUMNS]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(
            "missing columns in the wide structure table",
            expected=", ".join(needed) + " (and optionally gdpct01..gdpct04)",
            given=", ".join(map(str, df.columns)),
            where=Location(source),
        )
    problems: list[Problem] = []
    rows = pd.Series(np.arange(first_row, first_row + len(df), dtype="int64"), index=df.index)
    city = _city_codes(df["city_id"], source, rows, problems)
    year = _numbers(df["year"], "year", source, rows, problems)
    parts = []
    specs: list[tuple[str, str, float, str]] = [(c, s, WIDE_VALUE_CNY, "CNY") for c, s in WIDE_VALUE_COLUMNS.items()]
    if WIDE_TOTAL_COLUMN in df.columns:
        specs.append((WIDE_TOTAL_COLUMN, TOTAL, WIDE_TOTAL_CNY, "CNY"))
    specs += [(c, s, 1.0, PERCENT) for c, s in WIDE_SHARE_COLUMNS.items() if c in df.columns]
    for column, sector, factor, unit in specs:
        value = _numbers(df[column], column, source, rows, problems) * factor
        ok = city.notna() & year.notna() & value.notna()
        parts.append(
            pd.DataFrame(
                {
                    "city": city[ok].astype(str),
                    "year": year[ok].astype("int64"),
                    "sector": sector,
                    "indicator": "value_added",
                    "value": value[ok],
                    "unit": unit,
                    "row": rows[ok],
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values(["row", "unit", "sector"], kind="stable")
    return Panel(frame.reset_index(drop=True), problems, source, "wide")


def detect_layout(columns: list[str]) -> str:
    """``"long"`` or ``"wide"`` from a header; :class:`FormatDetectionError` otherwise."""
    if all(c in columns for c in LONG_COLUMNS):
        return "long"
    if "city_id" in columns and "year" in columns and all(c in columns for c in WIDE_VALUE_COLUMNS):
        return "wide"
    raise FormatDetectionError(
        "cannot tell the layout of the structure table",
        expected="long columns "
        + ", ".join(LONG_COLUMNS)
        + "; or the wide panel columns city_id, year, "
        + ", ".join(WIDE_VALUE_COLUMNS),
        given=", ".join(columns[:12]),
    )


def read_panel(
    path: str | Path | IO[str],
    *,
    source: str | None = None,
    share_tolerance_pp: float = SHARE_TOLERANCE_PP,
    total_tolerance_rel: float = TOTAL_TOLERANCE_REL,
) -> Panel:
    """Read a long or wide CSV, then add the :func:`check_consistency` problems."""
    name = source or (str(path) if isinstance(path, (str, Path)) else None)
    df, first_row = read_text_csv(path, source=name)
    df = df.replace("", np.nan)
    try:
        layout = detect_layout([str(c) for c in df.columns])
    except InputError as exc:
        raise exc.in_file(name) from None
    reader = from_long if layout == "long" else from_wide
    panel = reader(df, source=name, first_row=first_row)
    panel.problems += check_consistency(
        panel.frame, source=name, share_tolerance_pp=share_tolerance_pp, total_tolerance_rel=total_tolerance_rel
    )
    return panel


def _scheme(sector: pd.Series) -> pd.Series:
    """``broad`` for primary/secondary/tertiary, ``section`` for A–T, ``total`` for the total."""
    broad = sector.isin([s.value for s in BroadSector])
    return pd.Series(np.where(sector == TOTAL, TOTAL, np.where(broad, "broad", "section")), index=sector.index)


def check_consistency(
    frame: pd.DataFrame,
    *,
    source: str | None = None,
    share_tolerance_pp: float = SHARE_TOLERANCE_PP,
    total_tolerance_rel: float = TOTAL_TOLERANCE_REL,
) -> list[Problem]:
    """Problems for every city, year and indicator whose parts do not add up (reported, not repaired).

    1. Shares (unit ``%``) of one sector scheme must add up to 100 ± ``share_tolerance_pp``.
    2. Sector values of one scheme must add up to the ``total`` row within ``total_tolerance_rel``
       (relative), when the total is given and every sector of the scheme is present.
    3. A reported share must equal 100 × value / sum of the scheme's values ± ``share_tolerance_pp``.
    """
    if frame.empty:
        return []
    f = frame.assign(scheme=_scheme(frame["sector"]))
    keys = ["city", "year", "indicator"]
    problems: list[Problem] = []
    shares = f[(f["unit"] == PERCENT) & (f["scheme"] != TOTAL)]
    s_sum = shares.groupby([*keys, "scheme"]).agg(total=("value", "sum"), row=("row", "min")).reset_index()
    for rec in s_sum[(s_sum["total"] - 100.0).abs() > share_tolerance_pp].itertuples():
        problems.append(
            Problem(
                f"sector shares of {rec.city} in {rec.year} ({rec.indicator}) do not add up to 100 %",
                Location(source, _int(rec.row), "share"),
                expected=f"100 ± {share_tolerance_pp} %",
                given=f"{rec.total:.4g} %",
                hint="check the share columns of this row; Xietong does not rescale them",
            )
        )
    values = f[f["unit"] != PERCENT]
    parts = values[values["scheme"] != TOTAL]
    p_sum = parts.groupby([*keys, "unit", "scheme"]).agg(
        parts=("value", "sum"), n=("value", "size"), row=("row", "min")
    )
    totals = values[values["scheme"] == TOTAL].groupby([*keys, "unit"]).agg(total=("value", "sum"))
    both = p_sum.reset_index().merge(totals.reset_index(), on=[*keys, "unit"])
    expected_n = np.where(both["scheme"] == "broad", 3, len(gbt4754.sections()))
    both = both[both["n"] == expected_n]
    rel = (both["parts"] - both["total"]).abs() / both["total"].abs()
    for rec in both[rel > total_tolerance_rel].itertuples():
        problems.append(
            Problem(
                f"sector values of {rec.city} in {rec.year} ({rec.indicator}) do not add up to the total",
                Location(source, _int(rec.row), "value"),
                expected=f"{rec.total:.6g} {rec.unit} ± {total_tolerance_rel:.2%}",
                given=f"{rec.parts:.6g} {rec.unit}",
                hint="check the sector values and the total of this row; Xietong does not rescale them",
            )
        )
    problems += _reported_shares(parts, shares, keys, source, share_tolerance_pp)
    return problems


def _reported_shares(
    parts: pd.DataFrame, shares: pd.DataFrame, keys: list[str], source: str | None, tol_pp: float
) -> list[Problem]:
    if parts.empty or shares.empty:
        return []
    sums = parts.groupby([*keys, "scheme"])["value"].transform("sum")
    computed = parts.assign(computed=100.0 * parts["value"] / sums)[[*keys, "sector", "computed"]]
    m = shares.merge(computed, on=[*keys, "sector"])
    off = (m["value"] - m["computed"]).abs() > tol_pp
    return [
        Problem(
            f"reported {rec.sector} share of {rec.city} in {rec.year} differs from the share of the values",
            Location(source, _int(rec.row), "share"),
            expected=f"{rec.computed:.4g} % (from the sector values) ± {tol_pp} %",
            given=f"{rec.value:.4g} %",
        )
        for rec in m[off].itertuples()
    ]


def years(frame: pd.DataFrame) -> list[int]:
    """The years present in a long frame, sorted."""
    return sorted(int(y) for y in frame["year"].unique())


def require_year(frame: pd.DataFrame, year: int, *, source: str | None = None) -> None:
    """:class:`InputError` naming the years present when ``year`` is not in the frame."""
    present = years(frame)
    if year not in present:
        raise InputError(
            f"no data for {year} in the structure table",
            expected="one of " + ", ".join(map(str, present)) if present else "a table with data",
            given=str(year),
            where=Location(source, field="year"),
        )


__all__ = [
    "LONG_COLUMNS",
    "MONEY_UNITS",
    "SHARE_TOLERANCE_PP",
    "TOTAL",
    "TOTAL_TOLERANCE_REL",
    "WIDE_SHARE_COLUMNS",
    "WIDE_VALUE_COLUMNS",
    "Panel",
    "check_consistency",
    "detect_layout",
    "from_long",
    "from_wide",
    "read_panel",
    "require_year",
    "years",
]
