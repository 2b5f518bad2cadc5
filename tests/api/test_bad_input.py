"""No client input gets a 5xx: a 4xx naming the problem, that changes and poisons nothing."""

from __future__ import annotations

import asyncio
import codecs
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient

from pcc_router.api.controller.batcher import EventBatcher
from pcc_router.api.controller.core import Controller
from pcc_router.api.stringee.caresoft import sign_webhook
from tests.api.support import SECRET, SID, call_event, seeded_store, state_of, stringee_event
from tests.conftest import HOTLINE

Client = TestClient

#: Every route that reads a JSON body, with a body it would accept.
JSON_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("post", "/pcc/events", stringee_event("created", "ok-1", 0)),
    ("post", "/pcc/agents-for-queue", {"queueId": "support", "calls": [{"callId": "ok-2"}]}),
    ("post", "/v1/tokens/agent", {"stringee_user_id": "alice"}),
    ("put", "/v1/agents/alice", {"manual_status": "AVAILABLE"}),
    ("post", "/v1/agents/alice/presence", {"app": "login"}),
    ("post", "/v1/agents", {"stringee_user_id": "zoe"}),
    ("post", "/v1/groups", {"id": "g9", "agents": []}),
    ("post", "/v1/queues", {"id": "q9", "groups": [{"group": "tier1"}]}),
    ("post", "/v1/numbers", {"number": "1900", "queue_id": "support"}),
    ("post", "/v1/caresoft/token", {"ipphone": "50007"}),
    ("post", "/v1/caresoft/links/login", {"ipphone": "50007"}),
    ("post", "/v1/caresoft/links/call", {"ipphone": "50007", "phone": "0988888888"}),
    ("post", "/caresoft/webhook", {"tempId": "x", "call_status": "ringing"}),
]


def deep(levels: int) -> bytes:
    return b'{"a": ' * levels + b"1" + b"}" * levels


NASTY: dict[str, tuple[bytes, str]] = {
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
    "nested 2,000 deep": (deep(2_000), "nested deeper"),
    "nested 40 deep": (deep(40), "nested deeper"),
    "lone surrogate": (b'{"call_id": "a\\ud800b", "id": "a\\udfffb"}', "lone UTF-16 surrogate"),
    "surrogate in a key": (b'{"a\\ud800": 1}', "lone UTF-16 surrogate"),
    "NUL": (b'{"id": "a\\u0000b", "stringee_user_id": "\\u0000"}', "NUL"),
    "UTF-16 with BOM": (codecs.BOM_UTF16_LE + '{"id": "x"}'.encode("utf-16-le"), "UTF-8"),
    "UTF-16 without BOM": ('{"id": "x"}'.encode("utf-16-be"), "UTF-8"),
    "UTF-32": ('{"id": "x"}'.encode("utf-32"), "UTF-8"),
    "Latin-1": ('{"name": "Nguyễn"}'.encode()[:-4] + b'\xe9"}', "UTF-8"),
    "NaN": (b'{"ttl": NaN, "expires": Infinity}', "not valid JSON"),
}


def _headers(auth: dict[str, str], path: str, body: bytes) -> dict[str, str]:
    headers = {**auth, "Content-Type": "application/json"}
    if path == "/caresoft/webhook":
        headers["X-Hub-Signature"] = sign_webhook(body, "CS123")
    return headers


@pytest.mark.parametrize("nasty", list(NASTY))
async def test_nasty_bodies_are_400_on_every_json_route(
    client: Client, auth: dict[str, str], nasty: str
) -> None:
    body, words = NASTY[nasty]
    await client.post("/pcc/events", json=stringee_event("answered", "canary", 0))
    before = state_of(client.app)
    for method, path, _ in JSON_ROUTES:
        response = await client.request(method, path, data=body, headers=_headers(auth, path, body))
        answer = await response.json()
        assert response.status == 400, (path, response.status, answer)
        assert answer["r"] == 400 and words in answer["message"], (path, answer)
    assert state_of(client.app) == before
    # nothing is poisoned: later requests read the store as before
    call = await client.get("/v1/calls/canary", headers=auth)
    assert call.status == 200 and (await call.json())["agent"] == "alice"
    assert (await client.get("/v1/agents", headers=auth)).status == 200


