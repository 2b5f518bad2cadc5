"""The controller's pages in a real browser: headless Chromium, offline (no CDN can load)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pcc_router.api.app import create_app
from tests.api.support import ThreadServer, make_settings
from tests.browser import FLAGS, chromium


def rendered(url: str, *, budget_ms: int = 15_000) -> str:
    """The page's DOM once its scripts have run (within a virtual-time budget)."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=90, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    running = ThreadServer(create_app(make_settings(Path(tmp_path_factory.mktemp("pages")))))
    running.start()
    yield running
    running.stop()


def test_docs_renders_every_operation_from_the_package_assets(server: ThreadServer) -> None:
    dom = rendered(f"{server.url}/docs")
    # Swagger UI built these from /openapi.json: its script ran, from /docs/static
    assert 'class="swagger-ui' in dom
    for path in ("/pcc/events", "/pcc/agents-for-queue", "/v1/agents/{agent_id}/presence"):
        assert path in dom, path
    assert "opblock-tag" in dom and "PCC callbacks" in dom


def test_the_wallboard_without_a_session_says_how_to_sign_in(server: ThreadServer) -> None:
    dom = rendered(f"{server.url}/")
    assert "Sign this screen in" in dom and "pcc-router token board" in dom
