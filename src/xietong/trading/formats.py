"""Readers of published registry tables and market quotes: file in, frames and problems out.

Pure: no store, no exchange. Every rejected cell or row becomes a :class:`~xietong.errors.Problem` naming
file, row (the line in a CSV, the row of a sheet, header = 1) and field; nothing is silently dropped.

``eutl`` (:func:`read_eutl`)
    The EU Transaction Log's wide tables as scraped by OSUKED's ETS-Watch: ``installations.csv`` and, by
    ``account_id`` × year, ``allocated_allowances.csv``, ``verified_emissions.csv`` (numbers, ``Excluded``,
    ``Not Reported``), ``units_surrendered.csv`` and ``compliance_code.csv`` (A–E, ``*``).
``uk-ets`` (:func:`read_uk_ets`)
    The UK ETS registry's compliance report (xlsx, sheet ``Data``, or the same table as CSV): recorded
    emissions per year (blank = not entered by the deadline, ``EXCLUDED``), cumulative emissions and
    surrenders, static surrender status per year.
pilot-market quotes (:func:`read_pilot_quotes`, ``xietong trading quotes ingest``)
    Daily quotes of China's pilot carbon markets (交易日期, 交易机构, 交易品种, 开盘价, 最高价, 最低价, 成交均价,
    成交量, 成交金额): ``-`` = no trade, volumes with a `` t`` suffix or thousands separators, Beijing's
    exchange under its old and new names.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError, Location, Problem, excerpt
from xietong.inputs import guard_zip_file, read_csv_text
from xietong.trading.enums import ComplianceCode, EmissionsState, PilotMarket, UkStatus

EUTL_TABLES: dict[str, str] = {
    "allocated_t": "allocated_allowances.csv",
    "verified": "verified_emissions.csv",
    "surrendered_t": "units_surrendered.csv",
    "published_code": "compliance_code.csv",
}
EUTL_INSTALLATIONS = "installations.csv"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_EUTL_TEXT_STATES = {"excluded": EmissionsState.EXCLUDED, "not reported": EmissionsState.NOT_REPORTED}


@dataclass(slots=True)
class RegistryTables:
    """A registry read into frames: one row per account, one row per installation-year, the problems."""

    installations: pd.DataFrame
    installation_years: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def _require_columns(frame: pd.DataFrame, needed: list[str], source: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source} lacks required columns",
            expected=", ".join(needed),
            given=", ".join(map(str, frame.columns))[:200],
            where=Location(source=source, row=1, field=missing[0]),
            hint="is this the right file for the format?",
        )


def _read_wide(path: Path, value: str, problems: list[Problem]) -> pd.DataFrame:
    """A wide account × year table → long (account_id, year, value, line)."""
    if not path.is_file():
        raise InputError(
            "EUTL table missing",
            expected=path.name,
            given="no such file",
            where=Location(source=str(path)),
            hint="the directory must hold the five CSV tables",
        )
    raw = read_csv_text(path, source=path.name, dtype=str, keep_default_na=False)
    _require_columns(raw, ["account_id"], path.name)
    year_cols = [c for c in raw.columns if c != "account_id"]
    bad_cols = [c for c in year_cols if not re.fullmatch(r"\d{4}", c.strip())]
    if bad_cols:
        raise InputError(
            f"{path.name} has a column that is not a year",
            expected="account_id and four-digit years",
            given=bad_cols[0],
            where=Location(source=path.name, row=1, field=bad_cols[0]),
        )
    raw.insert(0, "line", np.arange(2, len(raw) + 2))
    long = raw.melt(id_vars=["line", "account_id"], var_name="year", value_name=value)
    long[value] = long[value].str.strip()
    long = long.loc[long[value] != ""].copy()
    long["year"] = long["year"].astype(np.int64)
    ids = pd.to_numeric(long["account_id"], errors="coerce")
    for i in np.flatnonzero(ids.isna().to_numpy())[:50]:
        r = long.iloc[i]
        problems.append(
            Problem(
                "account id is not a number",
                Location(path.name, int(r["line"]), "account_id"),
                "an integer",
                repr(r["account_id"]),
            )
        )
    long = long.loc[ids.notna().to_numpy()]
    long["account_id"] = ids.loc[ids.notna()].astype(np.int64)
    return long


def _numbers(
    long: pd.DataFrame,
    value: str,
    source: str,
    problems: list[Problem],
    allowed_text: dict[str, EmissionsState] | None = None,
) -> pd.DataFrame:
    text = long[value]
    is_num = text.str.match(_NUMBER).to_numpy(dtype=bool)
    lowered = text.str.lower()
    is_text = lowered.isin(list(allowed_text or {})).to_numpy(dtype=bool)
    bad = np.flatnonzero(~is_num & ~is_text)
    for i in bad[:50]:
        r = long.iloc[i]
        expected = "a number of t CO2e" + (
            " or " + ", ".join(repr(t.title()) for t in allowed_text) if allowed_text else ""
        )
        problems.append(
            Problem("not a quantity", Location(source, int(r["line"]), str(r["year"])), expected, repr(r[value]))
        )
    if len(bad) > 50:
        problems.append(Problem(f"{len(bad) - 50} more cells that are not quantities", Location(source)))
    out = long.loc[is_num | is_text].copy()
    num = pd.to_numeric(out[value].where(out[value].str.match(_NUMBER)), errors="coerce")
    out[value + "_t" if not value.endswith("_t") else value] = num.to_numpy(dtype=np.float64)
    if allowed_text is not None:
        states = lowered.loc[out.index].map({k: v.value for k, v in allowed_text.items()})
        out["emissions_state"] = states.fillna(EmissionsState.REPORTED.value).to_numpy(dtype=object)
    return out


_ALLOC_PAIR = re.compile(r"^(\d+)\s+(\d+)\s+\*+$")


def _split_allocation_pairs(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Phase-3 allocation cells shown as ``'117055  1296  *****'``: keep the first figure as ``allocated_t``
    and the second as ``allocated_second_t`` (its meaning — an adjustment flagged by the EUTL's asterisk
    footnote — is not confirmed; see docs/trading.md)."""
    m = long["allocated_t"].str.extract(_ALLOC_PAIR)
    pair = m[0].notna().to_numpy()
    out = long.copy()
    out.loc[pair, "allocated_t"] = m.loc[pair, 0]
    second = pd.DataFrame(
        {
            "account_id": out.loc[pair, "account_id"],
            "year": out.loc[pair, "year"],
            "allocated_second_t": pd.to_numeric(m.loc[pair, 1]).astype(np.float64),
        }
    ).set_index(["account_id", "year"])
    return out, second


