"""Slow, greedy and broken clients, on real sockets: cut off, refused, answered in JSON.

The controller is served as ``pcc-router serve`` serves it (behind the guard of
:mod:`pcc_router.api.web.server`), on 127.0.0.1, in a thread of its own; the
clients are raw sockets. Each wait is bounded; nothing here measures speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pcc_router.api.app import create_app
from pcc_router.api.web import server
from pcc_router.api.web.keys import METRICS
from tests.api.support import ROOT, SECRET, SID, make_settings


class Served:
    """The controller behind the guard, in a thread with its own event loop."""

    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        self.settings = make_settings(tmp_path, **settings)
        self.app = create_app(self.settings)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with server.listening(self.app, self.settings, host="127.0.0.1", port=0) as site:
            self.port = site.bound_port
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> Served:
        self._thread.start()
        assert self._ready.wait(15), "the controller did not start"
        return self

    def __exit__(self, *_: Any) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def get(self, path: str, timeout: float = 3.0) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def metric(self, line_start: str) -> float:
        status, body = self.get("/metrics")
        assert status == 200
        for line in body.decode().splitlines():
            if line.startswith(line_start):
                return float(line.split()[-1])
        return 0.0


def closed(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (reading what comes)."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True  # reset
    return True


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with Served(tmp_path, header_timeout=1.0, request_deadline=1.0) as running:
        yield running


def test_slowloris_connections_are_cut_off_and_others_served(served: Served) -> None:
    """200 clients drip a request head a byte at a time: each is closed after the header
    timeout, and a new client is answered meanwhile."""
    drips = [served.connect() for _ in range(200)]
    for sock in drips:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert served.get("/healthz")[0] == 200
    deadline = time.monotonic() + 4.0
    for sock in drips:
        with contextlib.suppress(OSError):  # cut off already
            sock.sendall(b"a")
    still_open = [s for s in drips if not closed(s, max(0.05, deadline - time.monotonic()))]
    for sock in drips:
        sock.close()
    assert still_open == []
    assert served.metric('pcc_connections_refused_total{reason="slow"}') >= 200
    assert served.get("/healthz")[0] == 200


def test_connections_past_the_cap_are_closed_at_once(tmp_path: Path) -> None:
    with Served(tmp_path, header_timeout=1.0, max_connections=20) as running:
        idle = [running.connect() for _ in range(20)]
        time.sleep(0.2)  # the server has taken them all
        extra = [running.connect() for _ in range(10)]
        assert all(closed(sock, 1.0) for sock in extra)  # refused, not queued
        assert all(closed(sock, 3.0) for sock in idle)  # then cut off: too slow to speak
        for sock in idle + extra:
            sock.close()
        assert running.get("/healthz")[0] == 200
        assert running.metric('pcc_connections_refused_total{reason="full"}') >= 10


def test_a_body_that_stops_half_way_is_408_by_the_deadline(served: Served) -> None:
    sock = served.connect()
    head = b"POST /pcc/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    sock.sendall(head + b"Content-Length: 1000\r\n\r\n" + b'{"call_status": ')
    sock.settimeout(3.0)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["r"] == 408 and "body" in body["message"]


def test_malformed_http_is_a_json_400_logged_in_one_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    for _ in range(30):
        sock = served.connect()
        sock.sendall(b"GET /?access_token=eyJhbGciOi.eyJzdWIi.sig HTTP/1.1\r\nBad Header\r\n\r\n")
        sock.settimeout(3.0)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        sock.close()
        assert answer.split(b" ", 2)[1] == b"400", answer[:200]
        body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        assert body["r"] == 400 and body["message"].startswith("malformed HTTP request")
        assert b"eyJ" not in answer
    lines = [r for r in caplog.records if "malformed HTTP" in r.getMessage()]
    assert 1 <= len(lines) <= 3  # once a second at most
    assert not [r for r in caplog.records if r.exc_info]
    assert not [r for r in caplog.records if "eyJ" in r.getMessage()]
    assert METRICS in served.app


def _serve_with_files(tmp_path: Path, files: int, max_connections: int) -> subprocess.Popen[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PCC_API_KEY_SID": SID,
        "PCC_API_KEY_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'files.db'}",
        "MAX_CONNECTIONS": str(max_connections),
        "HEADER_TIMEOUT": "30",
    }
    command = [sys.executable, "-m", "pcc_router.api", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )
    process.port = port  # type: ignore[attr-defined]
    return process


@pytest.mark.slow
def test_out_of_files_is_logged_once_a_second_not_per_accept(tmp_path: Path) -> None:
    """The cap set above what the process may open: accept() fails for want of files. The
    log says so at most once a second, the metric counts, and it serves again after."""
    # 100 files: fewer than the listen backlog (128) holds, so accept() runs out of files
    # even when a loaded machine lets the backlog fill before the server accepts any.
    process = _serve_with_files(tmp_path, files=100, max_connections=5000)
    port: int = process.port  # type: ignore[attr-defined]
    held: list[socket.socket] = []
    try:
        assert process.stdout is not None
        assert "pcc-router controller" in process.stdout.readline()
        started = time.monotonic()
        for _ in range(300):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=1))
            except OSError:
                break
        time.sleep(2.0)
        elapsed = time.monotonic() - started
        for sock in held:
            sock.close()
        time.sleep(1.5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=15)
    accept_lines = [line for line in errors.splitlines() if "cannot accept connections" in line]
    assert 1 <= len(accept_lines) <= elapsed + 2.5, errors[-2000:]
    assert "Traceback" not in errors
