"""Heavy optional pieces are extras of the package (``xietong[streets]``, ``[cluster]``, ``[docx]``, ``[parquet]``):
a feature whose package is missing says which extra to install, as a Xietong error (CLI exit code 2), and
nothing else needs the package. A missing package is simulated with ``sys.modules[name] = None``, which makes
``import name`` fail as if it were not installed."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from xietong.agreements.importer import read_docx
from xietong.cli import app
from xietong.errors import MissingExtraError, XietongError, require_extra
from xietong.transit.matrix import travel_time_matrix
from xietong.transit.streets import StreetNetwork, TravelMode
from xietong.transit.timetable import TimetableBuilder

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
PBF = DATA / "transit" / "road" / "pyrosm_test.osm.pbf"


def test_the_street_router_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "osmium", None)
    with pytest.raises(MissingExtraError) as caught:
        StreetNetwork.from_pbf(PBF, TravelMode.CAR)
    assert caught.value.message == "the street router needs the optional package osmium: pip install 'xietong[streets]'"
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, XietongError)


def test_a_matrix_on_a_cluster_names_its_extra_and_the_local_one_does_not_need_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    tt = TimetableBuilder().trip("A 08:00", "B 08:40").build()
    local = travel_time_matrix(tt, [8 * 3600])  # in-process: no Dask needed
    assert local.p50_s[tt.stop_index("A"), tt.stop_index("B")] == 2400
    with pytest.raises(
        MissingExtraError, match=r"optional package dask\[distributed\]: pip install 'xietong\[cluster\]'"
    ):
        travel_time_matrix(tt, [8 * 3600], cluster="tcp://127.0.0.1:9")


def test_docx_agreements_name_their_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)
    with pytest.raises(MissingExtraError) as caught:
        read_docx(b"PK\x03\x04 not read", source="plan.docx")
    assert caught.value.message == (
        "reading DOCX agreements needs the optional package python-docx: pip install 'xietong[docx]'"
    )


def test_a_parquet_output_names_its_extra_before_any_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "m.parquet"
    res = CliRunner().invoke(
        app,
        ["transit", "matrix", "--gtfs", str(DATA / "transit" / "poa_trensurb.zip"), "--date", "2019-05-06",
         "--from-time", "07:00", "--to-time", "08:00", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "needs the optional package pyarrow: pip install 'xietong[parquet]'" in res.output
    assert not out.exists()


def test_require_extra_returns_the_module_when_installed() -> None:
    assert require_extra("tomllib", extra="none", feature="a test") is tomllib


def test_every_extra_is_in_all_and_the_heavy_pieces_are_not_required() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(extras) >= {"streets", "cluster", "docx", "parquet", "all"}
    assert extras["all"] == ["xietong[streets,cluster,docx,parquet]"]
    required = " ".join(project["dependencies"])
    for heavy in ("osmium", "dask", "python-docx", "pyarrow"):
        assert heavy not in required, heavy
