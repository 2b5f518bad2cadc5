"""Shared fixtures: the repository's folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Locally, hypothesis draws new examples each run (that is how it finds bugs);
# in CI (CI=true) the draws are fixed, so a landing never hinges on luck.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
#: The bundled hotline scenario (02473000062, press 0 for support) most tests run on.
HOTLINE = ROOT / "scenarios" / "hotline_02473000062.toml"


@pytest.fixture
def root() -> Path:
    return ROOT
