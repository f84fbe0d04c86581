"""Dependencies point one way (docs/ARCHITECTURE.md): the checker passes on the package and catches each
kind of upward or sideways import when one is planted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import xietong
from tests.architecture import Violation, check

PACKAGE = Path(xietong.__file__).parent


def test_the_package_keeps_the_import_direction() -> None:
    violations = check(PACKAGE)
    assert violations == [], "\n".join(map(str, violations))


def _plant(tmp_path: Path, relative: str, source: str) -> list[Violation]:
    root = tmp_path / "xietong"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.csv*", "*.js", "*.toml"))
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(source, encoding="utf-8")
    return check(root)


@pytest.mark.parametrize(
    ("relative", "source", "rule"),
    [
        ("store/planted.py", "from xietong.air import aqi\n", "the platform imports no domain"),
        ("exchange/planted.py", "import xietong.water.service\n", "the platform imports no domain"),
        ("api/planted.py", "from xietong import transit\n", "the platform imports no domain"),
        ("air/planted.py", "from xietong.water.classify import classify\n", "imports another domain (water)"),
        ("agreements/planted.py", "from xietong.air.tables import warning\n", "imports another domain (air)"),
        ("errors_planted.py", "from xietong.store.session import Store\n", None),
        ("region_extra/planted.py", "", None),
        ("water/formats.py", "from xietong.store.session import Store\n", "must be pure: no platform import"),
    ],
)
def test_a_planted_import_is_caught(tmp_path: Path, relative: str, source: str, rule: str | None) -> None:
    found = [v for v in _plant(tmp_path, relative, source) if "planted" in v.file or v.file.endswith(relative)]
    if rule is None:
        # a new top-level module is a domain by default; importing the platform from it is allowed
        assert found == []
    else:
        assert len(found) == 1 and rule in found[0].rule, found


def test_the_shared_core_may_not_import_upwards(tmp_path: Path) -> None:
    found = _plant(tmp_path, "times.py", "from xietong.exchange import audit\n")
    assert [v.rule for v in found if v.file.endswith("times.py")] == [
        "the shared core imports neither the platform nor a domain"
    ]
