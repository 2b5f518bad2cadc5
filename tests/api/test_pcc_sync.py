"""Pulling configuration from PCC's REST API and mirroring agent changes, against a fake PCC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pcc_router.api.app import create_app
from pcc_router.api.keys import CONTROLLER, STORE
from pcc_router.api.store import repo
from pcc_router.api.stringee.tokens import TokenError, verify_rest_token
from tests.api.support import SECRET, SID, make_settings


class FakePcc:
    """In-memory PCC with its envelopes and paging (at most 2 items a page)."""

    def __init__(self) -> None:
        self.agents = [
            {
                "id": "AG_1",
                "stringee_user_id": "u1",
                "name": "Lan",
                "manual_status": "AVAILABLE",
                "routing_type": 2,
                "phone_number": "84900000001",
            },
            {
                "id": "AG_2",
                "stringee_user_id": "u2",
                "name": "Minh",
                "manual_status": "AVAILABLE",
                "routing_type": 2,
                "phone_number": "84900000002",
            },
            {
                "id": "AG_3",
                "stringee_user_id": "u3",
                "name": "Hoa",
                "manual_status": "LUNCH BREAK",
                "routing_type": 2,
                "phone_number": "84900000003",
            },
        ]
        self.groups = [{"id": "GR_A", "name": "front"}, {"id": "GR_B", "name": "back"}]
        self.members = {"GR_A": ["AG_2", "AG_1"], "GR_B": ["AG_3"]}
        self.queues = [
            {
                "id": "QU_1",
                "name": "support",
                "wait_agent_answer_timeout": 20,
                "agent_wrap_up_after_calls": 1,
                "wrap_up_time_limit": 5,
            },
            {"id": "QU_EMPTY", "name": "unused"},
        ]
        self.routings = {
            "QU_1": [
                {"queue_id": "QU_1", "group_id": "GR_A", "primary_group": 1},
                {"queue_id": "QU_1", "group_id": "GR_B", "primary_group": 0},
            ]
        }
        self.numbers = [{"number": "02473000062", "queue_id": "QU_1", "enable_ivr": False}]
        self.puts: list[tuple[str, dict[str, Any]]] = []
        self.broken = False

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        for path, handler in (
            ("/v1/agent", self._agents),
            ("/v1/group", self._groups),
            ("/v1/manage-agents-in-group", self._members),
            ("/v1/queue", self._queues),
            ("/v1/routing-call-to-groups", self._routings),
            ("/v1/number", self._numbers),
        ):
            app.router.add_get(path, handler)
        app.router.add_put("/v1/agent/{id}", self._put_agent)
        app.router.add_post("/v1/agent", self._create_agent)
        app.router.add_delete("/v1/agent/{id}", self._delete_agent)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            verify_rest_token(request.headers.get("X-STRINGEE-AUTH", ""), sid=SID, secret=SECRET)
        except TokenError:
            return web.json_response({"r": 1, "message": "unauthorized"}, status=401)
        if self.broken:
            return web.json_response({"r": 5, "message": "internal"}, status=500)
        return await handler(request)

    def _page(self, request: web.Request, key: str, items: list[Any], total: str) -> web.Response:
        page, limit = int(request.query.get("page", 1)), min(int(request.query.get("limit", 50)), 2)
        chunk = items[(page - 1) * limit : page * limit]
        pages = max(1, -(-len(items) // limit))
        return web.json_response(
            {
                "r": 0,
                "message": "ok",
                "project": 1,
                "data": {
                    total: str(len(items)),
                    "totalPages": pages,
                    "currentPage": page,
                    "limit": limit,
                    key: chunk,
                },
            }
        )

    async def _agents(self, request: web.Request) -> web.Response:
        return self._page(request, "agents", self.agents, "totalAgents")

    async def _groups(self, request: web.Request) -> web.Response:
        return self._page(request, "groups", self.groups, "totalGroups")

    async def _members(self, request: web.Request) -> web.Response:
        group = request.query["group"]
        rows = [{"agent_id": a, "group_id": group} for a in self.members.get(group, [])]
        return self._page(request, "groupAgents", rows, "totalCount")

    async def _queues(self, request: web.Request) -> web.Response:
        return self._page(request, "queues", self.queues, "totalCount")

    async def _routings(self, request: web.Request) -> web.Response:
        rows = self.routings.get(request.query["queue"], [])
        return self._page(request, "groupRoutings", rows, "totalCount")

    async def _numbers(self, request: web.Request) -> web.Response:
        return self._page(request, "numbers", self.numbers, "totalCount")

    async def _create_agent(self, request: web.Request) -> web.Response:
        body = await request.json()
        agent = {**body, "id": f"AG_{len(self.agents) + 1}"}
        self.agents.append(agent)
        return web.json_response(
            {"r": 0, "project": 1, "agentID": agent["id"], "message": "Create agent success"}
        )

    async def _delete_agent(self, request: web.Request) -> web.Response:
        self.agents = [a for a in self.agents if a["id"] != request.match_info["id"]]
        return web.json_response({"r": 0, "message": "Delete agent success"})

    async def _put_agent(self, request: web.Request) -> web.Response:
        self.puts.append((request.match_info["id"], await request.json()))
        return web.json_response({"r": 0, "message": "Update agent success"})


@pytest.fixture
def fake() -> FakePcc:
    return FakePcc()


async def test_sync_pulls_pcc_configuration_and_mirrors_changes(
    aiohttp_client: Any, aiohttp_server: Any, fake: FakePcc, tmp_path: Path, auth: dict[str, str]
) -> None:
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    settings = make_settings(
        tmp_path, scenario=None, base_url=str(server.make_url("/")), pcc_enabled=True
    )
    client = await aiohttp_client(create_app(settings))
    synced = await (await client.post("/v1/sync", headers=auth)).json()
    assert synced["counts"] == {"agents": 3, "groups": 2, "queues": 2, "numbers": 1}
    # the same configuration again (as every scheduled sync finds it): nothing is rebuilt
    controller = client.app[CONTROLLER]
    engine = controller.engine
    again = await client.post("/v1/sync", headers=auth)
    assert again.status == 200 and controller.engine is engine
    with client.app[STORE].session() as session:
        configs = [row for row in repo.events_after(session, 0) if row.kind == "config"]
    assert len(configs) == 1
    answer = await (
        await client.post(
            "/pcc/agents-for-queue", json={"queueId": "QU_1", "calls": [{"callId": "c1"}]}
        )
    ).json()
    agents = answer["calls"][0]["agents"]
    # GR_A is primary, in PCC's member order; u3 is in the backup group and on lunch
    assert [a["stringee_user_id"] for a in agents] == ["u2", "u1"]
    assert agents[0]["answer_timeout"] == 20.0
    changed = await (
        await client.put("/v1/agents/u1", json={"manual_status": "NOT AVAILABLE"}, headers=auth)
    ).json()
    assert changed["mirrored_to_pcc"] is True
    assert fake.puts == [("AG_1", {"manual_status": "NOT AVAILABLE"})]
    created = await (
        await client.post(
            "/v1/agents",
            headers=auth,
            json={
                "stringee_user_id": "u9",
                "name": "Tuan",
                "routing_type": 2,
                "phone_number": "849",
            },
        )
    ).json()
    assert created["mirrored_to_pcc"] is True
    assert fake.agents[-1] == {
        "name": "Tuan",
        "stringee_user_id": "u9",
        "manual_status": "AVAILABLE",
        "routing_type": 2,
        "phone_number": "849",
        "id": "AG_4",
    }
    deleted = await (await client.delete("/v1/agents/u9", headers=auth)).json()
    assert deleted["mirrored_to_pcc"] is True and all(a["id"] != "AG_4" for a in fake.agents)
    fake.broken = True
    failed = await client.post("/v1/sync", headers=auth)
    assert failed.status == 502 and "PCC sync failed" in (await failed.json())["message"]
    refused = await (
        await client.put("/v1/agents/u2", json={"manual_status": "AWAY"}, headers=auth)
    ).json()
    assert refused["mirrored_to_pcc"] is False and refused["manual_status"] == "AWAY"


async def test_sync_without_pcc_configured(
    aiohttp_client: Any, tmp_path: Path, auth: dict[str, str]
) -> None:
    client = await aiohttp_client(create_app(make_settings(tmp_path)))
    response = await client.post("/v1/sync", headers=auth)
    assert response.status == 409 and "PCC_BASE_URL" in (await response.json())["message"]
    changed = await (
        await client.put("/v1/agents/alice", json={"manual_status": "AWAY"}, headers=auth)
    ).json()
    assert changed["mirrored_to_pcc"] is None


async def test_an_answer_that_is_not_pccs_envelope_is_a_502_not_a_traceback(
    aiohttp_client: Any, aiohttp_server: Any, tmp_path: Path, auth: dict[str, str]
) -> None:
    from aiohttp import web

    async def odd(request: web.Request) -> web.Response:
        return web.json_response(["not", "an", "envelope"])

    app = web.Application()
    app.router.add_get("/v1/agent", odd)
    server = await aiohttp_server(app, host="127.0.0.1")
    settings = make_settings(tmp_path, base_url=str(server.make_url("")), pcc_enabled=True)
    client = await aiohttp_client(create_app(settings))
    synced = await client.post("/v1/sync", headers=auth)
    assert synced.status == 502
    assert "GET /v1/agent: HTTP 200" in (await synced.json())["message"]
