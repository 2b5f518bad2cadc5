"""/_emulator: calls placed, the clock moved (virtual) or running (real), agents set;
PCC's requests for agents and customer info, and what the emulator does when they fail."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.simulator import load_scenario
from tests.emulator.conftest import HOTLINE


async def post(pcc: EmulatedPcc, path: str, body: object) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(pcc.url + path, json=body) as response:
        return response.status, await response.json()


async def test_a_placed_call_arrives_now_and_time_moves_only_when_asked(pcc: EmulatedPcc) -> None:
    await pcc.until_idle()  # the scenario's own calls
    before = pcc.emulator.now()
    status, placed = await post(pcc, "/_emulator/calls", {"from": "84977777777",
                                                          "to": "02473000062", "keys": "0",
                                                          "talk": "45s"})  # fmt: skip
    assert status == 200 and placed["now"] == before
    # PCC's shape of id, and the one the call's events carry
    assert re.fullmatch(r"call-vn-1-[A-Z0-9]{10}-\d{13}", placed["call_id"])
    call = next(c for c in pcc.calls() if c["id"] == "api-1")
    assert call["call_id"] == placed["call_id"] == pcc.call_id("api-1")
    sent = {
        d["call_id"]
        for d in pcc.deliveries("event")
        if d["call_id"].endswith(placed["call_id"][-13:])
    }
    assert sent == {placed["call_id"]}
    assert call["rang"] and call["rang"][0]["at"] == before  # rung at once: alice is free
    assert call["outcome"] == "waiting"  # and nothing else happened: time stood still
    status, moved = await post(pcc, "/_emulator/clock", {"advance": "60s"})
    assert (status, moved["now"]) == (200, before + 60)
    assert next(c for c in pcc.calls() if c["id"] == "api-1")["outcome"] == "answered"


@pytest.mark.parametrize(
    ("path", "body", "status", "names"),
    [
        ("/_emulator/calls", {"to": "19001900"}, 404, "to"),
        ("/_emulator/calls", {"to": "02473000062", "talk": "forever"}, 400, "talk"),
        ("/_emulator/calls", {"to": "02473000062", "colour": "red"}, 400, "colour"),
        ("/_emulator/clock", {"advance": "1m", "until_idle": True}, 400, "exactly one"),
        ("/_emulator/clock", {}, 400, "exactly one"),
    ],
)
async def test_bad_bodies_name_the_field(
    pcc: EmulatedPcc, path: str, body: object, status: int, names: str
) -> None:
    got, answer = await post(pcc, path, body)
    assert got == status and names in answer["message"] and answer["r"] != 0


async def test_an_agent_is_set_online_and_to_pick_up_slowly(pcc: EmulatedPcc) -> None:
    async with aiohttp.ClientSession() as http:
        url = pcc.url + "/_emulator/agents/erin"
        async with http.put(url, json={"online": ["app"], "answer_after": "9s"}) as response:
            assert response.status == 200
        async with http.put(pcc.url + "/_emulator/agents/nobody", json={"online": []}) as response:
            assert response.status == 404
    engine = pcc.emulator.world.sim.engine
    assert engine.verdict("erin", 0.0).routable
    assert pcc.emulator.world.sim.behaviours["erin"].answer_after == 9.0  # type: ignore[index]


async def test_a_real_clock_runs_by_itself_and_cannot_be_moved() -> None:
    async with EmulatedPcc(load_scenario(HOTLINE), clock="real", speed=200.0) as pcc:
        status, _ = await post(pcc, "/_emulator/clock", {"advance": "10s"})
        assert status == 409
        for _ in range(100):  # 5 s at most: the scenario's first 140 s at 200x take 0.7 s
            if all(c["outcome"] != "waiting" for c in pcc.calls()) and len(pcc.calls()) == 8:
                break
            await asyncio.sleep(0.05)
        assert [c["outcome"] for c in pcc.calls()].count("answered") >= 4
        assert pcc.emulator.now() > 100


class Routing:
    """A get_list_agents_url and get_customer_info_url under the test's control."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[dict[str, Any]] = []
        self.info: list[dict[str, str]] = []

    async def agents(self, request: web.Request) -> web.Response:
        asked = await request.json()
        self.asked.append(asked)
        if isinstance(self.answer, str):
            return web.Response(text=self.answer, content_type="application/json")
        return web.json_response(_for_call(self.answer, asked["calls"][0]["callId"]))

    async def customer(self, request: web.Request) -> web.Response:
        self.info.append(dict(request.query))
        return web.json_response({"name": "Mr Nguyen", "vip": True})


