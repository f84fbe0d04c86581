"""The parks registry in the store: the seed holds every park the agreement texts name with its source span,
agreement tasks link to the parks they name (read through the platform's dataset of tasks), imports are
all-or-nothing with errors naming file, row and field, and every revision is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.conftest import DATA, Engine
from tests.integration.industry_helpers import principal, write
from xietong import region
from xietong.agreements import service as agreements
from xietong.agreements.importer import import_agreement
from xietong.cli import app
from xietong.config import Settings
from xietong.errors import InputError, PermissionDeniedError
from xietong.exchange.bootstrap import operator
from xietong.industry import links, parks, service
from xietong.industry.tables import industry_park, industry_park_history
from xietong.store.session import Store

pytestmark = pytest.mark.integration
AGREEMENT = DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_the_registry_holds_every_seeded_park_with_its_source_span(store: Store) -> None:
    op = operator(store)
    stored = service.list_parks(store, op)
    assert len(stored) >= 12
    assert {p["code"] for p in stored} == {p.code for p in parks.seed()}
    text = AGREEMENT.read_text("utf-8")
    checked = 0
    for p in stored:
        assert p["sources"], p["code"]
        assert p["origin"] == "seed" and p["revision"] == 1
        for span in p["sources"]:
            assert span["end"] - span["start"] == len(span["text"])
            if span["file"] == AGREEMENT.name:  # the newspaper spans: scripts/check_park_spans.py
                assert text[span["start"] : span["end"]] == span["text"]
                checked += 1
    assert checked >= 12
    assert service.seed(store, op) == {"parks added": 0}  # idempotent


def test_agreement_tasks_are_linked_to_the_parks_they_name(store: Store) -> None:
    op = operator(store)
    assert links.task_links(store, op) == []  # no agreement imported yet
    agreement_id = agreements.import_agreement(store, op, AGREEMENT).agreement.id
    found = links.task_links(store, op)
    # the list of both, task → park (printed with -s for review)
    for link in found:
        print(link["number"], link["task_id"], link["park"], link["named_in"], link["text"][:70])
    by_park: dict[str, list[str]] = {}
    for link in found:
        assert link["agreement_id"] == agreement_id
        by_park.setdefault(link["park"], []).append(link["task_id"])
    # independently: a park whose source span lies inside a task's span is linked to that task
    text_tasks = import_agreement(AGREEMENT).tasks
    expected = {
        (t.id, p.code)
        for p in parks.seed()
        for s in p.spans
        if s.file == AGREEMENT.name
        for t in text_tasks
        if t.span[0] <= s.start and s.end <= t.span[1]
    }
    assert len({code for _, code in expected}) >= 12
    assert expected <= {(link["task_id"], link["park"]) for link in found}
    bz = [link for link in found if link["park"] == "BZSP"]
    assert any("Binhai-Zhongguancun" in link["text"] for link in bz)
    assert bz[0]["bind"][0] == "industry.projects park=BZSP"
    assert links.task_links(store, op, park="JJHZ") == [link for link in found if link["park"] == "JJHZ"]


def test_a_park_imported_later_links_to_the_tasks_naming_it(store: Store, tmp_path: Path) -> None:
    op = operator(store)
    agreements.import_agreement(store, op, AGREEMENT)
    csv = write(
        tmp_path / "parks.csv",
        "# written for the test: a park named in the agreement text, registered by Beijing\n"
        "code,name_zh,name_en,jurisdiction,level,kind,aliases,leading_industries\n"
        "TPSA,通州副中心,Beijing sub-center,110000,municipal,new_area,Tongzhou,72\n",
    )
    frame = service.read_parks_file(csv)
    assert service.import_parks(store, op, frame, source=csv.name)["new"] == 1
    linked = links.task_links(store, op, park="TPSA")
    assert linked and all("sub-center" in link["text"] or "Tongzhou" in link["text"] for link in linked)


BAD_PARKS = (
    "# written for the test: one good row and four rows with planted problems\n"
    "code,name_zh,name_en,jurisdiction,level,kind,partner,lon,lat,leading_industries\n"
    "OK1,测试园,Test park,120000,municipal,industrial_park,,117.7,39.0,C36\n"
    "BAD1,测试园,Test park,120000,municipal,industrial_park,,117.7,39.0,99\n"
    "BAD2,测试园,Test park,120000,municipal,industrial_park,,121.5,31.2,36\n"
    "BAD3,测试园,Test park,120000,co_built,industrial_park,,117.7,39.0,36\n"
    "BAD4,测试园,Test park,天京,municipal,industrial_park,,117.7,39.0,36\n"
)


def test_a_bad_park_file_is_refused_whole_naming_row_and_field(store: Store, tmp_path: Path) -> None:
    csv = write(tmp_path / "bad.csv", BAD_PARKS)
    before = _count(store, industry_park)
    with pytest.raises(InputError) as err:
        service.read_parks_file(csv)
    text = err.value.describe()
    assert "unknown GB/T 4754-2017 industry code" in text and "bad.csv, row 4, field 'leading_industries'" in text
    assert "km from the reference point of Tianjin" in text and "row 5, field 'lon'" in text
    assert "co-built park without a known partner" in text and "row 6, field 'partner'" in text
    assert "unknown jurisdiction" in text and "row 7, field 'jurisdiction'" in text
    assert _count(store, industry_park) == before


def test_a_park_outside_its_jurisdictions_boundary_is_refused(store: Store, tmp_path: Path, engine: Engine) -> None:
    # boundary written for the test: a 0.4° square around Tianjin's reference point, not a real boundary
    ref = region.get("120000")
    ring = [[ref.lon - 0.2, ref.lat - 0.2], [ref.lon + 0.2, ref.lat - 0.2], [ref.lon + 0.2, ref.lat + 0.2],
            [ref.lon - 0.2, ref.lat + 0.2], [ref.lon - 0.2, ref.lat - 0.2]]  # fmt: skip
    boundary = tmp_path / "boundary.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": 120000}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    ]}))  # fmt: skip
    settings = Settings.from_env({"XIETONG_BOUNDARIES": str(boundary)}, data_dir=engine.settings.data_dir)
    inside = f"IN1,内,Inside,120000,municipal,industrial_park,{ref.lon + 0.1},{ref.lat}\n"
    outside = f"OUT1,外,Outside,120000,municipal,industrial_park,{ref.lon + 0.5},{ref.lat}\n"
    header = "code,name_zh,name_en,jurisdiction,level,kind,lon,lat\n"
    ok = write(tmp_path / "in.csv", header + inside)
    assert len(service.read_parks_file(ok, settings=settings)) == 1
    bad = write(tmp_path / "out.csv", header + inside + outside)
    with pytest.raises(InputError, match=r"OUT1 lies outside the boundary of Tianjin.*out.csv, row 3, field 'lon'"):
        service.read_parks_file(bad, settings=settings)


def test_only_the_owner_publishes_a_park_and_revisions_are_kept(store: Store, tmp_path: Path) -> None:
    tianjin = principal(store, "tianjin-industry", "120000")
    hebei = principal(store, "hebei-industry", "130000")
    header = "code,name_zh,name_en,jurisdiction,level,kind,partner,leading_industries,source\n"
    revised = write(tmp_path / "bz.csv", header + "BZSP,滨海—中关村科技园,Binhai-Zhongguancun Science Park,"
                    "120000,co_built,science_park,110000,73;75;65,https://example.org/written-for-the-test\n")  # fmt: skip
    frame = service.read_parks_file(revised)
    with pytest.raises(PermissionDeniedError, match="may not publish park BZSP"):
        service.import_parks(store, hebei, frame, source=revised.name)
    assert _count(store, industry_park_history) == 0
    assert service.import_parks(store, tianjin, frame, source=revised.name)["revised"] == 1
    history = service.park_history(store, tianjin, "BZSP")
    assert [h["revision"] for h in history] == [1, 2]
    assert history[0]["origin"] == "seed" and history[0]["superseded_at"] is not None
    assert history[1]["leading_industries"] == ["73", "75", "65"]
    assert history[1]["sources"] == [{"document": "https://example.org/written-for-the-test"}]
    # the same file again writes nothing
    assert service.import_parks(store, tianjin, frame, source=revised.name)["unchanged"] == 1


def test_parks_list_json_is_the_acceptance_interface(engine: Engine) -> None:
    result = CliRunner().invoke(app, ["industry", "parks", "list", "--json"], env=engine.env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) >= 12
    assert all({"code", "name_zh", "name_en", "jurisdiction"} <= set(r) for r in rows)
    assert {r["code"]: r["jurisdiction"] for r in rows}["CFDZ"] == "130200"


def test_a_bad_park_file_exits_2_from_the_cli(engine: Engine, tmp_path: Path) -> None:
    csv = write(tmp_path / "bad.csv", BAD_PARKS)
    result = CliRunner().invoke(app, ["industry", "parks", "import", str(csv)], env=engine.env, catch_exceptions=False)
    assert result.exit_code == 2
    assert "bad.csv, row 4, field 'leading_industries'" in result.stderr and "Traceback" not in result.stderr


def test_a_geojson_of_parks_imports_with_its_points(engine: Engine, store: Store, tmp_path: Path) -> None:
    # written for the test: one park as a GeoJSON point near Tangshan's reference point
    ref = region.get("130200")
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [ref.lon + 0.3, ref.lat - 0.2]},
        "properties": {"code": "TSGJ", "name_zh": "测试园区", "name_en": "Test park (written for the test)",
                       "jurisdiction": "130200", "level": "provincial", "kind": "industrial_park",
                       "leading_industries": ["3670", "C38"], "area_km2": 12.5},
    }]}  # fmt: skip
    path = write(tmp_path / "parks.geojson", json.dumps(doc, ensure_ascii=False))
    result = CliRunner().invoke(app, ["industry", "parks", "import", str(path)], env=engine.env, catch_exceptions=False)
    assert result.exit_code == 0 and json.loads(result.stdout)["new"] == 1, result.stderr
    park = service.get_park(store, operator(store), "TSGJ")
    assert (park["lon"], park["lat"], park["approximate"]) == (ref.lon + 0.3, ref.lat - 0.2, False)
    assert park["leading_industries"] == ["3670", "38"] and park["leading_section"] == "C"
    assert park["sources"] == [{"file": "parks.geojson", "row": 1}] and park["area_km2"] == 12.5
