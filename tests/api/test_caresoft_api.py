"""CareSoft endpoints: tokens, links, unique temp ids, call status, signed webhooks."""

from __future__ import annotations

import json

import jwt
from aiohttp.test_utils import TestClient

from pcc_router.api.stringee.caresoft import sign_webhook

Client = TestClient
VOICE = "voice-secret-voice-secret-voice!"


async def test_token_and_login_link(client: Client, auth: dict[str, str]) -> None:
    token = await (
        await client.post("/v1/caresoft/token", json={"ipphone": "50007"}, headers=auth)
    ).json()
    assert jwt.decode(token["token"], VOICE, algorithms=["HS256"]) == {"ipphone": "50007"}
    link = await (
        await client.post("/v1/caresoft/links/login", json={"ipphone": "50007"}, headers=auth)
    ).json()
    assert link["url"].startswith("https://caresoftcall.page.link/?link=https%3A%2F%2Fmapi")
    assert "appDomain%3Dtest" in link["url"]
    missing = await client.post("/v1/caresoft/token", json={}, headers=auth)
    assert missing.status == 400 and "ipphone" in (await missing.json())["message"]


async def test_call_links_have_unique_temp_ids_and_a_status(
    client: Client, auth: dict[str, str]
) -> None:
    body = {"ipphone": "50007", "phone": "0988888888", "temp_id": "0123456789"}
    first = await (await client.post("/v1/caresoft/links/call", json=body, headers=auth)).json()
    assert first["temp_id"] == "0123456789" and "tempId%3D0123456789" in first["url"]
    reused = await client.post("/v1/caresoft/links/call", json=body, headers=auth)
    assert reused.status == 409
    fresh = await (
        await client.post(
            "/v1/caresoft/links/call",
            json={"ipphone": "50007", "phone": "0988888888"},
            headers=auth,
        )
    ).json()
    assert fresh["temp_id"].isdigit() and fresh["temp_id"] != "0123456789"
    status = await (await client.get("/v1/caresoft/calls/0123456789", headers=auth)).json()
    assert status["status"] == "created" and status["history"] == []
    assert (await client.get("/v1/caresoft/calls/nope", headers=auth)).status == 404


async def test_webhook_checks_the_signature_and_matches_the_call(
    client: Client, auth: dict[str, str]
) -> None:
    await client.post(
        "/v1/caresoft/links/call",
        json={"ipphone": "50007", "phone": "0988888888", "temp_id": "777"},
        headers=auth,
    )
    delivery = json.dumps(
        {
            "object": "ticket",
            "action": "ad_end_call",
            "call_info": {"tempId": "777", "call_id": "2025-X-1"},
        }
    ).encode()
    unsigned = await client.post("/caresoft/webhook", data=delivery)
    assert unsigned.status == 401
    signed = {"X-Hub-Signature": sign_webhook(delivery, "CS123")}
    matched = await (await client.post("/caresoft/webhook", data=delivery, headers=signed)).json()
    assert matched == {"r": 0, "message": "matched", "temp_id": "777"}
    again = await (await client.post("/caresoft/webhook", data=delivery, headers=signed)).json()
    assert again["message"] == "duplicate"
    status = await (await client.get("/v1/caresoft/calls/777", headers=auth)).json()
    assert status["status"] == "ad_end_call" and status["call_id"] == "2025-X-1"
    assert len(status["history"]) == 1
