"""CareSoft mobile voice: tokens, login and click-to-call links, call status, webhooks."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import web
from sqlmodel import Session

from pcc_router.api.caresoft import (
    LinkError,
    call_link,
    login_link,
    new_temp_id,
    verify_webhook,
    voice_token,
)
from pcc_router.api.errors import ApiError, Body, parse_json, read_json
from pcc_router.api.keys import CONTROLLER, SETTINGS
from pcc_router.api.store import repo
from pcc_router.api.store.tables import CareSoftCallRow, EventRow

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
    body = Body((await read_json(request))[0])
    ipphone = body.text("ipphone", max_len=32)
    body.finish()
    return web.json_response({"token": _token(request, ipphone)})


async def link_login(request: web.Request) -> web.Response:
    body = Body((await read_json(request))[0])
    ipphone = body.text("ipphone", max_len=32)
    body.finish()
    settings = request.app[SETTINGS]
    if not settings.caresoft_domain:
        raise ApiError(409, "CARESOFT_DOMAIN is not configured on this server")
    url = login_link(
        token=_token(request, ipphone),
        domain=settings.caresoft_domain,
        template=settings.caresoft_link_template,
    )
    return web.json_response({"url": url})


async def link_call(request: web.Request) -> web.Response:
    body = Body((await read_json(request))[0])
    ipphone = body.text("ipphone", max_len=32)
    phone = body.text("phone", max_len=32)
    temp_id = body.text("temp_id", None, max_len=64) or new_temp_id()
    body.finish()
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
    created = time.time()

    def remember(session: Session) -> None:
        if session.get(CareSoftCallRow, temp_id) is not None:
            raise ApiError(409, f"temp_id {temp_id!r} is already used")
        session.add(
            CareSoftCallRow(temp_id=temp_id, ipphone=ipphone, phone=phone, created_at=created)
        )

    await request.app[CONTROLLER].in_store(remember)
    return web.json_response({"url": url, "temp_id": temp_id})


async def call_status(request: web.Request) -> web.Response:
    temp_id = request.match_info["temp_id"]
    row = await request.app[CONTROLLER].in_store(
        lambda session: session.get(CareSoftCallRow, temp_id)
    )
    if row is None:
        raise ApiError(404, f"no CareSoft call with temp_id {temp_id!r}")
    return web.json_response(
        {
            "temp_id": row.temp_id,
            "ipphone": row.ipphone,
            "phone": row.phone,
            "created_at": row.created_at,
            "status": row.status,
            "call_id": row.call_id,
            "history": json.loads(row.history),
        }
    )


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
    received = time.time()

    def store(session: Session) -> dict[str, Any]:
        if repo.event_seen(session, key):
            return {"r": 0, "message": "duplicate"}
        row = EventRow(
            key=key, kind="caresoft", call_id=call_id or "", body=text, received_at=received
        )
        session.add(row)
        call = session.get(CareSoftCallRow, temp_id) if temp_id else None
        if call is None and call_id:
            call = repo.caresoft_call_by_call_id(session, call_id)
        if call is None:
            return {"r": 0, "message": "stored; matches no temp_id or call_id"}
        history = json.loads(call.history)
        history.append({"received_at": received, "delivery": data})
        call.history, call.status = json.dumps(history), status
        call.call_id = call.call_id or call_id
        session.add(call)
        return {"r": 0, "message": "matched", "temp_id": call.temp_id}

    return web.json_response(await request.app[CONTROLLER].in_store(store))
