"""The controller over HTTP: auth, tokens, PCC callbacks, agents, queues, bad input.

(Just over 300 lines: one walk through every route family, sharing one client.)
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER
from tests.api import inline, support

Client = TestClient


def event(call_id: str, status: str, ts: int, agent: str = "alice", **extra: Any) -> dict[str, Any]:
    """A PCC call event; ``ts`` counts milliseconds from a real epoch-millisecond time."""
    return {
        "call_id": call_id,
        "call_status": status,
        "timestamp_ms": support.EPOCH_MS + ts,
        "from": {"number": "84911111111", "type": "external"},
        "to": {"number": agent, "type": "internal"},
        "type": "stringee_call",
        **extra,
    }


async def test_health_is_open_and_admin_needs_a_rest_token(
    client: Client, auth: dict[str, str]
) -> None:
    assert (await client.get("/healthz")).status == 200
    refused = await client.get("/v1/agents")
    assert refused.status == 401
    body = await refused.json()
    assert body["r"] == 401 and "REST token" in body["message"]
    forged = await client.get("/v1/agents", headers={"X-STRINGEE-AUTH": "a.b.c"})
    assert forged.status == 401
    ok = await client.get("/v1/agents", params={"access_token": auth["X-STRINGEE-AUTH"]})
    assert ok.status == 200
    names = [a["stringee_user_id"] for a in (await ok.json())["agents"]]
    assert names == ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "henry"]


async def test_agent_view_carries_the_verdict(client: Client, auth: dict[str, str]) -> None:
    erin = await (await client.get("/v1/agents/erin", headers=auth)).json()
    assert erin["routable"] is False and erin["online"] == []
    assert erin["reasons"][0]["code"] == "offline"
    gina = await (await client.get("/v1/agents/gina", headers=auth)).json()
    assert [r["code"] for r in gina["reasons"]] == ["manual_status"]
    assert (await client.get("/v1/agents/nobody", headers=auth)).status == 404


async def test_agent_token(client: Client, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/tokens/agent", json={"stringee_user_id": "alice", "ttl": 60}, headers=auth
    )
    body = await response.json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["userId"] == "alice" and claims["icc_api"] is True and claims["iss"] == "SKtest"
    missing = await client.post("/v1/tokens/agent", json={"stringee_user_id": "zed"}, headers=auth)
    assert missing.status == 404
    bad = await client.post(
        "/v1/tokens/agent", json={"stringee_user_id": "alice", "ttl": "x"}, headers=auth
    )
    assert bad.status == 400 and "ttl" in (await bad.json())["message"]


async def test_agents_for_queue_answers_in_ring_order(client: Client) -> None:
    body = {
        "queueId": "support",
        "projectId": "1",
        "calls": [{"callId": "c1", "from": "849", "to": "02473000062"}],
    }
    answer = await (await client.post("/pcc/agents-for-queue", json=body)).json()
    assert answer["version"] == 2 and answer["calls"][0]["callId"] == "c1"
    agents = answer["calls"][0]["agents"]
    assert [a["stringee_user_id"] for a in agents] == ["alice", "bob", "carol", "dave"]
    assert agents[3] == {
        "stringee_user_id": "dave",
        "routing_type": 2,
        "phone_number": "84901234567",
        "answer_timeout": 15,
    }
    unknown = await client.post("/pcc/agents-for-queue", json={**body, "queueId": "nope"})
    assert unknown.status == 404


async def test_call_events_busy_then_wrap_up_idempotent_and_order_safe(
    client: Client, auth: dict[str, str]
) -> None:
    await client.post(
        "/pcc/agents-for-queue", json={"queueId": "support", "calls": [{"callId": "c9"}]}
    )
    answered = await client.post("/pcc/events", json=event("c9", "answered", 1000))
    assert (await answered.json()) == {"r": 0, "message": "applied"}
    alice = await (await client.get("/v1/agents/alice", headers=auth)).json()
    assert alice["system_status"] == 0 and alice["reasons"][0]["code"] == "in_call"
    again = await client.post("/pcc/events", json=event("c9", "answered", 1000))
    assert (await again.json())["message"] == "duplicate"
    ended = await client.post("/pcc/events", json=event("c9", "ended", 61000))
    assert (await ended.json())["message"] == "applied"
    late = await client.post("/pcc/events", json=event("c9", "ringing", 500))
    assert (await late.json())["message"] == "stale"
    alice = await (await client.get("/v1/agents/alice", headers=auth)).json()
    assert alice["system_status"] == 1 and [r["code"] for r in alice["reasons"]] == ["wrap_up"]
    history = await (await client.get("/v1/calls/c9", headers=auth)).json()
    assert history["status"] == "ended" and history["agent"] == "alice"
    assert [h["applied"] for h in history["history"]] == [True, True, False]
    controller = client.app[CONTROLLER]
    inline.fire_timer(controller, "wrapup:alice")  # the wrap-up timer falls due
    alice = await (await client.get("/v1/agents/alice", headers=auth)).json()
    assert alice["routable"] is True


async def test_phone_agents_are_matched_by_number(client: Client, auth: dict[str, str]) -> None:
    body = event("c5", "answered", 10, agent="84901234567")
    body["to"]["type"] = "external"
    await client.post("/pcc/events", json=body)
    dave = await (await client.get("/v1/agents/dave", headers=auth)).json()
    assert dave["system_status"] == 0


async def test_presence_and_updates(client: Client, auth: dict[str, str]) -> None:
    response = await client.post("/v1/agents/erin/presence", json={"app": "login"}, headers=auth)
    assert (await response.json())["routable"] is True
    sip = await client.post(
        "/v1/agents/frank/presence", json={"sip": "register", "expires": 60}, headers=auth
    )
    assert (await sip.json())["online"] == ["sip"]
    update = await client.put("/v1/agents/gina", json={"manual_status": "AVAILABLE"}, headers=auth)
    assert (await update.json())["routable"] is True
    bad = await client.put("/v1/agents/gina", json={"routing_type": 3}, headers=auth)
    assert bad.status == 400 and "routing_type" in (await bad.json())["message"]
    unknown = await client.put("/v1/agents/gina", json={"colour": "red"}, headers=auth)
    assert unknown.status == 400 and "colour" in (await unknown.json())["message"]
    queue = await (await client.get("/v1/queues/support", headers=auth)).json()
    assert queue["ring_order"][:3] == ["alice", "bob", "carol"]
    assert "gina" in queue["ring_order"] and "erin" in queue["ring_order"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"call_id": "c1", "call_status": 5, "timestamp_ms": 1}', "call_status"),
        (b'{"call_id": "c1", "call_status": "ended"}', "timestamp_ms is required"),
        (
            b'{"call_id": "c1", "call_status": "ended", "timestamp_ms": 1, "to": {"type": "x"}}',
            "to.type",
        ),
    ],
)
async def test_bad_events_are_4xx_and_change_nothing(
    client: Client, body: bytes, message: str
) -> None:
    response = await client.post(
        "/pcc/events", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert message in (await response.json())["message"]


async def test_oversized_body(client: Client) -> None:
    response = await client.post("/pcc/events", data=b"x" * (1024 * 1024 + 10))
    assert response.status == 413
    assert (await response.json())["r"] == 413


async def test_event_secret(aiohttp_client: Any, tmp_path: Any) -> None:
    from tests.api.support import make_settings

    client = await aiohttp_client(create_app(make_settings(tmp_path, event_secret="s3cret")))
    refused = await client.post("/pcc/events", json=event("c1", "created", 1))
    assert refused.status == 401
    allowed = await client.post("/pcc/events?secret=s3cret", json=event("c1", "created", 1))
    assert allowed.status == 200


async def test_metrics(client: Client) -> None:
    await client.post("/pcc/events", json=event("c1", "created", 1))
    text = await (await client.get("/metrics")).text()
    assert 'pcc_events_received_total{outcome="applied"} 1.0' in text
    assert 'pcc_routable_agents{queue="support"} 4.0' in text
    assert 'pcc_waiting_calls{queue="support"} 0.0' in text


def test_serve_refuses_missing_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcc_router.api.cli import main

    monkeypatch.delenv("PCC_API_KEY_SID", raising=False)
    monkeypatch.delenv("PCC_API_KEY_SECRET", raising=False)
    assert main(["serve"]) == 2
    assert "PCC_API_KEY_SID is not set in the environment" in capsys.readouterr().err


async def test_configuration_crud_keeps_the_project_whole(
    client: Client, auth: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/agents",
        headers=auth,
        json={
            "stringee_user_id": "ivy",
            "name": "Ivy",
            "routing_type": 2,
            "phone_number": "84900000001",
        },
    )
    assert created.status == 201
    group = await client.post("/v1/groups", headers=auth, json={"id": "night", "agents": ["ivy"]})
    assert group.status == 201
    queue = await client.post(
        "/v1/queues",
        headers=auth,
        json={
            "id": "night_q",
            "wait_agent_answer_timeout": "20s",
            "groups": [{"group": "night"}],
        },
    )
    assert queue.status == 201
    number = await client.post(
        "/v1/numbers", headers=auth, json={"number": "1900", "queue_id": "night_q"}
    )
    assert number.status == 201
    answer = await (
        await client.post(
            "/pcc/agents-for-queue", json={"queueId": "night_q", "calls": [{"callId": "n1"}]}
        )
    ).json()
    assert answer["calls"][0]["agents"] == [
        {
            "stringee_user_id": "ivy",
            "routing_type": 2,
            "phone_number": "84900000001",
            "answer_timeout": 20,
        }
    ]
    dangling = await client.post(
        "/v1/queues", headers=auth, json={"id": "q2", "groups": [{"group": "missing"}]}
    )
    assert dangling.status == 400 and "no group 'missing'" in (await dangling.json())["message"]
    in_use = await client.delete("/v1/groups/night", headers=auth)
    assert in_use.status == 409 and "night" in (await in_use.json())["message"]
    assert (await client.delete("/v1/agents/ivy", headers=auth)).status == 200
    emptied = await (await client.get("/v1/queues/night_q", headers=auth)).json()
    assert emptied["ring_order"] == []
    assert (await client.delete("/v1/agents/ivy", headers=auth)).status == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/pcc/events",
            '{"call_id": "x", "call_status": "created", "timestamp_ms": 1e400}',
        ),
        (
            "post",
            "/pcc/events",
            '{"call_id": "x", "call_status": "created", "timestamp_ms": 100000000000000000000000}',
        ),
        ("post", "/v1/agents/alice/presence", '{"sip": "register", "expires": Infinity}'),
        ("post", "/v1/agents/alice/presence", '{"sip": "register", "expires": NaN}'),
        ("post", "/v1/tokens/agent", '{"stringee_user_id": "alice", "ttl": 1e10}'),
        ("put", "/v1/agents/alice", '{"routing_type": true}'),
        ("post", "/v1/queues", '{"id": "q9", "groups": [{"group": "tier1"}], "strategy": 5}'),
        ("post", "/v1/numbers", '{"number": "1", "ivr": {"0": "queue:nowhere"}}'),
        ("post", "/v1/queues", '{"id": [], "call_id": null}'),  # found by the fuzz test
    ],
)
async def test_nasty_values_are_4xx(
    client: Client, auth: dict[str, str], method: str, path: str, body: str
) -> None:
    response = await client.request(method, path, data=body.encode(), headers=auth)
    assert 400 <= response.status < 500, await response.text()
    assert (await response.json())["r"] == response.status


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/v1/queues", {"id": "q9", "groups": [{"group": "tier1"}], "strategy": "x"}, 400),
        ("delete", "/v1/groups/tier1", None, 409),
        ("post", "/v1/agents/nobody/presence", {"app": "login"}, 404),
        ("post", "/v1/agents", {"stringee_user_id": "alice"}, 409),
        ("post", "/pcc/agents-for-queue", {"queueId": "nope", "calls": [{"callId": "x"}]}, 404),
    ],
)
async def test_a_client_error_never_rebuilds_the_engine(
    client: Client, auth: dict[str, str], method: str, path: str, body: Any, status: int
) -> None:
    engine = client.app[CONTROLLER].engine
    response = await client.request(method, path, json=body, headers=auth)
    assert response.status == status, await response.text()
    assert client.app[CONTROLLER].engine is engine
