"""Every file reader of Xietong, with a valid seed input and a function that reads a file to the end.

The fuzz test (``test_reader_fuzz.py``) mutates each seed (random bytes, truncation, other encodings, cells
replaced by awkward tokens, huge fields, JSON values replaced, one member of a zip or one file of a
directory changed) and requires every reader to either read the result or raise a
:class:`~xietong.errors.XietongError` with a short message. Seeds are the committed real samples of
``tests/data`` (or files derived from them here), except where ``tests/data/NOTICE.md`` marks a sample as
written for the tests.

A reader's ``consume`` returns the :class:`~xietong.errors.Problem` objects a reader reports without
raising (row-level problems of chunked readers), so their size is checked too.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from xietong.errors import Problem

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
RAIL = DATA / "transit" / "rail"


@dataclass(frozen=True)
class Reader:
    """A reader under fuzzing: ``seed(tmp)`` writes a valid input under ``tmp`` and returns its path;
    ``consume(path)`` reads it to the end and returns the problems reported without raising."""

    name: str
    kind: str  # "text" (CSV/Markdown/TOML…), "json", "zip" (a member is mutated), "xlsx", "dir" (one file mutated)
    seed: Callable[[Path], Path]
    consume: Callable[[Path], list[Problem]]
    suffix: str = ".csv"


def _copy(src: Path, name: str | None = None) -> Callable[[Path], Path]:
    def seed(tmp: Path) -> Path:
        out = tmp / (name or src.name)
        shutil.copyfile(src, out)
        return out

    return seed


def _text(name: str, text: str) -> Callable[[Path], Path]:
    def seed(tmp: Path) -> Path:
        out = tmp / name
        out.write_text(text, encoding="utf-8")
        return out

    return seed


def _head(src: Path, name: str, lines: int) -> Callable[[Path], Path]:
    """The first ``lines`` lines of a real sample (a trimmed copy keeps each example fast)."""

    def seed(tmp: Path) -> Path:
        out = tmp / name
        text = src.read_text(encoding="utf-8")
        out.write_text("\n".join(text.splitlines()[:lines]) + "\n", encoding="utf-8")
        return out

    return seed


# -- air ---------------------------------------------------------------------------------------------------


def _air(fmt: str) -> Callable[[Path], list[Problem]]:
    def consume(path: Path) -> list[Problem]:
        from xietong.air.formats import AirFormat, SourceInfo, detect_format, read_observations

        info = SourceInfo(path.name, path.stat().st_size if path.is_file() else None)
        chosen = detect_format(path) if fmt == "auto" else AirFormat(fmt)
        problems: list[Problem] = []
        for chunk in read_observations(path, chosen, info, chunk_rows=40):
            problems += chunk.problems
        return problems

    return consume


def _air_canonical_csv(tmp: Path) -> Path:
    """Long rows derived from the real UCI sample of Dongsi (first 8 hours)."""
    uci = pd.read_csv(DATA / "air" / "uci" / "PRSA_Data_Dongsi_20161210-20161223.csv", nrows=8)
    rows = ["station,time,pollutant,value,unit,flag"]
    for rec in uci.itertuples():
        t = f"{rec.year:04d}-{rec.month:02d}-{rec.day:02d}T{rec.hour:02d}:00+08:00"
        rows += [f"1003A,{t},PM2.5,{rec._6},µg/m³,", f"1003A,{t},CO,{rec.CO},µg/m³,"]
    out = tmp / "canonical.csv"
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out


def _air_canonical_json(tmp: Path) -> Path:
    frame = pd.read_csv(_air_canonical_csv(tmp), dtype=str, keep_default_na=False)
    out = tmp / "canonical.json"
    out.write_text(json.dumps(frame.to_dict("records"), ensure_ascii=False), encoding="utf-8")
    return out


def _air_wide(tmp: Path) -> Path:
    """The CNEMC wide layout of the real hourly sample's first stations (values as published)."""
    hourly = pd.read_csv(DATA / "air" / "cnemc_hourly_2022-06-15T16_jjj.csv", nrows=4)
    lines = ["date,hour,type," + ",".join(hourly["stationcode"])]
    for typ, col in (("AQI", "aqi"), ("PM2.5", "pm2_5"), ("PM2.5_24h", "pm2_5_24h"), ("CO", "co"), ("O3", "o3")):
        lines.append("20220615,16," + typ + "," + ",".join(str(v) for v in hourly[col]))
    out = tmp / "cnemc_wide.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _station_list(path: Path) -> list[Problem]:
    from xietong.air.formats import SourceInfo, read_station_list

    read_station_list(path, SourceInfo(path.name, None))
    return []


