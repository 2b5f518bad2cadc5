"""Tokens, agents (state, verdict, presence), queues, calls, health and metrics."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from aiohttp import web

from api.errors import ApiError, Body, read_json
from api.keys import CONTROLLER, METRICS, PCC, SETTINGS, STORE
from api.pcc import PccError
from api.store import repo
from api.store.tables import AgentRow, CallRow
from api.tokens import TokenError, TokenMinter
from routing import Channel, ConfigError

log = logging.getLogger("pcc_router.api")

__all__ = [
    "agent",
    "agents",
    "call",
    "healthz",
    "metrics",
    "presence",
    "queue",
    "sync",
    "token",
    "update_agent",
]


def _agent_view(request: web.Request, row: AgentRow, now: float) -> dict[str, Any]:
    verdict = request.app[CONTROLLER].engine.verdict(row.stringee_user_id, now)
    online = [
        name
        for name, on in (
            ("app", row.app),
            ("push", bool(row.push_token)),
            ("sip", row.sip_expires is not None and row.sip_expires > now),
        )
        if on
    ]
    return {
        "stringee_user_id": row.stringee_user_id,
        "name": row.name,
        "manual_status": row.manual_status,
        "system_status": row.system_status,
        "routing_type": row.routing_type,
        "phone_number": row.phone_number,
        "online": online,
        "routable": verdict.routable,
        "reasons": [{"code": str(r.code), "text": r.text} for r in verdict.reasons],
    }


def _row(request: web.Request, agent_id: str) -> AgentRow:
    with request.app[STORE].session() as session:
        row = session.get(AgentRow, agent_id)
    if row is None:
        raise ApiError(404, f"no agent {agent_id!r}")
    return row


async def token(request: web.Request) -> web.Response:
    body = Body(await read_json(request))
    user_id = body.text("stringee_user_id")
    ttl = body.get("ttl", int, 3600)
    body.finish()
    if not 1 <= ttl <= 7 * 86400:
        raise ApiError(400, "ttl must be between 1 and 604800 seconds")
    _row(request, user_id)
    settings = request.app[SETTINGS]
    try:
        minted = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
        access_token = minted.agent(user_id, ttl=ttl)
    except TokenError as exc:
        raise ApiError(400, str(exc)) from None
    return web.json_response({"access_token": access_token, "expires_at": int(time.time()) + ttl})


async def agents(request: web.Request) -> web.Response:
    request.app[CONTROLLER].catch_up()  # other instances' changes, before reporting
    now = time.time()
    with request.app[STORE].session() as session:
        rows = repo.list_agents(session)
    return web.json_response({"r": 0, "agents": [_agent_view(request, row, now) for row in rows]})


async def agent(request: web.Request) -> web.Response:
    request.app[CONTROLLER].catch_up()
    row = _row(request, request.match_info["agent_id"])
    return web.json_response(_agent_view(request, row, time.time()))


async def update_agent(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    _row(request, agent_id)
    body = Body(await read_json(request))
    changes = {
        "manual_status": body.text("manual_status", None, max_len=64),
        "routing_type": body.choice("routing_type", (1, 2), None),
        "phone_number": body.text("phone_number", None, max_len=32),
    }
    body.finish()
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise ApiError(400, "give at least one of manual_status, routing_type, phone_number")
    if (
        "phone_number" in changes
        and changes["phone_number"]
        and not changes["phone_number"].isdigit()
    ):
        raise ApiError(400, "phone_number is digits only (E.164 without +)")
    request.app[CONTROLLER].update_agent(agent_id, changes)
    view = _agent_view(request, _row(request, agent_id), time.time())
    view["mirrored_to_pcc"] = await _mirror(request, agent_id, changes)
    return web.json_response(view)


async def _mirror(request: web.Request, agent_id: str, changes: dict[str, Any]) -> bool | None:
    """Send the change to PCC's ``PUT /v1/agent``; ``None`` when PCC is not configured."""
    client = request.app[PCC]
    row = _row(request, agent_id)
    if client is None or row.pcc_id is None:
        return None
    try:
        await client.put_agent(row.pcc_id, changes)
    except PccError as exc:
        log.warning("agent %s changed here but not in PCC: %s", agent_id, exc)
        return False
    return True


