"""PCC's REST subset on the emulator: the same paths, envelopes, ids and paging as PCC.

Agents, groups, group members, group routings, queues, numbers and call
settings (``event_url``, ``get_customer_info_url``). Answers are PCC's
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
from pcc_router.api.emulator.records import PccRecords, RestError, not_found, queue_fields
from pcc_router.api.errors import read_body
from pcc_router.routing import is_phone_number, normal_number

__all__ = [
    "add_member",
    "create_agent",
    "create_group",
    "create_number",
    "create_queue",
    "create_routing",
    "delete_agent",
    "delete_group",
    "delete_number",
    "delete_queue",
    "delete_routing",
    "get_settings",
    "list_agents",
    "list_groups",
    "list_members",
    "list_numbers",
    "list_queues",
    "list_routings",
    "remove_member",
    "put_settings",
    "update_agent",
    "update_group",
    "update_number",
    "update_queue",
    "update_routing",
]

Mutation = Callable[[PccRecords], dict[str, Any]]


def _ok(records: PccRecords, message: str, **more: Any) -> dict[str, Any]:
    return {"r": 0, "message": message, "project": records.project_id, **more}


async def _change(request: web.Request, mutate: Mutation, *, rebuild: bool = True) -> web.Response:
    """Apply ``mutate`` to a copy of the records; keep it only if the project still holds."""
    emulator = request.app[EMULATOR]
    records = copy.deepcopy(emulator.records)
    answer = mutate(records)
    records.project()  # raises RestError: nothing changed
    emulator.configure(records, rebuild=rebuild)
    return web.json_response(answer)


def _page(
    request: web.Request, items: list[dict[str, Any]], key: str, total: str, message: str
) -> web.Response:
    page, limit = _number(request, "page", 1, 10**6), _number(request, "limit", 50, 1000)
    pages = max(1, math.ceil(len(items) / limit))
    data = {
        total: str(len(items)),
        "totalPages": pages,
        "currentPage": page,
        "limit": limit,
        key: items[(page - 1) * limit : page * limit],
    }
    records = request.app[EMULATOR].records
    return web.json_response(_ok(records, message, data=data))


def _number(request: web.Request, name: str, default: int, most: int) -> int:
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
        return _ok(records, "Create agent success", agentID=ident)

    return await _change(request, mutate)


async def list_agents(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    wanted = request.query.get("stringee_user_id")
    agents = [
        {**agent, "system_status": emulator.system_status(agent["stringee_user_id"])}
        for agent in emulator.records.agents.values()
        if wanted is None or agent["stringee_user_id"] == wanted
    ]
    return _page(request, agents, "agents", "totalAgents", "Load agents success")


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
        return _ok(records, "Update agent success")

    response = await _change(request, mutate, rebuild=False)
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
        return _ok(records, "Delete agent success")

    return await _change(request, mutate)


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
        return _ok(records, "Create group success", groupID=ident)

    return await _change(request, mutate)


async def list_groups(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    groups = [
        {**group, "number_of_agent": sum(1 for g, _ in records.members if g == gid)}
        for gid, group in records.groups.items()
    ]
    return _page(request, groups, "groups", "totalGroups", "Load groups success")


async def update_group(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.GroupIn)
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if ident not in records.groups:
            raise not_found("group", ident)
        records.groups[ident]["name"] = body.name
        return _ok(records, "Update group success")

    return await _change(request, mutate)


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
        return _ok(records, "Delete group success")

    return await _change(request, mutate)


async def add_member(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.MemberIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        _member_refs(records, body.agent_id, body.group_id)
        if (body.group_id, body.agent_id) in records.members:
            raise RestError(409, 2, "the agent is in the group already")
        records.members.append((body.group_id, body.agent_id))
        return _ok(records, "Add agent to Group success")

    return await _change(request, mutate)


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
    return _page(request, members, "groupAgents", "totalCount", "Load agents in group success")


async def remove_member(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.MemberIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if (body.group_id, body.agent_id) not in records.members:
            raise not_found("member", f"{body.agent_id} in {body.group_id}")
        records.members.remove((body.group_id, body.agent_id))
        return _ok(records, "Remove agent from Group success")

    return await _change(request, mutate)


def _member_refs(records: PccRecords, agent_id: str, group_id: str) -> None:
    if agent_id not in records.agents:
        raise not_found("agent", agent_id)
    if group_id not in records.groups:
        raise not_found("group", group_id)


# ---------------------------------------------------------------- routings


async def create_routing(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.RoutingIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if body.queue_id not in records.queues:
            raise not_found("queue", body.queue_id)
        if body.group_id not in records.groups:
            raise not_found("group", body.group_id)
        if any(
            r["queue_id"] == body.queue_id and r["group_id"] == body.group_id
            for r in records.routings.values()
        ):
            raise RestError(409, 2, "the group is routed to the queue already")
        ident = records.new_id("GR_RO", f"{body.queue_id}|{body.group_id}")
        records.routings[ident] = {
            "id": ident,
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "queue_id": body.queue_id,
            "group_id": body.group_id,
            "primary_group": body.primary_group,
        }
        return _ok(records, "Create group routing success", groupRoutingID=ident)

    return await _change(request, mutate)


async def list_routings(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    queue = request.query.get("queue")
    routings = [r for r in records.routings.values() if queue is None or r["queue_id"] == queue]
    return _page(request, routings, "groupRoutings", "totalCount", "Load group routings success")


async def update_routing(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.RoutingPatch)
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if ident not in records.routings:
            raise not_found("group routing", ident)
        records.routings[ident]["primary_group"] = body.primary_group
        return _ok(records, "Update group routing success")

    return await _change(request, mutate)


async def delete_routing(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.routings.pop(ident, None) is None:
            raise not_found("group routing", ident)
        return _ok(records, "Delete group routing success")

    return await _change(request, mutate)


# ------------------------------------------------------------------ queues


def _queue_values(body: b.QueueIn) -> dict[str, Any]:
    given = b.dump(body)
    values = queue_fields({k: v for k, v in given.items() if k != "name"}, "")
    if "get_list_agents_url" in given and not given["get_list_agents_url"]:
        values["get_list_agents_url"] = None  # "" or null: PCC's own routing again
    return values


async def create_queue(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.QueueIn)
    if body.name is None:
        raise RestError(400, 1, "name is required")
    values = _queue_values(body)

    def mutate(records: PccRecords) -> dict[str, Any]:
        ident = records.new_id("QU", body.name or "")
        records.queues[ident] = {
            "id": ident,
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "name": body.name,
            **values,
        }
        return _ok(records, "Create queue success", queueID=ident)

    return await _change(request, mutate)


async def list_queues(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    queues = [_queue_out(q) for q in records.queues.values()]
    return _page(request, queues, "queues", "totalCount", "Load queues success")


def _queue_out(queue: dict[str, Any]) -> dict[str, Any]:
    """A queue as PCC shows it: booleans as 0/1, PCC's defaults where none was set."""
    out = {
        "wait_agent_answer_timeout": 15,
        "agent_wrap_up_after_calls": 1,
        "wrap_up_time_limit": 10,
        "get_list_agents_url": None,
        **queue,
    }
    out["agent_wrap_up_after_calls"] = int(bool(out["agent_wrap_up_after_calls"]))
    return out


