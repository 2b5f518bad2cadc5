"""PCC's REST subset on the emulator: agents, groups and members; the shared envelope.

The same paths, envelopes, ids and paging as PCC (group routings, queues,
numbers and call settings are in :mod:`pcc_router.api.emulator.rest_queues`).
Answers are PCC's
envelope ``{"r": 0, "message", "project", ...}``: an id on create
(``agentID``, ``groupID``, ``groupRoutingID``, ``queueID``, ``numberID``),
``data`` on list with the total as text (``totalAgents``, ``totalGroups``,
``totalCount``), ``totalPages``, ``currentPage`` and ``limit`` (50 unless
asked). A refused request is a 4xx ``{"r": <non-zero>, "message"}``: ``r`` 1
for a bad field, 2 for something that exists already, 3 for an unknown id,
4 for a change that would break the project (a group still routed, say).

Every change is made on a copy of the records and checked whole (the core
reads the project from them) before it replaces them: a refused request
changes nothing.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pcc_router.api.emulator import bodies as b
from pcc_router.api.emulator.keys import EMULATOR
from pcc_router.api.emulator.records import PccRecords, RestError, not_found
from pcc_router.api.web.errors import read_body
from pcc_router.routing import is_phone_number, normal_number

__all__ = [
    "add_member",
    "change",
    "create_agent",
    "create_group",
    "delete_agent",
    "delete_group",
    "list_agents",
    "list_groups",
    "list_members",
    "ok",
    "page",
    "query_number",
    "remove_member",
    "update_agent",
    "update_group",
]

Mutation = Callable[[PccRecords], dict[str, Any]]


def ok(records: PccRecords, message: str, **more: Any) -> dict[str, Any]:
    return {"r": 0, "message": message, "project": records.project_id, **more}


async def change(request: web.Request, mutate: Mutation, *, rebuild: bool = True) -> web.Response:
    """Apply ``mutate`` to a copy of the records; keep it only if the project still holds."""
    emulator = request.app[EMULATOR]
    records = copy.deepcopy(emulator.records)
    answer = mutate(records)
    records.project()  # raises RestError: nothing changed
    emulator.configure(records, rebuild=rebuild)
    return web.json_response(answer)


def page(
    request: web.Request, items: list[dict[str, Any]], key: str, total: str, message: str
) -> web.Response:
    page, limit = query_number(request, "page", 1, 10**6), query_number(request, "limit", 50, 1000)
    pages = max(1, math.ceil(len(items) / limit))
    data = {
        total: str(len(items)),
        "totalPages": pages,
        "currentPage": page,
        "limit": limit,
        key: items[(page - 1) * limit : page * limit],
    }
    records = request.app[EMULATOR].records
    return web.json_response(ok(records, message, data=data))


def query_number(request: web.Request, name: str, default: int, most: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise RestError(400, 1, f"{name} must be a whole number from 1 to {most}")
    return int(raw)


def _phone(value: str | None) -> str:
    if not value:
        return ""
    if not is_phone_number(value):
        raise RestError(400, 1, f"phone_number: {value!r} is not a phone number (e.g. 84901234567)")
    return normal_number(value)


# ------------------------------------------------------------------ agents


async def create_agent(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.AgentIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.agent_by_user(body.stringee_user_id) is not None:
            raise RestError(409, 2, f"Agent existed: stringee_user_id {body.stringee_user_id!r}")
        ident = records.new_id("AG", body.stringee_user_id)
        records.agents[ident] = {
            "id": ident,
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "name": body.name,
            "stringee_user_id": body.stringee_user_id,
            "manual_status": body.manual_status or "AVAILABLE",
            "routing_type": body.routing_type,
            "phone_number": _phone(body.phone_number),
        }
        return ok(records, "Create agent success", agentID=ident)

    return await change(request, mutate)


async def list_agents(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    wanted = request.query.get("stringee_user_id")
    agents = [
        {**agent, "system_status": emulator.system_status(agent["stringee_user_id"])}
        for agent in emulator.records.agents.values()
        if wanted is None or agent["stringee_user_id"] == wanted
    ]
    return page(request, agents, "agents", "totalAgents", "Load agents success")


async def update_agent(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.AgentPatch)
    ident = request.match_info["id"]
    changes = b.dump(body)
    if "phone_number" in changes:
        changes["phone_number"] = _phone(changes["phone_number"])
    emulator = request.app[EMULATOR]
    if ident not in emulator.records.agents:
        raise not_found("agent", ident)
    user = emulator.records.user_of(ident)

    def mutate(records: PccRecords) -> dict[str, Any]:
        records.agents[ident].update(changes)
        return ok(records, "Update agent success")

    response = await change(request, mutate, rebuild=False)
    routed = {k: v for k, v in changes.items() if k != "name"}
    if routed:
        await emulator.update_agent(user, routed)
    return response


async def delete_agent(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        agent = records.agents.pop(ident, None)
        if agent is None:
            raise not_found("agent", ident)
        records.members = [(g, a) for g, a in records.members if a != ident]
        records.online.pop(agent["stringee_user_id"], None)
        return ok(records, "Delete agent success")

    return await change(request, mutate)


# ------------------------------------------------------------------ groups


async def create_group(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.GroupIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        ident = records.new_id("GR", body.name)
        records.groups[ident] = {
            "id": ident,
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "name": body.name,
        }
        return ok(records, "Create group success", groupID=ident)

    return await change(request, mutate)


async def list_groups(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    groups = [
        {**group, "number_of_agent": sum(1 for g, _ in records.members if g == gid)}
        for gid, group in records.groups.items()
    ]
    return page(request, groups, "groups", "totalGroups", "Load groups success")


async def update_group(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.GroupIn)
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if ident not in records.groups:
            raise not_found("group", ident)
        records.groups[ident]["name"] = body.name
        return ok(records, "Update group success")

    return await change(request, mutate)


async def delete_group(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.groups.pop(ident, None) is None:
            raise not_found("group", ident)
        if any(r["group_id"] == ident for r in records.routings.values()):
            raise RestError(
                409, 4, f"group {ident!r} is routed to a queue: remove the routing first"
            )
        records.members = [(g, a) for g, a in records.members if g != ident]
        return ok(records, "Delete group success")

    return await change(request, mutate)


async def add_member(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.MemberIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        _member_refs(records, body.agent_id, body.group_id)
        if (body.group_id, body.agent_id) in records.members:
            raise RestError(409, 2, "the agent is in the group already")
        records.members.append((body.group_id, body.agent_id))
        return ok(records, "Add agent to Group success")

    return await change(request, mutate)


async def list_members(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    group = request.query.get("group")
    members = [
        {
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "agent_id": a,
            "group_id": g,
        }
        for g, a in records.members
        if group is None or g == group
    ]
    return page(request, members, "groupAgents", "totalCount", "Load agents in group success")


async def remove_member(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.MemberIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if (body.group_id, body.agent_id) not in records.members:
            raise not_found("member", f"{body.agent_id} in {body.group_id}")
        records.members.remove((body.group_id, body.agent_id))
        return ok(records, "Remove agent from Group success")

    return await change(request, mutate)


def _member_refs(records: PccRecords, agent_id: str, group_id: str) -> None:
    if agent_id not in records.agents:
        raise not_found("agent", agent_id)
    if group_id not in records.groups:
        raise not_found("group", group_id)
