"""Live views: the event stream (snapshot, changes, keep-alives, shutdown) and the wallboard."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from pcc_router.api.app import create_app
from pcc_router.api.settings import Settings
from pcc_router.api.views import live
from tests.api.support import stringee_event

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> Client:
    return await aiohttp_client(create_app(settings))


async def test_stream_sends_a_snapshot_then_changes(client: Client, auth: dict[str, str]) -> None:
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    assert response.headers["Content-Type"] == "text/event-stream"
    hello = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
    assert hello.startswith(b"event: hello\n") and b'"support": ["alice"' in hello
    await client.post("/pcc/events", json=stringee_event("answered", "s1", 1))
    change = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
    assert change == b'event: call\ndata: {"call_id": "s1", "call_status": "answered"}\n\n'
    response.close()
    refused = await client.get("/v1/stream")
    assert refused.status == 401


async def test_wallboard(client: Client) -> None:
    board = await (await client.get("/")).text()
    assert "EventSource" in board


async def test_streams_end_when_the_app_shuts_down(client: Client, auth: dict[str, str]) -> None:
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)  # hello
    await live.close_streams(client.app)  # type: ignore[arg-type]
    assert await asyncio.wait_for(response.content.read(), 5) == b""  # the stream ended


async def test_an_idle_stream_sends_keepalives(
    client: Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "KEEPALIVE", 0.05)
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)  # hello
    assert await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5) == b": keepalive\n\n"
    response.close()
