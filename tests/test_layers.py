"""The code's shape: one namespace, imports one way (api -> simulator -> routing), a pure core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LAYERS = ("routing", "simulator", "api")  # each may import only those before it
CODE = (*LAYERS, "tests", "bench")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _dotted_name(text: str) -> bool:
    """``simulator.runner._X``, not ``api.md`` or a sentence."""
    parts = text.split(".")
    return len(parts) > 1 and all(part.isidentifier() for part in parts) and parts[1] != "md"


def _python(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def test_routing_imports_only_the_standard_library_and_itself(root: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    files = _python(root, "routing")
    assert len(files) >= 8
    offenders = {
        f"{path.name}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] not in allowed and not name.startswith("pcc_router.routing")
    }
    assert offenders == set()


def test_routing_reads_no_clock_and_no_global_random(root: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in _python(root, "routing"))
    for forbidden in (
        "time.time(",
        "datetime.now(",
        "random.random(",
        "random.choice(",
        "import asyncio",
        "import time",
    ):
        assert forbidden not in text


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_go_one_way(root: Path, layer: str) -> None:
    """api -> simulator -> routing: nothing imports a layer above its own."""
    above = LAYERS[LAYERS.index(layer) + 1 :]
    offenders = {
        f"{path.relative_to(root)}: {name}"
        for path in _python(root, layer)
        for name in _imports(path)
        if any(name.startswith(f"pcc_router.{upper}") for upper in above)
    }
    assert offenders == set()


def test_no_bare_package_name_is_left(root: Path) -> None:
    """Installed, the code is pcc_router.*: a bare ``api``/``routing``/``simulator``
    import (or a dotted name in a string, as monkeypatch takes) would find the user's."""
    offenders = set()
    for folder in CODE:
        for path in _python(root, folder):
            for name in _imports(path):
                if name.split(".")[0] in LAYERS:
                    offenders.add(f"{path.relative_to(root)}: import {name}")
            offenders |= {
                f"{path.relative_to(root)}: {text!r}"
                for text in _strings(path)
                if text.split(".")[0] in LAYERS and _dotted_name(text)
            }
    assert offenders == set()


def test_a_users_own_api_package_does_not_shadow_ours(tmp_path: Path, root: Path) -> None:
    """Run from a folder holding its own ``api/`` (the shape of most webhook servers)."""
    for own in ("api", "routing", "simulator"):
        (tmp_path / own).mkdir()
        (tmp_path / own / "__init__.py").write_text("raise ImportError('the user code')\n")
    scenario = root / "scenarios" / "hotline_02473000062.toml"
    command = [sys.executable, "-m", "pcc_router.simulator", "check", str(scenario)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ok: 1 numbers" in done.stdout
