"""Tokens, agents (state, verdict, presence), queues, calls, health and metrics.

Agents are reported from the engine, the one owner of their state; the store
is read (off the event loop) only for what the engine does not keep.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from pcc_router.api.controller import handlers
from pcc_router.api.controller.outage import is_outage, reason
from pcc_router.api.controller.reads import Snapshot
from pcc_router.api.controller.sync import pull
from pcc_router.api.keys import CONTROLLER, PCC, SETTINGS, WALL
from pcc_router.api.store import crud, repo
from pcc_router.api.stringee.pcc import PccError
from pcc_router.api.stringee.tokens import TokenError, TokenMinter
from pcc_router.api.views import sip
from pcc_router.api.views.schemas import (
    AgentChange,
    AgentList,
    AgentOut,
    CallOut,
    Health,
    HistoryEntry,
    NotRoutable,
    PresenceChange,
    QueueOut,
    Reason,
    SipOut,
    StoreState,
    SyncAnswer,
    TokenAnswer,
    TokenRequest,
)
from pcc_router.api.web.errors import ApiError, answer, read_body
from pcc_router.api.web.keys import METRICS
from pcc_router.routing import AgentView, Channel, ConfigError, is_phone_number, normal_number

log = logging.getLogger("pcc_router.api")

__all__ = [
    "agent",
    "agent_json",
    "agent_out",
    "agents",
    "call",
    "checked_phone",
    "healthz",
    "metrics",
    "readyz",
    "presence",
    "queue",
    "sync",
    "token",
    "update_agent",
]


def agent_out(view: AgentView, sip: SipOut | None = None) -> AgentOut:
    """An agent as the API shows it: PCC fields, where it is online, the verdict and why."""
    return AgentOut(
        sip=sip,
        stringee_user_id=view.stringee_user_id,
        name=view.name,
        manual_status=view.manual_status,
        system_status=view.system_status,
        routing_type=view.routing_type,
        phone_number=view.phone_number,
        online=list(view.online),
        state=view.activity,
        call_id=view.call_id,
        until=view.until,
        routable=view.verdict.routable,
        reasons=[Reason(code=str(r.code), text=r.text) for r in view.verdict.reasons],
    )


def agent_json(view: AgentView) -> dict[str, Any]:
    """:func:`agent_out` as JSON."""
    return agent_out(view).model_dump(mode="json", exclude_unset=True)


def _agent(snapshot: Snapshot, agent_id: str) -> AgentView:
    view = snapshot.agent(agent_id)
    if view is None:
        raise ApiError(404, f"no agent {agent_id!r}")
    return view


def checked_phone(value: str) -> str:
    """An agent's ``phone_number`` in PCC's form; a 400 when it is not a phone number."""
    if value and not is_phone_number(value):
        raise ApiError(400, "phone_number must be a phone number (e.g. 84901234567, +84 90…)")
    return normal_number(value) if value else ""


async def token(request: web.Request) -> web.Response:
    body, _ = await read_body(request, TokenRequest)
    controller = request.app[CONTROLLER]
    _agent(await controller.read(), body.stringee_user_id)
    settings = request.app[SETTINGS]
    minter = TokenMinter(sid=settings.api_key_sid, secret=settings.api_key_secret)
    try:
        access_token = minter.agent(body.stringee_user_id, ttl=body.ttl)
    except TokenError as exc:
        raise ApiError(400, str(exc)) from None
    expires_at = int(request.app[WALL]()) + body.ttl  # the token's exp: wall-clock seconds
    return answer(TokenAnswer(access_token=access_token, expires_at=expires_at))


async def agents(request: web.Request) -> web.Response:
    controller, settings = request.app[CONTROLLER], request.app[SETTINGS]
    snapshot = await controller.read()
    accounts = await controller.in_store(crud.sip_accounts)
    listed = [agent_out(v, sip.sip_out(settings, v, accounts)) for v in snapshot.agents()]
    return answer(AgentList(r=0, agents=listed))


async def agent(request: web.Request) -> web.Response:
    controller = request.app[CONTROLLER]
    view = _agent(await controller.read(), request.match_info["agent_id"])
    accounts = await controller.in_store(crud.sip_accounts)
    return answer(agent_out(view, sip.sip_out(request.app[SETTINGS], view, accounts)))


async def update_agent(request: web.Request) -> web.Response:
    controller = request.app[CONTROLLER]
    agent_id = _agent(await controller.read(), request.match_info["agent_id"]).stringee_user_id
    body, _ = await read_body(request, AgentChange)
    changes = body.model_dump(exclude_none=True)
    if "phone_number" in changes:
        changes["phone_number"] = checked_phone(changes["phone_number"])
    await controller.submit(handlers.agent_update_unit(controller, agent_id, changes))
    view = agent_out(_agent(await controller.read(), agent_id))
    view.mirrored_to_pcc = await _mirror(request, agent_id, changes)
    return answer(view)


async def _mirror(request: web.Request, agent_id: str, changes: dict[str, Any]) -> bool | None:
    """Send the change to PCC's ``PUT /v1/agent``; ``None`` when PCC is not configured."""
    client = request.app[PCC]
    pcc_id = await request.app[CONTROLLER].in_store(lambda s: crud.agent_pcc_id(s, agent_id))
    if client is None or pcc_id is None:
        return None
    try:
        await client.put_agent(pcc_id, changes)
    except PccError as exc:
        log.warning("agent %s changed here but not in PCC: %s", agent_id, exc)
        return False
    return True


