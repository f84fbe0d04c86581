"""No module under ``src/xietong`` over 800 lines and no function over 100 lines, ever (design/STYLE.md;
Alembic migrations excepted). Modules are meant to stay under ~600 lines and functions under ~80: past that,
split them by responsibility. Function complexity is ruff's job (C901, PLR0912, PLR0915 in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import xietong

PACKAGE = Path(xietong.__file__).parent
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100

#: TEMPORARY: functions of files owned by other branches that still break the limit, as
#: "path/inside/xietong.py::function"; the lead empties this list after merging them.
ALLOWED: frozenset[str] = frozenset()


def oversized(root: Path) -> list[str]:
    """Every module over :data:`MAX_MODULE_LINES` and function over :data:`MAX_FUNCTION_LINES` lines under
    ``root`` (a package directory), as ``path (n lines)`` and ``path::function (n lines)``; migrations are
    skipped."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts:
            continue
        text = path.read_text(encoding="utf-8")
        n_lines = len(text.splitlines())
        if n_lines > MAX_MODULE_LINES:
            found.append(f"{rel.as_posix()} ({n_lines} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{rel.as_posix()}::{node.name} ({length} lines)")
    return found


def _key(entry: str) -> str:
    return entry.rsplit(" (", 1)[0]


def test_no_module_over_800_lines_and_no_function_over_100() -> None:
    too_big = [e for e in oversized(PACKAGE) if _key(e) not in ALLOWED]
    assert too_big == [], "split these by responsibility:\n" + "\n".join(too_big)


def test_every_allowed_function_still_breaks_the_limit() -> None:
    """An entry of the allow-list that no longer breaks the limit is removed, so the list only shrinks."""
    still = {_key(e) for e in oversized(PACKAGE)}
    assert sorted(ALLOWED - still) == []


def test_a_long_module_and_a_long_function_are_caught(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))  # def line + 100 = 101 lines
    (tmp_path / "long_function.py").write_text(f"def planted():\n{body}\n", encoding="utf-8")
    (tmp_path / "short_function.py").write_text("def fine():\n" + body[: body.rindex("\n")] + "\n", encoding="utf-8")
    (tmp_path / "long_module.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1), encoding="utf-8")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_long.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1), encoding="utf-8")
    assert oversized(tmp_path) == [
        "long_function.py::planted (101 lines)",
        f"long_module.py ({MAX_MODULE_LINES + 1} lines)",
    ]
