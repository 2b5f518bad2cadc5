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

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlmodel import Session

from pcc_router.api.store import repo
from pcc_router.api.store.config import number_to_json, queue_to_json
from pcc_router.api.store.tables import AgentRow, GroupRow, NumberRow, QueueRow
from pcc_router.api.tokens import TokenMinter
from pcc_router.routing import GroupId, GroupRoute, NumberSpec, QueueId, QueueSpec

__all__ = ["PccClient", "PccConfig", "PccError"]

TIMEOUT = aiohttp.ClientTimeout(total=10)


class PccError(RuntimeError):
    """PCC could not be reached or refused a request."""


@dataclass
class PccClient:
    base_url: str
    minter: TokenMinter

    async def _get(self, session: aiohttp.ClientSession, path: str, **params: Any) -> Any:
        url = self.base_url.rstrip("/") + path
        headers = {"X-STRINGEE-AUTH": self.minter.rest(ttl=300)}
        try:
            async with session.get(url, params=params, headers=headers) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise PccError(f"GET {path}: {exc}") from None
        if response.status != 200 or body.get("r") not in (0, None):
            raise PccError(f"GET {path}: HTTP {response.status}, {body.get('message')!r}")
        return body

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
        headers = {"X-STRINGEE-AUTH": self.minter.rest(ttl=300)}
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as session,
                session.request(method, url, json=body, headers=headers) as response,
            ):
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise PccError(f"{method} {path}: {exc}") from None
        if response.status != 200 or answer.get("r") not in (0, None):
            raise PccError(f"{method} {path}: HTTP {response.status}, {answer.get('message')!r}")
        return answer

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
    """PCC's configuration as read; :meth:`save` upserts it into the store."""

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

    def save(self, db: Session) -> None:
        user_of = {a["id"]: a["stringee_user_id"] for a in self.agents}
        for agent in self.agents:
            row = db.get(AgentRow, agent["stringee_user_id"]) or AgentRow(
                stringee_user_id=agent["stringee_user_id"]
            )
            row.pcc_id = agent["id"]
            row.name = agent.get("name") or row.stringee_user_id
            row.manual_status = agent.get("manual_status") or row.manual_status
            row.routing_type = int(agent.get("routing_type") or 1)
            row.phone_number = agent.get("phone_number") or ""
            db.add(row)
        for group in self.groups:
            listed = self.members[group["id"]]
            users = [user_of[m["agent_id"]] for m in listed if m["agent_id"] in user_of]
            db.merge(GroupRow(id=group["id"], agents=json.dumps(users)))
        # a queue with no group routed to it cannot ring anyone: left out, with its numbers
        routed = [q for q in self.queues if self.routings[q["id"]]]
        for queue in routed:
            spec = _queue(queue, self.routings[queue["id"]])
            db.merge(QueueRow(id=spec.id, spec=queue_to_json(spec)))
        kept = {q["id"] for q in routed}
        for number in self.numbers:
            if number.get("queue_id") in kept and not number.get("enable_ivr"):
                entry = NumberSpec(number=number["number"], queue_id=QueueId(number["queue_id"]))
                db.merge(NumberRow(number=entry.number, spec=number_to_json(entry)))
        db.flush()
        repo.load_project(db, now=0.0).check()


def _queue(queue: dict[str, Any], routings: list[dict[str, Any]]) -> QueueSpec:
    def seconds(key: str, default: float) -> float:
        value = queue.get(key)
        return float(value) if value not in (None, "") else default

    return QueueSpec(
        id=QueueId(queue["id"]),
        groups=tuple(
            GroupRoute(group=GroupId(r["group_id"]), primary=bool(int(r.get("primary_group", 1))))
            for r in routings
        ),
        wait_agent_answer_timeout=max(3.0, seconds("wait_agent_answer_timeout", 15.0)),
        agent_wrap_up_after_calls=bool(int(queue.get("agent_wrap_up_after_calls", 1))),
        wrap_up_time_limit=seconds("wrap_up_time_limit", 10.0),
    )
