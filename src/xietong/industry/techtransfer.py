"""Technology transfer (I2): technology contracts, the flow matrix between jurisdictions, and the value
flowing from Beijing to Tianjin and Hebei.

Contract table (CSV or frame): ``contract, seller, seller_jurisdiction, buyer, buyer_jurisdiction, type,
value_cny, date``. Jurisdictions are GB/T 2260 codes or names Xietong knows; a six-digit code outside the
region is accepted as it is (its province is its first two digits + ``0000``). ``type`` is one of
:class:`~xietong.industry.enums.ContractType` (the five contract types of the Civil Code, Book III
ch. 20); ``value_cny`` the registered turnover [CNY]; ``date`` the registration date (ISO 8601).

:func:`flows` aggregates by year and seller/buyer jurisdiction (at province level by default, so that a
Baoding buyer counts for Hebei); :func:`beijing_to_tianjin_hebei` is the agreement indicator;
:func:`published_beijing_outflow` returns the figures Beijing published (``data/``, with sources).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from xietong import region
from xietong.errors import InputError, Location, Problem
from xietong.industry._csv import read_text_csv
from xietong.industry.enums import ContractType

CONTRACT_COLUMNS = (
    "contract",
    "seller",
    "seller_jurisdiction",
    "buyer",
    "buyer_jurisdiction",
    "type",
    "value_cny",
    "date",
)
BEIJING, TIANJIN, HEBEI = "110000", "120000", "130000"
_CODE = re.compile(r"^\d{6}$")
_TYPE_ALIASES = {
    "技术开发": ContractType.DEVELOPMENT,
    "技术转让": ContractType.TRANSFER,
    "技术许可": ContractType.LICENSING,
    "技术咨询": ContractType.CONSULTING,
    "技术服务": ContractType.SERVICE,
}


def _jurisdiction(value: str) -> str | None:
    text = str(value).strip()
    found = region.find(text)
    if found is not None:
        return found.code
    return text if _CODE.match(text) and not text.startswith("00") else None


def province_of(code: str) -> str:
    """The province-level code of a jurisdiction (Baoding 130600 → Hebei 130000)."""
    if region.find(code) is not None:
        return region.ancestors(code)[-1]
    return code[:2] + "0000"


def _contract_type(value: str) -> str | None:
    text = str(value).strip()
    if text in _TYPE_ALIASES:
        return _TYPE_ALIASES[text].value
    try:
        return ContractType(text.casefold()).value
    except ValueError:
        return None


def read_contracts(
    data: str | Path | IO[str] | pd.DataFrame, *, source: str | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Contracts as a frame (bad rows left out) and one :class:`Problem` per bad cell (file, row, field)."""
    first_row = 2
    if isinstance(data, pd.DataFrame):
        df = data.astype(str).replace({"nan": "", "None": ""})
    else:
        source = source or (str(data) if isinstance(data, (str, Path)) else None)
        df, first_row = read_text_csv(data, source=source)
    missing = [c for c in CONTRACT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            "missing columns in the contract table",
            expected=", ".join(CONTRACT_COLUMNS),
            given=", ".join(map(str, df.columns)),
            where=Location(source),
        )
    problems: list[Problem] = []
    rows = np.arange(first_row, first_row + len(df))
    seller = df["seller_jurisdiction"].map(_jurisdiction)
    buyer = df["buyer_jurisdiction"].map(_jurisdiction)
    ctype = df["type"].map(_contract_type)
    value = pd.to_numeric(df["value_cny"], errors="coerce")
    day = pd.to_datetime(df["date"], errors="coerce", format="ISO8601")
    checks = [
        (seller.isna(), "seller_jurisdiction", "a GB/T 2260 code or a jurisdiction name", "unknown jurisdiction"),
        (buyer.isna(), "buyer_jurisdiction", "a GB/T 2260 code or a jurisdiction name", "unknown jurisdiction"),
        (ctype.isna(), "type", ", ".join(t.value for t in ContractType), "unknown contract type"),
        (value.isna() | (value < 0), "value_cny", "a number ≥ 0 [CNY]", "invalid contract value"),
        (day.isna(), "date", "an ISO 8601 date (2024-05-31)", "invalid date"),
    ]
    bad = np.zeros(len(df), dtype=bool)
    for mask, column, expected, message in checks:
        m = mask.to_numpy()
        bad |= m
        problems += [
            Problem(message, Location(source, int(rows[i]), column), expected, repr(df[column].iloc[i]))
            for i in np.flatnonzero(m)
        ]
    ok = ~bad
    out = pd.DataFrame(
        {
            "contract": df["contract"].to_numpy()[ok],
            "seller": df["seller"].to_numpy()[ok],
            "seller_jurisdiction": seller.to_numpy()[ok],
            "buyer": df["buyer"].to_numpy()[ok],
            "buyer_jurisdiction": buyer.to_numpy()[ok],
            "type": ctype.to_numpy()[ok],
            "value_cny": value.to_numpy(dtype="float64")[ok],
            "date": day.to_numpy()[ok],
            "row": rows[ok],
        }
    )
    return out, problems


