"""CNEMC's publication practice on a whole national hour: the engine's AQI under each missing-data rule
against the AQI and primary pollutant CNEMC published, row by row, with every disagreement listed.

Reads CNEMC hourly station files (``timepoint,stationcode,…,aqi,…``) with the project's reader and scores
``--missing-rule standard`` (HJ 633-2026 §5.3.1) and ``cnemc`` (a missing 1-h PM10 does not withhold the
AQI). Equality counts "both missing" as equal. Run:

    .venv/bin/python scripts/cnemc_national_practice.py ../shared/data/air/cnemc_hourly_2026-03-10T09_national.csv
    .venv/bin/python scripts/cnemc_national_practice.py --o3-column o3_24h tests/data/air/cnemc_hourly_2025-12-31T14_sample.csv

(``--o3-column o3_24h`` for the 2022–2025 archive, whose o3 columns are swapped.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from xietong.air.aqi import MissingRule, hourly_aqi
from xietong.air.formats import O3Column, SourceInfo, read_cnemc_hourly
from xietong.enums import POLLUTANTS

RULES = {"standard": MissingRule.NA_UNLESS_ABOVE_100, "cnemc": MissingRule.CNEMC}


def load(path: Path, o3_column: O3Column) -> tuple[pd.DataFrame, pd.DataFrame]:
    chunks = list(read_cnemc_hourly(path, SourceInfo(path.name, None), o3_column=o3_column))
    values = pd.concat([c.values for c in chunks], ignore_index=True)
    published = pd.concat([c.published for c in chunks], ignore_index=True)
    values["time"] = pd.to_datetime(values["time_s"], unit="s", utc=True)
    return values, published


def missing_pattern(values: pd.DataFrame) -> pd.Series:
    """Which pollutants are missing (not counting ``/`` = not monitored), e.g. ``pm10`` or ``o3,pm25``."""
    bits = values["flag_bits"].to_numpy(dtype="int64")
    names = []
    for i, p in enumerate(POLLUTANTS):
        miss = values[p.column].isna().to_numpy() & (((bits >> (2 * i)) & 3) != 2)
        names.append(np.where(miss, p.column, ""))
    joined = [",".join(x for x in row if x) or "-" for row in zip(*names, strict=True)]
    return pd.Series(joined, index=values["station"].to_numpy())


def compare(values: pd.DataFrame, published: pd.DataFrame, rule: MissingRule) -> pd.DataFrame:
    out = hourly_aqi(values, edition="auto", missing_rule=rule).set_index("station")
    pub = published.set_index("station")
    pub_aqi = pub.loc[pub["variable"] == "AQI", "value"].reindex(out.index)
    pub_primary = pub.loc[pub["variable"] == "primary_pollutant", "text"].reindex(out.index)
    frame = pd.DataFrame(
        {
            "aqi": out["aqi"].astype("Float64"),
            "pub_aqi": pub_aqi.astype("Float64"),
            "aqi_available": out["aqi_available"].astype("Float64"),
            "primary": out["primary_zh"].astype(object).fillna(""),
            "pub_primary": pub_primary.astype(object).fillna(""),
        }
    )
    frame["aqi_equal"] = (frame["aqi"].isna() & frame["pub_aqi"].isna()) | (frame["aqi"] == frame["pub_aqi"]).fillna(
        False
    )
    frame["primary_equal"] = frame["primary"] == frame["pub_primary"]
    return frame


def report(path: Path, o3_column: O3Column) -> None:
    values, published = load(path, o3_column)
    pattern = missing_pattern(values)
    print(f"{path.name}: {len(values)} station rows")
    for name, rule in RULES.items():
        cmp = compare(values, published, rule)
        both = cmp["aqi"].notna() & cmp["pub_aqi"].notna()
        with_aqi = cmp["pub_aqi"].notna()
        eq = int(cmp["aqi_equal"].sum())
        print(
            f"  {name:8s} AQI equal {eq}/{len(cmp)} ({100 * eq / len(cmp):.2f} %); "
            f"where both have one {int((cmp['aqi'] == cmp['pub_aqi'])[both].sum())}/{int(both.sum())}; "
            f"primary equal {int(cmp.loc[with_aqi, 'primary_equal'].sum())}/{int(with_aqi.sum())} rows with a published AQI"
        )
        bad = cmp[~cmp["aqi_equal"] | (with_aqi & ~cmp["primary_equal"])].join(pattern.rename("missing"))
        for station, row in bad.iterrows():
            print(
                f"    {station}: ours {row['aqi']} ({row['primary'] or '-'}), published {row['pub_aqi']} "
                f"({row['pub_primary'] or '-'}), AQI of the available {row['aqi_available']}, missing {row['missing']}"
            )
    table = pd.DataFrame({"missing": pattern})
    cmp = compare(values, published, RULES["standard"])
    table["published"] = cmp["pub_aqi"].notna().reindex(table.index).to_numpy()
    table["available_le_100"] = (cmp["aqi_available"] <= 100).reindex(table.index).to_numpy()
    counts = table[table["missing"] != "-"].value_counts(dropna=False).sort_index()
    print("  rows with a missing pollutant: (missing, published, AQI of the rest <= 100) -> rows")
    for key, n in counts.items():
        print(f"    {key}: {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--o3-column", type=O3Column, default=O3Column.O3)
    args = parser.parse_args()
    for path in args.files:
        report(path, args.o3_column)


if __name__ == "__main__":
    main()
