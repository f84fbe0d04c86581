"""The parks seed: every record's source span is recomputed from the committed agreement texts; tasks
that name a park link to it; imports report unknown codes, far points and partnerless co-built parks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xietong import region
from xietong.agreements.importer import import_agreement
from xietong.industry import gbt4754, parks
from xietong.industry.enums import ParkLevel

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_seed_holds_at_least_12_places_with_valid_fields() -> None:
    seed = parks.seed()
    assert len(seed) >= 12
    assert len({p.code for p in seed}) == len(seed)
    for p in seed:
        assert region.get(p.jurisdiction).jurisdiction
        assert p.name_zh and p.name_en
        assert all(gbt4754.is_valid(c) for c in p.leading_industries)
        if p.level is ParkLevel.CO_BUILT:
            assert p.partner is not None and p.partner != p.jurisdiction
        assert p.approximate  # no park point was sourced: the jurisdiction's point, flagged
        assert (p.lon, p.lat) == (region.get(p.jurisdiction).lon, region.get(p.jurisdiction).lat)


def test_every_source_span_is_recomputed_from_the_committed_text(agreement_texts: dict[str, str]) -> None:
    checked = 0
    for p in parks.seed():
        assert p.spans, p.code
        for span in (*p.spans, *([p.industries_span] if p.industries_span else [])):
            assert span.end - span.start == len(span.text) > 0, (p.code, span)
            if span.file in agreement_texts:  # the others: scripts/check_park_spans.py against ../shared
                assert agreement_texts[span.file][span.start : span.end] == span.text, (p.code, span)
                checked += 1
    assert checked >= 12


def test_the_parks_the_issue_names_are_in_the_seed() -> None:
    named = {
        "Binhai-Zhongguancun Science Park": "BZSP",
        "cooperation demonstration zone at Qinghe Farm in Ninghe": "JJHZ",
        "Tianjin Future Science and Technology City": "TFSC",
        "Caofeidian": "CFDZ",
        "Airport Economic Cooperation Zone of Beijing New Airport": "BNAE",
    }
    codes = {p.code for p in parks.seed()}
    assert set(named.values()) <= codes
    assert parks.match("Beijing Qinghe Farm in Ninghe County") == ["JJHZ"]


def test_matching_prefers_the_longer_name_and_never_overlaps() -> None:
    text = (
        "the Framework Agreement on Promoting the Construction of Tianjin Future Science and Technology City "
        "Cooperation Demonstration Zone; the Tianjin Future Science and Technology City; "
        "the JD.COM tourism cooperation demonstration zone"
    )
    assert parks.match(text) == ["JJHZ", "TFSC", "JDTZ"]
    assert parks.match("滨海—中关村科技园 与 冀津（涉县·天铁）循环经济产业示范区") == ["BZSP", "SXTT"]
    assert parks.match("Zhongguancun enterprises and Caofeidianx") == []  # whole words only


def test_agreement_tasks_link_to_the_parks_they_name() -> None:
    agreement = import_agreement(DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt")
    links = {t.id: parks.match([*t.projects, t.text]) for t in agreement.tasks}
    linked = {tid: codes for tid, codes in links.items() if codes}
    texts = {t.id: t.text for t in agreement.tasks}
    # the list of both: task → parks (printed with -s for review)
    for tid, codes in linked.items():
        print(tid, codes, texts[tid][:80])
    all_codes = {c for codes in linked.values() for c in codes}
    assert {"BZSP", "ZGCZ", "BHNA", "ZIYA", "PGLP", "DJBP", "MJQL", "TJFTZ", "JJHZ", "TFSC"} <= all_codes
    bz = [tid for tid, codes in linked.items() if "BZSP" in codes]
    assert any(
        "Building Binhai-Zhongguancun Science Park" in texts[t] or "Binhai-Zhongguancun Science Park into" in texts[t]
        for t in bz
    )


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "parks.csv"
    f.write_text(text, "utf-8")
    return f


def test_csv_import_reports_each_problem_with_row_and_field(tmp_path: Path) -> None:
    # written for this test: four rows, three with one problem each
    f = write(
        tmp_path,
        "# written for the test\n"
        "code,name_zh,name_en,jurisdiction,level,kind,partner,lon,lat,leading_industries\n"
        "P1,甲园,Park One,130600,provincial,industrial_park,,115.50,38.90,36;C38\n"
        "P2,乙园,Park Two,130600,provincial,industrial_park,,115.50,38.90,98\n"
        "P3,丙园,Park Three,130200,co_built,demonstration_zone,,118.4,39.2,\n"
        "P4,丁园,Park Four,130600,provincial,industrial_park,,117.20,40.98,\n",
    )
    imp = parks.read_csv(f)
    assert list(imp.parks["code"]) == ["P1"]
    got = {(p.where.row, p.where.field): p for p in imp.problems}
    assert set(got) == {(4, "leading_industries"), (5, "partner"), (6, "lon")}
    assert "unknown GB/T 4754-2017" in got[(4, "leading_industries")].message
    assert "co-built park without a known partner" in got[(5, "partner")].message
    assert "km from the reference point of Baoding" in got[(6, "lon")].message
    assert all(p.where.source == str(f) for p in imp.problems)


def test_geojson_import_reads_points_and_checks_them(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.7, 39.0]},
             "properties": {"code": "G1", "name_zh": "甲", "name_en": "G One", "jurisdiction": "天津", "level": "co_built",
                            "kind": "science_park", "partner": "110000", "leading_industries": ["73", "75"]}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [39.0, 117.7]},
             "properties": {"code": "G2", "name_zh": "乙", "name_en": "G Two", "jurisdiction": "120000", "level": "municipal",
                            "kind": "castle"}},
        ],
    }  # fmt: skip
    f = tmp_path / "parks.geojson"
    f.write_text(json.dumps(doc), "utf-8")
    imp = parks.read_geojson(f)
    assert list(imp.parks["code"]) == ["G1"]
    assert imp.parks["jurisdiction"].iloc[0] == "120000"
    assert {(p.where.row, p.where.field) for p in imp.problems} == {(2, "kind"), (2, "lon")}


def test_the_seed_exports_as_geojson_with_the_approximate_flag() -> None:
    fc = parks.to_geojson()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(parks.seed())
    assert all(f["properties"]["approximate"] is True for f in fc["features"])


@pytest.mark.parametrize(("a", "b", "km"), [((116.41, 39.90), (117.19, 39.13), 109.0)])
def test_distance_is_the_great_circle_distance(a: tuple[float, float], b: tuple[float, float], km: float) -> None:
    # Beijing – Tianjin reference points: about 109 km
    assert parks.distance_km(*a, *b) == pytest.approx(km, abs=1.0)
