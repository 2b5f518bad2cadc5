"""CareSoft mobile voice: tokens, login and click-to-call links, call status, webhooks."""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from pcc_router.api.keys import CONTROLLER, SETTINGS
from pcc_router.api.store import crud
from pcc_router.api.stringee.caresoft import (
    LinkError,
    call_link,
    login_link,
    new_temp_id,
    verify_webhook,
    voice_token,
)
from pcc_router.api.views.schemas import (
    CallLinkAnswer,
    CareSoftCallOut,
    CareSoftCallRequest,
    CareSoftTokenAnswer,
    CareSoftTokenRequest,
    LinkAnswer,
    WebhookAnswer,
)
from pcc_router.api.web.errors import ApiError, answer, parse_json, read_body

__all__ = ["call_status", "link_call", "link_login", "token", "webhook"]


def _token(request: web.Request, ipphone: str) -> str:
    secret = request.app[SETTINGS].caresoft_voice_token
    if not secret:
        raise ApiError(409, "CARESOFT_VOICE_TOKEN is not configured on this server")
    try:
        return voice_token(ipphone, secret)
    except LinkError as exc:
        raise ApiError(400, str(exc)) from None


async def token(request: web.Request) -> web.Response:
    body, _ = await read_body(request, CareSoftTokenRequest)
    return answer(CareSoftTokenAnswer(token=_token(request, body.ipphone)))


async def link_login(request: web.Request) -> web.Response:
    body, _ = await read_body(request, CareSoftTokenRequest)
    ipphone = body.ipphone
    settings = request.app[SETTINGS]
    if not settings.caresoft_domain:
        raise ApiError(409, "CARESOFT_DOMAIN is not configured on this server")
    url = login_link(
        token=_token(request, ipphone),
        domain=settings.caresoft_domain,
        template=settings.caresoft_link_template,
    )
    return answer(LinkAnswer(url=url))


async def link_call(request: web.Request) -> web.Response:
    body, _ = await read_body(request, CareSoftCallRequest)
    ipphone, phone = body.ipphone, body.phone
    temp_id = body.temp_id or new_temp_id()
    settings = request.app[SETTINGS]
    try:
        url = call_link(
            token=_token(request, ipphone),
            phone=phone,
            temp_id=temp_id,
            template=settings.caresoft_link_template,
        )
    except LinkError as exc:
        raise ApiError(400, str(exc)) from None
    controller = request.app[CONTROLLER]
    created = controller.clock()
    fresh = await controller.in_store(
        lambda session: crud.new_caresoft_call(
            session, temp_id=temp_id, ipphone=ipphone, phone=phone, created=created
        )
    )
    if not fresh:
        raise ApiError(409, f"temp_id {temp_id!r} is already used")
    return answer(CallLinkAnswer(url=url, temp_id=temp_id))


async def call_status(request: web.Request) -> web.Response:
    temp_id = request.match_info["temp_id"]
    row = await request.app[CONTROLLER].in_store(lambda s: crud.caresoft_call(s, temp_id))
    if row is None:
        raise ApiError(404, f"no CareSoft call with temp_id {temp_id!r}")
    out = CareSoftCallOut(
        temp_id=row.temp_id,
        ipphone=row.ipphone,
        phone=row.phone,
        created_at=row.created_at,
        status=row.status,
        call_id=row.call_id,
        history=json.loads(row.history),
    )
    return answer(out)


def _find(data: object, names: tuple[str, ...]) -> str | None:
    """The first string under any of ``names``, anywhere in the delivery."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in names and isinstance(value, (str, int)):
                return str(value)
            found = _find(value, names)
            if found:
                return found
    elif isinstance(data, list):
        for item in data:
            found = _find(item, names)
            if found:
                return found
    return None


async def webhook(request: web.Request) -> web.Response:
    raw = await request.read()
    secret = request.app[SETTINGS].caresoft_webhook_secret
    if secret and not verify_webhook(raw, secret, request.headers.get("X-Hub-Signature")):
        raise ApiError(401, "X-Hub-Signature is missing or does not match the body")
    data, text = parse_json(raw)  # the one rule for bodies: UTF-8, checked, kept as read
    temp_id = _find(data, ("tempId", "temp_id"))
    call_id = _find(data, ("call_id",))
    status = (_find(data, ("call_status", "action")) or "updated")[:64]
    key = "caresoft|" + hashlib.sha1(raw).hexdigest()
    controller = request.app[CONTROLLER]
    received = controller.clock()
    result = await controller.in_store(
        lambda session: crud.record_caresoft_delivery(
            session,
            key=key,
            text=text,
            data=data,
            temp_id=temp_id,
            call_id=call_id,
            status=status,
            received=received,
        )
    )
    return answer(WebhookAnswer.model_validate(result))
