from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "agreements"
SAMPLE = DATA / "beijing_tianjin_cooperation_agreement.txt"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE
