"""Call events as PCC delivers them: signed, retried with back-off, and faulted on demand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pcc_router.api.emulator import Faults, FaultsError
from pcc_router.api.emulator.deliveries import Deliveries
from pcc_router.api.emulator.world import Webhook
from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.simulator import load_scenario

ONE_CALL = """
version = 1
seed = 7
numbers = [{ number = "1900", queue_id = "q" }]
queues = [{ id = "q", groups = [{ group = "g" }] }]
groups = [{ id = "g", agents = ["a"] }]
agents = [{ stringee_user_id = "a", online = ["app"] }]
"""
SECRET = "sign-me"


class Receiver:
    """An event_url answering each call status with the HTTP statuses given for it, in
    turn (then 200)."""

    def __init__(self, statuses: dict[str, list[int]]) -> None:
        self.statuses = statuses
        self.got: list[tuple[bytes, str | None]] = []

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.got.append((raw, request.headers.get("X-STRINGEE-SIGNATURE")))
        pending = self.statuses.get(json.loads(raw)["call_status"]) or [200]
        status = pending.pop(0)
        return web.json_response({"r": 0 if status == 200 else 1}, status=status)


@pytest.fixture
def one_call(tmp_path: Path) -> Path:
    path = tmp_path / "one.toml"
    path.write_text(ONE_CALL, encoding="utf-8")
    return path


@pytest.fixture
async def receiving(aiohttp_server: Any, one_call: Path) -> AsyncIterator[Callable[..., Any]]:
    async def start(statuses: dict[str, list[int]]) -> tuple[EmulatedPcc, Receiver]:
        receiver = Receiver(statuses)
        app = web.Application()
        app.router.add_post("/events", receiver.handle)
        server = await aiohttp_server(app)
        pcc = EmulatedPcc(load_scenario(one_call), signing_secret=SECRET)
        await pcc.__aenter__()
        started.append(pcc)
        await pcc.point_at(event_url=str(server.make_url("/events")))
        return pcc, receiver

    started: list[EmulatedPcc] = []
    yield start
    for pcc in started:
        await pcc.__aexit__(None, None, None)


async def test_events_are_stringees_bodies_signed_over_the_raw_bytes(receiving: Any) -> None:
    pcc, receiver = await receiving({})
    placed = await pcc.place_call("1900", talk=30)
    assert await pcc.until_idle()
    statuses = [d["call_status"] for d in pcc.deliveries("event")]
    assert statuses == ["created", "ringing", "answered", "agentEnded", "ended"]
    for raw, signature in receiver.got:
        expected = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha1).digest())
        assert signature == expected.decode()
    ended = json.loads(receiver.got[-1][0])
    assert ended["to"] == {"number": "a", "alias": "a", "is_online": True, "type": "internal"}
    assert ended["type"] == "stringee_call" and ended["call_id"] == placed
    assert (ended["duration"], ended["answerDuration"], ended["endedBy"]) == (32, 30, "EXTERNAL")
    assert ended["timestamp_ms"] - json.loads(receiver.got[0][0])["timestamp_ms"] == 32_000


async def test_a_failed_delivery_is_tried_again_after_1_then_2_seconds(receiving: Any) -> None:
    pcc, _ = await receiving({"created": [503, 500]})
    await pcc.place_call("1900", talk=30)
    created = pcc.deliveries("event")[0]
    assert [t["status"] for t in created["tries"]] == [503] and created["state"] == "pending"
    assert await pcc.until_idle()
    created = pcc.deliveries("event")[0]
    assert [(t["at"], t["status"]) for t in created["tries"]] == [(0, 503), (1, 500), (3, 200)]
    assert created["state"] == "delivered"
    # PCC does not wait: the call went on meanwhile, and the ring was told before the retry
    assert [d["call_status"] for d in pcc.deliveries("event")][1] == "ringing"


async def test_a_4xx_is_the_receivers_answer_and_five_failures_give_up(receiving: Any) -> None:
    pcc, _ = await receiving({"created": [400], "ringing": [500] * 5})
    await pcc.place_call("1900", talk=30)
    assert await pcc.until_idle()
    created, ringing = pcc.deliveries("event")[:2]
    assert (created["state"], len(created["tries"])) == ("refused", 1)
    assert (ringing["state"], [t["at"] for t in ringing["tries"]]) == ("failed", [0, 1, 3, 7, 15])


def test_faults_are_drawn_from_the_seed_and_recorded() -> None:
    faults = Faults(drop=0.2, duplicate=0.2, reorder=0.2)
    logs = []
    for _ in range(2):
        deliveries = Deliveries(faults, random.Random(3), None)
        for i in range(200):
            deliveries.add(Webhook(f"c{i}", "created", {}), float(i))
        logs.append([d["fault"] for d in deliveries.log])
    assert logs[0] == logs[1]  # the same seed, the same faults
    kinds = [f.split(" ")[0] for f in logs[0] if f]
    assert 25 <= kinds.count("dropped") <= 55 and kinds.count("duplicate") == kinds.count(
        "duplicated"
    )
    assert kinds.count("reordered") > 10


async def test_a_reordered_event_goes_right_after_the_next_one() -> None:
    deliveries = Deliveries(Faults(reorder=1.0), random.Random(1), None)
    deliveries.add(Webhook("c", "answered", {}), 0.0)
    deliveries.faults = Faults()
    deliveries.add(Webhook("c", "ended", {}), 0.5)
    order = []
    while (item := deliveries._queue.pop()) is not None:
        order.append(item.hook.status)
    assert order == ["ended", "answered"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("drop=0.05,lose=1", "lose"),
        ("drop=2", "between 0 and 1"),
        ("delay=soon", "delay"),
        ("duplicate", "name=value"),
    ],
)
def test_bad_faults_say_which_part(text: str, message: str) -> None:
    with pytest.raises(FaultsError, match=message):
        Faults.parse(text)


def test_faults_parse() -> None:
    assert Faults.parse("drop=0.05, delay=2s,agents_timeout=0.1") == Faults(
        drop=0.05, delay=2.0, agents_timeout=0.1
    )
