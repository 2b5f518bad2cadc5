"""Fixtures for the controller: test settings, a client, tokens, and a real PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.calls import PccEvent
from api.settings import Settings
from api.store import repo
from api.tokens import TokenMinter
from routing import Project
from simulator import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SID, SECRET = "SKtest", "test-secret-of-at-least-32-bytes!"


def hotline() -> Project:
    return load_scenario(ROOT / "scenarios" / "hotline_02473000062.toml").project


def seeded_store(url: str, project: Project | None = None) -> repo.Store:
    """A store at ``url`` holding ``project`` (the hotline by default)."""
    store = repo.Store(url)
    with store.session() as session:
        repo.save_project(session, project or hotline())
    return store


def call_event(call_id: str, status: str, ts: int, agent: str = "alice") -> PccEvent:
    """A PCC call event between a customer and an agent (internal endpoint)."""
    return PccEvent(
        call_id=call_id,
        call_status=status,
        timestamp_ms=ts,
        from_number="849",
        from_type="external",
        to_number=agent,
        to_type="internal",
        body={},
    )


def make_settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "api_key_sid": SID,
        "api_key_secret": SECRET,
        "database_url": f"sqlite:///{tmp_path / 'store.db'}",
        "scenario": ROOT / "scenarios" / "hotline_02473000062.toml",
        "caresoft_domain": "test",
        "caresoft_voice_token": "voice-secret-voice-secret-voice!",
        "caresoft_webhook_secret": "CS123",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def auth() -> dict[str, str]:
    return {"X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).rest()}


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1, made with initdb and pg_ctl."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb): .ci/run installs it")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="pcc-pg-"))
    data = base / "data"
    if as_user:
        shutil.chown(base, "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-h 127.0.0.1 -p {port} -k {base}"
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(base / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        time.sleep(0.1)
        shutil.rmtree(base, ignore_errors=True)
