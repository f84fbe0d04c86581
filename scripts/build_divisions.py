"""Build ``src/xietong/data/divisions_cn.csv`` from the NBS division-code tables.

Input: a folder with ``provinces.csv`` (``code,name``), ``cities.csv`` (``code,name,provinceCode``) and
``areas.csv`` (``code,name,cityCode,provinceCode``) as published by GitHub
``modood/Administrative-divisions-of-China`` (``dist/``, @ 57a0aa9; WTFPL), itself a transcription of the
National Bureau of Statistics' 统计用区划代码 (2023 edition per its README). The first six digits of those
codes are the GB/T 2260 codes kept by the Ministry of Civil Affairs.

Kept: every province-level division, every prefecture-level division, every county-level *city*
(县级市, named …市) and every county-level division directly under a province
(NBS groups ``xx90`` "省直辖县级行政区划"). Left out: districts and counties under a prefecture, and the
NBS-only development-zone codes (``xxxx7x``), which are not GB/T 2260 codes.

Usage: ``python scripts/build_divisions.py FOLDER > src/xietong/data/divisions_cn.csv``
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HEADER = """\
# Administrative divisions of China: provinces, prefectures, county-level cities and the county-level
# divisions administered directly by a province. GB/T 2260 codes (6 digits).
# Source: National Bureau of Statistics, 统计用区划代码 (2023 edition, cut-off 2023-06-30, published
#   2023-09-11), as transcribed in GitHub modood/Administrative-divisions-of-China dist/*.csv @ 57a0aa9
#   (WTFPL; the codes themselves are official public information). Built by scripts/build_divisions.py.
# level: province | prefecture | county_city (a county-level city inside a prefecture) |
#   province_managed (a county-level division administered by the province, NBS group "省直辖县级行政区划")
# prefecture_code: the prefecture-level division the NBS list places the unit in (empty when none);
#   for a municipality (北京市 …) its districts are the city, so prefecture_code is the province's code.
"""

GROUPS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build(folder: Path) -> list[tuple[str, str, str, str, str]]:
    rows: list[tuple[str, str, str, str, str]] = []
    for p in _read(folder / "provinces.csv"):
        rows.append((p["code"] + "0000", p["name"], "province", p["code"] + "0000", ""))
    group_of: dict[str, str] = {}
    for c in _read(folder / "cities.csv"):
        if c["name"] in GROUPS:
            group_of[c["code"]] = c["name"]
            continue
        rows.append((c["code"] + "00", c["name"], "prefecture", c["provinceCode"] + "0000", c["code"] + "00"))
    for a in _read(folder / "areas.csv"):
        code, name, city = a["code"], a["name"], a["cityCode"]
        province = a["provinceCode"] + "0000"
        if code[4] == "7":  # NBS development-zone codes, not GB/T 2260
            continue
        group = group_of.get(city)
        if group in {"省直辖县级行政区划", "自治区直辖县级行政区划"}:
            rows.append((code, name, "province_managed", province, ""))
        elif name.endswith("市"):
            rows.append((code, name, "county_city", province, city + "00" if group is None else province))
    seen: set[str] = set()
    unique = []
    for row in sorted(rows, key=lambda r: (r[0], r[2] != "prefecture")):
        if row[0] not in seen:  # 东莞市 etc.: prefectures without districts appear again as their own county
            seen.add(row[0])
            unique.append(row)
    return unique


def main() -> None:
    rows = build(Path(sys.argv[1]))
    out = sys.stdout
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name_zh", "level", "province_code", "prefecture_code"])
    writer.writerows(rows)


if __name__ == "__main__":
    main()
