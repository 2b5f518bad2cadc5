"""Agents' SIP phones: their accounts at Stringee, and what their settings screen needs.

The password given at creation goes to Stringee's call API and nowhere else
(:mod:`pcc_router.api.stringee.sip`). A failure is reported in the answer, never
swallowed: the agent is created (or deleted) all the same.
"""

from __future__ import annotations

import logging
import math

from aiohttp import web

from pcc_router.api.keys import CONTROLLER, SIP
from pcc_router.api.settings import Settings
from pcc_router.api.store import crud
from pcc_router.api.stringee.sip import SipError, sip_username
from pcc_router.api.views.schemas import SipAccountResult, SipOut
from pcc_router.routing import AgentView

__all__ = ["create_account", "delete_account", "sip_out"]

log = logging.getLogger("pcc_router.api")
NOT_CONFIGURED = (
    "no SIP phone account was created: Stringee's call API is not configured "
    "(set STRINGEE_API_URL, or PCC_BASE_URL)"
)


async def create_account(request: web.Request, agent_id: str, password: str) -> SipAccountResult:
    """Create her SIP phone account; what became of it."""
    client = request.app[SIP]
    if client is None:
        return SipAccountResult(created=False, message=NOT_CONFIGURED)
    try:
        username = await client.create(agent_id, password)
    except SipError as exc:
        log.warning("agent %s created, but not her SIP phone account: %s", agent_id, exc)
        return SipAccountResult(created=False, message=f"Stringee refused or failed: {exc}")
    await request.app[CONTROLLER].in_store(
        lambda session: crud.set_sip_account(session, agent_id=agent_id, username=username)
    )
    return SipAccountResult(created=True, username=username)


async def delete_account(request: web.Request, agent_id: str, username: str) -> SipAccountResult:
    """Delete the SIP phone account this controller made for a deleted agent."""
    client = request.app[SIP]
    if client is None:
        return SipAccountResult(deleted=False, username=username, message=NOT_CONFIGURED)
    try:
        await client.delete(agent_id)
    except SipError as exc:
        log.warning("agent %s deleted, but not her SIP phone account: %s", agent_id, exc)
        return SipAccountResult(deleted=False, username=username, message=str(exc))
    return SipAccountResult(deleted=True, username=username)


def sip_out(settings: Settings, view: AgentView, accounts: dict[str, str]) -> SipOut:
    """Her phone's registration details, and whether it is registered now."""
    user = view.stringee_user_id
    expires = view.snapshot.sip_expires
    registered = "sip" in view.online
    return SipOut(
        domain=settings.sip_domain,
        username=accounts.get(user) or sip_username(settings.project_id, user),
        registered=registered,
        expires_at=expires
        if registered and expires is not None and math.isfinite(expires)
        else None,
        account=user in accounts,
    )
