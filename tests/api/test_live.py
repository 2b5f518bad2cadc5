"""Live views: the event stream (snapshot, changes, keep-alives, shutdown) and the wallboard."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from pcc_router.api.app import create_app
from pcc_router.api.keys import SUBSCRIBERS
from pcc_router.api.settings import Settings
from pcc_router.api.views import live
from pcc_router.api.views.board import day_start
from tests.api import support
from tests.api.support import stringee_event

Client = TestClient


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


async def test_wallboard_page_and_assets_are_served_without_a_token(client: Client) -> None:
    page = await client.get("/")
    assert page.status == 200 and page.content_type == "text/html"
    html = await page.text()
    assert "/static/wallboard.js" in html and "http" not in html.replace("http-equiv", "")
    script = await (await client.get("/static/wallboard.js")).text()
    assert "EventSource" in script and "/v1/board" in script
    assert (await client.get("/static/wallboard.css")).status == 200


async def test_the_board_counts_today_and_shows_each_agent(
    aiohttp_client: Any, settings: Settings, auth: dict[str, str]
) -> None:
    """On a clock the test holds, every number of the board is exact."""
    start = support.EPOCH_MS / 1000 + 10  # PCC's events below are stamped just before
    clock = [start]
    app = create_app(settings, clock=lambda: clock[0], scheduler=False)
    client = await aiohttp_client(app)
    asked = {"queueId": "support", "calls": [{"callId": "b1"}, {"callId": "b2"}]}
    assert (await client.post("/pcc/agents-for-queue", json=asked)).status == 200
    clock[0] = start + 7
    board = await (await client.get("/v1/board", headers=auth)).json()
    assert (board["now"], board["target"]) == (start + 7, 20)
    assert board["day_start"] == day_start(start + 7)
    support_queue = board["queues"][0]
    assert support_queue == {
        "id": "support", "waiting": 2, "longest_wait": 7.0, "offered": 2, "answered": 0,
        "abandoned": 0, "service_level": 0.0, "asa": None,
    }  # fmt: skip
    agents = {a["stringee_user_id"]: a for a in board["agents"]}
    assert (agents["alice"]["state"], agents["alice"]["since"]) == ("ringing", start)
    assert agents["gina"]["state"] == "not_available" and "LUNCH" in agents["gina"]["reason"]
    assert agents["erin"]["state"] == "offline" and agents["erin"]["reason"]
    assert agents["henry"]["queues"] == ["support"]
    clock[0] = start + 12
    answered = stringee_event("answered", "b1", 1, to=("alice", "internal"))
    assert (await client.post("/pcc/events", json=answered)).status == 200
    clock[0] = start + 15
    gone = stringee_event("ended", "b2", 2, to=("02473000062", "external"))
    assert (await client.post("/pcc/events", json=gone)).status == 200
    board = await (await client.get("/v1/board", headers=auth)).json()
    support_queue = board["queues"][0]
    assert support_queue == {
        "id": "support", "waiting": 0, "longest_wait": None, "offered": 2, "answered": 1,
        "abandoned": 1, "service_level": 0.5, "asa": 12.0,
    }  # fmt: skip
    alice = next(a for a in board["agents"] if a["stringee_user_id"] == "alice")
    assert (alice["state"], alice["call_id"], alice["since"]) == ("talking", "b1", start + 12)


async def test_streams_end_when_the_app_shuts_down(client: Client, auth: dict[str, str]) -> None:
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)  # hello
    await live.close_streams(client.app)
    assert await asyncio.wait_for(response.content.read(), 5) == b""  # the stream ended


async def test_an_idle_stream_sends_keepalives(
    client: Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "KEEPALIVE", 0.05)
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)  # hello
    assert await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5) == b": keepalive\n\n"
    response.close()


async def test_a_browser_gone_while_the_stream_opens_is_no_server_error(
    client: Client,
    auth: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client closes as the stream's head is sent: no 500, no traceback, no subscriber
    left behind."""
    prepare = web.StreamResponse.prepare
    calls = []

    async def gone_once(self: web.StreamResponse, request: web.BaseRequest) -> Any:
        calls.append(request.path)
        if len(calls) == 1:
            raise ConnectionResetError("Cannot write to closing transport")
        return await prepare(self, request)

    monkeypatch.setattr(web.StreamResponse, "prepare", gone_once)
    caplog.set_level(logging.ERROR)
    response = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    assert response.status == 200 and calls[0] == "/v1/stream"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert client.app[SUBSCRIBERS] == set()
