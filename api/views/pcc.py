"""What the Stringee project points at: ``event_url``, ``get_list_agents_url``, customer info."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from pcc_router.api import inputs
from pcc_router.api.calls import STATUSES, PccEvent
from pcc_router.api.errors import ApiError, check_text, parse_json
from pcc_router.api.keys import BATCHER, CONTROLLER, METRICS, SETTINGS
from pcc_router.api.signing import HEADER, CallbackRefused, authorise
from pcc_router.api.store import repo
from pcc_router.routing import OfferAgents, normal_number

__all__ = ["agents_for_queue", "customer_info", "events", "pcc_event"]

log = logging.getLogger("pcc_router.api")

#: ``timestamp_ms`` must fit a 64-bit column, with room.
MAX_TIMESTAMP_MS = 2**62


async def _authorised_body(request: web.Request) -> bytes:
    """The raw body, once the request is known to come from PCC (:mod:`pcc_router.api.signing`)."""
    raw = await request.read()
    settings = request.app[SETTINGS]
    try:
        authorise(
            raw,
            signature=request.headers.get(HEADER),
            given_secret=request.headers.get("X-PCC-Secret") or request.query.get("secret"),
            signing_secret=settings.signing_secret,
            event_secret=settings.event_secret,
        )
    except CallbackRefused as exc:
        raise ApiError(401, str(exc)) from None
    return raw


def _text_field(data: dict[str, Any], key: str, errors: list[str], *, max_len: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(f"{key} must be a string")
        return ""
    if len(value) > max_len:
        errors.append(f"{key} is longer than {max_len} characters")
    return value


def _endpoint(data: dict[str, Any], key: str, errors: list[str]) -> tuple[str, str]:
    """``(number, type)`` of ``from`` or ``to``; a number may come as a JSON integer."""
    value = data.get(key)
    if value is None:
        return "", "external"
    if not isinstance(value, dict):
        errors.append(f"{key} must be an object {{number, type}}")
        return "", "external"
    number = value.get("number")
    if number is None:
        number = ""
    elif isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    elif not isinstance(number, str):
        errors.append(f"{key}.number must be a string")
        number = ""
    if len(number) > 128:
        errors.append(f"{key}.number is longer than 128 characters")
    kind = value.get("type", "external")
    if isinstance(kind, str):
        kind = kind.lower()
    if kind not in ("internal", "external"):
        errors.append(f"{key}.type must be internal or external")
        kind = "external"
    return number, str(kind)


def pcc_event(data: dict[str, Any], text: str) -> PccEvent:
    """A PCC call event from its body; a 400 names every missing or wrong field at once."""
    errors: list[str] = []
    status = data.get("call_status")
    if not isinstance(status, str) or status not in STATUSES:
        errors.append(f"call_status must be one of {', '.join(STATUSES)}")
    call_id = data.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        errors.append("call_id is required (a non-empty string)")
    elif len(call_id) > 256:
        errors.append("call_id is longer than 256 characters")
    timestamp = data.get("timestamp_ms")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        errors.append("timestamp_ms is required (an integer of epoch milliseconds)")
    elif not 0 <= timestamp < MAX_TIMESTAMP_MS:
        errors.append("timestamp_ms must be between 0 and 2**62")
    from_number, from_type = _endpoint(data, "from", errors)
    to_number, to_type = _endpoint(data, "to", errors)
    requester = _text_field(data, "request_from_user_id", errors, max_len=256)
    if errors:
        raise ApiError(400, "; ".join(errors), errors=errors)
    return PccEvent(
        call_id=str(call_id),
        call_status=str(status),
        timestamp_ms=int(timestamp),  # type: ignore[arg-type]
        from_number=from_number,
        from_type=from_type,
        to_number=to_number,
        to_type=to_type,
        request_from_user_id=requester,
        raw=text,
    )


async def events(request: web.Request) -> web.Response:
    data, text = parse_json(await _authorised_body(request))
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    status = data.get("call_status")
    if isinstance(status, str) and status and status not in STATUSES:
        # a status PCC added, or one we do not use (connect_failed): acknowledged, nothing more
        log.info("ignored PCC event with call_status %r (call %r)", status, data.get("call_id"))
        request.app[METRICS].events.labels("ignored").inc()
        return web.json_response({"r": 0, "message": "ignored"})
    event = pcc_event(data, text)
    outcome = await request.app[BATCHER].submit(event)
    request.app[METRICS].events.labels(outcome).inc()
    return web.json_response({"r": 0, "message": outcome})


def _calls(data: dict[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    """``queueId``, the call ids and their callers; a 400 names every wrong field."""
    errors: list[str] = []
    queue_id = data.get("queueId")
    if not isinstance(queue_id, str) or not queue_id:
        errors.append("queueId is required (a string)")
    calls = data.get("calls")
    call_ids: list[str] = []
    callers: dict[str, str] = {}
    if not isinstance(calls, list):
        errors.append("calls is required (a list of {callId, from, to})")
        calls = []
    for i, call in enumerate(calls):
        call_id = call.get("callId") if isinstance(call, dict) else None
        if not isinstance(call_id, str) or not call_id or len(call_id) > 256:
            errors.append(f"calls[{i}].callId is required (a string of at most 256 characters)")
            continue
        caller = call.get("from")
        call_ids.append(call_id)
        callers[call_id] = caller[:128] if isinstance(caller, str) else ""
    if errors:
        raise ApiError(400, "; ".join(errors), errors=errors)
    return str(queue_id), call_ids, callers


async def agents_for_queue(request: web.Request) -> web.Response:
    """PCC's ``get_list_agents_url``: POST with a JSON body, or GET with the same as a query."""
    raw = await _authorised_body(request)
    if request.method == "GET":
        query = request.query
        single = {"callId": query.get("callId"), "from": query.get("from", "")}
        data: Any = {"queueId": query.get("queueId"), "calls": [single]}
    else:
        data, _ = parse_json(raw)
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be a JSON object")
    queue_id, call_ids, callers = _calls(data)
    controller = request.app[CONTROLLER]
    if (await controller.read()).queue(queue_id) is None:
        raise ApiError(404, f"queueId {queue_id!r} is not a known queue")
    offers = await controller.submit(inputs.decision_unit(controller, call_ids, queue_id, callers))
    snapshot = controller.peek()

    def offered(agent_id: str, answer_timeout: int) -> dict[str, Any]:
        view = snapshot.agent(agent_id)
        assert view is not None  # just offered by this engine
        return {
            "stringee_user_id": agent_id,
            "routing_type": view.routing_type,
            "phone_number": normal_number(view.phone_number) if view.phone_number else "",
            "answer_timeout": answer_timeout,
        }

    request.app[METRICS].decisions.labels(queue_id).inc()
    by_call: dict[str, OfferAgents] = {offer.call_id: offer for offer in offers}
    answer = [
        {
            "callId": call_id,
            "agents": [
                offered(a, by_call[call_id].answer_timeout) for a in by_call[call_id].agents
            ],
        }
        for call_id in call_ids
    ]
    return web.json_response({"version": 2, "calls": answer})


async def customer_info(request: web.Request) -> web.Response:
    await _authorised_body(request)
    caller = request.query.get("from", "")
    check_text(caller, "from")
    if not caller:
        return web.json_response({})
    last = await request.app[CONTROLLER].in_store(
        lambda session: repo.last_call_from(session, normal_number(caller))
    )
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
