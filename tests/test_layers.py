"""The code's shape: one namespace, imports one way (api -> simulator -> routing), a pure core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import HOTLINE

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


#: File names, not modules: ``api.md``, ``routing.py``.
FILES = ("md", "py", "toml")


def _dotted_name(text: str) -> bool:
    """``simulator.runner._X``, not ``api.md`` or a sentence."""
    parts = text.split(".")
    return len(parts) > 1 and all(part.isidentifier() for part in parts) and parts[-1] not in FILES


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


#: Modules that read a clock, the environment or shared state: never in the core.
_IMPURE_MODULES = {"time", "datetime", "asyncio", "threading", "os", "secrets", "uuid", "socket"}


def _impurities(path: Path) -> set[str]:
    """What in ``path`` reads a clock or the process's state, or draws from the global
    random generator (``random.random()``; a seeded ``random.Random`` is the shell's)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in _IMPURE_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in _IMPURE_MODULES:
                found.add(f"from {node.module}")
            elif node.module == "random":
                found |= {f"random.{a.name}" for a in node.names if a.name != "Random"}
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "random"
            and node.attr != "Random"
        ):
            found.add(f"random.{node.attr}")
    return {f"{path.name}: {name}" for name in found}


def test_routing_reads_no_clock_and_no_global_random(root: Path) -> None:
    offenders = set().union(*(_impurities(path) for path in _python(root, "routing")))
    assert offenders == set()


def test_the_purity_check_finds_a_clock_and_a_global_draw(tmp_path: Path) -> None:
    impure = tmp_path / "impure.py"
    impure.write_text(
        "import random\nfrom time import monotonic\n"
        "def f(rng: random.Random) -> float:\n    return random.random() + monotonic()\n",
        encoding="utf-8",
    )
    assert _impurities(impure) == {"impure.py: from time", "impure.py: random.random"}


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
    scenario = HOTLINE
    command = [sys.executable, "-m", "pcc_router.simulator", "check", str(scenario)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ok: 1 numbers" in done.stdout


#: Inside api/: what each folder may import besides itself (and the standard library and
#: third-party packages). Whatever is not a folder here (the controller's app: app, routes,
#: views, settings, keys, sessions, the command line) may import any of them, and none of
#: them may import it.
API_FOLDERS = {
    "web": {"routing"},
    "stringee": {"routing"},
    "store": {"routing"},
    "controller": {"routing", "store", "stringee", "web"},
    "emulator": {"routing", "simulator", "web", "stringee"},
    "testing": {"routing", "simulator", "web", "stringee", "emulator"},
}


def _area(module: str) -> str:
    """``pcc_router.api.web.errors`` -> ``web``; ``pcc_router.simulator.x`` -> ``simulator``;
    ``pcc_router.api.app`` -> ``app`` (the controller's app, any root module)."""
    parts = module.split(".")
    if parts[:2] != ["pcc_router", "api"]:
        return parts[1] if len(parts) > 1 else parts[0]
    return parts[2] if len(parts) > 2 and parts[2] in API_FOLDERS else "app"


@pytest.mark.parametrize("folder", sorted(API_FOLDERS))
def test_each_api_folder_imports_only_what_is_below_it(root: Path, folder: str) -> None:
    allowed = API_FOLDERS[folder] | {folder}
    files = _python(root, f"api/{folder}")
    assert files
    offenders = {
        f"{path.relative_to(root)}: {name}"
        for path in files
        for name in _imports(path)
        if name.startswith("pcc_router.") and _area(name) not in allowed
    }
    assert offenders == set()


def _loaded_after(code: str) -> set[str]:
    """The top-level modules (and pcc_router's) a fresh interpreter holds after ``code``."""
    probe = f"import sys\n{code}\nprint('\\n'.join(sorted(m for m in sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return set(done.stdout.split())


_HEAVY = ("aiohttp", "sqlalchemy", "sqlmodel", "apscheduler", "pydantic", "psycopg")


def test_check_and_simulate_load_no_web_or_database_stack(root: Path) -> None:
    scenario = HOTLINE
    loaded = _loaded_after(
        "from pcc_router.api.cli import main\n"
        f"assert main(['check', {str(scenario)!r}]) == 0\n"
        f"assert main(['simulate', {str(scenario)!r}, '--json']) == 0"
    )
    assert "pcc_router.simulator.runner" in loaded  # it did run
    assert {m for m in loaded if m.split(".")[0] in _HEAVY} == set()


def test_the_emulator_loads_nothing_of_the_controller_or_the_store() -> None:
    loaded = _loaded_after("import pcc_router.api.emulator, pcc_router.api.testing.emulated")
    assert "pcc_router.api.emulator.driver" in loaded
    ours = {m for m in loaded if m.startswith("pcc_router.api.")}
    assert {m for m in ours if _area(m) in ("controller", "store", "app")} == set()
    assert {
        m for m in loaded if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "apscheduler")
    } == set()


def test_a_json_run_loads_no_progress_bar_or_package_metadata() -> None:
    """``simulate --json`` draws no bar and reads its version from the package itself:
    ``rich`` and ``importlib.metadata`` were a seventh of a short run's start-up."""
    loaded = _loaded_after(
        "from pcc_router.simulator.cli import main\n"
        f"assert main(['simulate', {str(HOTLINE)!r}, '--json']) == 0"
    )
    assert "pcc_router.simulator.runner" in loaded  # it did run
    assert {m for m in loaded if m.split(".")[0] == "rich"} == set()
    assert "importlib.metadata" not in loaded
