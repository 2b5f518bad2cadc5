"""SIP phones as Stringee sets them up: accounts through the call REST API, registration details.

When an agent is created with a ``sip_password``, the controller creates her
SIP phone account: ``POST {STRINGEE_API_URL}/v1/sipphone {"username", "password"}``
with a REST token; Stringee answers the account's ``sipusername``,
``<projectId>_<username>``. Deleting the agent deletes it (``DELETE
/v1/sipphone/{username}``). The phone registers at ``SIP_DOMAIN``
(``v2.stringee.com:15060`` unless a regional host is set) with that username
and the password.

The password goes to Stringee and nowhere else: it is not stored, logged,
echoed in an answer or an error, or sent on the event stream. Errors here say
what Stringee answered (status and message), never what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pcc_router.api.stringee.rest import StringeeError, request_json
from pcc_router.api.stringee.tokens import TokenMinter

__all__ = ["SipError", "SipPhoneClient", "sip_username"]


class SipError(StringeeError):
    """Stringee could not be reached or refused; the message never holds the password."""


def sip_username(project_id: str, user_id: str) -> str | None:
    """What the phone registers as: ``<projectId>_<stringee_user_id>`` (``None`` without a
    project id to build it from)."""
    return f"{project_id}_{user_id}" if project_id else None


@dataclass
class SipPhoneClient:
    base_url: str
    minter: TokenMinter

    async def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.base_url.rstrip("/") + path
        return await request_json(
            self.minter, method, url, error=SipError, label=f"{method} {path}", body=body
        )

    async def create(self, username: str, password: str) -> str:
        """Create the account; its ``sipusername`` as Stringee answered it."""
        answer = await self._send(
            "POST", "/v1/sipphone", {"username": username, "password": password}
        )
        sipusername = answer.get("sipusername")
        if not isinstance(sipusername, str) or not sipusername:
            raise SipError("POST /v1/sipphone: no sipusername in the answer")
        return sipusername

    async def delete(self, username: str) -> None:
        await self._send("DELETE", f"/v1/sipphone/{quote(username, safe='')}")