async def sync(request: web.Request) -> web.Response:
    client = request.app[PCC]
    if client is None:
        raise ApiError(409, "PCC_BASE_URL is not configured: nothing to sync from")
    try:
        config = await client.fetch()
        request.app[CONTROLLER].change_config(config.save)
    except PccError as exc:
        raise ApiError(502, f"PCC sync failed: {exc}") from None
    except ConfigError as exc:
        raise ApiError(502, f"PCC's configuration does not hold together: {exc.msg}") from None
    return web.json_response({"r": 0, "message": "synced", "counts": config.counts})


async def presence(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    _row(request, agent_id)
    body = Body(await read_json(request))
    given = [c for c in ("app", "push", "sip") if c in body.data]
    if len(given) != 1:
        raise ApiError(400, "give exactly one of app, push, sip")
    channel = given[0]
    allowed = {
        "app": ("login", "logout"),
        "push": ("register", "unregister"),
        "sip": ("register", "unregister"),
    }[channel]
    action = body.choice(channel, allowed)
    device_token = body.text("device_token", None, max_len=4096) if channel == "push" else None
    expires = body.get("expires", (int, float), None) if channel == "sip" else None
    body.finish()
    if expires is not None and not 1 <= expires <= 30 * 86400:
        raise ApiError(400, "expires must be between 1 and 2592000 seconds")
    present = action in ("login", "register")
    request.app[CONTROLLER].presence(
        agent_id, Channel(channel), present, device_token=device_token, expires=expires
    )
    return web.json_response(_agent_view(request, _row(request, agent_id), time.time()))


async def queue(request: web.Request) -> web.Response:
    queue_id = request.match_info["queue_id"]
    controller = request.app[CONTROLLER]
    controller.catch_up()
    if queue_id not in controller.queue_ids():
        raise ApiError(404, f"no queue {queue_id!r}")
    now = time.time()
    engine = controller.engine
    order = engine.ring_order(queue_id)
    members = engine.members(queue_id)
    with request.app[STORE].session() as session:
        waiting = [c.call_id for c in repo.open_calls(session, queue_id)]
    not_routable = [
        {"stringee_user_id": a, "reasons": [r.text for r in engine.verdict(a, now).reasons]}
        for a in members
        if a not in order and not engine.verdict(a, now).routable
    ]
    return web.json_response(
        {
            "id": queue_id,
            "waiting_calls": waiting,
            "ring_order": order,
            "not_routable": not_routable,
        }
    )


async def call(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    with request.app[STORE].session() as session:
        row = session.get(CallRow, call_id)
        history = repo.call_events(session, call_id)
    if row is None:
        raise ApiError(404, f"no call {call_id!r}")
    return web.json_response(
        {
            "call_id": row.call_id,
            "queue_id": row.queue_id,
            "status": row.status,
            "agent": row.agent_id,
            "from": row.caller,
            "to": row.callee,
            "history": [
                {"received_at": e.received_at, "applied": e.applied, "event": json.loads(e.body)}
                for e in history
            ],
        }
    )


async def healthz(request: web.Request) -> web.Response:
    with request.app[STORE].session() as session:
        session.get(AgentRow, "")  # the store answers
    return web.json_response({"r": 0, "message": "ok"})


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    request.app[CONTROLLER].catch_up()
    engine = request.app[CONTROLLER].engine
    with request.app[STORE].session() as session:
        for queue_id in engine.queue_ids():
            registry.routable.labels(queue_id).set(len(engine.ring_order(queue_id)))
            registry.waiting.labels(queue_id).set(len(repo.open_calls(session, queue_id)))
    return web.Response(body=registry.render(), content_type="text/plain", charset="utf-8")
