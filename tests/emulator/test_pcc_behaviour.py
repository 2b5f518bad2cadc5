"""The emulator as PCC behaves, where a real client finds out: call ids, the fallback of an
empty list, "coming soon" queue limits, trailing slashes, and an honest delivery log."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

import aiohttp
from aiohttp import web

from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.routing import ListFallback
from pcc_router.simulator import load_scenario
from pcc_router.simulator.scenario import PccBehaviour
from tests.conftest import ROOT
from tests.emulator.conftest import HOTLINE

LIMITS = ROOT / "scenarios" / "queue_limits.toml"
PCC_ID = re.compile(r"call-vn-1-[A-Z0-9]{10}-\d{13}")


async def test_call_ids_are_pccs_shape_and_new_on_every_run() -> None:
    """Two runs of one scenario: no call id repeats (a demo restarted never merges a new
    call into an old one), and every event names the call by that id."""
    seen: list[set[str]] = []
    for _ in range(2):
        async with EmulatedPcc(load_scenario(HOTLINE)) as pcc:
            await pcc.until_idle()
            placed = await pcc.place_call("02473000062", keys="0")
            ids = {str(c["call_id"]) for c in pcc.calls()}
            assert placed in ids and all(PCC_ID.fullmatch(i) for i in ids)
            assert {d["call_id"] for d in pcc.deliveries("event")} <= ids
            assert pcc.call_id("c1") in ids
            seen.append(ids)
    assert not seen[0] & seen[1]


async def test_coming_soon_queue_limits_are_stored_not_enforced(tmp_path: Any) -> None:
    """PCC's docs mark maximum_queue_size and maximum_queue_wait_time "coming soon": the
    emulator keeps them (REST shows them) but drops nobody, unless told to."""
    scenario = load_scenario(LIMITS)
    async with EmulatedPcc(scenario) as pcc:
        await pcc.advance(120)
        outcomes = {c["id"]: c["outcome"] for c in pcc.calls()}
        assert outcomes["q3"] != "queue_full" and outcomes["t1"] == "waiting"
        queues = (await pcc.rest("GET", "/v1/queue"))["data"]["queues"]
        small = next(q for q in queues if q["id"] == "small")
        assert small["maximum_queue_size"] == 1  # stored as sent
    enforced = PccBehaviour(enforce_coming_soon=True)
    async with EmulatedPcc(scenario, behaviour=enforced) as pcc:
        await pcc.advance(120)
        outcomes = {c["id"]: c["outcome"] for c in pcc.calls()}
        assert outcomes["q3"] == "queue_full" and outcomes["t1"] == "queue_timeout"
    # or the scenario says so
    said = dataclasses.replace(scenario, emulator=enforced)
    async with EmulatedPcc(said) as pcc:
        await pcc.advance(120)
        assert {c["id"]: c["outcome"] for c in pcc.calls()}["q3"] == "queue_full"


async def test_pcc_rest_paths_take_a_trailing_slash(pcc: EmulatedPcc) -> None:
    made = await pcc.rest("POST", "/v1/agent/", {"name": "Kim", "stringee_user_id": "kim"})
    assert made["r"] == 0 and made["agentID"].startswith("AG_")
    found = await pcc.rest("GET", "/v1/agent/?stringee_user_id=kim")
    assert found["data"]["totalAgents"] == "1"
    group = await pcc.rest("POST", "/v1/group/", {"name": "night"})
    added = await pcc.rest(
        "POST",
        "/v1/manage-agents-in-group/",
        {"agent_id": made["agentID"], "group_id": group["groupID"]},
    )
    assert added["r"] == 0
    changed = await pcc.rest("PUT", f"/v1/agent/{made['agentID']}/", {"name": "Kim Tran"})
    assert changed["r"] == 0


class Answers:
    """A get_list_agents_url and get_customer_info_url that answer what the test says."""

    def __init__(self) -> None:
        self.agents_status = 200
        self.agents: list[dict[str, Any]] = []
        self.info_status = 200
        self.hold = asyncio.Event()
        self.hold.set()
        self.asked = 0

    async def list_agents(self, request: web.Request) -> web.Response:
        self.asked += 1
        body = await request.json()
        await self.hold.wait()
        if self.agents_status != 200:
            return web.json_response({"error": "down"}, status=self.agents_status)
        calls = [{"callId": c["callId"], "agents": self.agents} for c in body["calls"]]
        return web.json_response({"version": 2, "calls": calls})

    async def info(self, request: web.Request) -> web.Response:
        if self.info_status != 200:
            return web.json_response({"error": "who are you?"}, status=self.info_status)
        return web.json_response({"name": "Mr Nguyen"})


async def _served(aiohttp_server: Any, answers: Answers) -> str:
    app = web.Application()
    app.router.add_post("/agents", answers.list_agents)
    app.router.add_get("/info", answers.info)
    server = await aiohttp_server(app)
    return str(server.make_url(""))


async def test_the_delivery_log_says_what_really_happened(aiohttp_server: Any) -> None:
    """A 5xx from get_list_agents_url is a refusal (not "a bad body"); a 401 from the
    customer-info URL is a refusal whose error body is never kept as the customer's info."""
    answers = Answers()
    answers.agents_status, answers.info_status = 503, 401
    base = await _served(aiohttp_server, answers)
    async with EmulatedPcc(load_scenario(HOTLINE)) as pcc:
        await pcc.point_at(agents_url=base + "/agents", customer_info_url=base + "/info")
        await pcc.advance(1)
        asked = pcc.deliveries("agents")[0]
        assert (asked["state"], asked["status"]) == ("refused: HTTP 503", 503)
        info = pcc.deliveries("customer_info")[0]
        assert (info["state"], info["status"]) == ("refused: HTTP 401", 401)
        assert pcc.emulator.customer_info == {}


