"""routing/ is the pure core: it imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_routing_imports_only_stdlib_and_itself(root: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"routing", "__future__"}
    files = sorted((root / "routing").glob("*.py"))
    assert len(files) >= 8
    offenders = {
        f"{path.name}: {name}" for path in files for name in imported_roots(path) - allowed
    }
    assert offenders == set()


def test_routing_reads_no_clock_and_no_global_random(root: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (root / "routing").glob("*.py"))
    for forbidden in (
        "time.time(",
        "datetime.now(",
        "random.random(",
        "random.choice(",
        "import asyncio",
        "import time",
    ):
        assert forbidden not in text