def _forecasts(path: Path) -> list[Problem]:
    from xietong.air.forecast_formats import read_forecast_file

    read_forecast_file(path)
    return []


def _forecast_json(tmp: Path) -> Path:
    frame = pd.read_csv(ROOT / "demo" / "data" / "forecasts_beijing_2016-12_illustrative.csv", dtype=str, nrows=6)
    out = tmp / "forecasts.json"
    out.write_text(json.dumps({"forecasts": frame.to_dict("records")}, ensure_ascii=False), encoding="utf-8")
    return out


def _enterprises(path: Path) -> list[Problem]:
    from xietong.exchange.enterprises import parse_enterprises

    parse_enterprises(path)
    return []


# -- water -------------------------------------------------------------------------------------------------


def _water(path: Path) -> list[Problem]:
    from xietong.water.formats import read_samples

    problems: list[Problem] = []
    for chunk in read_samples(path):
        problems += chunk.problems
    return problems


def _water_canonical(suffix: str) -> Callable[[Path], Path]:
    def seed(tmp: Path) -> Path:
        from xietong.water.formats import collect, read_samples, to_canonical

        src = _head(DATA / "water" / "cnemc_surface_water_haihe_2025-11.csv", "w.csv", 12)(tmp)
        frame = to_canonical(collect(read_samples(src)).samples)
        out = tmp / f"water_canonical{suffix}"
        if suffix == ".json":
            out.write_text(json.dumps(frame.to_dict("records"), ensure_ascii=False, default=str), encoding="utf-8")
        else:
            frame.to_csv(out, index=False)
        return out

    return seed


def _water_decimals(path: Path) -> list[Problem]:
    from xietong.water.formats import display_decimals

    display_decimals(path)
    return []


def _water_table(path: Path) -> list[Problem]:
    from xietong.water.registry import _read_table

    _read_table(path)
    return []


def _water_sections(tmp: Path) -> Path:
    out = tmp / "sections.csv"
    src = ROOT / "src" / "xietong" / "data" / "water_sections_haihe.csv"
    out.write_text("\n".join(src.read_text(encoding="utf-8").splitlines()[:8]) + "\n", encoding="utf-8")
    return out


# -- transit -----------------------------------------------------------------------------------------------


def _gtfs_seed(tmp: Path) -> Path:
    """The real Cairns subset cut to its first five trips (and the stops they serve)."""
    out = tmp / "feed.zip"
    with zipfile.ZipFile(DATA / "transit" / "cairns_subset.zip") as src, zipfile.ZipFile(out, "w") as dst:
        stop_times = pd.read_csv(src.open("stop_times.txt"), dtype=str, keep_default_na=False)
        trips = pd.read_csv(src.open("trips.txt"), dtype=str, keep_default_na=False).head(5)
        stop_times = stop_times[stop_times["trip_id"].isin(trips["trip_id"])]
        stops = pd.read_csv(src.open("stops.txt"), dtype=str, keep_default_na=False)
        stops = stops[stops["stop_id"].isin(stop_times["stop_id"])]
        for name in src.namelist():
            frame = {"stop_times.txt": stop_times, "trips.txt": trips, "stops.txt": stops}.get(name)
            dst.writestr(name, frame.to_csv(index=False) if frame is not None else src.read(name))
    return out


def _gtfs(path: Path) -> list[Problem]:
    from xietong.transit.gtfs import read_feed, validate_feed

    validate_feed(read_feed(path))
    return []


def _rail(reader: str) -> Callable[[Path], list[Problem]]:
    def consume(path: Path) -> list[Problem]:
        from xietong.transit.china_rail import formats

        getattr(formats, reader)(path)
        return []

    return consume


def _rail_sources(path: Path) -> list[Problem]:
    from xietong.transit.china_rail.sources import find_sources, read_source

    found = find_sources([path])
    found.registry()
    for fmt, p in found.timetables:
        read_source(fmt, p)
    return []