def _for_call(answer: Any, call_id: str) -> Any:
    """The test's answer, its call ``c1`` given the id PCC asked about."""
    if not isinstance(answer, dict) or not isinstance(answer.get("calls"), list):
        return answer
    calls = [{**c, "callId": call_id} if c.get("callId") == "c1" else c for c in answer["calls"]]
    return {**answer, "calls": calls}


async def routed_by(aiohttp_server: Any, answer: Any, faults: str = "") -> tuple[Routing, Any]:
    routing = Routing(answer)
    app = web.Application()
    app.router.add_post("/agents", routing.agents)
    app.router.add_get("/info", routing.customer)
    server = await aiohttp_server(app)
    scenario = load_scenario(HOTLINE)
    pcc = EmulatedPcc(scenario, faults=faults or None)
    await pcc.__aenter__()
    await pcc.point_at(agents_url=str(server.make_url("/agents")),
                       customer_info_url=str(server.make_url("/info")))  # fmt: skip
    return routing, pcc


async def test_pcc_asks_for_agents_and_rings_them_in_order(aiohttp_server: Any) -> None:
    answer = {"version": 2, "calls": [{"callId": "c1", "agents": [
        {"stringee_user_id": "erin", "answer_timeout": 5},  # offline: skipped
        {"stringee_user_id": "carol", "routing_type": 1, "answer_timeout": 20}]}]}  # fmt: skip
    routing, pcc = await routed_by(aiohttp_server, answer)
    try:
        await pcc.advance(5)  # carol picks up after 4 s
        c1_id = pcc.call_id("c1")
        assert routing.asked[0] == {"queueId": "support", "projectId": 1, "calls": [
            {"callId": c1_id, "from": "84911111111", "to": "02473000062"}]}  # fmt: skip
        c1 = next(c for c in pcc.calls() if c["id"] == "c1")
        assert c1["rang"] == [{"agent": "carol", "at": 0.0, "outcome": "answered"}]
        assert routing.info == [{"from": "84911111111", "to": "02473000062", "project": "1"}]
        assert json.loads(pcc.emulator.customer_info[c1_id]) == {"name": "Mr Nguyen", "vip": True}
    finally:
        await pcc.__aexit__(None, None, None)


@pytest.mark.parametrize(
    ("answer", "faults", "state"),
    [
        ("not json", "", "unusable: not JSON"),
        ({"calls": []}, "", 'unusable: not {"version": 2, "calls": [...]}'),
        ({"version": 2, "calls": [{"callId": "c1", "agents": [{"answer_timeout": 5}]}]}, "",
         "unusable: an agent without a stringee_user_id"),
        ({"version": 2, "calls": []}, "agents_timeout=1", "timed out (fault)"),
    ],
)  # fmt: skip
async def test_without_a_usable_list_pcc_routes_by_the_queue(
    aiohttp_server: Any, answer: Any, faults: str, state: str
) -> None:
    _, pcc = await routed_by(aiohttp_server, answer, faults)
    try:
        await pcc.advance(1)
        assert pcc.deliveries("agents")[0]["state"] == state
        c1 = next(c for c in pcc.calls() if c["id"] == "c1")
        assert [r["agent"] for r in c1["rang"]] == ["alice"]  # the queue's own longest_idle
    finally:
        await pcc.__aexit__(None, None, None)


async def test_the_customer_info_get_is_signed_as_stringee_signs_a_get(
    aiohttp_server: Any,
) -> None:
    """``X-STRINGEE-SIGNATURE`` over the request URI (path and query, as sent): what a
    receiver checks it against is the raw request line, and it is never the constant
    HMAC of an empty body."""
    from pcc_router.api.stringee.signing import signed_bytes, stringee_signature

    seen: list[tuple[str, str]] = []

    async def info(request: web.Request) -> web.Response:
        seen.append((request.raw_path, request.headers.get("X-STRINGEE-SIGNATURE", "")))
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/info", info)
    server = await aiohttp_server(app)
    pcc = EmulatedPcc(load_scenario(HOTLINE), signing_secret="sign-me")
    await pcc.__aenter__()
    try:
        await pcc.point_at(customer_info_url=str(server.make_url("/info?tenant=a b")))
        await pcc.advance(1)
    finally:
        await pcc.__aexit__(None, None, None)
    raw_path, signature = seen[0]
    assert raw_path.startswith("/info?tenant=a+b&from=84911111111")
    assert signature == stringee_signature(signed_bytes("GET", raw_path, b""), "sign-me")
    assert signature != stringee_signature(b"", "sign-me")