async def test_the_state_answers_while_a_request_for_agents_is_in_flight(
    aiohttp_server: Any,
) -> None:
    answers = Answers()
    answers.hold.clear()  # the routing server takes its time
    base = await _served(aiohttp_server, answers)
    quiet = dataclasses.replace(load_scenario(HOTLINE), calls=(), events=(), expects=())
    async with EmulatedPcc(quiet, clock="real") as pcc:
        await pcc.point_at(agents_url=base + "/agents")
        await pcc.place_call("02473000062", keys="0")
        for _ in range(100):  # bounded: 5 s at most
            if answers.asked:
                break
            await asyncio.sleep(0.05)
        assert answers.asked == 1
        async with aiohttp.ClientSession() as http, http.get(pcc.url + "/_emulator/state") as got:
            assert got.status == 200
            assert (await got.json())["r"] == 0
        assert pcc.deliveries("agents")[-1]["state"] == "pending"
        answers.hold.set()


async def test_an_empty_list_rings_the_queues_groups_by_default(aiohttp_server: Any) -> None:
    answers = Answers()  # names nobody
    base = await _served(aiohttp_server, answers)
    scenario = dataclasses.replace(load_scenario(HOTLINE), calls=(), events=(), expects=())
    async with EmulatedPcc(scenario) as pcc:
        await pcc.point_at(agents_url=base + "/agents")
        placed = await pcc.place_call("02473000062", keys="0")
        await pcc.advance(1)
        call = next(c for c in pcc.calls() if c["call_id"] == placed)
        assert [r["agent"] for r in call["rang"]] == ["alice"]  # the queue's longest_idle
        assert answers.asked == 1


async def test_with_reask_an_empty_list_is_asked_again_every_period(aiohttp_server: Any) -> None:
    """The call waits while the URL names nobody, asked again every 2 s; once it names
    someone she rings, well before the caller gives up."""
    answers = Answers()
    base = await _served(aiohttp_server, answers)
    scenario = dataclasses.replace(load_scenario(HOTLINE), calls=(), events=(), expects=())
    reask = PccBehaviour(empty_list=ListFallback.REASK, reask_after=2.0)
    async with EmulatedPcc(scenario, behaviour=reask) as pcc:
        await pcc.point_at(agents_url=base + "/agents")
        placed = await pcc.place_call("02473000062", keys="0", patience=60)
        await pcc.advance(5)
        assert answers.asked == 3  # at 0 s, 2 s and 4 s
        call = next(c for c in pcc.calls() if c["call_id"] == placed)
        assert call["rang"] == [] and call["outcome"] == "waiting"
        answers.agents = [{"stringee_user_id": "carol", "answer_timeout": 15}]
        await pcc.advance(2)
        call = next(c for c in pcc.calls() if c["call_id"] == placed)
        assert [r["agent"] for r in call["rang"]] == ["carol"] and call["rang"][0]["at"] == 6.0
