"""Build hook: a wheel of pcc-router compiles its engine and the simulator's loop with mypyc.

``pip install .`` (or building a wheel) compiles ``routing/`` and the
simulator's hot modules into C extensions beside the pure-Python sources when a
C compiler, the Python headers and mypy (a build requirement) are there; the
compiled modules are imported in preference to the ``.py`` files, and outputs
are byte-identical either way (``tests/simulator/test_golden_outputs.py``).
When compiling is not possible the pure package is installed with a warning.
An editable install (``pip install -e .``, what ``make test`` uses) stays pure.

``PCC_ROUTER_COMPILE``: ``1`` requires the compiled build (the build fails if
it cannot be made), ``0`` installs the pure build; unset or ``auto`` decides as
above. ``pcc-router --version`` says which build runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import warnings
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
#: What mypyc compiles: the engine, and the simulator's loop, kernel and measuring (and the
#: scenario error, a subclass of the engine's: compiled classes take no interpreted subclass).
HOT = [
    *sorted(f"routing/{p.name}" for p in (HERE / "routing").glob("*.py")),
    *(f"simulator/{name}.py" for name in ("kernel", "runner", "kpis", "measures", "arrivals")),
    "simulator/scenario/schema.py",
]

_CONFIG = """[mypy]
python_version = 3.11
strict = True
explicit_package_bases = True
namespace_packages = True
ignore_missing_imports = True
follow_imports = silent
mypy_path = {src}
"""


def _choice() -> str:
    """``compiled``, ``pure`` or ``auto``, from the environment."""
    value = os.environ.get("PCC_ROUTER_COMPILE", "auto").strip().lower()
    if value in ("1", "yes", "true", "compiled"):
        return "compiled"
    if value in ("0", "no", "false", "pure"):
        return "pure"
    return "auto"


def _why_not() -> str | None:
    """Why compiling cannot work here, or ``None`` when it can."""
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler!r} not found)"
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not include.exists():
        return f"no Python headers ({include} not found)"
    try:
        import mypyc.build  # noqa: F401
    except ImportError:
        return "mypy (with mypyc) is not installed in the build environment"
    return None


def _sources(staging: Path) -> list[str]:
    """The hot modules, copied under the namespace they install as (mypyc names
    modules by path): ``staging/pcc_router/routing/engine.py`` and so on."""
    shutil.rmtree(staging, ignore_errors=True)
    for folder in ("routing", "simulator"):
        shutil.copytree(HERE / folder, staging / "pcc_router" / folder, dirs_exist_ok=True)
    return [str(staging / "pcc_router" / path) for path in HOT]


def _compiled() -> list[object]:
    """The mypyc extension modules, or none (with a warning) when they cannot be built."""
    choice = _choice()
    building_wheel = any(step in sys.argv for step in ("bdist_wheel", "build_ext", "build"))
    if choice == "pure" or "editable_wheel" in sys.argv or not building_wheel:
        return []
    reason = _why_not()
    if reason is None:
        try:
            from mypyc.build import mypycify

            staging = HERE / "build" / "mypyc-src"  # beside mypyc's C files; make clean
            sources = _sources(staging)
            config = staging / "mypy.ini"
            config.write_text(_CONFIG.format(src=staging), encoding="utf-8")
            return list(mypycify([*sources, "--config-file", str(config)]))
        except Exception as exc:  # a failed compile must not stop a pure install
            reason = f"mypyc failed: {exc}"
    _fall_back(reason)
    return []


def _fall_back(reason: str) -> None:
    """Say that the pure build is installed, or stop when the compiled one was required."""
    if _choice() == "compiled":
        raise SystemExit(f"pcc-router: PCC_ROUTER_COMPILE=1 but cannot compile: {reason}")
    warnings.warn(
        f"pcc-router: installing the pure-Python build ({reason}); it runs the same, "
        "about twice as slowly. `pcc-router --version` says which build runs.",
        stacklevel=2,
    )


class _BuildExtOrPure(build_ext):
    """A C compile that fails (a broken toolchain) leaves the pure modules, with a warning,
    unless the compiled build was required."""

    def run(self) -> None:
        # Extension modules left in build/ by an earlier build would be packed into this
        # wheel too (another source's shared mypyc library, or modules a failed compile
        # did not replace): start from none.
        build_lib = Path(self.build_lib)
        for stale in (*build_lib.glob("*__mypyc*"), *build_lib.glob("pcc_router/**/*.so")):
            stale.unlink()
        try:
            super().run()
        except Exception as exc:  # distutils raises several kinds
            for extension in self.extensions:  # no half-compiled set left behind
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            _fall_back(f"the C compile failed: {exc}")


if __name__ == "__main__":  # as setuptools runs it; tests import the decision above
    setup(ext_modules=_compiled(), cmdclass={"build_ext": _BuildExtOrPure})