def flows(contracts: pd.DataFrame, *, level: str = "province") -> pd.DataFrame:
    """Flows by year, seller and buyer jurisdiction: ``year, from, to, contracts, value_cny``.

    ``level="province"`` rolls cities up to Beijing, Tianjin, Hebei (or another province);
    ``level="jurisdiction"`` keeps the codes as given.
    """
    if level not in {"province", "jurisdiction"}:
        raise InputError("unknown flow level", expected="province or jurisdiction", given=repr(level))
    c = contracts
    src, dst = c["seller_jurisdiction"], c["buyer_jurisdiction"]
    if level == "province":
        src, dst = src.map(province_of), dst.map(province_of)
    frame = pd.DataFrame(
        {"year": pd.DatetimeIndex(c["date"]).year, "from": src, "to": dst, "value_cny": c["value_cny"]}
    )
    out = frame.groupby(["year", "from", "to"], sort=True).agg(
        contracts=("value_cny", "size"), value_cny=("value_cny", "sum")
    )
    return out.reset_index()


def flow_matrix(contracts: pd.DataFrame, year: int, *, level: str = "province") -> pd.DataFrame:
    """The seller × buyer matrix of contract value [CNY] in ``year`` (zeros where no contract)."""
    f = flows(contracts, level=level)
    f = f[f["year"] == year]
    if f.empty:
        raise InputError(f"no contracts in {year}", expected="a year with contracts", given=str(year))
    return f.pivot_table(index="from", columns="to", values="value_cny", aggfunc="sum", fill_value=0.0)


def beijing_to_tianjin_hebei(contracts: pd.DataFrame) -> pd.DataFrame:
    """The indicator “value of technology contracts flowing from Beijing to Tianjin and Hebei”, by year:
    ``year, to_tianjin_cny, to_hebei_cny, value_cny, contracts``."""
    f = flows(contracts)
    f = f[(f["from"] == BEIJING) & f["to"].isin([TIANJIN, HEBEI])]
    by_year = f.pivot_table(index="year", columns="to", values="value_cny", aggfunc="sum", fill_value=0.0)
    by_year = by_year.reindex(columns=[TIANJIN, HEBEI], fill_value=0.0)
    out = pd.DataFrame(
        {
            "year": by_year.index.astype("int64"),
            "to_tianjin_cny": by_year[TIANJIN].to_numpy(),
            "to_hebei_cny": by_year[HEBEI].to_numpy(),
        }
    )
    out["value_cny"] = out["to_tianjin_cny"] + out["to_hebei_cny"]
    out["contracts"] = f.groupby("year")["contracts"].sum().reindex(by_year.index).to_numpy()
    return out


def published_beijing_outflow() -> pd.DataFrame:
    """Beijing's published technology-contract turnover to Tianjin and Hebei, with the source of each row."""
    path = resources.files("xietong.industry.data").joinpath("beijing_tech_contracts_to_tianjin_hebei.csv")
    with path.open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, comment="#", dtype={"qualifier": str, "published": str})
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = pd.to_datetime(df["period_end"])
    df["qualifier"] = df["qualifier"].fillna("")
    return df


__all__ = [
    "CONTRACT_COLUMNS",
    "beijing_to_tianjin_hebei",
    "flow_matrix",
    "flows",
    "province_of",
    "published_beijing_outflow",
    "read_contracts",
]
