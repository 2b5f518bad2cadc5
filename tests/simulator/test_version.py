"""The version has one source, and every run can say which build of the engine it is."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest

from pcc_router.routing import engine
from pcc_router.simulator import version
from pcc_router.simulator.version import VERSION, build, describe


def test_the_installed_package_reads_its_version_from_the_module() -> None:
    assert metadata.version("pcc-router") == VERSION


def test_the_build_is_named_by_the_engine_module_that_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(version.engine, "__file__", "/x/engine.cpython-311-x86_64-linux-gnu.so")
    assert build() == "compiled"
    monkeypatch.setattr(version.engine, "__file__", "/x/engine.py")
    assert build() == "pure Python"


def test_version_says_which_build_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pcc_router.api", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = "compiled" if not str(engine.__file__).endswith(".py") else "pure Python"
    assert done.stdout.strip() == f"pcc-router {VERSION} ({expected})" == describe()


@pytest.mark.skipif(
    "PCC_ROUTER_EXPECT_BUILD" not in os.environ, reason="only where a build is expected"
)
def test_the_expected_build_runs() -> None:
    """`make test-compiled` says which build it meant to test: a silent fallback to the
    pure sources would pass every other test."""
    assert build() == os.environ["PCC_ROUTER_EXPECT_BUILD"]
