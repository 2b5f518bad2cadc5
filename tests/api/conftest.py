"""Fixtures for the controller: test settings, the one app client, tokens, and a real PostgreSQL."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pcc_router.api.app import create_app
from pcc_router.api.settings import Settings
from pcc_router.api.stringee.tokens import TokenMinter
from tests.api import support
from tests.api.support import SECRET, SID, make_settings


@pytest.fixture(autouse=True)
def _pcc_times_are_now() -> None:
    """Each test's PCC events are stamped from its own start (an event stamped minutes
    before it is received is a late one: its ring or wrap-up began then)."""
    support.EPOCH_MS = int(time.time()) * 1000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> Any:
    """The controller app on a test server (no scheduler thread of its own needed)."""
    return await aiohttp_client(create_app(settings))


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


class PgServer:
    """A throwaway PostgreSQL server on 127.0.0.1 (initdb and pg_ctl), to break at will."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None:
            pytest.skip("PostgreSQL is not installed (no initdb): .ci/run installs it")
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start PostgreSQL")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._bin = bin_dir
        self._base = Path(tempfile.mkdtemp(prefix="pcc-pg-"))
        self._data = self._base / "data"
        if self._as_user:
            shutil.chown(self._base, "postgres")
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_user, str(self._bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self._base}"
        log = str(self._base / "log")
        self._run("pg_ctl", "-D", str(self._data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "stop")
        time.sleep(0.1)

    def pids(self) -> list[int]:
        """The server's processes: the postmaster and every child it has forked."""
        main = int((self._data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == main:  # the field after the state: the parent's pid
                    children.append(int(stat.parent.name))
        return [main, *children]

    def freeze(self) -> None:
        """Every process stopped (SIGSTOP): connections hang, nothing answers."""
        for pid in self.pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGCONT)

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.thaw()
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self._base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL server shared by the tests that only use it."""
    server = PgServer()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server of this module's own, that its tests may stop, freeze and restart."""
    server = PgServer()
    try:
        yield server
    finally:
        server.remove()
