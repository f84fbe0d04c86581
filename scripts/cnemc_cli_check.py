"""Score the CLI's AQI table against CNEMC's published AQI and primary pollutant (the issue 17 acceptance).

    xietong air ingest FILE --format cnemc-hourly --unknown-stations register --json
    xietong air aqi --level station --report hourly --from D --to D --edition 2026 --missing-rule RULE \\
        --format csv > aqi_RULE.csv
    .venv/bin/python scripts/cnemc_cli_check.py FILE aqi_RULE.csv

Equality counts "both missing" as equal; the primary pollutant is compared on rows with a published AQI.
"""

from __future__ import annotations

import sys

import pandas as pd


def main() -> None:
    published_path, ours_path = sys.argv[1], sys.argv[2]
    pub = pd.read_csv(published_path, dtype=str, keep_default_na=False).set_index("stationcode")
    ours = pd.read_csv(ours_path, dtype=str, keep_default_na=False).set_index("station")
    missing = sorted(set(pub.index) - set(ours.index))
    ours = ours.reindex(pub.index)
    pub_aqi = pd.to_numeric(pub["aqi"].replace({"NA": "", "/": ""}), errors="coerce")
    our_aqi = pd.to_numeric(ours["aqi"], errors="coerce")
    equal = (pub_aqi.isna() & our_aqi.isna()) | (pub_aqi == our_aqi)
    both = pub_aqi.notna() & our_aqi.notna()
    has = pub_aqi.notna()
    primary = ours["primary_zh"].fillna("") == pub["primarypollutant"].replace("NA", "")
    print(f"stations in the file {len(pub)}, not in the CLI table {len(missing)} {missing[:10]}")
    print(f"AQI equal {int(equal.sum())}/{len(pub)} ({100 * equal.mean():.2f} %)")
    print(f"AQI equal where both have one {int((pub_aqi == our_aqi)[both].sum())}/{int(both.sum())}")
    print(f"primary equal {int(primary[has].sum())}/{int(has.sum())} rows with a published AQI")
    print("differing:", ", ".join(pub.index[~equal]))


if __name__ == "__main__":
    main()
