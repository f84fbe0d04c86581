"""The services core is pure: it imports only the allowed platform-free modules and its own package.

(The project-wide import-direction test of issue 10 will supersede this one.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import xietong.services

ALLOWED = {
    "xietong.errors",
    "xietong.enums",
    "xietong.standards",
    "xietong.region",
    "xietong.times",
    "xietong.geo",
    "xietong.config",
}


def test_services_modules_import_no_platform_and_no_other_domain() -> None:
    package = Path(xietong.services.__file__).parent
    offending = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                if name.startswith("xietong") and not name.startswith("xietong.services") and name not in ALLOWED:
                    offending.append(f"{path.name}: {name}")
    assert offending == []