async def update_queue(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.QueueIn)
    ident = request.match_info["id"]
    values = _queue_values(body)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if ident not in records.queues:
            raise not_found("queue", ident)
        records.queues[ident].update(values)
        if body.name is not None:
            records.queues[ident]["name"] = body.name
        return _ok(records, "Update queue success")

    return await _change(request, mutate)


async def delete_queue(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.queues.pop(ident, None) is None:
            raise not_found("queue", ident)
        records.routings = {k: r for k, r in records.routings.items() if r["queue_id"] != ident}
        return _ok(records, "Delete queue success")

    return await _change(request, mutate)


# ----------------------------------------------------------------- numbers


async def create_number(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.NumberIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        if any(n["number"] == body.number for n in records.numbers.values()):
            raise RestError(409, 2, f"Number existed: {body.number!r}")
        if body.queue_id is not None and body.queue_id not in records.queues:
            raise not_found("queue", body.queue_id)
        ident = records.new_id("NU", body.number)
        records.numbers[ident] = {
            "id": ident,
            "account": f"AC_{records.project_id}",
            "project": records.project_id,
            "number": body.number,
            "nickname": body.nickname or body.number,
            "queue_id": body.queue_id,
            "enable_ivr": 0,
            "ivr_menu": None,
        }
        return _ok(records, "Create number success", numberID=ident)

    return await _change(request, mutate)


async def list_numbers(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    numbers = [
        {k: v for k, v in n.items() if k not in ("ivr", "keypress_timeout")}
        for n in records.numbers.values()
    ]
    return _page(request, numbers, "numbers", "totalCount", "Load numbers success")


async def update_number(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.NumberIn)
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        number = records.numbers.get(ident)
        if number is None:
            raise not_found("number", ident)
        if body.queue_id is not None and body.queue_id not in records.queues:
            raise not_found("queue", body.queue_id)
        changes = b.dump(body)
        if changes.get("enable_ivr") and not number.get("ivr"):
            raise RestError(400, 1, "enable_ivr: the emulator's menus come from the scenario")
        number.update({k: v for k, v in changes.items() if k != "number"})
        if "enable_ivr" in changes:
            number["enable_ivr"] = int(bool(changes["enable_ivr"]))
        return _ok(records, "Update number success")

    return await _change(request, mutate)


async def delete_number(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.numbers.pop(ident, None) is None:
            raise not_found("number", ident)
        return _ok(records, "Delete number success")

    return await _change(request, mutate)


# ------------------------------------------------------------ call settings


async def get_settings(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    return web.json_response(_ok(records, "Load call settings success", data=records.settings))


async def put_settings(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.CallSettingsIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        records.settings.update(b.dump(body))
        return _ok(records, "Update call settings success", data=records.settings)

    return await _change(request, mutate, rebuild=False)
