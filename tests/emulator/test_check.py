"""``emulate --check URL``: PCC's traffic against a webhook server, judged answer by answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pcc_router.api.app import create_app
from pcc_router.api.emulator.check import check_receiver, print_report
from pcc_router.api.testing.emulated import EmulatedPcc
from pcc_router.simulator import load_scenario
from tests.api.support import make_settings
from tests.emulator.conftest import HOTLINE


async def test_the_controller_passes_every_check(aiohttp_client: Any, tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, signing_secret="sign-me"))
    client = await aiohttp_client(app)
    url = str(client.make_url("/pcc/events"))
    verdicts = await check_receiver(url, load_scenario(HOTLINE), secret="sign-me")
    assert len(verdicts) == 14
    assert [(v.name, v.verdict) for v in verdicts if v.verdict != "ok"] == []


async def test_a_naive_server_is_told_where_it_is_wrong(
    aiohttp_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    async def naive(request: web.Request) -> web.Response:
        body = await request.json()  # breaks on a body that is not JSON: a 500
        if body.get("call_status") == "connect_failed":
            return web.json_response({"error": "unknown status"}, status=400)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", naive)
    server = await aiohttp_server(app)
    url = str(server.make_url("/hook"))
    verdicts = {v.name: v for v in await check_receiver(url, load_scenario(HOTLINE), secret="s")}
    assert verdicts["a status PCC may add (connect_failed)"].verdict == "wrong"
    not_json = verdicts["not JSON (PCC never sends it)"]
    assert not_json.status == 500 and not_json.verdict == "advice"  # PCC never sends it
    assert verdicts["a forged X-STRINGEE-SIGNATURE"].verdict == "warn"
    assert verdicts["call in order: answered"].verdict == "ok"
    assert print_report(url, list(verdicts.values())) == 1
    assert "wrong" in capsys.readouterr().out


async def test_the_emulator_publishes_a_valid_openapi_and_its_docs(pcc: EmulatedPcc) -> None:
    import aiohttp
    from openapi_spec_validator import validate

    async with aiohttp.ClientSession() as http:
        async with http.get(pcc.url + "/openapi.json") as response:
            spec = await response.json()
        async with http.get(pcc.url + "/docs") as response:
            assert response.status == 200 and "swagger-ui" in await response.text()
    validate(spec)
    assert spec["info"]["title"] == "pcc-router PCC emulator"
    for path in ("/v1/agent", "/v1/routing-call-to-groups/{id}", "/_emulator/clock"):
        assert path in spec["paths"]
    body = spec["paths"]["/v1/queue"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/QueueIn")


async def test_stringees_own_sample_is_advised_not_failed_where_pcc_has_no_rule(
    aiohttp_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like Stringee's ``event_url.php``: 200 to anything, signatures unchecked. What PCC
    sends is acknowledged: no failure; a body PCC never sends gets advice, not a fault."""

    async def sample(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/event_url.php", sample)
    server = await aiohttp_server(app)
    url = str(server.make_url("/event_url.php"))
    verdicts = await check_receiver(url, load_scenario(HOTLINE), secret=None)
    assert {v.verdict for v in verdicts} == {"ok", "advice"}
    assert [v.name for v in verdicts if v.verdict == "advice"] == [
        "not JSON (PCC never sends it)",
        "no call_id (PCC never sends it)",
    ]
    assert print_report(url, verdicts) == 0
    assert "0 wrong, 0 to look at, 2 advice" in capsys.readouterr().out
