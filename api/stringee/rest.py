"""One request to a Stringee REST API (PCC's, or the call API), the same way every time.

A fresh REST token in ``X-STRINGEE-AUTH``; a JSON answer that must be an
object with ``r`` 0 (or none) and HTTP 200. Anything else is the caller's
error class, saying what came back (the status, Stringee's message, or why
nothing did), never what was sent: bodies may hold secrets.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from pcc_router.api.stringee.tokens import TokenMinter

__all__ = ["TIMEOUT", "StringeeError", "request_json"]

TIMEOUT = aiohttp.ClientTimeout(total=10)


class StringeeError(RuntimeError):
    """Stringee could not be reached, or refused."""


async def request_json(
    minter: TokenMinter,
    method: str,
    url: str,
    *,
    error: type[StringeeError],
    label: str,
    body: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    session: aiohttp.ClientSession | None = None,
) -> dict[str, Any]:
    """The answer of ``method url``; ``error(label + why)`` when it is not a success."""
    headers = {"X-STRINGEE-AUTH": minter.rest(ttl=300)}
    own = session is None
    client = aiohttp.ClientSession(timeout=TIMEOUT) if session is None else session
    try:
        async with client.request(
            method, url, json=body, params=params, headers=headers
        ) as response:
            answer = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise error(f"{label}: {type(exc).__name__}{': ' + str(exc) if str(exc) else ''}") from None
    finally:
        if own:
            await client.close()
    message = answer.get("message") if isinstance(answer, dict) else None
    if response.status != 200 or not isinstance(answer, dict) or answer.get("r") not in (0, None):
        raise error(f"{label}: HTTP {response.status}, {message!r}")
    return answer
