"""Kept and proven: nothing acknowledged is lost to ``kill -9``; two instances apply once;
every admin route refuses every bad token."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from sqlmodel import Session, func, select

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER
from pcc_router.api.store import repo
from pcc_router.api.store.tables import EventRow
from pcc_router.api.stringee.tokens import TokenMinter
from tests.api import inline
from tests.api.support import ROOT, SECRET, SID, empty_pg, make_settings, state_of, stringee_event
from tests.conftest import HOTLINE

AGENTS = ["alice", "bob", "carol", "dave"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, database: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PCC_API_KEY_SID": SID,
        "PCC_API_KEY_SECRET": SECRET,
        "DATABASE_URL": database,
    }
    command = [sys.executable, "-m", "pcc_router.api", "serve", "--port", str(port)]
    return subprocess.Popen(
        [*command, "--scenario", str(HOTLINE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _up(session: aiohttp.ClientSession, base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the controller did not start within 30 s")


def _events(count: int) -> list[dict[str, Any]]:
    statuses = ["created", "ringing", "answered", "ended"]
    return [
        stringee_event(
            statuses[n % 4], f"k{n // 4}", n, to=(AGENTS[(n // 4) % len(AGENTS)], "internal")
        )
        for n in range(count)
    ]


async def _send(
    session: aiohttp.ClientSession,
    url: str,
    events: list[dict[str, Any]],
    *,
    kill: subprocess.Popen[bytes] | None = None,
    kill_after: int = 0,
) -> dict[str, str]:
    """Send the events, 16 at a time; their answers by key (``lost`` when none came).

    With ``kill``, that server gets SIGKILL once ``kill_after`` events were acknowledged.
    """
    answers: dict[str, str] = {}
    queue = list(reversed(events))
    acknowledged = 0

    async def worker() -> None:
        nonlocal acknowledged
        while queue:
            body = queue.pop()
            key = f"{body['call_id']}|{body['call_status']}|{body['timestamp_ms']}"
            try:
                async with session.post(url, json=body) as response:
                    answers[key] = (await response.json())["message"]
                    acknowledged += response.status == 200
            except (TimeoutError, aiohttp.ClientError):
                answers[key] = "lost"
            if kill is not None and acknowledged == kill_after:
                kill.send_signal(signal.SIGKILL)  # mid-load: other requests are in flight

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(16))), 120)
    return answers


async def test_nothing_acknowledged_is_lost_to_kill_9(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'store.db'}"
    port = _port()
    base = f"http://127.0.0.1:{port}"
    events = _events(800)
    timeout = aiohttp.ClientTimeout(total=10)
    server = _serve(port, database)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _up(session, base)
            url = f"{base}/pcc/events"
            first = await _send(session, url, events, kill=server, kill_after=300)
    finally:
        server.kill()
        server.wait(10)
    acknowledged = {key for key, answer in first.items() if answer in ("applied", "stale")}
    assert 0 < len(acknowledged) < len(events), "the kill should land mid-load"
    server = _serve(port, database)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _up(session, base)
            again = await _send(session, f"{base}/pcc/events", events)
    finally:
        server.terminate()
        server.wait(10)
    lost = sorted(key for key in acknowledged if again[key] != "duplicate")
    assert lost == [], f"{len(lost)} acknowledged events were not kept: {lost[:5]}"
    assert set(again.values()) <= {"applied", "duplicate", "stale"}
    store = repo.Store(database)
    with Session(store.engine) as db:
        stored = db.exec(select(func.count()).select_from(EventRow).where(EventRow.kind == "pcc"))
        assert stored.one() == len(events)  # each event stored exactly once
    store.close()


async def test_two_instances_apply_each_event_once(
    aiohttp_client: Any, tmp_path: Path, pg_url: str
) -> None:
    url = empty_pg(pg_url)
    a = await aiohttp_client(create_app(make_settings(tmp_path / "a", database_url=url)))
    b = await aiohttp_client(create_app(make_settings(tmp_path / "b", database_url=url)))

    async def both(body: dict[str, Any]) -> list[str]:
        answers = await asyncio.gather(
            a.post("/pcc/events", json=body), b.post("/pcc/events", json=body)
        )
        return sorted([(await r.json())["message"] for r in answers])

    async def call(calls: list[dict[str, Any]]) -> list[list[str]]:
        return [await both(body) for body in calls]

    events = _events(160)
    per_call = [events[i : i + 4] for i in range(0, len(events), 4)]
    results = await asyncio.gather(*(call(c) for c in per_call))
    outcomes = [pair for calls in results for pair in calls]
    assert all(pair == ["applied", "duplicate"] for pair in outcomes), outcomes
    with Session(repo.Store(url).engine) as db:
        count = db.exec(select(func.count()).select_from(EventRow).where(EventRow.kind == "pcc"))
        assert count.one() == len(events)
    views = []
    for client in (a, b):
        controller = client.app[CONTROLLER]
        inline.catch_up(
            controller,
        )
        views.append(state_of(client.app)["agents"])
    assert views[0] == views[1]


def _forged(claims: dict[str, Any], header: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def _bad_tokens() -> dict[str, dict[str, str]]:
    now = int(time.time())
    claims = {"jti": f"{SID}-{now}", "iss": SID, "exp": now + 600, "rest_api": True}
    return {
        "missing": {},
        "forged": {"X-STRINGEE-AUTH": jwt.encode(claims, "not-the-secret-" * 3, "HS256")},
        "expired": {"X-STRINGEE-AUTH": jwt.encode({**claims, "exp": now - 1}, SECRET, "HS256")},
        "agent token": {
            "X-STRINGEE-AUTH": TokenMinter(sid=SID, secret=SECRET).agent("alice", ttl=600)
        },
        "wrong iss": {"X-STRINGEE-AUTH": jwt.encode({**claims, "iss": "SKother"}, SECRET, "HS256")},
        "alg none": {"X-STRINGEE-AUTH": _forged(claims, {"alg": "none", "typ": "JWT"})},
        "until the year 3000": {
            "X-STRINGEE-AUTH": jwt.encode({**claims, "exp": 32_503_680_000}, SECRET, "HS256")
        },
        "garbage": {"X-STRINGEE-AUTH": "a.b.c"},
    }


ADMIN_ROUTES = [
    ("get", "/v1/agents"),
    ("post", "/v1/agents"),
    ("get", "/v1/agents/alice"),
    ("put", "/v1/agents/alice"),
    ("delete", "/v1/agents/alice"),
    ("post", "/v1/agents/alice/presence"),
    ("post", "/v1/groups"),
    ("delete", "/v1/groups/tier1"),
    ("post", "/v1/queues"),
    ("get", "/v1/queues/support"),
    ("delete", "/v1/queues/support"),
    ("post", "/v1/numbers"),
    ("delete", "/v1/numbers/02473000062"),
    ("get", "/v1/calls/c1"),
    ("post", "/v1/tokens/agent"),
    ("post", "/v1/sync"),
    ("get", "/v1/stream"),
    ("get", "/v1/board"),
    ("post", "/v1/board/link"),
    ("post", "/v1/caresoft/token"),
    ("post", "/v1/caresoft/links/login"),
    ("post", "/v1/caresoft/links/call"),
    ("get", "/v1/caresoft/calls/t1"),
]


async def test_the_admin_route_list_covers_every_admin_route(settings: Any) -> None:
    from aiohttp.test_utils import make_mocked_request

    app = create_app(settings)
    public = (
        "/pcc/",
        "/caresoft/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/static",
    )
    admin = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and route.resource.canonical != "/"
        and not route.resource.canonical.startswith(public)
    }
    listed = set()
    for method, path in ADMIN_ROUTES:
        match = await app.router.resolve(make_mocked_request(method.upper(), path))
        listed.add((method.upper(), match.route.resource.canonical))  # type: ignore[union-attr]
    assert admin == listed


@pytest.mark.parametrize("kind", list(_bad_tokens()))
async def test_every_admin_route_refuses_a_bad_token(
    aiohttp_client: Any, settings: Any, kind: str
) -> None:
    client = await aiohttp_client(create_app(settings))
    headers = _bad_tokens()[kind]
    before = state_of(client.app)
    for method, path in ADMIN_ROUTES:
        response = await client.request(method, path, json={"app": "login"}, headers=headers)
        assert response.status == 401, (kind, method, path, response.status)
        assert (await response.json())["r"] == 401
    assert state_of(client.app) == before
