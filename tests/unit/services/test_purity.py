"""The services core is pure: it imports only the allowed platform-free modules and its own package.

The core is the modules listed in ``CORE``; the service layer beside it (``casework``, ``registry``,
``routes`` …) does the store work and is held to the project-wide rule of ``tests/unit/test_architecture.py``
(no other domain).
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


CORE = (
    "__init__",
    "calendar",
    "cases",
    "catalogue",
    "enums",
    "errors",
    "identity",
    "partnerships",
    "recognition",
    "stats",
)


def test_services_core_modules_import_no_platform_and_no_other_domain() -> None:
    package = Path(xietong.services.__file__).parent
    offending = []
    for path in [package / f"{name}.py" for name in CORE]:
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
