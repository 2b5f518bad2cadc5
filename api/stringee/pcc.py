"""Talking to PCC's REST API: pulling its configuration in, mirroring agent changes out.

The controller talks to PCC only when ``PCC_BASE_URL`` is set explicitly, so a
development or CI run never reaches the network. Requests carry a fresh REST
token in ``X-STRINGEE-AUTH``; lists are read page by page (PCC pages hold 50).

What is pulled: agents, groups and their members, queues and their group
routings, and numbers routed straight to a queue. IVR trees are not (PCC keeps
them as node graphs; a number with ``enable_ivr`` keeps the menu already in
the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from pcc_router.api.stringee.rest import TIMEOUT, StringeeError, request_json
from pcc_router.api.stringee.tokens import TokenMinter

__all__ = ["PccClient", "PccConfig", "PccError", "queue_fields"]


class PccError(StringeeError):
    """PCC could not be reached or refused a request."""


@dataclass
class PccClient:
    base_url: str
    minter: TokenMinter

    async def _get(self, session: aiohttp.ClientSession, path: str, **params: Any) -> Any:
        url = self.base_url.rstrip("/") + path
        return await request_json(
            self.minter,
            "GET",
            url,
            error=PccError,
            label=f"GET {path}",
            params=params,
            session=session,
        )

    async def _pages(
        self, session: aiohttp.ClientSession, path: str, key: str, **params: Any
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = await self._get(session, path, page=page, limit=50, **params)
            data = body.get("data") or {}
            items += data.get(key) or []
            if page >= int(data.get("totalPages") or 1):
                return items
            page += 1

    async def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.base_url.rstrip("/") + path
        return await request_json(
            self.minter, method, url, error=PccError, label=f"{method} {path}", body=body
        )

    async def put_agent(self, pcc_id: str, changes: dict[str, Any]) -> None:
        await self._send("PUT", f"/v1/agent/{pcc_id}", changes)

    async def create_agent(self, fields: dict[str, Any]) -> str:
        """PCC ``POST /v1/agent``; returns PCC's ``agentID``."""
        answer = await self._send("POST", "/v1/agent", fields)
        agent_id = answer.get("agentID")
        if not isinstance(agent_id, str):
            raise PccError("POST /v1/agent: no agentID in the answer")
        return agent_id

    async def delete_agent(self, pcc_id: str) -> None:
        await self._send("DELETE", f"/v1/agent/{pcc_id}")

    async def fetch(self) -> PccConfig:
        """Read PCC's configuration (agents, groups and members, queues and routings, numbers)."""
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            agents = await self._pages(session, "/v1/agent", "agents")
            groups = await self._pages(session, "/v1/group", "groups")
            members = {
                g["id"]: await self._pages(
                    session, "/v1/manage-agents-in-group", "groupAgents", group=g["id"]
                )
                for g in groups
            }
            queues = await self._pages(session, "/v1/queue", "queues")
            routings = {
                q["id"]: await self._pages(
                    session, "/v1/routing-call-to-groups", "groupRoutings", queue=q["id"]
                )
                for q in queues
            }
            numbers = await self._pages(session, "/v1/number", "numbers")
        return PccConfig(
            agents=agents,
            groups=groups,
            members=members,
            queues=queues,
            routings=routings,
            numbers=numbers,
        )


@dataclass
class PccConfig:
    """PCC's configuration as read (the controller's sync stores it:
    :mod:`pcc_router.api.controller.sync`)."""

    agents: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    members: dict[str, list[dict[str, Any]]]
    queues: list[dict[str, Any]]
    routings: dict[str, list[dict[str, Any]]]
    numbers: list[dict[str, Any]]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "agents": len(self.agents),
            "groups": len(self.groups),
            "queues": len(self.queues),
            "numbers": len(self.numbers),
        }


def queue_fields(queue: dict[str, Any], routings: list[dict[str, Any]]) -> dict[str, Any]:
    """PCC's queue (numbers as text, booleans as 0/1) in the project format."""
    fields: dict[str, Any] = {
        "id": queue["id"],
        "groups": [
            {"group": r["group_id"], "primary": bool(int(r.get("primary_group", 1)))}
            for r in routings
        ],
    }
    for key in ("wait_agent_answer_timeout", "wrap_up_time_limit"):
        if queue.get(key) not in (None, ""):
            fields[key] = float(queue[key])
    if "wait_agent_answer_timeout" in fields:  # PCC's minimum
        fields["wait_agent_answer_timeout"] = max(3.0, fields["wait_agent_answer_timeout"])
    if queue.get("agent_wrap_up_after_calls") not in (None, ""):
        fields["agent_wrap_up_after_calls"] = bool(int(queue["agent_wrap_up_after_calls"]))
    if str(queue.get("cond_routing")) in ("1", "2"):  # PCC: 1 Web/App only, 2 or SIP too
        fields["cond_routing"] = int(queue["cond_routing"])
    if queue.get("get_list_agents_url"):
        fields["get_list_agents_url"] = str(queue["get_list_agents_url"])
    return fields
