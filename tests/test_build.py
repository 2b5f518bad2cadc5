"""How `pip install .` chooses the build: compiled when it can, pure (with a warning) when
it cannot, pure for an editable install, and an environment variable that forces either."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def setup_py(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("pcc_router_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("PCC_ROUTER_COMPILE", raising=False)
    monkeypatch.setattr(sys, "argv", ["setup.py", "bdist_wheel"])
    return module


def test_no_compiler_installs_the_pure_build_with_a_warning(
    setup_py: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler")
    with pytest.warns(UserWarning, match=r"pure-Python build \(no C compiler"):
        assert setup_py._compiled() == []


def test_a_required_compiled_build_fails_loudly_when_it_cannot_be_made(
    setup_py: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler")
    monkeypatch.setenv("PCC_ROUTER_COMPILE", "1")
    with pytest.raises(SystemExit, match="PCC_ROUTER_COMPILE=1 but cannot compile: no C compiler"):
        setup_py._compiled()


@pytest.mark.parametrize(
    ("argv", "choice"),
    [
        (["setup.py", "editable_wheel"], "auto"),  # pip install -e: the sources as they are
        (["setup.py", "bdist_wheel"], "0"),  # asked for pure
        (["setup.py", "egg_info"], "auto"),  # pip asking for metadata: nothing to build
    ],
)
def test_nothing_is_compiled_when_not_building_a_wheel_or_asked_not_to(
    setup_py: ModuleType, monkeypatch: pytest.MonkeyPatch, argv: list[str], choice: str
) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv("PCC_ROUTER_COMPILE", choice)
    assert setup_py._compiled() == []


@pytest.mark.slow
def test_a_wheel_made_without_a_compiler_is_pure_and_says_so(tmp_path: Path) -> None:
    """What a machine with no C compiler gets from `pip install .`: a pure wheel that
    installs and runs, and a warning on the way."""
    env = {"CC": "no-such-compiler", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "wheel")],
        capture_output=True, text=True, timeout=300, env=env, check=True,
    )  # fmt: skip
    assert "installing the pure-Python build (no C compiler" in made.stdout + made.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".so")]
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site),
         str(wheel)],
        capture_output=True, text=True, timeout=300, env=env, check=True,
    )  # fmt: skip
    version = subprocess.run(
        [sys.executable, "-P", "-m", "pcc_router.api", "--version"],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
        env={**env, "PYTHONPATH": str(site)},
    )  # fmt: skip
    assert version.stdout.strip().endswith("(pure Python)")


@pytest.mark.slow
def test_a_compiler_that_fails_leaves_a_working_pure_install(tmp_path: Path) -> None:
    """A compiler that is there but fails (a broken toolchain): the install still works,
    pure, with the warning, and no half-compiled module is left in the wheel."""
    env = {"CC": "false", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "wheel")],
        capture_output=True, text=True, timeout=600, env=env, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert "installing the pure-Python build (the C compile failed" in made.stdout + made.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".so")]