async def sync(request: web.Request) -> web.Response:
    client = request.app[PCC]
    if client is None:
        raise ApiError(409, "PCC_BASE_URL is not configured: nothing to sync from")
    controller = request.app[CONTROLLER]
    try:
        config, _ = await pull(controller, client)
    except PccError as exc:
        raise ApiError(502, f"PCC sync failed: {exc}") from None
    except ConfigError as exc:
        raise ApiError(502, f"PCC's configuration does not hold together: {exc.msg}") from None
    return answer(SyncAnswer(r=0, message="synced", counts=config.counts))


async def presence(request: web.Request) -> web.Response:
    controller = request.app[CONTROLLER]
    agent_id = _agent(await controller.read(), request.match_info["agent_id"]).stringee_user_id
    body, _ = await read_body(request, PresenceChange)
    channel, action = next((c, a) for c in ("app", "push", "sip") if (a := getattr(body, c)))
    unit = handlers.presence_unit(
        controller,
        agent_id,
        Channel(channel),
        action in ("login", "register"),
        device_token=body.device_token,
        expires=body.expires,
    )
    await controller.submit(unit)
    return answer(agent_out(_agent(await controller.read(), agent_id)))


async def queue(request: web.Request) -> web.Response:
    controller = request.app[CONTROLLER]
    queue_id = request.match_info["queue_id"]
    view = (await controller.read()).queue(queue_id)
    if view is None:
        raise ApiError(404, f"no queue {queue_id!r}")
    waiting = await controller.in_store(lambda session: repo.open_calls(session, queue_id))
    out = QueueOut(
        id=view.id,
        waiting_calls=[c.call_id for c in waiting],
        ring_order=list(view.ring_order),
        not_routable=[NotRoutable(stringee_user_id=a, reasons=r) for a, r in view.not_routable],
    )
    return answer(out)


async def call(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    row, history = await request.app[CONTROLLER].in_store(lambda s: crud.call_record(s, call_id))
    if row is None:
        raise ApiError(404, f"no call {call_id!r}")
    out = CallOut(
        call_id=row.call_id,
        queue_id=row.queue_id,
        status=row.status,
        open=row.is_open,
        agent=row.agent_id,
        from_=row.caller,
        to=row.callee,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        history=[
            HistoryEntry(
                received_at=e.received_at,
                applied=e.applied,
                event=_logged(e.body),
                adjusted=e.adjusted,
            )
            for e in history
        ],
    )
    return answer(out)


def _logged(body: str) -> Any:
    """A logged body as JSON; a row from before bodies were checked may not be: its text."""
    try:
        return json.loads(body)
    except ValueError:
        return body


def _store_state(request: web.Request) -> StoreState:
    health = request.app[CONTROLLER].health
    return StoreState(up=health.up, since=health.changed_at, last_error=health.last_error)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process and its event loop answer. The store is not asked (a store
    that hangs must not make the process look dead); what was last seen of it is said."""
    return answer(Health(r=0, message="ok", store=_store_state(request)))


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the store can write right now (a real write, within the deadline)."""
    try:
        await request.app[CONTROLLER].in_store(crud.probe_write)
    except Exception as exc:
        if not is_outage(exc):
            raise
        message = f"not ready: the store cannot write now ({reason(exc)})"
        body = Health(r=503, message=message, store=_store_state(request))
        return answer(body, status=503)
    return answer(Health(r=0, message="ready", store=_store_state(request)))


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    controller = request.app[CONTROLLER]
    orders = (await controller.read()).ring_orders()
    waiting = await controller.in_store(
        lambda session: {q: len(repo.open_calls(session, q)) for q in orders}
    )
    for queue_id, order in orders.items():
        registry.routable.labels(queue_id).set(len(order))
        registry.waiting.labels(queue_id).set(waiting[queue_id])
    return web.Response(body=registry.render(), content_type="text/plain", charset="utf-8")