async def test_a_utf8_byte_order_mark_is_dropped_and_the_body_kept_as_utf8(
    client: Client, auth: dict[str, str]
) -> None:
    for method, path, good in JSON_ROUTES:
        body = codecs.BOM_UTF8 + json.dumps(good, ensure_ascii=False).encode()
        response = await client.request(method, path, data=body, headers=_headers(auth, path, body))
        assert response.status < 300, (path, await response.text())
    history = await (await client.get("/v1/calls/ok-1", headers=auth)).json()
    assert history["history"][0]["event"]["call_id"] == "ok-1"


async def test_a_bad_caresoft_delivery_does_not_break_later_reads(
    client: Client, auth: dict[str, str]
) -> None:
    link = await client.post(
        "/v1/caresoft/links/call", headers=auth, json={"ipphone": "50007", "phone": "0988"}
    )
    temp_id = (await link.json())["temp_id"]
    for body in (
        json.dumps({"tempId": temp_id, "status": "a\ud800"}).encode("utf-16"),
        json.dumps({"tempId": temp_id, "call_status": "x\\ud800"}).encode(),
        b'{"tempId": "%s", "call_status": "\\ud800"}' % temp_id.encode(),
    ):
        headers = {"X-Hub-Signature": sign_webhook(body, "CS123")}
        response = await client.post("/caresoft/webhook", data=body, headers=headers)
        assert response.status in (200, 400), await response.text()
    status = await client.get(f"/v1/caresoft/calls/{temp_id}", headers=auth)
    assert status.status == 200


async def test_one_bad_event_never_fails_its_batch_mates(tmp_path: Path) -> None:
    controller = Controller(store=seeded_store(f"sqlite:///{tmp_path / 's.db'}"))
    batcher = EventBatcher(controller)
    bad = call_event("bad-\ud800", "answered", 1, agent="bob")  # past any view: the store refuses
    results = await asyncio.gather(
        batcher.submit(call_event("g1", "answered", 1, agent="alice")),
        batcher.submit(bad),
        batcher.submit(call_event("g2", "answered", 2, agent="carol")),
        return_exceptions=True,
    )
    assert results[0] == "applied" and results[2] == "applied"
    assert isinstance(results[1], Exception)
    busy = {a for a in ("alice", "bob", "carol") if controller.engine.verdict(a, 0.0).reasons}
    assert busy == {"alice", "carol"}  # the engine was rebuilt without the bad event


async def test_a_queue_strategy_that_is_a_list_is_400(client: Client, auth: dict[str, str]) -> None:
    body = {"id": "q9", "groups": [{"group": "tier1"}], "strategy": ["longest_idle"]}
    response = await client.post("/v1/queues", headers=auth, json=body)
    assert response.status == 400 and "strategy" in (await response.json())["message"]


def test_a_scenario_whose_strategy_is_a_list_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcc_router.api.cli import main

    text = (HOTLINE).read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('strategy = "longest_idle"', 'strategy = ["longest_idle"]'))
    assert main(["check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "queues[0].strategy" in err


def _token(**claims: Any) -> str:
    base = {"jti": f"{SID}-1", "iss": SID, "exp": int(time.time()) + 600, "rest_api": True}
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("exp", ["tomorrow", None, [1], {"at": 1}, True])
async def test_a_signed_token_with_a_strange_exp_is_401(client: Client, exp: Any) -> None:
    response = await client.get("/v1/agents", headers={"X-STRINGEE-AUTH": _token(exp=exp)})
    assert response.status == 401, await response.text()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("get", "/pcc/events", "POST"), ("put", "/v1/agents", "GET"), ("delete", "/healthz", "GET")],
)
async def test_405_says_what_is_allowed(
    client: Client, auth: dict[str, str], method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path, headers=auth)
    assert response.status == 405
    assert allowed in response.headers["Allow"]
    assert (await response.json())["r"] == 405


@pytest.mark.parametrize("path", ["/v1/agents/%00", "/v1/calls/a%00b", "/v1/queues/q%00"])
async def test_a_nul_in_the_path_is_400(client: Client, auth: dict[str, str], path: str) -> None:
    response = await client.get(path, headers=auth)
    assert response.status == 400 and "NUL" in (await response.json())["message"]


async def test_a_nul_in_the_query_is_400(client: Client) -> None:
    response = await client.get("/pcc/customer-info?from=849%00")
    assert response.status == 400
