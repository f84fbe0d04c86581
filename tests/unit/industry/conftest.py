"""Paths of the industry test data (tests/data/industry and the committed agreement texts)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
PANEL = DATA / "industry" / "jjj_city_panel_extract_2013_2019_2020.csv"


@pytest.fixture
def panel_path() -> Path:
    return PANEL


@pytest.fixture
def agreement_texts() -> dict[str, str]:
    """The committed real texts the parks seed points into, by file name.

    Spans into the newspaper texts of ``../shared/data/agreements`` (jjj_04, jjj_08: publishers' copyright, not
    committed) are checked against those files by ``scripts/check_park_spans.py``."""
    files = [DATA / "agreements" / "beijing_tianjin_cooperation_agreement.txt"]
    return {f.name: f.read_text("utf-8") for f in files}