def _rail_dir(tmp: Path) -> Path:
    out = tmp / "rail"
    shutil.copytree(RAIL, out)
    return out


def _jingguang(tmp: Path) -> Path:
    out = tmp / "jingguang_hsr"
    shutil.copytree(RAIL / "jingguang_hsr", out)
    return out


def _stations(path: Path) -> list[Problem]:
    from xietong.transit.stations import read_station_registry

    read_station_registry(path, RAIL / "stations" / "station_coords_heywhale_2021_sample.csv")
    return []


def _coords(path: Path) -> list[Problem]:
    from xietong.transit.stations import read_station_registry

    read_station_registry(RAIL / "stations" / "12306_stations_2026-01_sample.csv", path)
    return []


def _scenario(path: Path) -> list[Problem]:
    from xietong.transit.scenario import load_scenario

    load_scenario(path)
    return []


# -- agreements --------------------------------------------------------------------------------------------


def _agreement(path: Path) -> list[Problem]:
    from xietong.agreements.importer import import_agreement

    import_agreement(path)
    return []


def _agreement_seed(tmp: Path) -> Path:
    """The first 40 lines of the real Beijing–Tianjin agreement (English machine translation)."""
    return _head(DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt", "agreement.txt", 40)(tmp)


def _docx_seed(tmp: Path) -> Path:
    import docx

    text = (DATA / "agreements" / "tianjin_hebei_framework_agreement_zh.txt").read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines()[:30]:
        document.add_paragraph(line)
    out = tmp / "agreement.docx"
    document.save(str(out))
    return out


def _tracking(path: Path) -> list[Problem]:
    from xietong.agreements.tracking_csv import parse_tracking_csv
    from xietong.inputs import read_input_bytes

    parse_tracking_csv(read_input_bytes(path), source=path.name)  # as `xietong agreements import-tracking`
    return []


# written for the tests: the layout of `xietong agreements export`, with invented task ids and notes
TRACKING = (
    "agreement,task,status,progress_pct,due,weight,note\n"
    "1,t-85fb2ec5d6,in_progress,40,2026-12-31,2,site chosen\n"
    "1,t-0123456789,done,100,,1,\n"
    "1,t-abcdefabcd,,,2027-06-30,,waiting for funds\n"
)


# -- industry ----------------------------------------------------------------------------------------------


def _panel(path: Path) -> list[Problem]:
    from xietong.industry.panel import read_panel

    return list(read_panel(path).problems)


def _structure(path: Path) -> list[Problem]:
    from xietong.industry.economy import from_file

    from_file(path)
    return []


def _parks_csv(path: Path) -> list[Problem]:
    from xietong.industry import parks

    return list(parks.read_csv(path).problems)


def _parks_geojson(path: Path) -> list[Problem]:
    from xietong.industry import parks

    return list(parks.read_geojson(path).problems)


def _parks_geojson_seed(tmp: Path) -> Path:
    from xietong.industry import parks

    doc = parks.to_geojson(parks.seed()[:4])
    out = tmp / "parks.geojson"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return out


# written for the tests (as tests/unit/industry/test_parks.py): invented parks near real reference points
PARKS = (
    "# written for the test\n"
    "code,name_zh,name_en,jurisdiction,level,kind,partner,lon,lat,leading_industries\n"
    "P1,甲园,Park One,130600,provincial,industrial_park,,115.50,38.90,36;C38\n"
    "P3,丙园,Park Three,130200,co_built,demonstration_zone,110000,118.4,39.7,\n"
)


def _contracts(path: Path) -> list[Problem]:
    from xietong.industry.transfer import read_file

    read_file(path)
    return []


def _sharing(which: str) -> Callable[[Path], list[Problem]]:
    def consume(path: Path) -> list[Problem]:
        from xietong.industry import sharing
        from xietong.industry._csv import read_text_csv
        from xietong.industry.views import sharing_frames

        other = path.parent / ("taxes_seed.csv" if which == "enterprises" else "enterprises_seed.csv")
        files = {which: path, "taxes" if which == "enterprises" else "enterprises": other}
        (e, er), (t, tr) = (read_text_csv(files[k], source=files[k].name) for k in ("enterprises", "taxes"))
        ef, tf = sharing_frames(  # as `xietong industry sharing`
            e, t, enterprises_source=files["enterprises"].name, taxes_source=files["taxes"].name, first_rows=(er, tr)
        )
        return list(sharing.share_taxes(ef, tf, source=files["taxes"].name).problems)

    return consume


# written for the tests (as tests/unit/industry/test_sharing.py): an invented enterprise and its taxes
SHARING_ENTERPRISES = (
    "enterprise,origin,destination,start_year,pre_move_local_cny,government_led\nE1,110000,130200,2017,90000000,true\n"
)
SHARING_TAXES = "enterprise,year,tax,paid_cny\nE1,2017,vat,80000000\nE1,2017,cit,50000000\nE1,2018,vat,80000000\n"


def _sharing_seed(which: str) -> Callable[[Path], Path]:
    def seed(tmp: Path) -> Path:
        (tmp / "enterprises_seed.csv").write_text(SHARING_ENTERPRISES, encoding="utf-8")
        (tmp / "taxes_seed.csv").write_text(SHARING_TAXES, encoding="utf-8")
        out = tmp / f"{which}.csv"
        out.write_text(SHARING_ENTERPRISES if which == "enterprises" else SHARING_TAXES, encoding="utf-8")
        return out

    return seed


def _boundaries(path: Path) -> list[Problem]:
    from xietong.industry import boundaries

    boundaries.load(path)
    return []


# written for the tests: a square around Baoding's reference point, not a real boundary
BOUNDARIES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": 130600, "name": "保定市"},
                "geometry": {"type": "Polygon", "coordinates": [[[115, 38.5], [116, 38.5], [116, 39.5], [115, 38.5]]]},
            }
        ],
    }
)


