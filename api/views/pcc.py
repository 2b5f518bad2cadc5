"""What the Stringee project points at: ``event_url``, ``get_list_agents_url``, customer info."""

from __future__ import annotations

import hmac

from aiohttp import web

from api.controller import PccEvent
from api.errors import ApiError, Body, read_json
from api.keys import BATCHER, CONTROLLER, METRICS, SETTINGS, STORE
from api.store import repo
from api.store.tables import AgentRow

__all__ = ["agents_for_queue", "customer_info", "events"]

STATUSES = ("created", "started", "ringing", "answered", "ended", "agentEnded")


def _check_secret(request: web.Request) -> None:
    secret = request.app[SETTINGS].event_secret
    if not secret:
        return
    given = request.headers.get("X-PCC-Secret") or request.query.get("secret") or ""
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise ApiError(401, "secret is missing or wrong (query ?secret= or X-PCC-Secret)")


def _endpoint(body: Body, key: str) -> tuple[str, str]:
    value = body.get(key, dict, {})
    number, kind = value.get("number", ""), value.get("type", "external")
    if not isinstance(number, str) or len(number) > 128:
        raise ApiError(400, f"{key}.number must be a string")
    if kind not in ("internal", "external"):
        raise ApiError(400, f"{key}.type must be internal or external")
    return number, kind


async def events(request: web.Request) -> web.Response:
    _check_secret(request)
    data = await read_json(request)
    raw = (await request.read()).decode("utf-8", "replace")  # already read: no second I/O
    body = Body(data, strict=False)  # PCC sends more fields than we use
    call_id = body.text("call_id")
    if not call_id:
        raise ApiError(400, "call_id must not be empty")
    timestamp = body.get("timestamp_ms", int)
    if not 0 <= timestamp < 2**62:  # a store's 64-bit integer, with room
        raise ApiError(400, "timestamp_ms must be between 0 and 2**62")
    from_number, from_type = _endpoint(body, "from")
    to_number, to_type = _endpoint(body, "to")
    event = PccEvent(
        call_id=call_id,
        call_status=body.choice("call_status", STATUSES),
        timestamp_ms=timestamp,
        from_number=from_number,
        from_type=from_type,
        to_number=to_number,
        to_type=to_type,
        body=data,
        raw=raw,
    )
    outcome = await request.app[BATCHER].submit(event)
    request.app[METRICS].events.labels(outcome).inc()
    return web.json_response({"r": 0, "message": outcome})


async def agents_for_queue(request: web.Request) -> web.Response:
    _check_secret(request)
    body = Body(await read_json(request), strict=False)
    queue_id = body.text("queueId")
    calls = body.get("calls", list)
    call_ids, callers = [], {}
    for i, call in enumerate(calls):
        if not isinstance(call, dict) or not isinstance(call.get("callId"), str):
            raise ApiError(400, f"calls[{i}].callId is required")
        call_ids.append(call["callId"])
        callers[call["callId"]] = str(call.get("from", ""))[:128]
    controller = request.app[CONTROLLER]
    if queue_id not in controller.queue_ids():
        raise ApiError(404, f"queueId {queue_id!r} is not a known queue")
    order = controller.decide(call_ids, queue_id, callers)
    answer_timeout = controller.engine.answer_timeout(queue_id)
    with request.app[STORE].session() as session:
        agents = []
        for agent_id in order:
            row = session.get(AgentRow, agent_id)
            assert row is not None
            agents.append(
                {
                    "stringee_user_id": agent_id,
                    "routing_type": row.routing_type,
                    "phone_number": row.phone_number,
                    "answer_timeout": answer_timeout,
                }
            )
    request.app[METRICS].decisions.labels(queue_id).inc()
    return web.json_response(
        {"version": 2, "calls": [{"callId": c, "agents": agents} for c in call_ids]}
    )


async def customer_info(request: web.Request) -> web.Response:
    _check_secret(request)
    caller = request.query.get("from", "")
    if not caller:
        return web.json_response({})
    with request.app[STORE].session() as session:
        last = repo.last_call_from(session, caller)
    if last is None:
        return web.json_response({})
    return web.json_response(
        {
            "last_call": {
                "call_id": last.call_id,
                "queue_id": last.queue_id,
                "agent": last.agent_id,
                "status": last.status,
            }
        }
    )
