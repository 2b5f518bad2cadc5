"""SIP phones as Stringee sets them up: accounts made through the call API (the emulator's, no
network), registration details, the password passed through and never kept; cond_routing."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from pcc_router.api.app import create_app
from pcc_router.api.cli import main
from pcc_router.api.stringee.tokens import TokenMinter
from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.simulator import load_scenario
from tests.api.support import make_settings
from tests.conftest import HOTLINE

PASSWORD = "Sip-Pass-7f3c9e"


@pytest.fixture
async def pcc() -> Any:
    async with EmulatedPcc(load_scenario(HOTLINE)) as emulated:
        yield emulated


def auth_for(pcc: EmulatedPcc) -> dict[str, str]:
    return {"X-STRINGEE-AUTH": TokenMinter(sid=pcc.api_key[0], secret=pcc.api_key[1]).rest()}


async def controller(aiohttp_client: Any, tmp_path: Path, pcc: EmulatedPcc, **more: Any) -> Any:
    settings = make_settings(
        tmp_path,
        api_key_sid=pcc.api_key[0],
        api_key_secret=pcc.api_key[1],
        project_id="1",
        stringee_api_url=pcc.url,
        call_api_enabled=True,
        **more,
    )
    return await aiohttp_client(create_app(settings))


async def test_an_agent_made_with_a_sip_password_gets_her_account_and_loses_it_with_her(
    aiohttp_client: Any, tmp_path: Path, pcc: EmulatedPcc, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await controller(aiohttp_client, tmp_path, pcc)
    auth = auth_for(pcc)
    stream = await client.get("/v1/stream", params={"access_token": auth["X-STRINGEE-AUTH"]})
    await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)  # hello
    made = await client.post(
        "/v1/agents", headers=auth, json={"stringee_user_id": "ivy", "sip_password": PASSWORD}
    )
    text = await made.text()
    assert made.status == 201, text
    assert (await made.json())["sip_account"] == {"created": True, "username": "1_ivy"}
    phone = pcc.emulator.records.sipphones["ivy"]
    import hashlib

    assert phone["password_sha256"] == hashlib.sha256(PASSWORD.encode()).hexdigest()
    shown = await (await client.get("/v1/agents/ivy", headers=auth)).json()
    assert shown["sip"] == {
        "domain": "v2.stringee.com:15060",
        "username": "1_ivy",
        "registered": False,
        "expires_at": None,
        "account": True,
    }
    await client.post(
        "/v1/agents/ivy/presence", headers=auth, json={"sip": "register", "expires": 3600}
    )
    registered = (await (await client.get("/v1/agents/ivy", headers=auth)).json())["sip"]
    assert registered["registered"] is True and registered["expires_at"] > 0
    gone = await client.delete("/v1/agents/ivy", headers=auth)
    assert (await gone.json())["sip_account"] == {"deleted": True, "username": "1_ivy"}
    assert "ivy" not in pcc.emulator.records.sipphones
    # the password went to Stringee and nowhere else
    changes = await asyncio.wait_for(stream.content.read(2000), 5)
    stream.close()
    await client.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for where, seen in (
        ("answer", text),
        ("log", caplog.text),
        ("stream", changes.decode()),
        ("store", stored.decode("latin-1")),
    ):
        assert PASSWORD not in seen, where
    assert PASSWORD not in str(pcc.emulator.records)


async def test_a_refused_account_is_reported_and_the_agent_made_all_the_same(
    aiohttp_client: Any, tmp_path: Path, pcc: EmulatedPcc
) -> None:
    await pcc.rest("POST", "/v1/sipphone", {"username": "kim", "password": "taken"})
    client = await controller(aiohttp_client, tmp_path, pcc)
    auth = auth_for(pcc)
    made = await client.post(
        "/v1/agents", headers=auth, json={"stringee_user_id": "kim", "sip_password": PASSWORD}
    )
    body = await made.json()
    assert made.status == 201 and body["sip_account"]["created"] is False
    assert "409" in body["sip_account"]["message"] and PASSWORD not in await made.text()
    assert (await client.get("/v1/agents/kim", headers=auth)).status == 200
    shown = (await (await client.get("/v1/agents/kim", headers=auth)).json())["sip"]
    assert shown["account"] is False and shown["username"] == "1_kim"


async def test_without_the_call_api_no_account_is_made_and_the_answer_says_so(
    aiohttp_client: Any, settings: Any, auth: dict[str, str]
) -> None:
    client = await aiohttp_client(create_app(settings))
    made = await client.post(
        "/v1/agents", headers=auth, json={"stringee_user_id": "lan", "sip_password": PASSWORD}
    )
    account = (await made.json())["sip_account"]
    assert account["created"] is False and "STRINGEE_API_URL" in account["message"]
    shown = (await (await client.get("/v1/agents/lan", headers=auth)).json())["sip"]
    assert shown["username"] is None  # no PCC_PROJECT_ID to build it from


@pytest.mark.parametrize(("password", "names"), [("", "sip_password"), (12345, "sip_password")])
async def test_a_bad_password_is_refused_without_being_echoed(
    aiohttp_client: Any, settings: Any, auth: dict[str, str], password: object, names: str
) -> None:
    client = await aiohttp_client(create_app(settings))
    refused = await client.post(
        "/v1/agents", headers=auth, json={"stringee_user_id": "x", "sip_password": password}
    )
    assert refused.status == 400 and names in (await refused.json())["message"]
    assert (await client.get("/v1/agents/x", headers=auth)).status == 404


async def test_a_regional_register_host(
    aiohttp_client: Any, tmp_path: Path, auth: dict[str, str]
) -> None:
    settings = make_settings(
        tmp_path, sip_domain="sip-register-india.stringee.com:5262", project_id="77"
    )
    client = await aiohttp_client(create_app(settings))
    shown = (await (await client.get("/v1/agents/carol", headers=auth)).json())["sip"]
    assert shown["domain"] == "sip-register-india.stringee.com:5262"
    assert shown["username"] == "77_carol" and shown["registered"] is True  # the scenario's SIP


async def test_a_queue_that_takes_no_sip_phones_says_why_carol_cannot_ring(
    aiohttp_client: Any, settings: Any, auth: dict[str, str]
) -> None:
    client = await aiohttp_client(create_app(settings))
    queue = {"id": "web_only", "groups": [{"group": "tier1"}], "cond_routing": 1}
    assert (await client.post("/v1/queues", headers=auth, json=queue)).status == 201
    shown = await (await client.get("/v1/queues/web_only", headers=auth)).json()
    carol = next(n for n in shown["not_routable"] if n["stringee_user_id"] == "carol")
    assert carol["reasons"] == [
        "online only by SIP, and this queue does not route to SIP phones (cond_routing 1)"
    ]
    assert (
        "carol"
        in (await (await client.get("/v1/queues/support", headers=auth)).json())["ring_order"]
    )
    bad = await client.post("/v1/queues", headers=auth, json={**queue, "cond_routing": 3})
    assert bad.status == 400 and "cond_routing" in (await bad.json())["message"]


async def test_the_sync_takes_pccs_cond_routing(
    aiohttp_client: Any, tmp_path: Path, pcc: EmulatedPcc
) -> None:
    assert (await pcc.rest("PUT", "/v1/queue/support", {"cond_routing": 1}))["r"] == 0
    settings = make_settings(
        tmp_path,
        scenario=None,
        base_url=pcc.url,
        pcc_enabled=True,
        api_key_sid=pcc.api_key[0],
        api_key_secret=pcc.api_key[1],
    )
    client = await aiohttp_client(create_app(settings))
    auth = auth_for(pcc)
    assert (await client.post("/v1/sync", headers=auth)).status == 200
    shown = await (await client.get("/v1/queues/support", headers=auth)).json()
    assert "carol" not in shown["ring_order"]


def test_the_sip_command_prints_the_phones_settings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.api.support import seeded_store

    url = f"sqlite:///{tmp_path / 's.db'}"
    seeded_store(url).close()
    monkeypatch.setenv("PCC_PROJECT_ID", "123")
    monkeypatch.setenv("SIP_DOMAIN", "sip.example:15060")
    assert main(["sip", "carol", "--database", url]) == 0
    out = capsys.readouterr().out
    assert "sip.example:15060" in out and "123_carol" in out and "registered now:     yes" in out
    monkeypatch.delenv("PCC_PROJECT_ID")
    assert main(["sip", "carol"]) == 2
    assert "PCC_PROJECT_ID" in capsys.readouterr().err