# -- trading -----------------------------------------------------------------------------------------------


def _eutl(path: Path) -> list[Problem]:
    from xietong.trading import read_eutl

    return list(read_eutl(path).problems)


def _eutl_seed(tmp: Path) -> Path:
    out = tmp / "eutl"
    shutil.copytree(DATA / "trading" / "eutl_AT_IE_20", out)
    return out


def _uk_ets(path: Path) -> list[Problem]:
    from xietong.trading import read_uk_ets

    return list(read_uk_ets(path).problems)


def _quotes(path: Path) -> list[Problem]:
    from xietong.trading import read_pilot_quotes

    return read_pilot_quotes(path)[1]


# -- platform ----------------------------------------------------------------------------------------------


def _checkpoint(path: Path) -> list[Problem]:
    from xietong.exchange.checkpoint import read_checkpoint
    from xietong.inputs import read_input_text

    read_checkpoint(read_input_text(path), source=path.name)
    return []


def _checkpoint_seed(tmp: Path) -> Path:
    """A checkpoint as ``audit checkpoint --save`` writes it, signed with a key made for the test."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from xietong.exchange.checkpoint import TreeHead, note, sign, timestamp_ms, verifier_key
    from xietong.exchange.crypto import SigningKey

    key = SigningKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    at = timestamp_ms(datetime(2026, 1, 1, tzinfo=UTC))
    head = TreeHead(origin="xietong.test/audit", size=3, root=bytes(32), timestamp_ms=at)
    public = key.public_key
    doc = {"checkpoint": note(head, sign(head, key), public), "verifier_key": verifier_key(head.origin, public)}
    out = tmp / "head.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


READERS: tuple[Reader, ...] = (
    Reader("air canonical csv", "text", _air_canonical_csv, _air("auto")),
    Reader("air canonical json", "json", _air_canonical_json, _air("canonical"), ".json"),
    Reader(
        "air uci", "text", _head(DATA / "air/uci/PRSA_Data_Dongsi_20161210-20161223.csv", "uci.csv", 30), _air("uci")
    ),
    Reader(
        "air cnemc-hourly",
        "text",
        _head(DATA / "air/cnemc_hourly_2022-06-15T16_jjj.csv", "h.csv", 20),
        _air("cnemc-hourly"),
    ),
    Reader("air cnemc-wide", "text", _air_wide, _air("cnemc-wide")),
    Reader(
        "air station list",
        "text",
        _head(ROOT / "src/xietong/data/cnemc_station_list_jjj.csv", "s.csv", 20),
        _station_list,
    ),
    Reader(
        "air forecasts csv", "text", _copy(ROOT / "demo/data/forecasts_beijing_2016-12_illustrative.csv"), _forecasts
    ),
    Reader("air forecasts json", "json", _forecast_json, _forecasts, ".json"),
    Reader("enterprise registry", "text", _copy(ROOT / "demo/data/enterprises_illustrative.csv"), _enterprises),
    Reader(
        "water cnemc real-time",
        "text",
        _head(DATA / "water/cnemc_surface_water_haihe_2025-11.csv", "w.csv", 15),
        _water,
    ),
    Reader(
        "water decimals",
        "text",
        _head(DATA / "water/cnemc_surface_water_haihe_2025-11.csv", "w.csv", 15),
        _water_decimals,
    ),
    Reader("water canonical csv", "text", _water_canonical(".csv"), _water),
    Reader("water canonical json", "json", _water_canonical(".json"), _water, ".json"),
    Reader("water sections", "text", _water_sections, _water_table),
    Reader("gtfs", "zip", _gtfs_seed, _gtfs, ".zip"),
    Reader(
        "12306 json",
        "json",
        _copy(RAIL / "12306_2026-06-17/train_detail_C_20260617_record_sample.json"),
        _rail("read_query_train_info_json"),
        ".json",
    ),
    Reader(
        "12306 markdown",
        "text",
        _copy(RAIL / "12306_2026-06-17/train_detail_G_20260617_region_rows_sample.md"),
        _rail("read_query_train_info_markdown"),
        ".md",
    ),
    Reader(
        "routemaster json",
        "json",
        _copy(RAIL / "routemaster_2021-04-13/trains_jjj.json"),
        _rail("read_routemaster"),
        ".json",
    ),
    Reader(
        "station boards",
        "text",
        _copy(RAIL / "station_boards/station_boards_jjj_capitals_sample.csv"),
        _rail("read_station_boards"),
    ),
    Reader("jingguang wide", "dir", _jingguang, _rail("read_jingguang_wide"), ""),
    Reader("rail sources", "dir", _rail_dir, _rail_sources, ""),
    Reader("12306 station list", "text", _copy(RAIL / "stations/12306_stations_2026-01_sample.csv"), _stations),
    Reader("station coordinates", "text", _copy(RAIL / "stations/station_coords_heywhale_2021_sample.csv"), _coords),
    Reader("transit scenario", "text", _copy(ROOT / "scenarios/tianjin-shijiazhuang.toml"), _scenario, ".toml"),
    Reader("agreement text", "text", _agreement_seed, _agreement, ".txt"),
    Reader("agreement markdown", "text", _copy(DATA / "agreements/shijiazhuang_action_plan.md"), _agreement, ".md"),
    Reader("agreement docx", "zip", _docx_seed, _agreement, ".docx"),
    Reader("tracking csv", "text", _text("tracking.csv", TRACKING), _tracking),
    Reader(
        "industry panel",
        "text",
        _head(DATA / "industry/jjj_city_panel_extract_2013_2019_2020.csv", "p.csv", 14),
        _panel,
    ),
    Reader(
        "industry structure",
        "text",
        _head(DATA / "industry/jjj_city_panel_extract_2013_2019_2020.csv", "p.csv", 14),
        _structure,
    ),
    Reader("industry parks csv", "text", _text("parks.csv", PARKS), _parks_csv),
    Reader("industry parks geojson", "json", _parks_geojson_seed, _parks_geojson, ".geojson"),
    Reader("industry contracts", "text", _copy(DATA / "industry/tech_contracts_written_for_tests.csv"), _contracts),
    Reader("industry sharing enterprises", "text", _sharing_seed("enterprises"), _sharing("enterprises")),
    Reader("industry sharing taxes", "text", _sharing_seed("taxes"), _sharing("taxes")),
    Reader("boundaries", "json", _text("b.geojson", BOUNDARIES), _boundaries, ".geojson"),
    Reader("trading eutl", "dir", _eutl_seed, _eutl, ""),
    Reader("trading uk ets", "xlsx", _copy(DATA / "trading/uk_ets_compliance_report_30.xlsx"), _uk_ets, ".xlsx"),
    Reader("trading pilot quotes", "text", _copy(DATA / "trading/pilot_quotes_50.csv"), _quotes),
    Reader("audit checkpoint", "json", _checkpoint_seed, _checkpoint, ".json"),
)


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


__all__ = ["READERS", "Reader", "rezip", "zip_members"]
