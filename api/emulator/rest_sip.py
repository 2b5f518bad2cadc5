"""Stringee's call API on the emulator: SIP phone accounts (``/v1/sipphone``).

``POST {username, password}`` answers the account's ``sipusername``,
``<projectId>_<username>``; ``GET`` lists the accounts; ``DELETE
/v1/sipphone/{username}`` removes one. The emulator keeps a SHA-256 of each
password (so a test can tell it arrived), never the password.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from pcc_router.api.emulator import bodies as b
from pcc_router.api.emulator.keys import EMULATOR
from pcc_router.api.emulator.records import PccRecords, RestError, not_found
from pcc_router.api.emulator.rest import change, ok, page
from pcc_router.api.web.errors import read_body

__all__ = ["create_sipphone", "delete_sipphone", "list_sipphones"]


async def create_sipphone(request: web.Request) -> web.Response:
    body, _ = await read_body(request, b.SipPhoneIn)
    digest = hashlib.sha256(body.password.encode()).hexdigest()

    def mutate(records: PccRecords) -> dict[str, Any]:
        if body.username in records.sipphones:
            raise RestError(409, 2, f"SIP phone {body.username!r} exists")
        sipusername = f"{records.project_id}_{body.username}"
        records.sipphones[body.username] = {
            "username": body.username,
            "sipusername": sipusername,
            "password_sha256": digest,
        }
        return ok(records, "Create sip phone success", sipusername=sipusername)

    return await change(request, mutate, rebuild=False)


async def list_sipphones(request: web.Request) -> web.Response:
    records = request.app[EMULATOR].records
    phones = [
        {"username": p["username"], "sipusername": p["sipusername"]}
        for p in records.sipphones.values()
    ]
    return page(request, phones, "sipphones", "totalCount", "Load sip phones success")


async def delete_sipphone(request: web.Request) -> web.Response:
    username = request.match_info["username"]

    def mutate(records: PccRecords) -> dict[str, Any]:
        if records.sipphones.pop(username, None) is None:
            raise not_found("SIP phone", username)
        return ok(records, "Delete sip phone success")

    return await change(request, mutate, rebuild=False)