def _codes(long: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
    valid = {c.value for c in ComplianceCode}
    ok = long["published_code"].isin(valid).to_numpy(dtype=bool)
    for i in np.flatnonzero(~ok)[:50]:
        r = long.iloc[i]
        problems.append(
            Problem(
                "unknown compliance code",
                Location(source, int(r["line"]), str(r["year"])),
                "A, B, C, D or E, optionally with *",
                repr(r["published_code"]),
            )
        )
    return long.loc[ok]


def read_eutl(directory: Path) -> RegistryTables:
    """Read the EUTL wide tables of one directory.

    ``installation_years``: one row per account and year that has any value in the four yearly tables:
    ``installation`` (account id), ``year``, ``verified_t`` (NaN for ``Excluded``/``Not Reported``/empty),
    ``emissions_state`` (``absent`` for an empty cell: no figure shown, 0 t; ``not_reported`` only for the
    EUTL's own ``Not Reported``), ``surrendered_t``, ``allocated_t`` (and ``allocated_second_t`` for the
    phase-3 cells that show two figures and ``*****``), ``published_code``.
    ``installations``: ``installations.csv`` as read (``account_id`` as integer) plus ``first_year`` and
    ``last_year`` of emissions (``final_emissions_year`` 0 = still open).
    """
    directory = Path(directory)
    problems: list[Problem] = []
    inst_path = directory / EUTL_INSTALLATIONS
    if not inst_path.is_file():
        raise InputError(
            "EUTL installations table missing",
            expected=EUTL_INSTALLATIONS,
            given="no such file",
            where=Location(source=str(inst_path)),
        )
    inst = read_csv_text(inst_path, source=inst_path.name, dtype={"account_id": str})
    _require_columns(
        inst, ["account_id", "initial_emissions_year", "final_emissions_year", "country"], EUTL_INSTALLATIONS
    )
    inst["account_id"] = pd.to_numeric(inst["account_id"], errors="coerce").astype("Int64")
    inst["first_year"] = pd.to_numeric(inst["initial_emissions_year"], errors="coerce").astype("Int64")
    final = pd.to_numeric(inst["final_emissions_year"], errors="coerce")
    inst["last_year"] = final.where(final > 0).astype("Int64")

    parts: list[pd.DataFrame] = []
    for column, name in EUTL_TABLES.items():
        long = _read_wide(directory / name, column, problems)
        if column == "published_code":
            parts.append(_codes(long, name, problems).set_index(["account_id", "year"])[["published_code"]])
        elif column == "verified":
            v = _numbers(long, column, name, problems, _EUTL_TEXT_STATES)
            parts.append(v.set_index(["account_id", "year"])[["verified_t", "emissions_state"]])
        elif column == "allocated_t":
            long, pairs = _split_allocation_pairs(long)
            alloc = _numbers(long, column, name, problems).set_index(["account_id", "year"])[[column]]
            parts.append(alloc.join(pairs, how="left"))
        else:
            parts.append(_numbers(long, column, name, problems).set_index(["account_id", "year"])[[column]])
    years = pd.concat(parts, axis=1, join="outer").sort_index().reset_index()
    years = years.rename(columns={"account_id": "installation"})
    # an empty verified-emissions cell is not 'Not Reported' (the EUTL writes that where a figure was due)
    years["emissions_state"] = years["emissions_state"].fillna(EmissionsState.ABSENT.value)
    unknown = ~years["installation"].isin(inst["account_id"].dropna())
    for a in years.loc[unknown, "installation"].unique()[:20]:
        problems.append(
            Problem(
                "account not in installations.csv",
                Location(EUTL_INSTALLATIONS, field="account_id"),
                "an account listed in installations.csv",
                str(a),
            )
        )
    return RegistryTables(inst, years, problems)


def _uk_year_columns(columns: list[str], prefix: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in columns:
        m = re.fullmatch(prefix + r"\s*(\d{4})", c.strip(), flags=re.IGNORECASE)
        if m:
            out[int(m.group(1))] = c
    return out


def _uk_frame(path: Path, sheet: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(
            "UK ETS compliance report missing",
            expected="an .xlsx (sheet Data) or .csv file",
            given="no such file",
            where=Location(source=str(path)),
        )
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        guard_zip_file(path, source=path.name, what="Excel workbook")
        try:
            return pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError, TypeError, AttributeError) as exc:
            raise InputError(
                f"cannot read sheet {sheet!r}",
                expected=f"a workbook with a sheet {sheet!r}",
                given=excerpt(str(exc) or type(exc).__name__, 120),
                where=Location(source=path.name),
            ) from None
    return read_csv_text(path, source=path.name, dtype=object, keep_default_na=False).replace({"": None})


_UK_EXTRA = (
    "Regulator",
    "Account Holder Name",
    "Account type",
    "Account status",
    "Installation name",
    "Permit ID or Monitoring plan ID",
)


def _uk_accounts(raw: pd.DataFrame, source: str, problems: list[Problem]) -> tuple[pd.DataFrame, npt.NDArray[np.bool_]]:
    """One row per account, and which rows are usable (an Operator ID, a first year, a surrender total)."""
    line = np.arange(2, len(raw) + 2)
    acc = pd.DataFrame({"installation": pd.to_numeric(raw["Operator ID"], errors="coerce"), "line": line})
    numeric = {
        "first_year": "First Year of Operation",
        "last_year": "Last Year of Operation",
        "cumulative_emissions_t": "Cumulative emissions",
        "cumulative_surrenders_t": "Cumulative surrenders",
    }
    for col, name in numeric.items():
        acc[col] = pd.to_numeric(raw[name], errors="coerce") if name in raw else np.nan
    for extra in _UK_EXTRA:
        if extra in raw:
            acc[extra.lower().replace(" ", "_")] = raw[extra].to_numpy()
    checks = (
        ("installation", "Operator ID"),
        ("first_year", "First Year of Operation"),
        ("cumulative_surrenders_t", "Cumulative surrenders"),
    )
    bad = np.zeros(len(acc), dtype=bool)
    for col, name in checks:
        missing = acc[col].isna().to_numpy() & ~bad
        for i in np.flatnonzero(missing)[:50]:
            problems.append(
                Problem(
                    "row without a usable value",
                    Location(source, int(line[i]), name),
                    "a number",
                    repr(raw[name].iloc[i]),
                )
            )
        bad |= missing
    return acc, ~bad


def _uk_year_rows(
    raw: pd.DataFrame,
    acc: pd.DataFrame,
    keep: npt.NDArray[np.bool_],
    years: dict[int, tuple[str, str | None]],
    source: str,
    problems: list[Problem],
) -> pd.DataFrame:
    """One row per account and report year: the recorded emissions, their state, the published status."""
    line = acc["line"].to_numpy()
    rows: list[pd.DataFrame] = []
    for year, (col, status_col) in sorted(years.items()):
        cell = raw[col].astype(object)
        num = pd.to_numeric(cell.map(lambda v: v.strip() if isinstance(v, str) else v), errors="coerce")
        text = cell.map(lambda v: v.strip().upper() if isinstance(v, str) and v.strip() else None).where(num.isna())
        odd = (text.notna() & (text != "EXCLUDED")).to_numpy()
        for i in np.flatnonzero(odd & keep)[:20]:
            problems.append(
                Problem(
                    "not a quantity",
                    Location(source, int(line[i]), col),
                    "a number of t CO2e, blank or EXCLUDED",
                    repr(cell.iloc[i]),
                )
            )
        after_life = (year > acc["last_year"]).to_numpy(dtype=bool)  # closed: no figure was due any more
        blank = np.where(after_life, EmissionsState.ABSENT.value, EmissionsState.NOT_REPORTED.value)
        state = np.where(
            text == "EXCLUDED",
            EmissionsState.EXCLUDED.value,
            np.where(num.notna(), EmissionsState.REPORTED.value, blank),
        )
        published = raw[status_col].astype(object).to_numpy() if status_col else np.full(len(raw), None, object)
        frame = pd.DataFrame(
            {
                "installation": acc["installation"],
                "year": year,
                "verified_t": num.to_numpy(dtype=np.float64),
                "emissions_state": state,
                "published_status": published,
                "line": line,
            }
        )
        rows.append(frame.loc[keep & ~odd])
    out = pd.concat(rows, ignore_index=True)
    out["installation"] = out["installation"].astype(np.int64)
    valid = {s.value for s in UkStatus}
    pub = out["published_status"].map(lambda v: str(v).strip().upper() if isinstance(v, str) and v.strip() else None)
    for i in np.flatnonzero((pub.notna() & ~pub.isin(valid)).to_numpy())[:20]:
        problems.append(
            Problem(
                "unknown surrender status",
                Location(source, int(out["line"].iloc[i])),
                ", ".join(sorted(valid)),
                repr(pub.iloc[i]),
            )
        )
    out["published_status"] = pub.where(pub.isin(valid))
    return out


def _uk_check_cumulative(acc: pd.DataFrame, years: pd.DataFrame, source: str, problems: list[Problem]) -> None:
    """A problem for each account whose cumulative emissions differ from the sum of its yearly figures."""
    summed = years.groupby("installation")["verified_t"].sum()
    diff = (
        acc.set_index("installation")["cumulative_emissions_t"]
        - summed.reindex(acc["installation"]).fillna(0).to_numpy()
    )
    for inst_id, d in diff[diff.abs() > 0.5].head(20).items():
        r = acc.loc[acc["installation"] == inst_id].iloc[0]
        problems.append(
            Problem(
                "cumulative emissions differ from the sum of the yearly recorded emissions",
                Location(source, int(r["line"]), "Cumulative emissions"),
                f"{summed.get(inst_id, 0):.0f}",
                f"{r['cumulative_emissions_t']:.0f} (difference {d:+.0f})",
            )
        )


def read_uk_ets(path: Path, *, sheet: str = "Data") -> RegistryTables:
    """Read the UK ETS compliance report.

    ``installations``: one row per account (``installation`` = Operator ID, holder, type, status, first and
    last year, ``cumulative_emissions_t``, ``cumulative_surrenders_t``). ``installation_years``: one row per
    account and year of the report, from the first year of operation to the last (or the report's last
    year), and later years that carry a published status: ``verified_t`` (NaN when blank or ``EXCLUDED``),
    ``emissions_state`` (a blank is ``not_reported`` — 'not submitted by the required deadline', sheet
    'Field categorisation' — except after the last year of operation, where it is ``absent``),
    ``published_status``.
    A cumulative-emissions figure that differs from the sum of the yearly figures is reported as a problem.
    """
    path = Path(path)
    source = path.name
    raw = _uk_frame(path, sheet)
    raw.columns = [str(c).strip() for c in raw.columns]
    emis = _uk_year_columns(list(raw.columns), "Recorded emissions")
    stat = _uk_year_columns(list(raw.columns), "Static surrender status")
    _require_columns(
        raw, ["Operator ID", "First Year of Operation", "Cumulative emissions", "Cumulative surrenders"], source
    )
    if not emis:
        raise InputError(
            f"{source} has no 'Recorded emissions YYYY' columns",
            expected="Recorded emissions 2021 …",
            given=", ".join(raw.columns)[:200],
            where=Location(source=source, row=1),
        )
    problems: list[Problem] = []
    acc, keep = _uk_accounts(raw, source, problems)
    years = _uk_year_rows(raw, acc, keep, {y: (c, stat.get(y)) for y, c in emis.items()}, source, problems)
    acc = acc.loc[keep].astype({"installation": np.int64})
    by_id = acc.set_index("installation")
    first = years["installation"].map(by_id["first_year"])
    last = years["installation"].map(by_id["last_year"])
    in_life = (years["year"] >= first) & (last.isna() | (years["year"] <= last))
    years = years.loc[in_life | years["published_status"].notna()].reset_index(drop=True)
    years["first_year"] = years["installation"].map(by_id["first_year"])
    _uk_check_cumulative(acc, years, source, problems)
    return RegistryTables(acc.reset_index(drop=True), years, problems)


#: product prefix → pilot market (longest prefix first)
PRODUCT_MARKET: tuple[tuple[str, PilotMarket], ...] = (
    ("BEA", PilotMarket.BEIJING),
    ("TJEA", PilotMarket.TIANJIN),
    ("SHEA", PilotMarket.SHANGHAI),
    ("GDEA", PilotMarket.GUANGDONG),
    ("HBEA", PilotMarket.HUBEI),
    ("SZEA", PilotMarket.SHENZHEN),
    ("SZA", PilotMarket.SHENZHEN),
    ("CQEA", PilotMarket.CHONGQING),
    ("FJEA", PilotMarket.FUJIAN),
)
#: exchange as published → (market, canonical exchange name); Beijing's was renamed in 2020
EXCHANGE_MARKET: dict[str, tuple[PilotMarket, str]] = {
    "北京环境交易所": (PilotMarket.BEIJING, "北京绿色交易所"),
    "北京绿色交易所": (PilotMarket.BEIJING, "北京绿色交易所"),
    "天津排放权交易所": (PilotMarket.TIANJIN, "天津排放权交易所"),
    "上海环境能源交易所": (PilotMarket.SHANGHAI, "上海环境能源交易所"),
    "广州碳排放权交易所": (PilotMarket.GUANGDONG, "广州碳排放权交易所"),
    "湖北碳排放权交易中心": (PilotMarket.HUBEI, "湖北碳排放权交易中心"),
    "深圳排放权交易所": (PilotMarket.SHENZHEN, "深圳排放权交易所"),
    "重庆碳排放权交易中心": (PilotMarket.CHONGQING, "重庆碳排放权交易中心"),
    "海峡股权交易中心": (PilotMarket.FUJIAN, "海峡股权交易中心"),
    "福建海峡交易中心": (PilotMarket.FUJIAN, "海峡股权交易中心"),
}
QUOTE_COLUMNS: dict[str, str] = {
    "交易日期": "date",
    "交易机构": "exchange_published",
    "交易品种": "product",
    "开盘价": "open_cny_t",
    "最高价": "high_cny_t",
    "最低价": "low_cny_t",
    "成交均价": "avg_price_cny_t",
    "成交量": "volume_t",
    "成交金额": "turnover_cny",
}
_NO_TRADE = {"-", "--", "—", ""}


def _product_market(product: pd.Series) -> npt.NDArray[np.object_]:
    out = np.full(len(product), None, dtype=object)
    upper = product.fillna("").str.upper()
    for prefix, market in PRODUCT_MARKET:
        hit = upper.str.startswith(prefix).to_numpy(dtype=bool) & pd.isna(out)
        out[hit] = market.value
    return out


def _quote_number(col: pd.Series) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Numbers from quote cells: strip a `` t`` unit suffix and thousands commas; ``-`` = no trade (NaN).

    Returns (values, bad) where ``bad`` marks non-empty cells that are not numbers.
    """
    text = col.fillna("").astype(str).str.strip()
    cleaned = text.str.replace(r"\s*t$", "", regex=True).str.replace(",", "", regex=False)
    none = cleaned.isin(_NO_TRADE)
    num = pd.to_numeric(cleaned.where(~none), errors="coerce")
    return num.to_numpy(dtype=np.float64), np.asarray((num.isna() & ~none).to_numpy(), dtype=bool)


def read_pilot_quotes(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read the pilot markets' daily quotes CSV.

    Returns (quotes, problems). ``quotes``: ``date`` (datetime64), ``market`` (:class:`PilotMarket` value),
    ``exchange`` (canonical name), ``exchange_published``, ``product``, prices [CNY/t], ``volume_t`` [t],
    ``turnover_cny`` [CNY], ``traded`` (a volume > 0 was published), ``line``. Rejected rows: no or a bad
    date, a product of no pilot market (EU futures in the file), a product whose market differs from
    the exchange's, and the same product twice on one day with different values.
    """
    path = Path(path)
    source = path.name
    raw = read_csv_text(path, source=source, dtype=str, keep_default_na=False)
    _require_columns(raw, list(QUOTE_COLUMNS), source)
    q = raw.rename(columns=QUOTE_COLUMNS)[list(QUOTE_COLUMNS.values())].copy()
    q["line"] = np.arange(2, len(q) + 2)
    problems: list[Problem] = []
    reject = np.zeros(len(q), dtype=bool)

    def flag(mask: npt.NDArray[np.bool_], message: str, column: str, expected: str) -> None:
        for i in np.flatnonzero(mask & ~reject)[:30]:
            problems.append(
                Problem(message, Location(source, int(q["line"].iloc[i]), column), expected, repr(raw[column].iloc[i]))
            )
        if int((mask & ~reject).sum()) > 30:
            problems.append(
                Problem(f"{int((mask & ~reject).sum()) - 30} more rows: {message}", Location(source, field=column))
            )
        reject[mask] = True

    dates = pd.to_datetime(q["date"], format="%Y-%m-%d", errors="coerce")
    flag(dates.isna().to_numpy(), "no valid trading date", "交易日期", "YYYY-MM-DD")
    by_product = _product_market(q["product"])
    flag(
        pd.isna(by_product),
        "product of no Chinese pilot market",
        "交易品种",
        "a pilot product (BEA, TJEA, SHEA, GDEA, HBEA, SZA/SZEA, CQEA, FJEA)",
    )
    market_of = {name: market.value for name, (market, _) in EXCHANGE_MARKET.items()}
    by_exchange = np.array([market_of.get(str(e).strip()) for e in q["exchange_published"]], dtype=object)
    flag(
        np.asarray(by_exchange != by_product, dtype=bool),
        "product and exchange belong to different markets",
        "交易机构",
        "the exchange of the product's market",
    )
    for col in ("open_cny_t", "high_cny_t", "low_cny_t", "avg_price_cny_t", "volume_t", "turnover_cny"):
        values, bad = _quote_number(q[col])
        zh = next(k for k, v in QUOTE_COLUMNS.items() if v == col)
        for i in np.flatnonzero(bad & ~reject)[:20]:
            problems.append(
                Problem(
                    "not a number",
                    Location(source, int(q["line"].iloc[i]), zh),
                    "a number or '-' (no trade)",
                    repr(raw[zh].iloc[i]),
                )
            )
        q[col] = values
    q["date"] = dates
    q["market"] = by_product
    q["exchange"] = q["exchange_published"].map(lambda e: EXCHANGE_MARKET.get(e.strip(), (None, e))[1])
    q = q.loc[~reject]
    numeric = ["open_cny_t", "high_cny_t", "low_cny_t", "avg_price_cny_t", "volume_t", "turnover_cny"]
    dup_key = q.duplicated(["date", "product"], keep=False)
    contradict = dup_key & ~q.duplicated(["date", "product", *numeric], keep=False)
    for i in np.flatnonzero(contradict.to_numpy())[:20]:
        problems.append(
            Problem(
                "the same product twice on one day with different values",
                Location(source, int(q["line"].iloc[i]), "交易品种"),
                "one row per product and day",
                f"{q['product'].iloc[i]} {q['date'].iloc[i]:%Y-%m-%d}",
            )
        )
    q = q.loc[~contradict.to_numpy()].drop_duplicates(["date", "product"], keep="first")
    q["traded"] = np.nan_to_num(q["volume_t"].to_numpy(dtype=np.float64)) > 0
    cols = ["date", "market", "exchange", "exchange_published", "product", *numeric, "traded", "line"]
    return q[cols].sort_values(["market", "product", "date"], kind="stable").reset_index(drop=True), problems


__all__ = [
    "EUTL_TABLES",
    "EXCHANGE_MARKET",
    "PRODUCT_MARKET",
    "RegistryTables",
    "read_eutl",
    "read_pilot_quotes",
    "read_uk_ets",
]
