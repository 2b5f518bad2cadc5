"""What the Stringee project points at: ``event_url``, ``get_list_agents_url``, customer info."""

from __future__ import annotations

import logging

from aiohttp import web

from pcc_router.api.controller import handlers
from pcc_router.api.keys import BATCHER, CONTROLLER, SETTINGS
from pcc_router.api.store import repo
from pcc_router.api.stringee.calls import STATUSES, PccEvent
from pcc_router.api.stringee.schemas import (
    AgentsAnswer,
    AgentsQuery,
    AgentsRequest,
    CallOffer,
    CustomerInfo,
    CustomerInfoQuery,
    Endpoint,
    LastCall,
    OfferedAgent,
    PccEventBody,
)
from pcc_router.api.stringee.signing import HEADER, CallbackRefused, authorise, signed_bytes
from pcc_router.api.web.errors import ApiError, answer, checked, parse_json
from pcc_router.api.web.keys import METRICS
from pcc_router.api.web.models import Ack
from pcc_router.routing import OfferAgents, normal_number

__all__ = ["agents_for_queue", "customer_info", "events", "pcc_event"]

log = logging.getLogger("pcc_router.api")


async def _authorised_body(request: web.Request) -> bytes:
    """The raw body, once known to come from PCC (:mod:`pcc_router.api.stringee.signing`)."""
    raw = await request.read()
    settings = request.app[SETTINGS]
    try:
        authorise(
            signed_bytes(request.method, request.raw_path, raw),
            signature=request.headers.get(HEADER),
            given_secret=request.headers.get("X-PCC-Secret") or request.query.get("secret"),
            signing_secret=settings.signing_secret,
            event_secret=settings.event_secret,
        )
    except CallbackRefused as exc:
        raise ApiError(401, str(exc)) from None
    return raw


def _endpoint(end: Endpoint | None) -> tuple[str, str]:
    if end is None:
        return "", "external"
    return ("" if end.number is None else str(end.number)), end.type or "external"


def pcc_event(data: object, text: str) -> PccEvent:
    """A PCC call event from its body; a 400 names every missing or wrong field at once."""
    body = checked(PccEventBody, data)
    from_number, from_type = _endpoint(body.from_)
    to_number, to_type = _endpoint(body.to)
    return PccEvent(
        call_id=body.call_id,
        call_status=body.call_status,
        timestamp_ms=body.timestamp_ms,
        from_number=from_number,
        from_type=from_type,
        to_number=to_number,
        to_type=to_type,
        request_from_user_id=body.request_from_user_id or "",
        raw=text,
    )


async def events(request: web.Request) -> web.Response:
    data, text = parse_json(await _authorised_body(request))
    status = data.get("call_status") if isinstance(data, dict) else None
    if isinstance(status, str) and status and status not in STATUSES:
        # a status PCC added, or one we do not use (connect_failed): acknowledged, nothing more
        log.info("ignored PCC event with call_status %r (call %r)", status, data.get("call_id"))
        request.app[METRICS].events.labels("ignored").inc()
        return answer(Ack(r=0, message="ignored"))
    event = pcc_event(data, text)  # never refused for its timestamp: see controller/timestamps
    outcome = await request.app[BATCHER].submit(event)
    request.app[METRICS].events.labels(outcome).inc()
    return answer(Ack(r=0, message=outcome))


async def agents_for_queue(request: web.Request) -> web.Response:
    """PCC's ``get_list_agents_url``: POST with a JSON body, or GET with the same as a query."""
    raw = await _authorised_body(request)
    if request.method == "GET":
        query = checked(AgentsQuery, dict(request.query))
        queue_id, callers = query.queueId, {query.callId: query.from_ or ""}
    else:
        body = checked(AgentsRequest, parse_json(raw)[0])
        queue_id, callers = body.queueId, {c.callId: c.from_ or "" for c in body.calls}
    controller = request.app[CONTROLLER]
    call_ids = list(callers)
    offers = await controller.submit(
        handlers.decision_unit(controller, call_ids, queue_id, callers)
    )
    if offers is None:
        raise ApiError(404, f"queueId {queue_id!r} is not a known queue")
    snapshot = controller.peek()

    def offered(agent_id: str, answer_timeout: int) -> OfferedAgent:
        view = snapshot.agent(agent_id)
        assert view is not None  # just offered by this engine
        phone = normal_number(view.phone_number) if view.phone_number else ""
        return OfferedAgent(
            stringee_user_id=agent_id,
            routing_type=view.routing_type,
            phone_number=phone,
            answer_timeout=answer_timeout,
        )

    request.app[METRICS].decisions.labels(queue_id).inc()
    by_call: dict[str, OfferAgents] = {offer.call_id: offer for offer in offers}
    calls = [
        CallOffer(
            callId=call_id,
            agents=[offered(a, by_call[call_id].answer_timeout) for a in by_call[call_id].agents],
        )
        for call_id in call_ids
    ]
    return answer(AgentsAnswer(version=2, calls=calls))


async def customer_info(request: web.Request) -> web.Response:
    await _authorised_body(request)
    caller = checked(CustomerInfoQuery, dict(request.query)).from_
    if not caller:
        return answer(CustomerInfo())
    last = await request.app[CONTROLLER].in_store(
        lambda session: repo.last_call_from(session, normal_number(caller))
    )
    if last is None:
        return answer(CustomerInfo())
    found = LastCall(
        call_id=last.call_id, queue_id=last.queue_id, agent=last.agent_id, status=last.status
    )
    return answer(CustomerInfo(last_call=found))
