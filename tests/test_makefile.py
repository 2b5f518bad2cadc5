"""The Makefile's demo targets do what the README says (read with ``make -n``, and run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _dry_run(target: str) -> str:
    """The commands ``make TARGET`` would run, with the install step taken as done."""
    done = subprocess.run(
        ["make", "-n", "-o", "pyproject.toml", target, "STAMP=Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def test_serve_starts_on_a_fresh_store_and_prints_the_wallboard_link() -> None:
    commands = _dry_run("serve").splitlines()
    fresh = next(i for i, line in enumerate(commands) if line.startswith("rm -rf .demo"))
    serve = next(i for i, line in enumerate(commands) if " serve " in line)
    assert fresh < serve
    assert "DATABASE_URL=sqlite:///.demo/pcc-router.db" in commands[serve]
    assert "--print-token" in commands[serve]  # the token and the wallboard's ticket link


def test_clean_removes_every_file_a_demo_writes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    written = [
        ".demo/pcc-router.db",
        ".demo/pcc-router.db-wal",
        "reports/day/report.html",
        "reports/day/queue.png",
        "pcc-router.db",
        "pcc-router.db-wal",
        "pcc-router.db-shm",
        ".venv/bin/python",
        "build/__editable__/x.py",
        "pcc_router.egg-info/PKG-INFO",
        ".pytest_cache/v/cache",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/x",
        ".hypothesis/examples/x",
    ]
    for name in written:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, timeout=30, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]
