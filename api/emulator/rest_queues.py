"""PCC's REST subset on the emulator: group routings, queues, numbers and call settings.

Envelopes, paging and the rule that a refused change changes nothing are
:mod:`pcc_router.api.emulator.rest`'s.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from pcc_router.api.emulator import bodies as b
from pcc_router.api.emulator.keys import EMULATOR
from pcc_router.api.emulator.records import PccRecords, RestError, not_found, queue_fields
from pcc_router.api.emulator.rest import change, ok, page
from pcc_router.api.web.errors import read_body

__all__ = [
    "create_queue",
    "create_routing",
    "create_number",
    "delete_queue",
    "delete_routing",
    "delete_number",
    "get_settings",
    "list_numbers",
    "list_queues",
    "list_routings",
    "put_settings",
    "update_queue",
    "update_routing",
    "update_number",
]


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
        return ok(records, "Create group routing success", groupRoutingID=ident)

    return await change(request, mutate)


async def list_routings(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    queue = request.query.get("queue")
    routings = [r for r in records.routings.values() if queue is None or r["queue_id"] == queue]
    return page(request, routings, "groupRoutings", "totalCount", "Load group routings success")


async def update_routing(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.RoutingPatch)
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if ident not in records.routings:
            raise not_found("group routing", ident)
        records.routings[ident]["primary_group"] = body.primary_group
        return ok(records, "Update group routing success")

    return await change(request, mutate)


async def delete_routing(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.routings.pop(ident, None) is None:
            raise not_found("group routing", ident)
        return ok(records, "Delete group routing success")

    return await change(request, mutate)


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
        return ok(records, "Create queue success", queueID=ident)

    return await change(request, mutate)


async def list_queues(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    queues = [_queue_out(q) for q in records.queues.values()]
    return page(request, queues, "queues", "totalCount", "Load queues success")


def _queue_out(queue: dict[str, Any]) -> dict[str, Any]:
    """A queue as PCC shows it: booleans as 0/1, PCC's defaults where none was set."""
    out = {
        "wait_agent_answer_timeout": 15,
        "agent_wrap_up_after_calls": 1,
        "wrap_up_time_limit": 10,
        "get_list_agents_url": None,
        "cond_routing": 2,
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
        return ok(records, "Update queue success")

    return await change(request, mutate)


async def delete_queue(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.queues.pop(ident, None) is None:
            raise not_found("queue", ident)
        records.routings = {k: r for k, r in records.routings.items() if r["queue_id"] != ident}
        return ok(records, "Delete queue success")

    return await change(request, mutate)


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
        return ok(records, "Create number success", numberID=ident)

    return await change(request, mutate)


async def list_numbers(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    numbers = [
        {k: v for k, v in n.items() if k not in ("ivr", "keypress_timeout")}
        for n in records.numbers.values()
    ]
    return page(request, numbers, "numbers", "totalCount", "Load numbers success")


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
        return ok(records, "Update number success")

    return await change(request, mutate)


async def delete_number(request: web.Request) -> web.Response:
    ident = request.match_info["id"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.numbers.pop(ident, None) is None:
            raise not_found("number", ident)
        return ok(records, "Delete number success")

    return await change(request, mutate)


# ------------------------------------------------------------ call settings


async def get_settings(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    return web.json_response(ok(records, "Load call settings success", data=records.settings))


async def put_settings(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.CallSettingsIn)

    def mutate(records: PccRecords) -> dict[str, Any]:
        records.settings.update(b.dump(body))
        return ok(records, "Update call settings success", data=records.settings)

    return await change(request, mutate, rebuild=False)
