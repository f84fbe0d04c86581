"""Turn saved pages of the CNEMC real-time surface-water system into the ``cnemc-realtime`` CSV.

The national automatic surface-water publishing system (国家地表水水质自动监测实时数据发布系统) shows one
table row per section: province, basin, section, time (``MM-DD HH:MM``, no year), the published class,
then each item displayed rounded with the unrounded value in a tooltip (``原始值：…``). Pages saved in
Nov 2025 also carry the city and river in a tooltip on the section name and a station-status column
(站点情况); pages saved in Feb 2026 have neither. This script reads such saved pages (one file per
snapshot, named ``YYYYMMDDTHHMMSS…``, as kept in GitHub ``jinxiaolong2025/water-scraper``) and writes the
columns :func:`xietong.water.formats.read_cnemc_realtime` reads, for one basin:

* the year of each row: the latest year that puts the row at or before its snapshot;
* city and river: from the page's tooltip, else from the shipped sections table by (province, section)
  (``city_river_src`` says which);
* a row seen in several snapshots is written once, with the values first seen; ``n_snapshots`` and
  ``values_changed_between_snapshots`` say how often it was seen and whether the values differed.

Usage::

    python scripts/cnemc_water_pages.py PAGE.html... --basin 海河流域 --out FILE.csv

No network access; an optional data-preparation script (the test samples under ``tests/data/water`` were
made with it, see ``tests/data/NOTICE.md``).
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

ITEMS = [  # header text on the page -> column stem in the CSV
    ("水温", "water_temp_C"),
    ("pH", "pH"),
    ("溶解氧", "DO_mg_L"),
    ("电导率", "conductivity_uS_cm"),
    ("浊度", "turbidity_NTU"),
    ("高锰酸盐指数", "CODMn_mg_L"),
    ("氨氮", "NH3N_mg_L"),
    ("总磷", "TP_mg_L"),
    ("总氮", "TN_mg_L"),
    ("叶绿素α", "chla_mg_L"),
    ("藻密度", "algae_density_cells_L"),
]
HEADER = [
    "province",
    "basin",
    "city",
    "river",
    "section",
    "obs_time_local",
    "water_class",
    *(c for _, stem in ITEMS for c in (stem, f"{stem}_raw")),
    "status",
    "city_river_src",
    "first_seen_snapshot",
    "n_snapshots",
    "values_changed_between_snapshots",
    "page_format",
]
_ROW = re.compile(r'<li class="news-item">(.*?)</li>', re.S)
_CELL = re.compile(r'<td class="([^"]+)">(.*?)</td>', re.S)
_HEAD = re.compile(r'<table id="gridHd"[^>]*>(.*?)</table>', re.S)
_RAW = re.compile(r"原始值：([^\"<]*)")
CST = timezone(timedelta(hours=8), "UTC+08:00")  # page times and snapshot names are China Standard Time
_PLACE = re.compile(r"所在地市:([^\n\"]*)\s*所属河流:([^\"<]*)")


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _sections_table() -> dict[tuple[str, str], tuple[str, str]]:
    text = resources.files("xietong.data").joinpath("water_sections_haihe.csv").read_text("utf-8")
    return {(r["province"], r["name"]): (r["city"], r["river"]) for r in csv.DictReader(text.splitlines())}


def _year(month_day_time: str, snapshot: datetime) -> datetime | None:
    """The latest year that puts ``MM-DD HH:MM`` at or before the snapshot (``None``: not such a time)."""
    if not re.fullmatch(r"\d\d-\d\d \d\d:\d\d", month_day_time):
        return None
    for year in (snapshot.year, snapshot.year - 1):
        when = datetime.strptime(f"{year}-{month_day_time}", "%Y-%m-%d %H:%M").replace(tzinfo=CST)
        if when <= snapshot:
            return when
    return None


def parse_page(path: Path, basin: str, sections: dict[tuple[str, str], tuple[str, str]]) -> list[dict[str, str]]:
    """The rows of one saved page that belong to ``basin``."""
    page = path.read_text("utf-8")
    snapshot_text = path.name[:15]
    snapshot = datetime.strptime(snapshot_text, "%Y%m%dT%H%M%S").replace(tzinfo=CST)
    head = _HEAD.search(page)
    names = [_text(c).split("(")[0].strip() for _, c in _CELL.findall(head.group(1))] if head else []
    fmt = f"{snapshot:%Y-%m} ({len(names)} cols{', tooltip city/river' if '站点情况' in names else ''})"
    out: list[dict[str, str]] = []
    skipped: list[str] = []
    for block in _ROW.findall(page):
        cells = dict(zip(names, (c for _, c in _CELL.findall(block)), strict=False))
        if _text(cells.get("流域", "")) != basin:
            continue
        province, section = _text(cells["省份"]), _text(cells["断面名称"])
        when = _year(_text(cells["监测时间"]), snapshot)
        if when is None:  # a row without a time (a section with no recent data) cannot be placed
            skipped.append(section)
            continue
        place = _PLACE.search(cells["断面名称"])
        if place:
            city, river, src = place.group(1).strip(), place.group(2).strip(), "page_tooltip"
        else:
            city, river = sections.get((province, section), ("", ""))
            src = "sections_table" if river else "none"
        row = {
            "province": province,
            "basin": basin,
            "city": city,
            "river": river,
            "section": section,
            "obs_time_local": when.strftime("%Y-%m-%dT%H:%M"),
            "water_class": _text(cells["水质类别"]).replace("--", ""),
            "status": _text(cells.get("站点情况", "")),
            "city_river_src": src,
            "first_seen_snapshot": snapshot_text,
            "page_format": fmt,
        }
        for label, stem in ITEMS:
            cell = cells.get(label, "")
            raw = _RAW.search(cell)
            row[stem] = _text(cell)
            row[f"{stem}_raw"] = raw.group(1).strip() if raw else ""
        out.append(row)
    if skipped:
        print(
            f"{path.name}: {len(skipped)} row(s) without a time skipped ({', '.join(skipped[:3])} …)", file=sys.stderr
        )
    return out


def merge(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per (province, section, time): the first seen, with how often and whether it changed."""
    value_cols = ["water_class", *(f"{stem}_raw" for _, stem in ITEMS)]
    merged: dict[tuple[str, str, str], dict[str, str]] = {}
    seen: dict[tuple[str, str, str], set[tuple[str, ...]]] = {}
    count: dict[tuple[str, str, str], int] = {}
    for row in rows:
        key = (row["province"], row["section"], row["obs_time_local"])
        merged.setdefault(key, row)
        seen.setdefault(key, set()).add(tuple(row[c] for c in value_cols))
        count[key] = count.get(key, 0) + 1
    for key, row in merged.items():
        row["n_snapshots"] = str(count[key])
        row["values_changed_between_snapshots"] = str(len(seen[key]) > 1)
    return list(merged.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path, help="saved pages, named YYYYMMDDTHHMMSS…")
    parser.add_argument("--basin", default="海河流域")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    sections = _sections_table()
    rows: list[dict[str, str]] = []
    for page in sorted(args.pages, key=lambda p: p.name):
        rows.extend(parse_page(page, args.basin, sections))
    merged = merge(rows)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(merged)
    print(f"{len(merged)} rows ({len(rows)} before merging snapshots) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
