"""Agents' state follows PCC's events as Stringee sends them: lost, repeated, reordered.

(Just over 300 lines: one regression test per defect of issue 7, kept together.)
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER
from tests.api import inline, support
from tests.api.support import make_settings, state_of, stringee_event

Client = TestClient


async def post_event(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/pcc/events", json=body)
    assert response.status == 200, await response.text()
    answer: dict[str, Any] = await response.json()
    return answer


async def agent(client: Client, auth: dict[str, str], name: str) -> dict[str, Any]:
    response = await client.get(f"/v1/agents/{name}", headers=auth)
    assert response.status == 200
    found: dict[str, Any] = await response.json()
    return found


def codes(view: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in view["reasons"]]


async def offer(client: Client, *call_ids: str, caller: str = "84911111111") -> list[list[str]]:
    calls = [{"callId": c, "from": caller, "to": "02473000062"} for c in call_ids]
    response = await client.post(
        "/pcc/agents-for-queue", json={"queueId": "support", "projectId": 25, "calls": calls}
    )
    assert response.status == 200, await response.text()
    answer = await response.json()
    return [[a["stringee_user_id"] for a in call["agents"]] for call in answer["calls"]]


async def test_a_call_the_agent_placed_makes_her_busy_and_names_her(
    client: Client, auth: dict[str, str]
) -> None:
    """App to phone: ``from`` is internal but holds the caller id; only
    ``request_from_user_id`` names the agent."""
    steps = ("created", "ringing", "answered")
    for n, status in enumerate(steps):
        body = stringee_event(
            status,
            "out-1",
            n,
            from_=("84899199866", "internal"),
            to=("84909985668", "external"),
            requester="alice",
        )
        assert (await post_event(client, body))["message"] == "applied"
    alice = await agent(client, auth, "alice")
    assert alice["system_status"] == 0 and alice["state"] == "talking"
    assert codes(alice) == ["in_call"] and alice["call_id"] == "out-1"
    call = await (await client.get("/v1/calls/out-1", headers=auth)).json()
    assert call["agent"] == "alice"
    ended = stringee_event(
        "ended",
        "out-1",
        60_000,
        from_=("84899199866", "internal"),
        to=("84909985668", "external"),
        requester="alice",
    )
    await post_event(client, ended)
    alice = await agent(client, auth, "alice")
    # a call she placed is not a queue call: no wrap-up, routable at once
    assert alice["system_status"] == 1 and alice["routable"] is True


async def test_a_lost_ended_never_keeps_an_agent_busy(client: Client, auth: dict[str, str]) -> None:
    await post_event(client, stringee_event("answered", "call-a", 0))
    # call-a's ended never arrives; alice answers call-b later
    await post_event(client, stringee_event("answered", "call-b", 300_000))
    alice = await agent(client, auth, "alice")
    assert alice["call_id"] == "call-b"
    await post_event(client, stringee_event("ended", "call-b", 360_000))
    alice = await agent(client, auth, "alice")
    assert alice["system_status"] == 1 and codes(alice) == ["wrap_up"]
    before = state_of(client.app)
    # call-a's ended, very late: not her call any more; it only closes call-a
    late = await post_event(client, stringee_event("ended", "call-a", 60_000))
    assert late["message"] == "applied"
    alice_after = await agent(client, auth, "alice")
    assert codes(alice_after) == ["wrap_up"]
    after = state_of(client.app)
    assert after["agents"] == before["agents"]


async def test_an_older_answer_arriving_late_keeps_the_newer_call(
    client: Client, auth: dict[str, str]
) -> None:
    await post_event(client, stringee_event("answered", "newer", 300_000))
    await post_event(client, stringee_event("answered", "older", 0))  # reordered delivery
    assert (await agent(client, auth, "alice"))["call_id"] == "newer"
    await post_event(client, stringee_event("ended", "older", 60_000))
    assert codes(await agent(client, auth, "alice")) == ["in_call"]


async def test_a_call_silent_for_too_long_is_closed_and_its_agent_freed(
    client: Client, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    await post_event(client, stringee_event("answered", "lost-1", 0))
    controller = client.app[CONTROLLER]
    real = controller.clock
    controller.clock = lambda: real() + controller.max_call_age + 1
    with caplog.at_level(logging.WARNING, logger="pcc_router.controller"):
        assert inline.expire_stale_calls(
            controller,
        ) == ["lost-1"]
    assert "lost-1" in caplog.text and "closed as lost" in caplog.text
    alice = await agent(client, auth, "alice")
    assert alice["routable"] is True and alice["system_status"] == 1
    call = await (await client.get("/v1/calls/lost-1", headers=auth)).json()
    assert call["status"] == "expired" and call["open"] is False
    metrics = await (await client.get("/metrics")).text()
    assert "pcc_calls_expired_total 1.0" in metrics
    # its ended, if it ever comes, changes nothing
    late = await post_event(client, stringee_event("ended", "lost-1", 60_000))
    assert late["message"] == "stale"
    assert (
        inline.expire_stale_calls(
            controller,
        )
        == []
    )


async def test_the_sweep_closes_silent_calls_by_itself(aiohttp_client: Any, tmp_path: Any) -> None:
    settings = make_settings(tmp_path, max_call_age=1.0)
    client = await aiohttp_client(create_app(settings))
    auth_free = client.app[CONTROLLER]
    await post_event(client, stringee_event("answered", "lost-2", 0, to=("carol", "internal")))
    assert auth_free.engine.agent_view("carol", auth_free.clock()).activity == "talking"
    for _ in range(100):  # the sweep runs every second; bounded at 10 s
        await asyncio.sleep(0.1)
        if auth_free.engine.agent_view("carol", auth_free.clock()).activity != "talking":
            break
    assert auth_free.engine.agent_view("carol", auth_free.clock()).activity == "idle"


@pytest.mark.parametrize(
    "body",
    [
        {
            "call_status": "connect_failed",
            "agent_status": "ended",
            "call_id": "cf-1",
            "from": {"number": "84911111111", "type": "external"},
            "to": {"number": "alice", "type": "internal"},
            "start_time": 1764585125,
            "project_id": 25,
        },
        {"call_status": "transferred_to_the_moon"},
    ],
)
async def test_statuses_outside_the_six_are_acknowledged_and_change_nothing(
    client: Client, body: dict[str, Any]
) -> None:
    before = state_of(client.app)
    answer = await post_event(client, body)
    assert answer == {"r": 0, "message": "ignored"}
    assert state_of(client.app) == before
    metrics = await (await client.get("/metrics")).text()
    assert 'pcc_events_received_total{outcome="ignored"} 1.0' in metrics


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"call_status": "answered"}, ["call_id", "timestamp_ms"]),
        (
            {"call_status": "ended", "call_id": 5, "timestamp_ms": "soon", "to": {"type": "sip"}},
            ["call_id", "timestamp_ms", "to.type"],
        ),
        (
            {
                "call_status": "ringing",
                "call_id": "c",
                "timestamp_ms": 1,
                "from": "alice",
                "to": {"number": ["alice"]},
                "request_from_user_id": 7,
            },
            ["from", "to.number", "request_from_user_id"],
        ),
    ],
)
async def test_a_bad_known_event_names_every_wrong_field(
    client: Client, body: dict[str, Any], fields: list[str]
) -> None:
    before = state_of(client.app)
    response = await client.post("/pcc/events", json=body)
    assert response.status == 400
    answer = await response.json()
    assert answer["r"] == 400 and len(answer["errors"]) == len(fields)
    for name, error in zip(fields, answer["errors"], strict=True):
        assert error.startswith(name), (name, error)
        assert name in answer["message"]
    assert state_of(client.app) == before


async def test_a_ringing_agent_is_not_offered_first(client: Client, auth: dict[str, str]) -> None:
    await post_event(client, stringee_event("ringing", "r-1", 0))
    alice = await agent(client, auth, "alice")
    assert alice["state"] == "ringing" and codes(alice) == ["ringing"]
    [order] = await offer(client, "r-2")
    assert "alice" not in order and order[0] == "bob"


async def test_each_call_is_offered_a_different_first_agent(
    client: Client, auth: dict[str, str]
) -> None:
    [first] = await offer(client, "c1")
    [second] = await offer(client, "c2")
    assert first[0] == "alice" and second[0] == "bob"
    together = await offer(client, "c3", "c4", "c5")
    assert [order[0] for order in together] == ["carol", "dave", "henry"]  # henry: backup
    assert (await offer(client, "c6")) == [[]]  # nobody left to offer first
    assert codes(await agent(client, auth, "alice")) == ["ringing"]


async def test_a_reservation_ends_with_the_answer_the_end_or_the_ring_timeout(
    client: Client, auth: dict[str, str]
) -> None:
    await offer(client, "c1", "c2", "c3")  # alice, bob, carol reserved
    await post_event(client, stringee_event("answered", "c1", 0))  # alice answers c1
    assert codes(await agent(client, auth, "alice")) == ["in_call"]
    await post_event(client, stringee_event("ended", "c2", 5, to=("02473000062", "external")))
    assert (await agent(client, auth, "bob"))["routable"] is True  # c2's caller hung up
    controller = client.app[CONTROLLER]
    real = controller.clock
    controller.clock = lambda: real() + 16  # carol's ring for c3 timed out
    inline.fire_timer(controller, "offer:carol")
    controller.clock = real
    carol = await agent(client, auth, "carol")
    assert carol["routable"] is True
    [order] = await offer(client, "c4")
    assert order[0] == "bob"  # bob and carol are free again, bob first by idle time


async def test_customer_info_answers_the_newest_call(client: Client) -> None:
    await offer(client, "old-call", caller="84911111111")
    await asyncio.sleep(0.01)
    await offer(client, "new-call", caller="84911111111")
    for written in ("84911111111", "+84 911 111 111", "0911-111-111"):
        answer = await (await client.get("/pcc/customer-info", params={"from": written})).json()
        assert answer["last_call"]["call_id"] == "new-call", written


async def test_answer_timeout_is_an_integer(client: Client) -> None:
    response = await client.post(
        "/pcc/agents-for-queue", json={"queueId": "support", "calls": [{"callId": "t1"}]}
    )
    text = await response.text()
    assert '"answer_timeout": 15,' in text or '"answer_timeout": 15}' in text
    agents = (await response.json())["calls"][0]["agents"]
    assert all(type(a["answer_timeout"]) is int for a in agents)


@pytest.mark.parametrize(
    "written", ["84901234567", "+84901234567", "+84 90-123-4567", "0901234567"]
)
async def test_an_agents_phone_matches_in_any_written_form(
    client: Client, auth: dict[str, str], written: str
) -> None:
    body = stringee_event("answered", "p-1", 0, to=(written, "external"))
    await post_event(client, body)
    assert (await agent(client, auth, "dave"))["system_status"] == 0


async def test_phone_numbers_are_kept_in_one_form(client: Client, auth: dict[str, str]) -> None:
    created = await client.post(
        "/v1/agents",
        headers=auth,
        json={"stringee_user_id": "ivy", "routing_type": 2, "phone_number": "+84 900 000 001"},
    )
    assert created.status == 201
    assert (await agent(client, auth, "ivy"))["phone_number"] == "84900000001"
    await client.post("/v1/groups", headers=auth, json={"id": "night", "agents": ["ivy"]})
    body = stringee_event("answered", "p-2", 0, to=("0900 000 001", "external"))
    await post_event(client, body)
    assert (await agent(client, auth, "ivy"))["system_status"] == 0
    bad = await client.put("/v1/agents/ivy", headers=auth, json={"phone_number": "call me"})
    assert bad.status == 400 and "phone_number" in (await bad.json())["message"]


async def test_reasons_show_times_as_times(client: Client, auth: dict[str, str]) -> None:
    await offer(client, "w-1")
    await post_event(client, stringee_event("answered", "w-1", 0))
    await post_event(client, stringee_event("ended", "w-1", 30_000))
    [reason] = (await agent(client, auth, "alice"))["reasons"]
    assert re.fullmatch(r"in wrap-up until \d\d:\d\d:\d\d", reason["text"]), reason["text"]
    assert str(support.EPOCH_MS)[:4] not in reason["text"]


async def test_a_call_that_is_over_never_starts_again(client: Client, auth: dict[str, str]) -> None:
    """A demo restarted on an old store, PCC reusing an id: events of a new call under the
    id of one that ended are not merged into it (they would bring a dead call back)."""
    for n, status in enumerate(("created", "ringing", "answered", "ended")):
        assert (await post_event(client, stringee_event(status, "c1", n * 1000)))["message"] == (
            "applied"
        )
    for n, status in enumerate(("created", "ringing", "answered")):
        reused = await post_event(client, stringee_event(status, "c1", 60_000 + n * 1000))
        assert reused["message"] == "stale", status
    alice = await agent(client, auth, "alice")
    assert alice["state"] != "talking" and alice["call_id"] is None
    late = await post_event(client, stringee_event("agentEnded", "c1", 3500))
    assert late["message"] == "applied"  # the end of a call that ended is still its own
