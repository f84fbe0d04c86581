"""The import-direction rules of docs/ARCHITECTURE.md, checked on source text (no imports executed).

Layers, from the bottom:

* **shared core** — ``xietong.errors``, ``enums``, ``config``, ``region``, ``standards``, ``times``, ``geo``,
  ``inputs`` (opening, decoding and parsing input files into InputErrors) and the package's ``__init__``: imports nothing else of Xietong;
* **platform** — ``xietong.store``, ``exchange``, ``domains``, ``indicators``, ``datasets``, ``features``, ``api``,
  ``cli``, ``web``:
  may import the shared core, never a domain;
* **domains** — every other top-level package (``air``, ``water``, ``transit``, ``agreements`` …): may
  import the shared core and the platform, never another domain (domains talk through the platform:
  indicators, events, the exchange);
* **readers** inside a domain (``formats.py``, ``*_formats.py``, ``gtfs.py``, ``feed.py`` and the
  ``china_rail`` package) are pure: they import no platform module.

Migrations are exempt from nothing: they import only ``sqlalchemy``, ``alembic`` and ``xietong.store.types``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SHARED = frozenset(
    {"errors", "enums", "config", "region", "standards", "times", "geo", "inputs", "__init__", "__version__"}
)
PLATFORM = frozenset(
    {"store", "exchange", "domains", "indicators", "datasets", "features", "api", "cli", "web", "__main__"}
)
READER_FILES = ("formats.py", "gtfs.py", "feed.py")


@dataclass(frozen=True, slots=True)
class Violation:
    """One import that breaks a rule: where it is, what it imports, and which rule it breaks."""

    file: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: imports {self.imported} ({self.rule})"


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "xietong":
                out += [(node.lineno, f"xietong.{a.name}") for a in node.names]
            elif node.module.startswith("xietong."):
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("xietong.")]
    return out


def _top(module: str) -> str:
    return module.split(".")[1]


def _is_reader(path: Path) -> bool:
    return path.name in READER_FILES or path.name.endswith("_formats.py") or "china_rail" in path.parts


def _rule(path: Path, layer: str, imported: str) -> str | None:
    """The rule ``imported`` breaks when imported from ``path`` (in the package ``layer``), else ``None``."""
    target = _top(imported)
    if target == layer or target in SHARED:
        return None
    if layer in SHARED:
        return "the shared core imports neither the platform nor a domain"
    if layer in PLATFORM:
        return None if target in PLATFORM else "the platform imports no domain"
    if target not in PLATFORM:
        return f"domain {layer} imports another domain ({target}); talk through the platform"
    if _is_reader(path):
        return f"reader {path.name} must be pure: no platform import"
    return None


def check(package_root: Path) -> list[Violation]:
    """Every violation in the package at ``package_root`` (the ``xietong`` directory)."""
    found: list[Violation] = []
    for path in sorted(package_root.rglob("*.py")):
        rel = path.relative_to(package_root)
        layer = rel.parts[0].removesuffix(".py")
        for line, imported in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            rule = _rule(rel, layer, imported)
            if rule:
                found.append(Violation(str(Path("xietong") / rel), line, imported, rule))
    return found
